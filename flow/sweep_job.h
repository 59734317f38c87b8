// The sweep job: delta-e over a (w, u) grid (paper Figure 10), for `rapidnn sweep` and the flow's
// sweep stage. One composer preparation at the largest (w, u), then one assembly and one golden
// evaluation per point; optionally every point's artifact.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "flow/compose_job.h"
#include "flow/shard.h"

namespace rapidnn::flow {

struct SweepPoint {
  std::int64_t item = 0;  // its index in the grid, w-major
  int w = 0, u = 0;
  double rapidnn_accuracy = 0.0, delta_e = 0.0;
  std::int64_t table_bits = 0;
  double wcss_weights = 0.0, wcss_inputs = 0.0;
};

struct SweepOutcome {
  ComposeJob job;
  // w-major: points[i * u.size() + j] is (w[i], u[j]); with a shard, only its points, in grid order.
  std::vector<SweepPoint> points;
};

// Writes each point's artifact to <artifacts_dir>/w<W>-u<U> when artifacts_dir is not empty. With
// `shard`, evaluates only the points it owns (flow/shard.h).
SweepOutcome run_sweep_job(const ComposeJobOptions& o, const std::vector<int>& w, const std::vector<int>& u,
                           const std::string& artifacts_dir = "", const Shard* shard = nullptr);

// The sweep's CSV, as `rapidnn sweep` writes it and `rapidnn merge` reassembles it from shards.
inline constexpr const char* kSweepCsvHeader =
    "w,u,q,codebook,float_accuracy,rapidnn_accuracy,delta_e,table_bits,wcss_weights,wcss_inputs\n";
std::string sweep_csv_row(const SweepPoint& p, const ComposeJobOptions& o, double float_accuracy);

// Shard `shard` of a sweep run: its points (points.csv as the sweep writes them, points.json at
// full precision with the float accuracy) and manifest into <shard_dir>/I-of-N; returns the
// directory.
std::filesystem::path write_sweep_shard(const SweepOutcome& r, const ComposeJobOptions& o, const std::vector<int>& w,
                                        const std::vector<int>& u, const Shard& shard,
                                        const std::filesystem::path& shard_dir);

// The points of a whole sweep run from its shards' points.json (load_shards checked them), in grid
// order, and the float accuracy.
std::pair<std::vector<SweepPoint>, double> read_sweep_shards(const std::vector<LoadedShard>& shards);

// The key naming a sweep run for its shards: the model's and dataset's contents, the options and
// the grid.
std::string sweep_run_key(const ComposeJobOptions& o, const std::vector<int>& w, const std::vector<int>& u);

}  // namespace rapidnn::flow
