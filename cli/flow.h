// The flow: a FlowConfig -> every stage of the tool, cached, then a report.
//
// Stages: model (train or load), compose (optionally retrain) and evaluate, sweep (delta-e over
// a (w, u) grid), emit, cosim, synth (the design's blocks), sweep-synth (lookup vs MAC neuron
// per grid point), report. Each stage's output lives in <out>/stages/<stage>-<key>/, where the
// key is a content hash of the stage's settings, its input files and its upstream keys; a stage
// whose directory exists is reused. A stage is built under a temporary name and renamed into
// place when it succeeds, so an interrupted run resumes at the stage it was in.
#pragma once

#include <string>

#include "cli/flow_config.h"

namespace rapidnn::cli {

struct FlowRunOptions {
  bool force = false;  // rerun every stage
};

struct FlowOutcome {
  std::string report_html, report_md, results_json;
  int stages_run = 0, stages_cached = 0;
  bool ok = true;  // false: co-simulation found a mismatch (exit status 1)
};

FlowOutcome run_flow(const FlowConfig& config, const FlowRunOptions& options);

}  // namespace rapidnn::cli
