// The flow: a FlowConfig -> every stage of the tool, cached, then a report.
//
// Stages (flow/stages.h, one file each): model (train or load), compose (optionally retrain) and
// evaluate, sweep (delta-e over a (w, u) grid), emit, cosim, synth (the design's blocks),
// sweep-synth (lookup vs MAC neuron per grid point), report. The runner (flow/runner.h) keys,
// caches, logs and draws progress; run_flow() is the list of stages.
#pragma once

#include <string>

#include "flow/flow_config.h"

namespace rapidnn::flow {

struct FlowRunOptions {
  bool force = false;  // rerun every stage
  int jobs = 1;        // > 1: the sweep and cosim stages as this many shards through GNU parallel
};

struct FlowOutcome {
  std::string report_html, report_md, results_json;
  int stages_run = 0, stages_cached = 0;
  bool ok = true;  // false: co-simulation found a mismatch (exit status 1)
};

FlowOutcome run_flow(const FlowConfig& config, const FlowRunOptions& options);

}  // namespace rapidnn::flow
