// Settings the stages share: the compose job's options, and the settings their keys hash.
#include "flow/stages.h"

#include <algorithm>

#include "synth/efficiency.h"

namespace rapidnn::flow {

ComposeJobOptions compose_options(const FlowConfig& c, const std::string& model) {
  ComposeJobOptions o;
  o.model = model;
  o.data = c.data();
  o.q = c.q;
  o.codebook = c.codebook;
  o.input_codebooks = c.input_codebooks;
  o.weighting = c.codebook_weighting;
  o.bias_correction = c.bias_correction;
  o.refit_codebooks = c.refit_codebooks;
  o.global_codebook = c.global_codebook;
  o.choose_calibration = c.choose_calibration;
  o.sample = c.sample;
  o.seed = c.seed;
  o.product_bits = c.product_bits;
  o.lowest_level = c.levels;
  return o;
}

std::vector<std::string> compose_args(const ComposeJobOptions& o) {
  std::vector<std::string> a{"-m",
                             o.model,
                             "-d",
                             o.data.dataset,
                             "--offset",
                             fmt::format("{}", o.data.offset),
                             "--q",
                             std::to_string(o.q),
                             "--codebook",
                             o.codebook,
                             "--input-codebooks",
                             o.input_codebooks,
                             "--codebook-weighting",
                             o.weighting,
                             "--sample",
                             fmt::format("{}", o.sample),
                             "--seed",
                             std::to_string(o.seed),
                             "--product-bits",
                             std::to_string(o.product_bits)};
  if (o.data.scale) a.insert(a.end(), {"--scale", fmt::format("{}", *o.data.scale)});
  if (!o.data.input_range.empty())
    a.insert(a.end(), {"--input-range", fmt::format("{},{}", o.data.input_range.front(), o.data.input_range.back())});
  if (o.calibration > 0) a.insert(a.end(), {"--calibration", std::to_string(o.calibration)});
  if (o.bias_correction) a.push_back("--bias-correction");
  if (o.refit_codebooks) a.push_back("--refit-codebooks");
  if (o.global_codebook) a.push_back("--global-codebook");
  if (o.choose_calibration) a.push_back("--choose-calibration");
  return a;
}

json compose_settings(const FlowConfig& c) {
  json j{{"q", c.q},
          {"codebook", c.codebook},
          {"input_codebooks", c.input_codebooks},
          {"codebook_weighting", c.codebook_weighting},
          {"bias_correction", c.bias_correction},
          {"refit_codebooks", c.refit_codebooks},
          // The method in the key: a cached choice made by the earlier rule is not reused.
          {"choose_calibration", c.choose_calibration ? json("golden model on held-out samples") : json(false)},
          {"sample", c.sample},
          {"seed", c.seed},
          {"product_bits", c.product_bits}};
  if (c.global_codebook) j["global_codebook"] = true;  // only when set: earlier flows keep their cache keys
  if (c.levels > 0) j["levels"] = c.levels;
  return j;
}

json rtl_settings(const RtlOptions& r) {
  json j{{"lanes", r.lanes},
         {"rna_share", r.rna_share},
         {"accumulate", to_string(r.accumulate)},
         {"fused_am", r.fused_am},
         {"top", r.top}};
  if (r.features_per_beat != 1) j["features_per_beat"] = r.features_per_beat;  // earlier keys stay valid
  return j;
}

json synth_settings(const FlowConfig& c) {
  return {{"liberty", c.synth || (c.sweep && c.sweep_synth) ? content_hash(c.liberty) : ""},
          {"period_ns", c.period_ns},
          {"activity", c.activity},
          {"memories", kMemoryTreatments.name(c.synthesize_memories)}};
}

SynthOptions synth_options(const FlowConfig& c, const fs::path& work, std::vector<BlockKind> blocks) {
  SynthOptions o;
  o.liberty = c.liberty;
  o.blocks = std::move(blocks);
  o.period_ns = c.period_ns;
  o.input_activity = c.activity;
  o.synthesize_memories = c.synthesize_memories;
  o.work_dir = work.string();
  return o;
}

const json& baseline_record(const FlowContext& ctx, const std::string& name) {
  return ctx.baselines->result.record.at(name == "mac8" ? "mac8" : "equal");
}

json tile_record(const FlowConfig& c, const std::string& name, const std::string& label, const BlockReport& b,
                 const RtlStage& t, double accuracy, double delta_e) {
  const TilePower power = vectorless_power(b, c.activity, c.period_ns);
  const TechScaling scaling;
  double mem = 0;
  for (const auto& m : b.memories) mem += m.area_um2;
  return {{"name", name},
          {"label", label},
          {"accuracy", accuracy},
          {"delta_e", delta_e},
          {"area_um2", b.area_um2},
          {"memory_um2", mem},
          {"logic_um2", b.area_um2 - mem},
          {"fmax_mhz", b.fmax_mhz},
          {"cycles", t.cycles},
          {"energy_nj_per_inference", b.energy_pj_per_cycle * static_cast<double>(t.cycles) / 1000.0},
          {"all_memories_synthesized",
           std::all_of(b.memories.begin(), b.memories.end(), [](const MemoryReport& m) { return m.synthesized; })},
          {"efficiency", tech_efficiency_json(memory_technologies(b, t, power, scaling), scaling, power.source)},
          {"area_breakdown", area_breakdown_json(b)}};
}

}  // namespace rapidnn::flow
