// Stage "sweep": delta-e over the (w, u) grid (paper Figure 10), and each point's artifact when
// the per-point synthesis needs them.
#include <fmt/format.h>

#include <algorithm>

#include <tuple>

#include "core/error.h"
#include "flow/shard.h"
#include "flow/shard_run.h"
#include "flow/stages.h"
#include "flow/sweep_job.h"

namespace rapidnn::flow {

SweepOut SweepOut::from_json(const json& j) {
  SweepOut r;
  r.record = j;
  r.w = j.at("w").get<std::vector<int>>();
  r.u = j.at("u").get<std::vector<int>>();
  r.delta_e = j.at("delta_e").get<std::vector<std::vector<double>>>();
  return r;
}

std::string SweepOut::summary() const {
  double best = 1e9, worst = -1e9;
  for (const auto& row : delta_e)
    for (double v : row) best = std::min(best, v), worst = std::max(worst, v);
  return fmt::format("{} points, delta-e {:+.2f} to {:+.2f}", w.size() * u.size(), best, worst);
}

json SweepStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  return {{"stage", "sweep"},       {"model", ctx.model->info.key}, {"dataset", ctx.data_hash},
          {"settings", compose_settings(c)}, {"w", c.sweep_w}, {"u", c.sweep_u}, {"artifacts", c.sweep_synth}};
}

namespace {

// The sweep as ctx.jobs shards through GNU parallel (flow/shard_run.h), merged.
std::pair<std::vector<SweepPoint>, double> sharded_sweep(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  std::vector<std::string> args{"sweep"};
  for (auto& a : compose_args(compose_options(c, ctx.model_file()))) args.push_back(std::move(a));
  args.insert(args.end(), {"--w", fmt::format("{}", fmt::join(c.sweep_w, ",")), "--u",
                           fmt::format("{}", fmt::join(c.sweep_u, ",")), "-j", "1"});
  if (c.sweep_synth) args.insert(args.end(), {"--artifacts", dir.string()});
  const fs::path shards = dir / "shards";
  const ProcessResult r = run_shards_with_parallel(args, ctx.jobs, shards);
  if (r.exit_code != 0) fail(shards.string(), "a sweep shard failed (GNU parallel exit {}):\n{}", r.exit_code, r.output);
  auto points = read_sweep_shards(load_shards({shards.string()}));
  fs::remove_all(shards);  // merged; the stage's outputs are those of one process
  fmt::print("{} sweep shards through GNU parallel, merged\n", ctx.jobs);
  return points;
}

}  // namespace

SweepOut SweepStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  std::vector<SweepPoint> points;
  double float_accuracy = 0.0;
  if (ctx.jobs > 1) {
    std::tie(points, float_accuracy) = sharded_sweep(ctx, dir);
  } else {
    SweepOutcome s =
        run_sweep_job(compose_options(c, ctx.model_file()), c.sweep_w, c.sweep_u, c.sweep_synth ? dir.string() : "");
    points = std::move(s.points);
    float_accuracy = s.job.float_accuracy;
  }
  json grid = json::array(), bits = json::array();
  for (std::size_t i = 0; i < c.sweep_w.size(); ++i) {
    json row = json::array(), brow = json::array();
    for (std::size_t j = 0; j < c.sweep_u.size(); ++j) {
      const SweepPoint& p = points[i * c.sweep_u.size() + j];
      row.push_back(p.delta_e);
      brow.push_back(p.table_bits);
    }
    grid.push_back(row);
    bits.push_back(brow);
  }
  return SweepOut::from_json({{"w", c.sweep_w}, {"u", c.sweep_u}, {"delta_e", grid}, {"table_bits", bits},
                              {"float_accuracy", float_accuracy}});
}

}  // namespace rapidnn::flow
