// Stage "synth": the design's blocks through Yosys + osu018 + OpenSTA, and the first tile's
// memory bits with the paper's crossbar model beside the MAC baseline's.
#include <fmt/format.h>

#include "composer/artifact.h"
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
  return s;
}

json SynthStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  std::vector<std::string> blocks;
  for (const auto b : c.blocks) blocks.emplace_back(kBlockKinds.name(b));
  return {{"stage", "synth"}, {"emit", ctx.emit->info.key}, {"blocks", blocks}, {"settings", synth_settings(c)},
          {"version", ctx.version}};
}

SynthOut SynthStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const ComposedNetwork cn = load_artifact(ctx.artifact_dir());
  const RtlPlan plan = load_design(cn, ctx.artifact_dir(), ctx.rtl_dir());
  const auto reports = synth_blocks(plan, ctx.rtl_dir(), synth_options(c, dir / "work", c.blocks));
  json blocks = json::array();
  for (const auto& b : reports) blocks.push_back(block_report_json(b));
  json r{{"blocks", blocks}, {"liberty", c.liberty}, {"period_ns", c.period_ns}, {"activity", c.activity}};
  for (const auto& t : plan.stages)
    if (t.kind == StageKind::Dense || t.kind == StageKind::Conv) {
      r["first_tile"] = first_tile_memories(t);
      break;
    }
  return SynthOut::from_json(r);
}

}  // namespace rapidnn::flow
