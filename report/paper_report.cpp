// Paper benchmark report: the benchmarks' flow results beside the paper -> HTML and Markdown.
#include "report/paper_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/flow_report.h"
#include "report/svg_plot.h"
#include "report/table.h"

namespace rapidnn::report {
namespace {

using nlohmann::json;

std::string signed2(double v) { return fmt::format("{:+.2f}", v); }

// The plain sweep's grid `key` ("delta_e", "table_bits") at (w, u), or null when it does not hold it.
json sweep_cell(const json& results, const char* key, int w, int u) {
  if (!results.contains("sweep") || !results.at("sweep").contains(key)) return nullptr;
  const json& s = results.at("sweep");
  const auto ws = s.at("w").get<std::vector<int>>(), us = s.at("u").get<std::vector<int>>();
  const auto i = std::find(ws.begin(), ws.end(), w), j = std::find(us.begin(), us.end(), u);
  if (i == ws.end() || j == us.end()) return nullptr;
  return s.at(key).at(i - ws.begin()).at(j - us.begin());
}

double sweep_delta_e(const json& results, int w, int u) {
  const json v = sweep_cell(results, "delta_e", w, u);
  return v.is_null() ? std::nan("") : v.get<double>();
}

// The lookup tiles of the sweep's synthesis, one per (w, u) (the first accumulate form).
std::vector<const json*> lookup_tiles(const json& results) {
  std::vector<const json*> out;
  if (!results.contains("sweep_synth")) return out;
  for (const auto& t : results.at("sweep_synth").at("tiles")) {
    if (t.value("form", std::string()) == "mac") continue;
    const bool seen = std::any_of(out.begin(), out.end(), [&](const json* o) {
      return o->value("w", 0) == t.value("w", 0) && o->value("u", 0) == t.value("u", 0);
    });
    if (!seen) out.push_back(&t);
  }
  return out;
}

// Energy-delay product of a tile in uJ x ms: energy per inference times its cycles at the clock.
double edp(const json& t, double period_ns) {
  return t.value("energy_nj_per_inference", 0.0) / 1e3 * static_cast<double>(t.value("cycles", 0)) * period_ns / 1e6;
}

struct Page {
  std::string body, md;
  std::vector<std::string> plots;
  void section(const std::string& title, const std::string& html, const std::string& markdown) {
    body += "<section><h2>" + escape_xml(title) + "</h2>\n" + html + "</section>\n";
    md += "## " + title + "\n\n" + markdown + "\n";
  }
};

void table2(const json& benches, Page& p) {
  Table t{{"benchmark", "topology", "float error (rapidnn)", "paper", "trained"}, {}};
  for (const auto& b : benches) {
    const json& r = b.at("results");
    const json& m = r.at("model");
    const json& train = r.at("config").at("train");
    t.rows.push_back({b.value("title", std::string()), b.value("topology", std::string()),
                      fmt::format("{:.2f}%", 100.0 - m.value("float_accuracy", 0.0)),
                      fmt::format("{:.1f}%", b.at("paper").value("error_pct", 0.0)),
                      m.value("trained", false) ? fmt::format("in-tool, {} epochs, {:.0f} s", train.value("epochs", 0),
                                                              m.value("train_seconds", 0.0))
                                                : "given model"});
  }
  const std::string note =
      "Error rate on each test set (100% minus float accuracy) of the network the model stage trained with the paper's "
      "recipe: SGD with momentum, dropout 0.5 on hidden fully-connected layers, ReLU, softmax.";
  p.section("Table 2: float error rates", t.html() + "<p>" + escape_xml(note) + "</p>", t.md() + note + "\n");
}

void figure10(const json& benches, Page& p) {
  std::string html, md;
  for (const auto& b : benches) {
    const json& r = b.at("results");
    if (!r.contains("sweep")) continue;
    const std::string name = b.value("name", std::string());
    const json& s = r.at("sweep");
    const auto ws = s.at("w").get<std::vector<int>>(), us = s.at("u").get<std::vector<int>>();
    std::vector<std::string> rows, cols;
    for (int w : ws) rows.push_back(std::to_string(w));
    for (int u : us) cols.push_back(std::to_string(u));
    const auto plain = s.at("delta_e").get<std::vector<std::vector<double>>>();
    auto retrained = plain;
    bool any_retrained = false;
    if (r.contains("sweep_retrain"))
      for (const auto& pt : r.at("sweep_retrain").at("points")) {
        const auto i = std::find(ws.begin(), ws.end(), pt.value("w", 0)) - ws.begin();
        const auto j = std::find(us.begin(), us.end(), pt.value("u", 0)) - us.begin();
        retrained[i][j] = pt.value("delta_e", 0.0);
        any_retrained = true;
      }
    html += "<h3>" + escape_xml(b.value("title", std::string())) + "</h3>\n";
    html += svg_heatmap("fig10-" + name, b.value("title", std::string()) + ": delta-e without retraining",
                        "Test-set points lost against the float network; rows w, columns u. Lower is better.", rows,
                        cols, plain, "w", "u", "{:+.2f}");
    p.plots.push_back("fig10-" + name);
    if (any_retrained) {
      html += svg_heatmap("fig10-" + name + "-retrained", b.value("title", std::string()) + ": delta-e with retraining",
                          fmt::format("Cluster-aware retraining at every point whose delta-e without it exceeds {:+.2f}; "
                                      "the others keep it.",
                                      r.at("sweep_retrain").value("above", 0.0)),
                          rows, cols, retrained, "w", "u", "{:+.2f}");
      p.plots.push_back("fig10-" + name + "-retrained");
    }
    Table t{{"w \\ u"}, {}};
    for (const auto& c : cols) t.head.push_back(c + (any_retrained ? " (plain / retrained)" : ""));
    for (std::size_t i = 0; i < ws.size(); ++i) {
      t.rows.push_back({rows[i]});
      for (std::size_t j = 0; j < us.size(); ++j)
        t.rows.back().push_back(any_retrained ? signed2(plain[i][j]) + " / " + signed2(retrained[i][j]) : signed2(plain[i][j]));
    }
    html += t.html();
    md += "### " + b.value("title", std::string()) + "\n\n" + t.md();
  }
  const std::string note =
      "The paper's Figure 10 gives curves, not numbers; its text: delta-e about 0 at (16, 64) for most benchmarks, and "
      "0 for MNIST at (64, 16).";
  p.section("Figure 10: delta-e over (w, u)", html + "<p>" + escape_xml(note) + "</p>", md + note + "\n");
}

void table3(const json& benches, Page& p) {
  Table t{{"benchmark", "retraining epochs", "composer time (rapidnn, 2 cores)", "paper"}, {}};
  for (const auto& b : benches) {
    const json& c = b.at("results").at("compose");
    const json& pp = b.at("paper");
    const int epochs = c.contains("retrain") ? c.at("retrain").value("epochs", 0) : 0;
    t.rows.push_back({b.value("title", std::string()), std::to_string(epochs), fmt::format("{:.1f} s", c.value("seconds", 0.0)),
                      pp.value("compose_note", std::string())});
  }
  const std::string note =
      "Composer time: the compose stage's wall time at the design's (w, u): loading, clustering, tables, the retraining "
      "epochs and the golden model's evaluation of the test set.";
  p.section("Table 3: composer time", t.html() + "<p>" + escape_xml(note) + "</p>", t.md() + note + "\n");
}

void figures11_12(const json& benches, Page& p) {
  std::string html, md;
  Table best{{"benchmark", "delta-e bound", "(w, u)", "delta-e", "EDP / EDP at min delta-e", "tile table bits / at min delta-e"}, {}};
  for (const auto& b : benches) {
    const json& r = b.at("results");
    const auto tiles = lookup_tiles(r);
    if (tiles.empty()) continue;
    const double period = r.at("config").at("synth").value("period_ns", 100.0);
    const std::string name = b.value("name", std::string());
    Table t{{"(w, u)", "delta-e", "cycles per inference", "energy uJ", "EDP uJ x ms", "table bits (network)"}, {}};
    std::vector<Point> pts;
    const json* minimum = nullptr;
    for (const json* tp : tiles) {
      const json& tile = *tp;
      const int w = tile.value("w", 0), u = tile.value("u", 0);
      const double d = tile.value("delta_e", 0.0);
      const json cell = sweep_cell(r, "table_bits", w, u);
      const std::int64_t bits = cell.is_null() ? 0 : cell.get<std::int64_t>();
      t.rows.push_back({fmt::format("({}, {})", w, u), signed2(d), std::to_string(tile.value("cycles", 0)),
                        fmt::format("{:.3f}", tile.value("energy_nj_per_inference", 0.0) / 1e3), fmt::format("{:.4g}", edp(tile, period)),
                        std::to_string(bits)});
      pts.push_back({d, edp(tile, period), fmt::format("({}, {})", w, u)});
      if (!minimum || d < minimum->value("delta_e", 0.0) - 1e-12 ||
          (std::abs(d - minimum->value("delta_e", 0.0)) <= 1e-12 && edp(tile, period) < edp(*minimum, period)))
        minimum = tp;
    }
    html += "<h3>" + escape_xml(b.value("title", std::string())) + "</h3>\n";
    html += svg_scatter("fig12-" + name, b.value("title", std::string()) + ": energy-delay against delta-e",
                        fmt::format("Each (w, u): the first weighted layer's whole lookup tile (Yosys + osu018, "
                                    "OpenSTA vectorless power), energy per inference times its cycles at the "
                                    "configured {} ns clock.",
                                    period),
                        pts, "delta-e (points)", "EDP (uJ x ms)", true);
    p.plots.push_back("fig12-" + name);
    html += t.html();
    md += "### " + b.value("title", std::string()) + "\n\n" + t.md();
    const auto bits_of = [](const json& tile) {
      return static_cast<double>(tile.at("block").value("table_bits", std::int64_t{0}));
    };
    const double min_d = minimum->value("delta_e", 0.0);
    for (const double bound : {min_d, 1.0, 2.0, 4.0}) {
      const json* pick = nullptr;
      for (const json* tp : tiles)
        if (tp->value("delta_e", 0.0) <= bound + 1e-9 && (!pick || edp(*tp, period) < edp(*pick, period))) pick = tp;
      if (!pick) continue;
      best.rows.push_back({b.value("title", std::string()), bound == min_d ? fmt::format("minimum ({:+.2f})", min_d) : fmt::format("<= {:.0f}", bound),
                           fmt::format("({}, {})", pick->value("w", 0), pick->value("u", 0)), signed2(pick->value("delta_e", 0.0)),
                           fmt::format("{:.2f}", edp(*pick, period) / std::max(1e-12, edp(*minimum, period))),
                           fmt::format("{:.2f}", bits_of(*pick) / std::max(1.0, bits_of(*minimum)))});
    }
  }
  if (best.rows.empty()) return;
  const std::string note =
      "The paper's Figure 11 normalizes energy and speed to a GTX 1080 GPU, which this benchmark does not measure; its "
      "Figure 12 gives EDP at delta-e = 2 and 4 points 11% and 15% below the minimum-delta-e point (0.89 and 0.85), "
      "with 77% and 87% of its memory. Here cycles, energy and table bits are the first weighted layer's tile, the one "
      "every (w, u) point synthesizes; the delta-e is the whole network's.";
  p.section("Figures 11 and 12: cycles, energy and energy-delay per (w, u)",
            html + "<h3>Minimum energy-delay point per delta-e bound</h3>\n" + best.html() + "<p>" + escape_xml(note) + "</p>",
            md + "### Minimum energy-delay point per delta-e bound\n\n" + best.md() + note + "\n");
}

void figure14(const json& benches, Page& p) {
  std::vector<std::string> names;
  std::vector<std::vector<Segment>> segs;
  Table t{{"benchmark", "tile", "area mm2", "weight accumulation (logic + memory)", "activation + encoding", "controller",
           "other"},
          {}};
  for (const auto& b : benches) {
    for (const json* tp : lookup_tiles(b.at("results"))) {
      const json& tile = *tp;
      if (tile.value("w", 0) != 64 || tile.value("u", 0) != 64 || !tile.contains("area_breakdown") ||
          tile.at("area_breakdown").is_null())
        continue;
      const json& a = tile.at("area_breakdown");
      const double total = std::max(1.0, a.value("total_um2", 0.0));
      const double acc = a.value("weight_accumulation_logic_um2", 0.0) + a.value("weight_accumulation_memory_um2", 0.0);
      const auto share = [&](double v) { return fmt::format("{:.1f}%", 100.0 * v / total); };
      names.push_back(b.value("title", std::string()));
      segs.push_back({{"accumulation logic", a.value("weight_accumulation_logic_um2", 0.0)},
                      {"accumulation memory", a.value("weight_accumulation_memory_um2", 0.0)},
                      {"activation + encoding", a.value("activation_encoding_um2", 0.0)},
                      {"controller", a.value("controller_um2", 0.0)},
                      {"other", a.value("other_um2", 0.0)}});
      t.rows.push_back({b.value("title", std::string()), tile.value("label", std::string()), fmt::format("{:.3f}", total / 1e6),
                        share(acc), share(a.value("activation_encoding_um2", 0.0)), share(a.value("controller_um2", 0.0)),
                        share(a.value("other_um2", 0.0))});
    }
  }
  if (names.empty()) return;
  t.rows.push_back({"paper (whole accelerator)", "w = u = 64", "", "RNA 56.7% and memory 38.2%", "10.8% of the RNA",
                    "5.1% (with buffers)", ""});
  std::string html = svg_stacked("fig14", "Area of one tile at w = u = 64, by function",
                                 "The first weighted layer's whole lookup tile, synthesized hierarchically (Yosys + "
                                 "osu018); each module's cells times its instances, the table memories as ROM logic.",
                                 names, segs, "um2");
  p.plots.push_back("fig14");
  const std::string note =
      "Weight accumulation: the RNAs and product rows with the weight-index and bias memories; activation + encoding: "
      "the rnn_am blocks (ReLU comparator and the encoding NDCAM); other: the tap table, the tile's glue and the "
      "fanout buffers. The paper's split is of its whole 45 nm crossbar accelerator, ours of one 180 nm "
      "standard-cell tile whose tables are ROM logic.";
  p.section("Figure 14: area breakdown", html + t.html() + "<p>" + escape_xml(note) + "</p>", t.md() + note + "\n");
}

void cosim(const json& benches, Page& p) {
  Table t{{"benchmark", "design (w, u)", "delta-e", "images bit-exact", "latency cycles", "interval cycles"}, {}};
  for (const auto& b : benches) {
    const json& r = b.at("results");
    if (!r.contains("cosim")) continue;
    const json& c = r.at("compose");
    t.rows.push_back({b.value("title", std::string()), fmt::format("({}, {})", c.value("w", 0), c.value("u", 0)),
                      signed2(c.value("delta_e", 0.0)),
                      fmt::format("{} ({})", r.at("cosim").value("samples", 0), r.at("cosim").value("simulator", std::string())),
                      std::to_string(r.at("cosim").value("latency_cycles", 0)),
                      fmt::format("{:.0f}", r.at("emit").value("interval_cycles", 0.0))});
  }
  if (t.rows.empty()) return;
  const std::string note =
      "Every image's every layer index and class agreed bit for bit with the golden model, and the latency with the "
      "cycle model.";
  p.section("Co-simulation of the designs", t.html() + "<p>" + escape_xml(note) + "</p>", t.md() + note + "\n");
}

void checks(const json& benches, Page& p) {
  Table t{{"benchmark", "figure", "bound", "measured", "holds"}, {}};
  for (const auto& b : benches) {
    if (!b.contains("bounds")) continue;
    const json& r = b.at("results");
    const json& bd = b.at("bounds");
    if (bd.contains("float_error_pct")) {
      const double e = 100.0 - r.at("model").value("float_accuracy", 0.0);
      t.rows.push_back({b.value("title", std::string()), "float test error", fmt::format("<= {:.1f}%", bd.value("float_error_pct", 0.0)),
                        fmt::format("{:.2f}%", e), e <= bd.value("float_error_pct", 0.0) ? "yes" : "NO"});
    }
    for (const auto& d : bd.value("delta_e", json::array())) {
      const int w = d.at(0), u = d.at(1);
      const double bound = d.at(2), v = sweep_delta_e(r, w, u);
      t.rows.push_back({b.value("title", std::string()), fmt::format("delta-e at ({}, {}) without retraining", w, u),
                        fmt::format("<= {:+.2f}", bound), std::isnan(v) ? "not swept" : signed2(v),
                        !std::isnan(v) && v <= bound + 1e-9 ? "yes" : "NO"});
    }
  }
  if (!t.rows.empty()) p.section("Bounds", t.html(), t.md());
}

void caveats(const json& benches, const json& run, Page& p) {
  std::string html = "<ul>", md;
  for (const auto& b : benches)
    for (const auto& n : b.value("not_like_for_like", json::array())) {
      const std::string line = b.value("title", std::string()) + ": " + n.get<std::string>();
      html += "<li>" + escape_xml(line) + "</li>";
      md += "- " + line + "\n";
    }
  const std::string all =
      "All: rapidnn's hardware figures are 180 nm standard cells (osu018) with tables as ROM logic, the paper's 45 nm "
      "resistive crossbars and NDCAMs from HSPICE; no GPU is measured.";
  html += "<li>" + escape_xml(all) + "</li></ul>";
  md += "- " + all + "\n";
  const std::string time = fmt::format(
      "This run: {:.0f} s wall time, peak memory {:.0f} MiB; {} stages ran, {} reused. Every stage's own time, ran now "
      "or reused from an earlier run, adds up to {:.0f} s: the cost of the whole benchmark from scratch.",
      run.value("seconds", 0.0), run.value("peak_rss_mb", 0.0), run.value("stages_run", 0),
      run.value("stages_cached", 0), run.value("stage_seconds", 0.0));
  p.section("Not like for like", html + "<p>" + escape_xml(time) + "</p>", md + "\n" + time + "\n");
}

}  // namespace

PaperReport render_paper_report(const json& r) {
  const json& benches = r.at("benchmarks");
  Page p;
  std::string names;
  for (const auto& b : benches) names += (names.empty() ? "" : ", ") + b.value("title", std::string());
  p.md = "# rapidnn against the RAPIDNN paper\n\nBenchmarks: " + names + ". The HTML page (`index.html`) has the plots.\n\n";
  table2(benches, p);
  figure10(benches, p);
  table3(benches, p);
  figures11_12(benches, p);
  figure14(benches, p);
  cosim(benches, p);
  checks(benches, p);
  caveats(benches, r.value("run", json::object()), p);
  PaperReport out;
  out.html = html_page("rapidnn against the RAPIDNN paper",
                       fmt::format("{}; generated by rapidnn {} (DO NOT EDIT)", names, r.value("version", std::string())),
                       p.body);
  out.markdown = p.md;
  out.plots = p.plots;
  return out;
}

}  // namespace rapidnn::report
