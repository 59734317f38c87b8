// The sweep job: delta-e over a (w, u) grid (paper Figure 10), for `rapidnn sweep` and the flow's
// sweep stage. One composer preparation at the largest (w, u), then one assembly and one golden
// evaluation per point; optionally every point's artifact.
#pragma once

#include <string>
#include <vector>

#include "flow/compose_job.h"

namespace rapidnn::flow {

struct SweepPoint {
  int w = 0, u = 0;
  double rapidnn_accuracy = 0.0, delta_e = 0.0;
  std::int64_t table_bits = 0;
  double wcss_weights = 0.0, wcss_inputs = 0.0;
};

struct SweepOutcome {
  ComposeJob job;
  std::vector<SweepPoint> points;  // w-major: points[i * u.size() + j] is (w[i], u[j])
};

// Writes each point's artifact to <artifacts_dir>/w<W>-u<U> when artifacts_dir is not empty.
SweepOutcome run_sweep_job(const ComposeJobOptions& o, const std::vector<int>& w, const std::vector<int>& u,
                           const std::string& artifacts_dir = "");

}  // namespace rapidnn::flow
