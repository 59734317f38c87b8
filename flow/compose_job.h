// The compose job, shared by `rapidnn compose`, `rapidnn sweep` and the flow's compose and sweep
// stages: model + dataset -> the prepared composer (codebooks up to the largest (w, u)), the
// calibration split, and float and golden-model accuracy on the evaluation samples.
#pragma once

#include <string>

#include "composer/calibration.h"
#include "composer/compose.h"
#include "core/ir.h"
#include "data/dataset.h"

namespace rapidnn::flow {

// With choose_calibration, a dataset with a train split holds this many training samples out
// (disjoint from the calibration sample) to choose on (composer/calibration.h).
inline constexpr std::int64_t kChoiceSamples = 5000;

struct ComposeJobOptions {
  std::string model;
  DatasetOptions data;
  int q = 64;
  std::string codebook = "optimal";  // best measured delta-e at (16, 64); see README
  std::string input_codebooks = "float";  // or "composed" (composer/sequential.h)
  bool bias_correction = false;
  bool refit_codebooks = false;  // weight codebook entries refit to layer outputs (composer/sequential.h)
  bool global_codebook = false;  // one weight and one input codebook for every layer
  std::string weighting = "plain";  // or "output" (CodebookWeighting)
  bool choose_calibration = false;  // assemble() chooses weighting, input codebooks, bias correction and refit
  double sample = 0.02;
  std::int64_t calibration = 0;  // test-only datasets: images held out for calibration (0: 10%)
  std::uint64_t seed = 1;
  int product_bits = 16;
  int threads = 0;
  std::int64_t validation = 0;  // > 0: hold this many training samples out for retraining's delta-e
  int lowest_level = 0;  // > 0: also every coarser codebook level down to this one (composer/levels.h)
};

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

// Validates the options (ranges from composer/compose.h), loads, splits and prepares.
ComposeJob prepare_compose_job(const ComposeJobOptions& o, int max_w, int max_u);

struct GoldenEval {
  double accuracy = 0.0;
  double seconds = 0.0;
};
GoldenEval evaluate_golden(const ComposedNetwork& cn, const ComposeJob& job, int threads);

}  // namespace rapidnn::flow
