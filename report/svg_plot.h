// Plots as inline SVG for the flow report: heat map, grouped bars, stacked bar, scatter.
//
// Each function returns one <figure> holding an <svg class="plot" id="..."> whose data marks
// carry class="mark" (the report's render check counts them) and a caption. Output depends only
// on the arguments: no timestamps, fixed number formatting.
#pragma once

#include <string>
#include <vector>

namespace rapidnn::report {

std::string escape_xml(const std::string& s);

// values[r][c], drawn as colored cells with the value printed; lower is better (green).
std::string svg_heatmap(const std::string& id, const std::string& title, const std::string& caption,
                        const std::vector<std::string>& rows, const std::vector<std::string>& cols,
                        const std::vector<std::vector<double>>& values, const std::string& row_axis,
                        const std::string& col_axis, const std::string& value_format);

struct BarSeries {
  std::string name;
  std::vector<double> values;  // one per category
};
// Grouped vertical bars; a dashed reference line at `reference` when it is > 0.
std::string svg_bars(const std::string& id, const std::string& title, const std::string& caption,
                     const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                     const std::string& y_axis, double reference = 0.0, const std::string& reference_label = "");

struct Segment {
  std::string name;
  double value = 0.0;
};
// One horizontal bar per row, each split into segments (same segment names across rows).
std::string svg_stacked(const std::string& id, const std::string& title, const std::string& caption,
                        const std::vector<std::string>& rows, const std::vector<std::vector<Segment>>& segments,
                        const std::string& unit);

struct Point {
  double x = 0.0, y = 0.0;
  std::string label;
};
std::string svg_scatter(const std::string& id, const std::string& title, const std::string& caption,
                        const std::vector<Point>& points, const std::string& x_axis, const std::string& y_axis,
                        bool log_y);

}  // namespace rapidnn::report
