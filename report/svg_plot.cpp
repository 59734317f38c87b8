// Inline SVG plots: scales, axes and marks, written with fixed formatting.
#include "report/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rapidnn::report {
namespace {

constexpr double kW = 640, kH = 360, kLeft = 78, kRight = 150, kTop = 44, kBottom = 56;
const char* const kPalette[] = {"#3b6fb6", "#e08a2c", "#3f9e5a", "#c4453c", "#8a63b8", "#7f7f7f", "#b8a23a", "#2fa4b5"};

const char* color(std::size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

std::string num(double v) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", v / 1e3);
  if (std::fabs(v - std::round(v)) < 1e-9 * std::max(1.0, a)) return fmt::format("{:.0f}", v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2g}", v);
}

// A "nice" axis: 0 (or lo) to a round top with about five ticks.
std::vector<double> ticks(double lo, double hi) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::floor(lo / step) * step; v < hi + step * 0.999; v += step) t.push_back(v);
  return t;
}

// Log-scale ticks (in log10 units) at 1, 2 and 5 times each power of ten spanning [lo, hi].
std::vector<double> log_ticks(double lo, double hi) {
  const double a = std::floor(lo);
  double b = std::ceil(hi);
  if (b <= a) b = a + 1;
  std::vector<double> t;
  for (double k = a; k <= b; k += 1)
    for (double m : {1.0, 2.0, 5.0})
      if (k + std::log10(m) <= b + 1e-9) t.push_back(k + std::log10(m));
  return t;
}

std::string open_svg(const std::string& id, const std::string& title) {
  return fmt::format(
      "<figure><svg class=\"plot\" id=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>\n"
      "<text x=\"{}\" y=\"24\" class=\"ptitle\">{}</text>\n",
      id, kW, kH, kW, kH, escape_xml(title), kLeft, escape_xml(title));
}

std::string close_svg(const std::string& caption) {
  return fmt::format("</svg><figcaption>{}</figcaption></figure>\n", escape_xml(caption));
}

// Color from green (t = 0) through yellow to red (t = 1).
std::string ramp(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const int r = static_cast<int>(t < 0.5 ? 80 + 2 * t * 160 : 240);
  const int g = static_cast<int>(t < 0.5 ? 180 + 2 * t * 30 : 210 - (t - 0.5) * 2 * 140);
  const int b = static_cast<int>(t < 0.5 ? 100 - 2 * t * 40 : 60);
  return fmt::format("#{:02x}{:02x}{:02x}", r, g, b);
}

std::string legend(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double y = kTop + 8 + static_cast<double>(i) * 20;
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" "
                     "class=\"small\">{}</text>\n",
                     kW - kRight + 14, y, color(i), kW - kRight + 31, y + 10, escape_xml(names[i]));
  }
  return s;
}

// Y axis with grid lines; returns the value -> pixel map's parameters.
std::string y_axis(const std::vector<double>& t, const std::string& label, bool log_scale = false) {
  std::string s;
  const double lo = t.front(), hi = t.back();
  for (double v : t) {
    const double y = kH - kBottom - (v - lo) / (hi - lo) * (kH - kTop - kBottom);
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/><text x=\"{}\" y=\"{:.1f}\" "
                     "class=\"small\" text-anchor=\"end\">{}</text>\n",
                     kLeft, kW - kRight, y, y, kLeft - 6, y + 4, log_scale ? num(std::pow(10.0, v)) : num(v));
  }
  s += fmt::format("<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">{}</text>\n",
                   (kTop + kH - kBottom) / 2, escape_xml(label));
  return s;
}

}  // namespace

