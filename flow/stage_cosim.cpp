// Stage "cosim": a sample of the test set through the RTL against the golden model, bit for bit,
// and the measured cycles against the cycle model (sim/cosim.h's check_cycles, as `rapidnn cosim`).
#include <fmt/format.h>

#include "composer/artifact.h"
#include "composer/compose.h"
#include "core/error.h"
#include "flow/cosim_result.h"
#include "flow/shard.h"
#include "flow/shard_run.h"
#include "flow/stages.h"
#include "composer/levels.h"
#include "generator/design_record.h"
#include "models/golden.h"
#include "sim/cosim.h"
#include "sim/cycle_model.h"

namespace rapidnn::flow {

CosimOut CosimOut::from_json(const json& j) {
  CosimOut r;
  r.record = j;
  r.samples = j.value("samples", 0);
  r.latency_cycles = j.value("latency_cycles", 0);
  r.simulator = j.value("simulator", std::string());
  return r;
}

std::string CosimOut::summary() const {
  const std::string levels =
      record.contains("levels") ? fmt::format(" at each of {} codebook levels", record.at("levels").size()) : "";
  return fmt::format("{} images bit-exact{} on {}; latency {} cycles (as predicted)", samples, levels, simulator,
                     latency_cycles);
}

json CosimStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  return {{"stage", "cosim"}, {"emit", ctx.emit->info.key}, {"dataset", ctx.data_hash}, {"samples", c.samples},
          {"simulator", kSimulators.name(c.simulator)}};
}

namespace {

// The co-simulation as ctx.jobs shards through GNU parallel (flow/shard_run.h), one shared build;
// every shard checks its images bit for bit and its cycles against the cycle model.
CosimOut sharded_cosim(const FlowContext& ctx, const fs::path& dir, std::int64_t n) {
  const FlowConfig& c = ctx.config;
  const fs::path shards = dir / "shards";
  std::vector<std::string> args{"cosim", "-c", ctx.artifact_dir(), "-r", ctx.rtl_dir(), "-d", c.dataset, "-n",
                                std::to_string(n), "--simulator", kSimulators.name(c.simulator), "--build-dir",
                                (dir / "build").string()};
  if (!c.input_range.empty())
    args.insert(args.end(), {"--input-range", fmt::format("{},{}", c.input_range[0], c.input_range[1])});
  const ProcessResult r = run_shards_with_parallel(args, ctx.jobs, shards);
  std::error_code ec;
  fs::remove_all(dir / "build", ec);  // the simulator build is large and not an output
  fs::remove(dir / "build.lock", ec);
  if (r.exit_code == kExitFailure) {  // a shard's RTL or cycles differ
    fmt::print("{}\n", r.output);
    throw CheckFailed{"a co-simulation shard found a difference:\n" + r.output};
  }
  if (r.exit_code != 0) fail(shards.string(), "a co-simulation shard failed (GNU parallel exit {}):\n{}", r.exit_code, r.output);
  const auto loaded = load_shards({shards.string()});
  json rec = merge_cosim_cycles(loaded);
  fs::remove_all(shards);
  rec["samples"] = n;
  rec["simulator"] = kSimulators.name(c.simulator);
  rec["mismatches"] = 0;
  fmt::print("{} images bit-exact in {} shards through GNU parallel; latency {} cycles\n", n, ctx.jobs,
             rec["latency_cycles"].dump());
  return CosimOut::from_json(rec);
}

// A design of several codebook levels: the images at each level on the one build (finest
// first), each checked bit for bit against the golden model at that level and its cycles against
// the cycle model; per level the accuracy on those images and the cycles.
json level_cosims(const FlowContext& ctx, const ComposedNetwork& cn, const RtlPlan& plan, const Dataset& d,
                  const std::vector<std::uint16_t>& raw, CosimOptions opt) {
  json out = json::array();
  for (int level = plan.level_max; level >= plan.level_min; --level) {
    opt.levels.assign(static_cast<std::size_t>(d.size()), level);
    const CosimResult cr = run_cosim(cn, plan, ctx.rtl_dir(), raw, d.size(), opt);
    if (!cr.ok) {
      fmt::print("level {}: {}\n", level, cr.mismatch);
      throw CheckFailed{fmt::format("level {}: {}", level, cr.mismatch)};
    }
    const CycleCheck cc = check_cycles(plan, cr, d.size(), opt);
    if (cc.checked && !cc.exact)
      throw CheckFailed{fmt::format("level {}: the RTL's latency {} differs from the cycle model's {}", level,
                                    cr.first_latency, cc.predicted_latency)};
    const auto classes = GoldenModel(at_level(cn, level, ctx.artifact_dir())).classify_all(raw, d.size(), 0);
    std::int64_t right = 0;
    for (std::size_t i = 0; i < classes.size(); ++i) right += classes[i] == d.y[i];
    const double acc = 100.0 * static_cast<double>(right) / static_cast<double>(d.size());
    fmt::print("level {}: {} images bit-exact, {:.2f}% right; latency {} cycles\n", level, d.size(), acc, cr.first_latency);
    out.push_back({{"level", level}, {"rtl_accuracy", acc}, {"latency_cycles", cr.first_latency},
                   {"interval_cycles", cr.interval}, {"sim_seconds", cr.sim_seconds}});
  }
  return out;
}

}  // namespace

