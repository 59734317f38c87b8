// Settings the stages share: the compose job's options, and the settings their keys hash.
#include "flow/stages.h"

namespace rapidnn::flow {

ComposeJobOptions compose_options(const FlowConfig& c, const std::string& model) {
  ComposeJobOptions o;
  o.model = model;
  o.data.dataset = c.dataset;
  o.q = c.q;
  o.codebook = c.codebook;
  o.sample = c.sample;
  o.seed = c.seed;
  o.product_bits = c.product_bits;
  return o;
}

json compose_settings(const FlowConfig& c) {
  return {{"q", c.q}, {"codebook", c.codebook}, {"sample", c.sample}, {"seed", c.seed}, {"product_bits", c.product_bits}};
}

json rtl_settings(const RtlOptions& r) {
  return {{"lanes", r.lanes},
          {"rna_share", r.rna_share},
          {"accumulate", to_string(r.accumulate)},
          {"fused_am", r.fused_am},
          {"top", r.top}};
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

}  // namespace rapidnn::flow