std::string escape_xml(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string svg_heatmap(const std::string& id, const std::string& title, const std::string& caption,
                        const std::vector<std::string>& rows, const std::vector<std::string>& cols,
                        const std::vector<std::vector<double>>& values, const std::string& row_axis,
                        const std::string& col_axis, const std::string& value_format) {
  std::string s = open_svg(id, title);
  double lo = 1e300, hi = -1e300;
  for (const auto& r : values)
    for (double v : r) lo = std::min(lo, v), hi = std::max(hi, v);
  const double cw = (kW - kLeft - kRight) / static_cast<double>(std::max<std::size_t>(cols.size(), 1));
  const double ch = (kH - kTop - kBottom) / static_cast<double>(std::max<std::size_t>(rows.size(), 1));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = kTop + static_cast<double>(r) * ch;
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"small\">{}</text>\n", kLeft - 6, y + ch / 2 + 4,
                     escape_xml(rows[r]));
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const double v = values[r][c], x = kLeft + static_cast<double>(c) * cw;
      const double t = hi > lo ? (v - lo) / (hi - lo) : 0.0;
      s += fmt::format("<rect class=\"mark\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
                       "stroke=\"#fff\"><title>{} {}, {} {}: {}</title></rect>\n",
                       x, y, cw, ch, ramp(t), escape_xml(row_axis), escape_xml(rows[r]), escape_xml(col_axis),
                       escape_xml(cols[c]), fmt::format(fmt::runtime(value_format), v));
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" class=\"cell\">{}</text>\n", x + cw / 2,
                       y + ch / 2 + 5, fmt::format(fmt::runtime(value_format), v));
    }
  }
  for (std::size_t c = 0; c < cols.size(); ++c)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{}</text>\n",
                     kLeft + (static_cast<double>(c) + 0.5) * cw, kH - kBottom + 18, escape_xml(cols[c]));
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">{}</text>\n", (kLeft + kW - kRight) / 2,
                   kH - 12, escape_xml(col_axis));
  s += fmt::format("<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">{}</text>\n",
                   (kTop + kH - kBottom) / 2, escape_xml(row_axis));
  return s + close_svg(caption);
}

std::string svg_bars(const std::string& id, const std::string& title, const std::string& caption,
                     const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                     const std::string& y_label, double reference, const std::string& reference_label) {
  std::string s = open_svg(id, title);
  double hi = reference;
  for (const auto& se : series)
    for (double v : se.values) hi = std::max(hi, v);
  const auto t = ticks(0.0, hi);
  s += y_axis(t, y_label);
  const double top = t.back(), plot_h = kH - kTop - kBottom;
  const double gw = (kW - kLeft - kRight) / static_cast<double>(std::max<std::size_t>(categories.size(), 1));
  const double bw = gw * 0.8 / static_cast<double>(std::max<std::size_t>(series.size(), 1));
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const double gx = kLeft + static_cast<double>(c) * gw + gw * 0.1;
    for (std::size_t k = 0; k < series.size(); ++k) {
      const double v = c < series[k].values.size() ? series[k].values[c] : 0.0;
      const double h = std::max(0.0, v / top * plot_h);
      s += fmt::format("<rect class=\"mark\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                       "<title>{} {}: {}</title></rect>\n",
                       gx + static_cast<double>(k) * bw, kH - kBottom - h, bw * 0.92, std::max(h, 0.5), color(k),
                       escape_xml(categories[c]), escape_xml(series[k].name), num(v));
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{}</text>\n", gx + gw * 0.4,
                     kH - kBottom + 18, escape_xml(categories[c]));
  }
  if (reference > 0) {
    const double y = kH - kBottom - reference / top * plot_h;
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"ref\"/><text x=\"{}\" y=\"{:.1f}\" "
                     "class=\"small\">{}</text>\n",
                     kLeft, kW - kRight, y, y, kW - kRight + 4, y + 4, escape_xml(reference_label));
  }
  std::vector<std::string> names;
  for (const auto& se : series) names.push_back(se.name);
  if (series.size() > 1) s += legend(names);
  return s + close_svg(caption);
}

