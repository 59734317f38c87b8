// Stage "synth": the design's blocks through Yosys + osu018 + OpenSTA, and the first tile's
// memory bits with the paper's crossbar model beside the MAC baseline's.
#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "composer/artifact.h"
#include "core/progress.h"
#include "flow/stages.h"
#include "generator/design_record.h"
#include "generator/rtl_blocks.h"
#include "synth/synth.h"

namespace rapidnn::flow {
namespace {

// The first tile's memories as the paper's crossbar (a model): the lookup tile's weight indices
// and biases, and the baseline's 8-bit weights and biases.
json first_tile_memories(const RtlStage& t) {
  const std::int64_t widx_bits = static_cast<std::int64_t>(t.widx.width) * t.groups * t.beats;
  const std::int64_t bias_bits = static_cast<std::int64_t>(t.bias.width) * t.groups;
  const std::int64_t weights = t.units * t.fan_in;
  return {{"name", t.name},
          {"rnas", t.rnas},
          {"lanes", t.lanes},
          {"weight_index_bits", widx_bits},
          {"bias_bits", bias_bits},
          {"weights", weights},
          {"memory_crossbar_um2", static_cast<double>(widx_bits + bias_bits) * kCrossbarUm2PerBit},
          {"mac_memory_crossbar_um2", static_cast<double>(weights * 8 + bias_bits) * kCrossbarUm2PerBit}};
}

// The baselines' tiles: mac-tile on each uniform design (its own memories, synthesized), one
// after the other; each records when it was done, on the stage's clock.
json baseline_tiles(const FlowContext& ctx, const fs::path& dir, const Stopwatch& clock) {
  json out = json::array();
  for (const std::string n : kBaselineTiles) {
    const json& rec = baseline_record(ctx, n);
    const ComposedNetwork cn = load_artifact(ctx.baseline_artifact(n));
    const RtlPlan plan = load_design(cn, ctx.baseline_artifact(n), ctx.baseline_rtl(n));
    const auto r = synth_blocks(plan, ctx.baseline_rtl(n), synth_options(ctx.config, dir / n, {BlockKind::MacTile}));
    const std::string label = fmt::format("{}-bit x {}-bit MAC{}", rec.value("weight_bits", 0), rec.value("input_bits", 0),
                                          n == "mac8" ? "" : " (equal accuracy)");
    out.push_back(tile_record(ctx.config, n, label, r[0], first_tile(plan), rec.value("accuracy", 0.0), rec.value("delta_e", 0.0)));
    out.back()["done_after_s"] = clock.seconds();
  }
  return out;
}

}  // namespace

SynthOut SynthOut::from_json(const json& j) {
  SynthOut r;
  r.record = j;
  return r;
}

std::string SynthOut::summary() const {
  std::string s;
  for (const auto& b : record.at("blocks"))
    s += fmt::format("{}{} {:.0f} um2 {:.0f} MHz", s.empty() ? "" : ", ", b.value("block", std::string()),
                     b.value("area_um2", 0.0), b.value("fmax_mhz", 0.0));
  std::string done;
  for (const auto& t : record.value("tiles", json::array()))
    if (t.contains("done_after_s"))
      done += fmt::format("{}{} {:.0f} s", done.empty() ? "" : ", ", t.value("name", std::string()), t.value("done_after_s", 0.0));
  if (!done.empty()) s += "; tiles done after: " + done;
  return s;
}

json SynthStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  std::vector<std::string> blocks;
  for (const auto b : c.blocks) blocks.emplace_back(kBlockKinds.name(b));
  return {{"stage", "synth"}, {"emit", ctx.emit->info.key}, {"baselines", ctx.baselines->info.key}, {"blocks", blocks},
          {"settings", synth_settings(c)}, {"version", ctx.version}};
}

SynthOut SynthStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const ComposedNetwork cn = load_artifact(ctx.artifact_dir());
  const RtlPlan plan = load_design(cn, ctx.artifact_dir(), ctx.rtl_dir());
  // The baselines' tiles synthesize while the design's blocks do (each call runs two workers).
  const Stopwatch clock;
  auto baselines = std::async(std::launch::async, [&] { return baseline_tiles(ctx, dir / "baselines", clock); });
  const auto reports = synth_blocks(plan, ctx.rtl_dir(), synth_options(c, dir / "work", c.blocks));
  const double design_done = clock.seconds();
  json blocks = json::array();
  for (const auto& b : reports) blocks.push_back(block_report_json(b));
  json r{{"blocks", blocks}, {"liberty", c.liberty}, {"period_ns", c.period_ns}, {"activity", c.activity}};
  const RtlStage& t = first_tile(plan);
  r["first_tile"] = first_tile_memories(t);
  // Whole tiles: the design's lookup tile beside the 8-bit and the equal-accuracy MAC tiles.
  json tiles = json::array();
  for (const auto& b : reports)
    if (b.block == "tile")
      tiles.push_back(tile_record(c, "lookup",
                                 fmt::format("lookup ({}, {}), {}", c.w, c.u, to_string(plan.options.accumulate)), b,
                                 t, ctx.compose->result.rapidnn_accuracy, ctx.compose->result.delta_e));
  // The lookup tile is done with the design's other blocks (synth_blocks takes the tile first).
  for (auto& e : tiles) e["done_after_s"] = design_done;
  for (auto& e : baselines.get()) tiles.push_back(e);
  r["tiles"] = tiles;
  return SynthOut::from_json(r);
}

}  // namespace rapidnn::flow