CosimOut CosimStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  if (ctx.jobs > 1 && c.simulator == Simulator::Verilator && c.levels == 0) {
    DatasetSplits splits = load_dataset(c.dataset, c.data().preprocess(), false);
    return sharded_cosim(ctx, dir, std::min(c.samples, splits.test.size()));
  }
  const ComposedNetwork cn = load_artifact(ctx.artifact_dir());
  const RtlPlan plan = load_design(cn, ctx.artifact_dir(), ctx.rtl_dir());
  DatasetSplits splits = load_dataset(c.dataset, c.data().preprocess(), false);
  const std::int64_t n = std::min(c.samples, splits.test.size());
  const Dataset d = splits.test.head(n);
  CosimOptions opt;
  opt.simulator = c.simulator;
  opt.build_dir = (dir / "build").string();
  const auto raw = raw_features(d, cn.input.raw_bits);
  json levels;
  if (plan.levels() > 1) levels = level_cosims(ctx, cn, plan, d, raw, opt);
  const CosimResult cr = levels.is_null() ? run_cosim(cn, plan, ctx.rtl_dir(), raw, n, opt) : CosimResult{};
  std::error_code ec;
  fs::remove_all(dir / "build", ec);  // the simulator build is large and not an output
  fs::remove(dir / "build.lock", ec);
  if (!levels.is_null()) {  // the finest level's figures are the design's
    const json& top = levels.front();
    return CosimOut::from_json({{"samples", n},
                                {"simulator", kSimulators.name(c.simulator)},
                                {"mismatches", 0},
                                {"latency_cycles", top.at("latency_cycles")},
                                {"interval_cycles", top.at("interval_cycles")},
                                {"predicted_latency_cycles", predict_cycles(plan, n).latency(0)},
                                {"predicted_interval_cycles", predict_cycles(plan, n).interval()},
                                {"levels", levels}});
  }
  if (!cr.ok) {
    fmt::print("{}\n", cr.mismatch);
    throw CheckFailed{cr.mismatch};
  }
  const CycleCheck cc = check_cycles(plan, cr, n, opt);
  if (cc.checked && !cc.exact)
    throw CheckFailed{fmt::format("the RTL's latency {} / interval {:.1f} differ from the cycle model's {} / {:.1f}",
                                  cr.first_latency, cr.interval, cc.predicted_latency, cc.predicted_interval)};
  fmt::print("{} images bit-exact; latency {} cycles\n", n, cr.first_latency);
  const bool measured = cc.checked;
  return CosimOut::from_json({{"samples", n},
                              {"simulator", kSimulators.name(c.simulator)},
                              {"mismatches", 0},
                              {"latency_cycles", measured ? cr.first_latency : cc.predicted_latency},
                              {"interval_cycles", measured ? cr.interval : cc.predicted_interval},
                              {"predicted_latency_cycles", cc.predicted_latency},
                              {"predicted_interval_cycles", cc.predicted_interval},
                              {"cycles", cr.cycles},
                              {"cycles_per_second", cr.cycles_per_second},
                              {"build_seconds", cr.build_seconds},
                              {"sim_seconds", cr.sim_seconds}});
}

}  // namespace rapidnn::flow