std::string svg_stacked(const std::string& id, const std::string& title, const std::string& caption,
                        const std::vector<std::string>& rows, const std::vector<std::vector<Segment>>& segments,
                        const std::string& unit) {
  std::string s = open_svg(id, title);
  double hi = 0;
  for (const auto& r : segments) {
    double sum = 0;
    for (const auto& g : r) sum += g.value;
    hi = std::max(hi, sum);
  }
  const auto t = ticks(0.0, hi);
  const double top = t.back(), plot_w = kW - kLeft - kRight;
  const double rh = (kH - kTop - kBottom) / static_cast<double>(std::max<std::size_t>(rows.size(), 1));
  for (double v : t) {
    const double x = kLeft + v / top * plot_w;
    s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" class=\"grid\"/><text x=\"{:.1f}\" y=\"{}\" "
                     "text-anchor=\"middle\" class=\"small\">{}</text>\n",
                     x, x, kTop, kH - kBottom, x, kH - kBottom + 18, num(v));
  }
  std::vector<std::string> names;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    double x = kLeft;
    const double y = kTop + static_cast<double>(r) * rh + rh * 0.2;
    for (std::size_t k = 0; k < segments[r].size(); ++k) {
      const Segment& g = segments[r][k];
      auto it = std::find(names.begin(), names.end(), g.name);
      const std::size_t ci = static_cast<std::size_t>(it - names.begin());
      if (it == names.end()) names.push_back(g.name);
      const double w = g.value / top * plot_w;
      s += fmt::format("<rect class=\"mark\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                       "<title>{}: {} {}</title></rect>\n",
                       x, y, std::max(w, 0.5), rh * 0.6, color(ci), escape_xml(g.name), num(g.value), escape_xml(unit));
      x += w;
    }
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"small\">{}</text>\n", kLeft - 6,
                     y + rh * 0.3 + 4, escape_xml(rows[r]));
  }
  s += legend(names);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">{}</text>\n", (kLeft + kW - kRight) / 2,
                   kH - 12, escape_xml(unit));
  return s + close_svg(caption);
}

std::string svg_scatter(const std::string& id, const std::string& title, const std::string& caption,
                        const std::vector<Point>& points, const std::string& x_axis, const std::string& y_label,
                        bool log_y) {
  std::string s = open_svg(id, title);
  double xlo = 1e300, xhi = -1e300, ylo = 1e300, yhi = -1e300;
  const auto fy = [&](double v) { return log_y ? std::log10(std::max(v, 1e-30)) : v; };
  for (const auto& p : points) {
    xlo = std::min(xlo, p.x), xhi = std::max(xhi, p.x);
    ylo = std::min(ylo, fy(p.y)), yhi = std::max(yhi, fy(p.y));
  }
  if (points.empty()) xlo = ylo = 0, xhi = yhi = 1;
  const auto tx = ticks(std::min(xlo, 0.0), xhi);
  const auto ty = log_y ? log_ticks(ylo, yhi) : ticks(std::min(ylo, 0.0), yhi);
  s += y_axis(ty, y_label, log_y);
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  const auto px = [&](double v) { return kLeft + (v - tx.front()) / (tx.back() - tx.front()) * plot_w; };
  const auto py = [&](double v) { return kH - kBottom - (fy(v) - ty.front()) / (ty.back() - ty.front()) * plot_h; };
  for (double v : tx)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{}</text>\n", px(v),
                     kH - kBottom + 18, num(v));
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">{}</text>\n", (kLeft + kW - kRight) / 2,
                   kH - 12, escape_xml(x_axis));
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    s += fmt::format("<circle class=\"mark\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"6\" fill=\"{}\"><title>{}: {}, {}</title>"
                     "</circle><text x=\"{:.1f}\" y=\"{:.1f}\" class=\"small\">{}</text>\n",
                     px(p.x), py(p.y), color(0), escape_xml(p.label), num(p.x), num(p.y), px(p.x) + 8, py(p.y) - 6,
                     escape_xml(p.label));
  }
  return s + close_svg(caption);
}

}  // namespace rapidnn::report
