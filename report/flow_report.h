// The flow's report: results JSON -> one self-contained HTML page with SVG plots, and Markdown.
//
// Plots (each only when its stage ran): delta-e over (w, u) (paper Figure 10), area breakdown of
// a tile beside its multiply-accumulate counterpart (Figure 14), cycles per layer and throughput,
// lookup-versus-MAC ratios per (w, u) and energy-delay versus delta-e (Figure 12). The page
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

}  // namespace rapidnn::report
