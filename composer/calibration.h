// Calibration splits: a dataset -> the samples the composer calibrates on, the samples accuracy
// is measured on, and (for retraining) training and validation samples.
//
// With a train split, input codebooks come from a seeded fraction of the training samples and
// accuracy is measured on the whole test split; retraining holds `validation` training samples
// out. A test-only dataset gives a seeded part of its test samples (--calibration; default 10%,
// half when retraining) to calibration and measures accuracy on the rest, never on what was
// calibrated on; retraining then trains on that part less a fifth of it (or `validation`, if
// fewer) held out to validate. `choice` > 0 (--choose-calibration) also holds out that many
// training samples, disjoint from the calibration sample and drawn from the rest, to choose the
// calibration method on; a test-only dataset chooses on its calibration part, so the evaluation
// part stays unseen. The note says which, for reports.
#pragma once

#include <cstdint>
#include <string>

#include "data/dataset.h"

namespace rapidnn {

struct CalibrationOptions {
  double sample = 0.02;          // fraction of the training split sampled for input codebooks
  std::int64_t calibration = 0;  // test-only datasets: samples held out for calibration (0: 10%)
  std::int64_t validation = 0;   // > 0: training samples held out for retraining's delta-e
  std::int64_t choice = 0;       // > 0: samples held out to choose the calibration method on
  std::uint64_t seed = 1;
};

struct CalibrationSplit {
  Dataset calibration, eval;
  Dataset train, validation;  // filled when options.validation > 0
  Dataset choice;             // filled when options.choice > 0
  std::string note;           // how the split was made
};

// `dataset` names the data in messages. Throws Error for a sample fraction outside (0, 1] or a
// hold-out that leaves nothing.
CalibrationSplit split_for_calibration(DatasetSplits splits, const CalibrationOptions& o, const std::string& dataset);

}  // namespace rapidnn
