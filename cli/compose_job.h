// Shared by `rapidnn compose` and `rapidnn sweep`: model + dataset -> prepared composer,
// calibration and evaluation splits, float and golden-model accuracy.
#pragma once

#include <string>

#include "cli/common.h"
#include "composer/compose.h"
#include "models/golden.h"

namespace rapidnn::cli {

struct ComposeJobOptions {
  std::string model;
  DatasetOptions data;
  int q = 64;
  std::string codebook = "optimal";  // best measured delta-e at (16, 64); see README
  double sample = 0.02;
  std::int64_t calibration = 0;  // test-only datasets: images held out for calibration (0: 10%)
  std::uint64_t seed = 1;
  int product_bits = 16;
  int threads = 0;
  std::int64_t validation = 0;  // > 0: hold this many training samples out for retraining's delta-e
};

void add_compose_options(CLI::App& cmd, ComposeJobOptions& o);

struct ComposeJob {
  Network net;
  Dataset eval;                       // what accuracy is measured on
  std::vector<std::uint16_t> eval_raw;
  std::string calibration_note;
  double float_accuracy = 0.0;
  ComposerState state;
  double prepare_seconds = 0.0;
  // With a validation hold-out (options.validation > 0): what retraining uses.
  Dataset train, validation, calibration;
  double float_validation_accuracy = 0.0;
};

ComposeJob prepare_compose_job(const ComposeJobOptions& o, int max_w, int max_u);

struct GoldenEval {
  double accuracy = 0.0;
  double seconds = 0.0;
};
GoldenEval evaluate_golden(const ComposedNetwork& cn, const ComposeJob& job, int threads);

}  // namespace rapidnn::cli
