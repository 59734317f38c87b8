// Stage "baselines": the multiply-accumulate designs the lookup tile is compared against (the
// 8-bit MAC and the equal-accuracy uniform MAC, flow/baseline_job.h), composed, evaluated and
// emitted with the design's RTL options, so their tiles have the same lanes, groups and cycles.
#include <fmt/format.h>

#include "composer/artifact.h"
#include "flow/baseline_job.h"
#include "flow/stages.h"
#include "generator/emit_rtl.h"

namespace rapidnn::flow {
namespace {

json baseline_json(const UniformBaseline& b) {
  return {{"name", b.name}, {"weight_bits", b.weight_bits}, {"input_bits", b.input_bits},
          {"accuracy", b.accuracy}, {"delta_e", b.delta_e}};
}

}  // namespace

BaselinesOut BaselinesOut::from_json(const json& j) {
  BaselinesOut r;
  r.record = j;
  return r;
}

std::string BaselinesOut::summary() const {
  const json& e = record.at("equal");
  return fmt::format("8-bit MAC delta-e {:+.2f}; equal accuracy ({:.2f}%): {}-bit x {}-bit, delta-e {:+.2f}{}",
                     record.at("mac8").value("delta_e", 0.0), record.value("target_accuracy", 0.0),
                     e.value("weight_bits", 0), e.value("input_bits", 0), e.value("delta_e", 0.0),
                     record.value("reached", false) ? "" : " (not reached: the closest)");
}

json BaselinesStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  return {{"stage", "baselines"}, {"model", ctx.model->info.key}, {"dataset", ctx.data_hash},
          {"settings", compose_settings(c)}, {"target", ctx.compose->result.rapidnn_accuracy},
          {"rtl", rtl_settings(c.rtl)}, {"version", ctx.version}};
}

BaselinesOut BaselinesStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const BaselineOutcome b = run_baseline_job(compose_options(c, ctx.model_file()), ctx.compose->result.rapidnn_accuracy,
                                             (dir / "artifacts").string());
  for (const UniformBaseline* u : {&b.mac8, &b.equal}) {
    const ComposedNetwork cn = load_artifact(u->artifact);
    emit_rtl(plan_rtl(cn, c.rtl, u->artifact), (dir / "rtl" / u->name).string());
  }
  json tried = json::array();
  for (const auto& t : b.tried) tried.push_back(baseline_json(t));
  return BaselinesOut::from_json({{"float_accuracy", b.float_accuracy}, {"target_accuracy", b.target_accuracy},
                                  {"reached", b.reached}, {"mac8", baseline_json(b.mac8)},
                                  {"equal", baseline_json(b.equal)}, {"tried", tried}});
}

}  // namespace rapidnn::flow
