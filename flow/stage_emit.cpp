// Stage "emit": the Verilog design of the composed artifact, and its cycle counts.
#include <fmt/format.h>

#include "composer/artifact.h"
#include "flow/stages.h"
#include "generator/emit_rtl.h"
#include "sim/cycle_model.h"

namespace rapidnn::flow {

EmitOut EmitOut::from_json(const json& j) {
  EmitOut r;
  r.record = j;
  r.files = j.value("files", 0);
  for (const auto& s : j.at("stages")) r.rnas += s.value("rnas", 0);
  r.latency_cycles = j.value("latency_cycles", 0);
  r.interval_cycles = j.value("interval_cycles", 0.0);
  return r;
}

std::string EmitOut::summary() const {
  return fmt::format("{} files, {} RNAs; {} cycles per inference, one every {:.0f}", files, rnas, latency_cycles,
                     interval_cycles);
}

json EmitStage::inputs(const FlowContext& ctx) {
  return {{"stage", "emit"}, {"compose", ctx.compose->info.key}, {"rtl", rtl_settings(ctx.config.rtl)},
          {"version", ctx.version}};
}

EmitOut EmitStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const ComposedNetwork cn = load_artifact(ctx.artifact_dir());
  const RtlPlan plan = plan_rtl(cn, c.rtl, ctx.artifact_dir());
  const EmitStats st = emit_rtl(plan, (dir / "rtl").string());
  const CyclePrediction p = predict_cycles(plan, 2);
  json stages = json::array();
  for (const auto& t : plan.stages) {
    const bool pool = !t.tile();
    stages.push_back({{"name", t.name}, {"kind", to_string(t.kind)}, {"units", pool ? t.channels : t.units},
                      {"rnas", pool ? 0 : t.rnas}, {"lanes", t.lanes}, {"beats", t.beats}, {"cycles", t.cycles}});
  }
  fmt::print("emitted {} files; latency {} cycles, interval {:.0f}\n", st.files, p.latency(0), p.interval());
  return EmitOut::from_json({{"files", st.files}, {"bytes", st.bytes}, {"stages", stages},
                             {"latency_cycles", p.latency(0)}, {"interval_cycles", p.interval()},
                             {"input_cycles", plan.input_beats}, {"rtl", rtl_settings(c.rtl)}});
}

}  // namespace rapidnn::flow
