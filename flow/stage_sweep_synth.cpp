// Stage "sweep-synth": per (w, u) of the sweep and per accumulate form, the first layer's whole
// tile (memories synthesized), beside the 8-bit and the equal-accuracy MAC tiles at the same
// lanes, sharing and cycles: the points of the report's accuracy-against-area Pareto plot.
#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "composer/artifact.h"
#include "core/progress.h"
#include "flow/stages.h"
#include "generator/emit_rtl.h"
#include "synth/synth.h"

namespace rapidnn::flow {
namespace {

struct Job {
  std::string name, label, artifact;
  RtlAccumulate form = RtlAccumulate::Shared;
  bool mac = false;
  int w = 0, u = 0;
  double accuracy = 0, delta_e = 0;
};

RtlOptions sweep_rtl(const FlowConfig& c, RtlAccumulate form) {
  RtlOptions ro = c.rtl;
  ro.lanes = c.sweep_lanes;
  ro.rna_share = c.sweep_rna_share;
  ro.accumulate = form;
  return ro;
}

// Emits the job's design at the sweep's RTL options and synthesizes its (lookup or MAC) tile.
json synth_job(const FlowContext& ctx, const fs::path& dir, const Job& j) {
  const ComposedNetwork cn = load_artifact(j.artifact);
  const RtlPlan plan = plan_rtl(cn, sweep_rtl(ctx.config, j.form), j.artifact);
  const std::string rtl = (dir / j.name / "rtl").string();
  emit_rtl(plan, rtl);
  const BlockKind kind = j.mac ? BlockKind::MacTile : BlockKind::Tile;
  const BlockReport b = synth_blocks(plan, rtl, synth_options(ctx.config, dir / j.name / "synth", {kind}))[0];
  json r = tile_record(ctx.config, j.name, j.label, b, first_tile(plan), j.accuracy, j.delta_e);
  r["form"] = j.mac ? "mac" : to_string(j.form);
  r["w"] = j.w;
  r["u"] = j.u;
  r["block"] = block_report_json(b);
  return r;
}

}  // namespace

SweepSynthOut SweepSynthOut::from_json(const json& j) {
  SweepSynthOut r;
  r.record = j;
  return r;
}

std::string SweepSynthOut::summary() const {
  double mac8 = 0;
  for (const auto& t : record.at("tiles"))
    if (t.value("name", std::string()) == "mac8") mac8 = t.value("area_um2", 0.0);
  int smaller = 0, lookups = 0;
  for (const auto& t : record.at("tiles"))
    if (t.value("form", std::string()) != "mac") ++lookups, smaller += t.value("area_um2", 0.0) < mac8;
  return fmt::format("{} tiles; {} of {} lookup tiles smaller than the 8-bit MAC tile", record.at("tiles").size(),
                     smaller, lookups);
}

json SweepSynthStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  std::vector<std::string> forms;
  for (const auto f : c.sweep_forms) forms.emplace_back(to_string(f));
  return {{"stage", "sweep-synth"}, {"sweep", ctx.sweep->info.key}, {"baselines", ctx.baselines->info.key},
          {"lanes", c.sweep_lanes}, {"rna_share", c.sweep_rna_share}, {"forms", forms},
          {"rtl", rtl_settings(c.rtl)}, {"settings", synth_settings(c)}, {"version", ctx.version}};
}

SweepSynthOut SweepSynthStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const double float_acc = ctx.sweep->result.record.value("float_accuracy", 0.0);
  std::vector<Job> jobs;
  for (const std::string n : kBaselineTiles) {
    const json& rec = baseline_record(ctx, n);
    Job j{n, fmt::format("{}-bit x {}-bit MAC", rec.value("weight_bits", 0), rec.value("input_bits", 0)),
          ctx.baseline_artifact(n), RtlAccumulate::Direct, true, 0, 0, rec.value("accuracy", 0.0),
          rec.value("delta_e", 0.0)};
    jobs.push_back(j);
  }
  for (std::size_t i = 0; i < c.sweep_w.size(); ++i)
    for (std::size_t k = 0; k < c.sweep_u.size(); ++k)
      for (const auto f : c.sweep_forms) {
        const int w = c.sweep_w[i], u = c.sweep_u[k];
        const double d = ctx.sweep->result.delta_e[i][k];
        jobs.push_back({fmt::format("w{}-u{}-{}", w, u, to_string(f)), fmt::format("({}, {}) {}", w, u, to_string(f)),
                        (ctx.sweep->info.dir / fmt::format("w{}-u{}", w, u)).string(), f, false, w, u, float_acc - d, d});
      }
  std::vector<json> rows(jobs.size());
  Progress bar("sweep-synth", static_cast<std::int64_t>(jobs.size()));
  // Two designs at a time; each synth_blocks call runs its logic and memory slices on two workers.
  for (std::size_t k = 0; k < jobs.size(); k += 2) {
    auto a = std::async(std::launch::async, [&, k] { rows[k] = synth_job(ctx, dir, jobs[k]); });
    if (k + 1 < jobs.size()) rows[k + 1] = synth_job(ctx, dir, jobs[k + 1]);
    a.get();
    bar.set(static_cast<std::int64_t>(std::min(k + 2, jobs.size())));
  }
  bar.finish();
  return SweepSynthOut::from_json(
      {{"lanes", c.sweep_lanes}, {"rna_share", c.sweep_rna_share}, {"tiles", rows}});
}

}  // namespace rapidnn::flow
