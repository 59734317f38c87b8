// Stage "layout" (off by default): blocks of the design placed and routed through qflow with
// osu018 (synth/layout.h), each with its figures and picture.
#include <fmt/format.h>

#include "composer/artifact.h"
#include "flow/stages.h"
#include "generator/design_record.h"
#include "synth/layout.h"

namespace rapidnn::flow {

LayoutOut LayoutOut::from_json(const json& j) {
  LayoutOut r;
  r.record = j;
  return r;
}

std::string LayoutOut::summary() const {
  std::string s;
  for (const auto& b : record.at("blocks"))
    s += fmt::format("{}{} {:.0f} um2 die, {:.0f}% util, {} failed routes, {:.0f} MHz post-route, LVS {}",
                     s.empty() ? "" : "; ", b.value("block", std::string()), b.value("die_um2", 0.0),
                     100.0 * b.value("utilization", 0.0), b.value("failed_routes", -1), b.value("post_route_fmax_mhz", 0.0),
                     b.value("lvs_match", false) ? "clean" : "NOT clean");
  return s;
}

json LayoutStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  std::vector<std::string> blocks;
  for (const auto b : c.layout_blocks) blocks.emplace_back(kBlockKinds.name(b));
  return {{"stage", "layout"},          {"emit", ctx.emit->info.key},     {"blocks", blocks},
          {"placement_fast", c.layout_placement_fast}, {"density", c.layout_density}, {"version", ctx.version}};
}

LayoutOut LayoutStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const ComposedNetwork cn = load_artifact(ctx.artifact_dir());
  const RtlPlan plan = load_design(cn, ctx.artifact_dir(), ctx.rtl_dir());
  json blocks = json::array();
  for (const auto kind : c.layout_blocks) {
    LayoutOptions o;
    o.block = kind;
    o.out_dir = (dir / kBlockKinds.name(kind)).string();
    o.placement_fast = c.layout_placement_fast;
    o.density = c.layout_density;
    json b = layout_report_json(run_layout(plan, ctx.rtl_dir(), o));
    // The stage is built under a temporary name: the picture is named relative to the stage's directory.
    b["picture"] = fmt::format("{}/layout.png", kBlockKinds.name(kind));
    blocks.push_back(std::move(b));
  }
  return LayoutOut::from_json({{"blocks", blocks}});
}

}  // namespace rapidnn::flow
