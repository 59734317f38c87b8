// Stage "sweep-synth": per (w, u) of the sweep, one lookup neuron beside the multiply-accumulate
// neuron (paper Figures 11 and 12), two points at a time.
#include <fmt/format.h>

#include <future>

#include "composer/artifact.h"
#include "core/progress.h"
#include "flow/stages.h"
#include "generator/emit_rtl.h"
#include "sim/cycle_model.h"
#include "synth/synth.h"

namespace rapidnn::flow {
namespace {

struct Point {
  int w, u;
  double delta_e;
};

// Emits the point's design at the sweep's lanes and synthesizes its RNA and the MAC neuron.
json synth_point(const FlowContext& ctx, const fs::path& dir, const Point& p) {
  const FlowConfig& c = ctx.config;
  const std::string name = fmt::format("w{}-u{}", p.w, p.u);
  const std::string art = (ctx.sweep->info.dir / name).string();
  const ComposedNetwork cn = load_artifact(art);
  RtlOptions ro = c.rtl;
  ro.lanes = c.sweep_lanes;
  const RtlPlan plan = plan_rtl(cn, ro, art);
  const std::string rtl = (dir / name / "rtl").string();
  emit_rtl(plan, rtl);
  const auto reps = synth_blocks(plan, rtl, synth_options(c, dir / name / "synth", {BlockKind::Rna, BlockKind::Mac}));
  const CyclePrediction cp = predict_cycles(plan, 2);
  return {{"w", p.w},
          {"u", p.u},
          {"delta_e", p.delta_e},
          {"rna", block_report_json(reps[0])},
          {"mac", block_report_json(reps[1])},
          {"latency_cycles", cp.latency(0)},
          {"interval_cycles", cp.interval()}};
}

}  // namespace

SweepSynthOut SweepSynthOut::from_json(const json& j) {
  SweepSynthOut r;
  r.record = j;
  return r;
}

std::string SweepSynthOut::summary() const {
  int smaller = 0;
  for (const auto& p : record.at("points"))
    smaller += p.at("rna").value("area_um2", 0.0) < p.at("mac").value("area_um2", 0.0);
  return fmt::format("{} points; the lookup neuron is smaller than the MAC neuron at {}", record.at("points").size(),
                     smaller);
}

json SweepSynthStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  return {{"stage", "sweep-synth"}, {"sweep", ctx.sweep->info.key}, {"lanes", c.sweep_lanes},
          {"rtl", rtl_settings(c.rtl)}, {"settings", synth_settings(c)}, {"version", ctx.version}};
}

SweepSynthOut SweepSynthStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  std::vector<Point> points;
  for (std::size_t i = 0; i < c.sweep_w.size(); ++i)
    for (std::size_t j = 0; j < c.sweep_u.size(); ++j)
      points.push_back({c.sweep_w[i], c.sweep_u[j], ctx.sweep->result.delta_e[i][j]});
  std::vector<json> rows(points.size());
  Progress bar("sweep-synth", static_cast<std::int64_t>(points.size()));
  // Two points at a time; each synth_blocks call runs its two blocks in parallel too.
  for (std::size_t k = 0; k < points.size(); k += 2) {
    auto a = std::async(std::launch::async, [&, k] { rows[k] = synth_point(ctx, dir, points[k]); });
    if (k + 1 < points.size()) rows[k + 1] = synth_point(ctx, dir, points[k + 1]);
    a.get();
    bar.set(static_cast<std::int64_t>(std::min(k + 2, points.size())));
  }
  bar.finish();
  return SweepSynthOut::from_json({{"lanes", c.sweep_lanes}, {"points", rows}});
}

}  // namespace rapidnn::flow
