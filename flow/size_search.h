// The per-layer size search: ComposeJobOptions + allowed sizes + a delta-e target -> the
// smallest tables (in bits) whose validation delta-e meets the target, layer by layer.
//
// Greedy from the largest sizes: at each step every weighted layer's w and u is tried one allowed
// size smaller, and the candidate with the fewest table bits that still meets the target on the
// validation samples (held-out training samples; with steer_on_test, or for a test-only dataset,
// held-out test samples) is taken; the search ends when no smaller step meets it. A step meets the target when
// its validation delta-e plus `margin` standard errors does: the standard error of the paired
// difference between the float network's and the composition's hits on the same samples, so a
// point that meets the target only by the luck of the sample is not taken. Accuracy on the
// evaluation set is measured once, for the result, never to steer the search.
//
// A greedy search tries many candidates on one sample and takes the first that meets the target,
// so it favours those the sample flatters (and held-out training samples flatter every candidate
// of a model trained on them). With `confirm` > 0, that many seeded test samples, disjoint from
// everything else, must accept a step too: of the candidates that meet the target on validation,
// the one with the fewest bits whose delta-e on the confirmation samples, plus `margin` standard
// errors, also meets it is taken. Accuracy is then measured on the remaining test samples only,
// which neither steered nor confirmed anything.
#pragma once

#include <optional>
#include <vector>

#include "flow/compose_job.h"

namespace rapidnn::flow {

struct SizeStep {
  std::vector<int> w, u;  // one per weighted layer
  double validation_delta_e = 0.0;
  double standard_error = 0.0;  // of validation_delta_e, points
  std::int64_t table_bits = 0;
  std::optional<double> confirm_delta_e, confirm_standard_error;  // set where the path was confirmed
};

struct SizeSearchOutcome {
  ComposeJob job;
  std::vector<SizeStep> steps;  // steps.back() is the result
  bool met = false;             // the largest sizes met the target (and its confirmation)
  double delta_e = 0.0;         // of the result, on the evaluation set
  SizeStep uniform;             // the smallest uniform (w, u) of the allowed sizes meeting the target
  bool uniform_met = false;
  int evaluations = 0;
};

struct SizeSearchOptions {
  std::vector<int> w_sizes, u_sizes;  // allowed sizes
  double target = 0.0;                // delta-e, points
  double margin = 1.0;                // standard errors added to validation delta-e before comparing
  std::int64_t validation = 5000;     // samples held out to steer the search (replaces o.validation)
  // Steer on a seeded part of the test split instead of held-out training samples (which a model
  // trained on the whole training split has seen, so they understate delta-e); accuracy is then
  // measured on the rest of the test split only.
  bool steer_on_test = false;
  std::int64_t confirm = 0;  // > 0: seeded test samples that confirm the path (see above)
};

SizeSearchOutcome run_size_search(const ComposeJobOptions& o, const SizeSearchOptions& s);

}  // namespace rapidnn::flow
