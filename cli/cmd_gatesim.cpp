// rapidnn gatesim: the mapped netlist of a whole design co-simulated against the RTL and the golden
// model, bit for bit, every cycle (synth/gatesim.h).
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "cli/common.h"
#include "composer/artifact.h"
#include "composer/compose.h"
#include "core/error.h"
#include "core/progress.h"
#include "generator/design_record.h"
#include "synth/gatesim.h"
#include "synth/synth.h"

namespace rapidnn::cli {

struct GatesimCliOptions {
  std::string composed, rtl;
  DatasetOptions data;
  std::int64_t samples = 50;
  GateSimOptions sim;
};

static void run_gatesim_cmd(const GatesimCliOptions& o) {
  Stopwatch total;
  GateSimOptions opt = o.sim;
  const ComposedNetwork cn = load_artifact(o.composed);
  const RtlPlan plan = load_design(cn, o.composed, o.rtl);
  const TestImages t = load_test_images(o.data, cn, o.samples, o.composed);
  const std::int64_t n = t.count;
  check_gatesim_design(plan, o.rtl);  // refused before any work
  gatesim_build_dir(o.rtl, opt);
  const std::filesystem::path work = opt.synth_dir.empty() ? std::filesystem::path(o.rtl + ".synth") : std::filesystem::path(opt.synth_dir);
  if (opt.netlist.empty() && !(std::filesystem::exists(work / "top" / "netlist.v") && std::filesystem::exists(work / "top" / "registers.tsv"))) {
    fmt::print("synth      no netlist of the top in {}: synthesizing it (rapidnn synth --block top)\n", work.string());
    SynthOptions so;
    so.liberty = opt.liberty;
    so.blocks = {BlockKind::Top};
    so.work_dir = work.string();
    Stopwatch sw;
    synth_blocks(plan, o.rtl, so);
    fmt::print("synth      {:.1f} s\n", sw.seconds());
  }
  const GateSimResult r = run_gatesim(cn, plan, o.rtl, t.raw, n, opt);
  fmt::print("netlist    {}: {} cells ({} flip-flops), {} table memories as their ROM netlists\n",
             opt.netlist.empty() ? (work / "top" / "netlist.v").string() : opt.netlist, r.cells, r.flops, r.memories);
  fmt::print("models     {} cell types derived from {}, each proved equal to {} (Icarus)\n", r.proof.size(), opt.liberty,
             opt.cell_models);
  fmt::print("compared   every rising edge: {} of {} flip-flops (their RTL names), {} memory address/data bits and {} "
             "output bits\n", r.compared_flops, r.flops, r.compared_memory_pins, r.compared_outputs);
  fmt::print("simulator  verilator: build {:.1f} s{}\n", r.build_seconds, r.cached_build ? " (cached)" : "");
  if (!r.ok) {
    fmt::print("{}\n", r.mismatch);
    for (std::size_t i = 0; i < r.diverging.size() && i < 8; ++i) fmt::print("  differs  {}\n", r.diverging[i]);
    if (r.diverging.size() > 8) fmt::print("  differs  ... {} more\n", r.diverging.size() - 8);
    for (const auto& s : r.suspects) fmt::print("  suspect  {}\n", s);
    if (r.suspect_count > static_cast<std::int64_t>(r.suspects.size()))
      fmt::print("  suspect  ... {} more (nearest first)\n", r.suspect_count - static_cast<std::int64_t>(r.suspects.size()));
    fmt::print("result     FAILED: the netlist differs from the RTL or the golden model\n");
    exit_status() = kExitFailure;
    return;
  }
  fmt::print("result     {} images bit-exact: golden model = RTL (every traced buffer) = netlist (every compared signal, "
             "every cycle, and every class)\n", n);
  fmt::print("simulation {} cycles in {:.2f} s, {:.0f} cycles/s (netlist and RTL together)\n", r.cycles, r.sim_seconds,
             r.cycles_per_second);
  fmt::print("time       {:.1f} s\n", total.seconds());
}

void setup_gatesim(CLI::App& app) {
  auto o = std::make_shared<GatesimCliOptions>();
  auto* cmd = app.add_subcommand(
      "gatesim",
      "Gate-level co-simulation: the top's mapped netlist (synthesized first if missing) with liberty-derived cell "
      "models proved against the vendor's, the memories as their ROM netlists, in lockstep with the RTL; every "
      "flip-flop and output compared every cycle, classes against the golden model; a difference is located");
  cmd->add_option("--composed,-c", o->composed, "Artifact directory the RTL was emitted from")->required();
  cmd->add_option("--rtl,-r", o->rtl, "RTL directory written by 'rapidnn emit'")->required();
  add_dataset_options(*cmd, o->data, true, false);
  cmd->add_option("--samples,-n", o->samples, "Test images to stream (0: all)")->capture_default_str();
  cmd->add_option("--synth-dir", o->sim.synth_dir, "synth's work directory (default <rtl>.synth)");
  cmd->add_option("--netlist", o->sim.netlist, "Flat netlist to simulate (default <synth-dir>/top/netlist.v)");
  cmd->add_option("--liberty", o->sim.liberty, "Standard-cell liberty the netlist is mapped to")->capture_default_str();
  cmd->add_option("--cell-models", o->sim.cell_models, "The vendor's Verilog cell models the derived ones are proved against")
      ->capture_default_str();
  cmd->add_option("--build-dir", o->sim.build_dir, "Build directory (default <rtl>.gatesim)");
  cmd->add_option("--jobs,-j", o->sim.jobs, "Parallel compile jobs")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->callback([o] { run_gatesim_cmd(*o); });
}

}  // namespace rapidnn::cli
