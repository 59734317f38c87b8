// The flow's report: results JSON -> one self-contained HTML page with SVG plots, and Markdown.
//
// Plots (each only when its stage ran): delta-e over (w, u) (paper Figure 10), area of the whole
// first-layer tiles (lookup, 8-bit MAC, equal-accuracy MAC; Figure 14), cycles per layer and
// throughput, delta-e against tile area and against energy per inference for every synthesized
// tile (the Pareto plots), and, for older results with lone neurons, lookup-versus-MAC ratios per
// (w, u) and energy-delay versus delta-e (Figure 12). The page
// carries a small script that, once laid out, lists each plot's size and drawn marks in
// #render-check, so a headless browser can prove the page renders.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rapidnn::report {

struct FlowReport {
  std::string html, markdown;
  std::vector<std::string> plots;  // ids of the plots drawn
};

FlowReport render_flow_report(const nlohmann::json& results);

// One self-contained page in the reports' style (CSS inline) with the render-check script.
std::string html_page(const std::string& title, const std::string& subtitle, const std::string& body);

}  // namespace rapidnn::report
