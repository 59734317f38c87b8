// The per-layer size search: ComposeJobOptions + allowed sizes + a delta-e target -> the
// smallest tables (in bits) whose validation delta-e meets the target, layer by layer.
//
// Greedy from the largest sizes: at each step every weighted layer's w and u is tried one allowed
// size smaller, and the candidate with the fewest table bits that still meets the target on the
// validation samples (held-out training samples, or for a test-only dataset the held-out test
// samples) is taken; the search ends when no smaller step meets it. A step meets the target when
// its validation delta-e plus `margin` standard errors does: the standard error of the paired
// difference between the float network's and the composition's hits on the same samples, so a
// point that meets the target only by the luck of the sample is not taken. Accuracy on the
// evaluation set is measured once, for the result, never to steer the search.
#pragma once

#include <vector>

#include "flow/compose_job.h"

namespace rapidnn::flow {

struct SizeStep {
  std::vector<int> w, u;  // one per weighted layer
  double validation_delta_e = 0.0;
  double standard_error = 0.0;  // of validation_delta_e, points
  std::int64_t table_bits = 0;
};

struct SizeSearchOutcome {
  ComposeJob job;
  std::vector<SizeStep> steps;  // steps.back() is the result
  bool met = false;             // the largest sizes met the target
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
};

SizeSearchOutcome run_size_search(const ComposeJobOptions& o, const SizeSearchOptions& s);

}  // namespace rapidnn::flow
