// rapidnn layout: one block of an emitted design placed and routed through qflow with osu018
// (synth/layout.h): area, utilization, wire length, failed routes, post-route Fmax, DRC, LVS, picture.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "composer/artifact.h"
#include "core/error.h"
#include "generator/design_record.h"
#include "synth/layout.h"

namespace rapidnn::cli {

struct LayoutCliOptions {
  std::string composed, rtl, block = "rna";
  LayoutOptions layout;
};

static void run_layout_cmd(const LayoutCliOptions& o) {
  LayoutOptions opt = o.layout;
  opt.block = kBlockKinds.parse(o.block, "--block");
  check_layout_tools(opt);  // before any work
  const ComposedNetwork cn = load_artifact(o.composed);
  const RtlPlan plan = load_design(cn, o.composed, o.rtl);
  const LayoutReport r = run_layout(plan, o.rtl, opt);
  fmt::print("block      {} ({}): {}\n", r.block, r.module, r.description);
  fmt::print("placed     {} cells ({:.0f} um2 of cells; rapidnn synth: {:.0f} um2), {} filler cells\n", r.cells, r.cell_um2,
             r.synth_area_um2, r.fill_cells);
  fmt::print("die        {:.1f} x {:.1f} um = {:.0f} um2; core {:.0f} um2, utilization {:.1f}%\n", r.die_w_um, r.die_h_um,
             r.die_um2, r.core_um2, 100.0 * r.utilization);
  fmt::print("routing    {} nets, {:.2f} mm of wire, {} vias, {}\n", r.nets, r.wire_mm, r.vias,
             r.failed_routes == 0 ? std::string("no failed routes")
             : r.failed_routes > 0 ? fmt::format("{} FAILED routes", r.failed_routes)
                                   : std::string("no verdict from qrouter"));
  fmt::print("timing     Fmax {:.1f} MHz after routing (vesta, wire parasitics from qrouter), {:.1f} MHz before "
             "(vesta), {:.1f} MHz at synthesis (OpenSTA)\n",
             r.post_route_fmax_mhz, r.pre_route_fmax_mhz, r.synth_fmax_mhz);
  fmt::print("drc        {}\n", r.drc_errors == 0 ? std::string("magic: 0 errors")
                                 : r.drc_errors > 0 ? fmt::format("magic: {} errors", r.drc_errors)
                                                    : std::string("magic: no verdict"));
  for (const auto& why : r.drc_reasons) fmt::print("  why      {}\n", why);
  fmt::print("lvs        {}\n", r.lvs_summary);
  fmt::print("picture    {}\n", r.picture);
  std::string times;
  for (const auto& t : r.times) times += fmt::format("{}{} {:.1f}", times.empty() ? "" : ", ", t.stage, t.seconds);
  fmt::print("time       {:.1f} s ({})\n", r.seconds, times);
  fmt::print("report     {}/layout.json\n", r.dir);
}

void setup_layout(CLI::App& app) {
  auto o = std::make_shared<LayoutCliOptions>();
  auto* cmd = app.add_subcommand(
      "layout",
      "Place and route one block through qflow with osu018 (graywolf, qrouter, vesta, magic DRC, netgen LVS): die "
      "and core area, utilization, wire length, failed routes, post-route Fmax, and a picture (klayout)");
  cmd->add_option("--composed,-c", o->composed, "Artifact directory the RTL was emitted from")->required();
  cmd->add_option("--rtl,-r", o->rtl, "RTL directory written by 'rapidnn emit'")->required();
  cmd->add_option("--block", o->block, "Block: rna, ndcam, controller, tile, top, mac or mac-tile")->capture_default_str();
  cmd->add_option("--out,-o", o->layout.out_dir, "Output directory (default <rtl>.layout/<block>)");
  cmd->add_option("--tech-dir", o->layout.tech_dir, "qflow's osu018 technology directory")->capture_default_str();
  cmd->add_option("--placement-fast", o->layout.placement_fast,
                  "graywolf's TWSC*fast: divide its annealing moves per cell by this (1: qflow's effort)")
      ->capture_default_str();
  cmd->add_option("--density", o->layout.density, "Core density graywolf pads the rows to with filler (qflow initial_density; 0: packed rows, qflow's default)")
      ->capture_default_str();
  cmd->add_flag("--global-route", o->layout.global_route,
               "graywolf's full global route (qflow's default) instead of its fast one: slow past 5,000 cells");
  cmd->add_option("--image-width", o->layout.image_width, "Width of the layout picture in pixels")->capture_default_str();
  cmd->callback([o] { run_layout_cmd(*o); });
}

}  // namespace rapidnn::cli
