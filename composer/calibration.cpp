// Calibration splits: DatasetSplits + seeds -> calibration, evaluation, training and validation sets.
#include "composer/calibration.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace rapidnn {

namespace {

// The indices of [0, n) not in `sorted`.
std::vector<std::int64_t> complement(std::int64_t n, const std::vector<std::int64_t>& sorted) {
  std::vector<std::int64_t> rest;
  std::size_t k = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (k < sorted.size() && sorted[k] == i) ++k;
    else rest.push_back(i);
  }
  return rest;
}

}  // namespace

CalibrationSplit split_for_calibration(DatasetSplits splits, const CalibrationOptions& o, const std::string& dataset) {
  if (!(o.sample > 0.0 && o.sample <= 1.0)) fail("--sample", "{} is not in (0, 1]", o.sample);
  CalibrationSplit out;
  if (splits.train) {
    Dataset train = std::move(*splits.train);
    if (o.validation > 0) {
      if (o.validation >= train.size())
        fail("--validation", "{} leaves no training samples ({} in all)", o.validation, train.size());
      auto [rest, val] = split_validation(train, o.validation, o.seed);
      train = std::move(rest);
      out.validation = std::move(val);
    }
    const auto n = std::max<std::int64_t>(1, static_cast<std::int64_t>(o.sample * static_cast<double>(train.size())));
    const auto cal = sample_indices(train.size(), n, o.seed);
    out.calibration = train.subset(cal);
    out.eval = std::move(splits.test);
    out.note = fmt::format("{} training samples ({:.1f}%, seed {}); accuracy on all {} test samples", n, 100.0 * o.sample,
                           o.seed, out.eval.size());
    if (o.choice > 0) {
      const auto rest = complement(train.size(), cal);
      if (rest.empty()) fail("--sample", "{} leaves no training samples to choose the calibration on", o.sample);
      std::vector<std::int64_t> pick;
      for (std::int64_t i : sample_indices(static_cast<std::int64_t>(rest.size()), o.choice, o.seed + 1))
        pick.push_back(rest[static_cast<std::size_t>(i)]);
      out.choice = train.subset(pick);
      out.note += fmt::format("; the calibration chosen on {} other training samples", out.choice.size());
    }
    if (o.validation > 0) {
      out.note += fmt::format("; {} training samples held out for validation", o.validation);
      out.train = std::move(train);
    }
    return out;
  }
  const std::int64_t total = splits.test.size();
  const bool retrain = o.validation > 0;
  const std::int64_t n = o.calibration > 0 ? o.calibration : std::max<std::int64_t>(1, total / (retrain ? 2 : 10));
  if (n >= total) fail("--calibration", "{} leaves no test samples to measure accuracy on ({} in all)", n, total);
  const auto held = sample_indices(total, n, o.seed);
  out.calibration = splits.test.subset(held);
  out.eval = splits.test.subset(complement(total, held));
  if (!retrain) {
    out.note = fmt::format("{} seeded test samples (seed {}; the dataset has no train split); accuracy on the other {}",
                           n, o.seed, out.eval.size());
    if (o.choice > 0) {
      out.choice = out.calibration;
      out.note += "; the calibration chosen on the held-out part";
    }
    return out;
  }
  // Retraining on a test-only dataset: the held-out part is all it sees (training, validation and
  // calibration); accuracy is measured only on the other part.
  const std::int64_t v = std::min(o.validation, n / 5);
  if (v < 1 || n - v < 1)
    fail("--calibration", "{} held-out test samples of {} are too few to retrain on and validate (at least 5)", n,
         dataset);
  auto [tr, val] = split_validation(out.calibration, v, o.seed);
  out.calibration = tr;
  out.train = std::move(tr);
  out.validation = std::move(val);
  out.note = fmt::format("{} seeded test samples (seed {}; the dataset has no train split) held out: {} to retrain and "
                         "calibrate on, {} to validate; accuracy on the other {}, never trained on",
                         n, o.seed, n - v, v, out.eval.size());
  return out;
}

}  // namespace rapidnn
