// The paper benchmark's report: every benchmark's flow results beside the paper's own numbers ->
// one HTML page (inline SVG, the flow report's style and render check) and Markdown.
//
// Input (flow/paper.h writes it as results.json):
//   {"version", "run": {seconds, peak_rss_mb, ...},
//    "benchmarks": [{"name", "title", "topology", "paper": {error_pct, compose_epochs, compose_seconds,
//                    compose_note}, "not_like_for_like": [...], "results": <the flow's results.json>}]}
// Sections: Table 2 (float error), Figure 10 (delta-e over (w, u) without and with retraining),
// Table 3 (composer time), Figures 11/12 (cycles, energy and energy-delay per (w, u), the
// minimum-EDP point per delta-e bound), Figure 14 (area of a w = u = 64 tile by function), the
// co-simulations, the bounds checked, and what is not like for like.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rapidnn::report {

struct PaperReport {
  std::string html, markdown;
  std::vector<std::string> plots;  // ids of the plots drawn
};

PaperReport render_paper_report(const nlohmann::json& results);

}  // namespace rapidnn::report
