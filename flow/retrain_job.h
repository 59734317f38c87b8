// Cluster-aware retraining (paper section 3.2) and composing to an artifact, for `rapidnn compose`
// and the flow's compose stage.
#pragma once

#include <nlohmann/json.hpp>

#include "flow/compose_job.h"

namespace rapidnn::flow {

struct RetrainJobOptions {
  bool enabled = false;
  int iterations = 5;
  int epochs = 5;
  double epsilon = 0.0;
  double lr = 0.02;
  double dropout = 0.0;
  std::int64_t validation = 5000;
};

// Fails with a clear message when this build has no libtorch.
void check_retrain_available();

struct RetrainJobResult {
  ComposerState state;  // of the best iteration (its codebooks, for WCSS reports)
  ComposedNetwork composed;
  int best_iteration = 0;
  int iterations_run = 0;
  double seconds = 0.0, train_seconds = 0.0;
  int epochs_run = 0;
};

// Runs the loop at (w, u) on a job prepared with a validation hold-out, printing a line per
// iteration (validation delta-e, times) and a progress bar while training.
// w and u: one size each, or one per weighted layer (layer_sizes).
RetrainJobResult run_retrain_job(const ComposeJob& job, const ComposeJobOptions& co, const RetrainJobOptions& ro,
                                 const std::vector<int>& w, const std::vector<int>& u);

// compose at one (w, u), shared by `rapidnn compose` and `rapidnn flow`: prepare, assemble,
// optionally retrain, evaluate with the golden model, write the artifact to `output`.
struct ComposeOutcome {
  ComposeJob job;
  ComposedNetwork composed;
  const ComposerState* state = nullptr;  // the codebooks of `composed` (job.state or the retrained one)
  RetrainJobResult retrain;
  GoldenEval golden;
  // With ComposeJobOptions::lowest_level: the golden model at each coarser level, finest first.
  std::vector<std::pair<int, GoldenEval>> levels;
  double delta_e = 0.0, assemble_seconds = 0.0;
  nlohmann::json metrics;  // what the artifact's manifest records
};
void compose_to_artifact(const ComposeJobOptions& co, const RetrainJobOptions& ro, const std::vector<int>& w,
                         const std::vector<int>& u, const std::string& output, ComposeOutcome& out);

}  // namespace rapidnn::flow
