// The paper benchmark: the RAPIDNN paper's evaluation (Tables 2 and 3, Figures 10-12 and 14) on its
// own benchmarks, one flow per benchmark, then one report beside the paper's numbers.
//
// Each benchmark is a flow configuration, <configs>/<name>.json (bench/paper/: MNIST's topology on
// Fashion-MNIST, ISOLET, CIFAR-10's CNN), run in <out>/<name>/ with every stage cached as the
// flow caches them; a benchmark whose dataset is absent is skipped with the reason. The report
// goes to <out>/report/ (index.html, report.md, results.json).
#pragma once

#include <string>
#include <vector>

namespace rapidnn::flow {

struct PaperOptions {
  std::string out = "out/paper";
  std::string configs;              // default: the source tree's bench/paper
  std::vector<std::string> only;    // benchmark names; empty: all
  bool force = false;
};

struct PaperOutcome {
  std::string report_html, report_md;
  std::vector<std::string> ran, skipped;  // benchmark names
  double seconds = 0.0, peak_rss_mb = 0.0;
  // Every stage's own recorded time, whether it ran now or was reused: the cost from scratch.
  double stage_seconds = 0.0;
  bool ok = true;  // false: a co-simulation found a mismatch
};

// The benchmarks the paper benchmark knows, in report order.
std::vector<std::string> paper_benchmark_names();

PaperOutcome run_paper(const PaperOptions& o);

}  // namespace rapidnn::flow
