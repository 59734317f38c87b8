// `rapidnn synth`'s tables: blocks with their memories, activity power, and efficiency per memory
// technology.
#include "cli/synth_print.h"

#include <fmt/format.h>

#include "generator/rtl_blocks.h"
#include "synth/efficiency.h"

namespace rapidnn::cli {

void print_block(const BlockReport& r) {
  fmt::print("{:<11} {:>9} {:>13.0f} {:>12} {:>11} {:>14.1f} {:>9.2f} {:>8.1f} {:>9.1f} {:>7.1f}\n", r.block, r.cells,
             r.area_um2, r.transistors, r.memory_bits, r.crossbar_model_um2, r.critical_ns, r.fmax_mhz,
             r.energy_pj_per_cycle, r.seconds);
  for (const auto& m : r.memories) {
    if (m.synthesized)
      fmt::print("  {:<9} {:>9} {:>13.0f} {:>12} {:>11} {:>14.1f} {:>9.2f}  {} x {} memory, as ROM logic\n", m.name,
                 m.cells, m.area_um2, m.transistors, m.bits, m.crossbar_model_um2, m.access_ns, m.depth, m.width);
    else
      fmt::print("  {:<9} {:>9} {:>13} {:>12} {:>11} {:>14.1f} {:>9}  {} x {} memory, not synthesized\n", m.name, "-",
                 "-", "-", m.bits, m.crossbar_model_um2, "-", m.depth, m.width);
  }
}

nlohmann::json print_activity(const std::vector<ActivityPower>& aps, const ActivityRecord& rec, double period_ns,
                              double interval) {
  fmt::print("activity   {} test images through the RTL (checked against the golden model), {} cycles; build {:.1f} s, "
             "simulation {:.1f} s\n", rec.samples, rec.cycles, rec.build_seconds, rec.sim_seconds);
  nlohmann::json j = nlohmann::json::array();
  for (const auto& a : aps) {
    const auto& e = j.emplace_back(activity_power_json(a, period_ns, interval));
    fmt::print("power      {}: {:.3f} mW from activity, {:.3f} mW vectorless ({:.2f}x); logic {:.3f} vs {:.3f}, memories "
               "{:.3f} vs {:.3f}; {:.3f} vs {:.3f} uJ per inference ({} input, {} flip-flop, {} memory pin bits annotated; "
               "{} of {} memories powered from their simulated addresses)\n", a.block, a.activity_mw, a.vectorless_mw,
               e["ratio"].get<double>(), a.logic_activity_mw, a.logic_vectorless_mw, a.memories_activity_mw,
               a.memories_vectorless_mw, e["activity_uj_per_inference"].get<double>(),
               e["vectorless_uj_per_inference"].get<double>(), a.ports, a.flops, a.memory_pins, a.memories_annotated, a.memories);
  }
  return j;
}

nlohmann::json print_efficiency(const std::vector<BlockReport>& reports, const RtlPlan& plan,
                                const std::vector<ActivityPower>& aps, const SynthOptions& opt) {
  nlohmann::json out = nlohmann::json::object();
  const RtlStage& t = tile_of(plan, opt.stage);
  const TechScaling scaling;
  for (const auto& b : reports) {
    if (b.block != "tile" && b.block != "mac-tile") continue;
    TilePower p = vectorless_power(b, opt.input_activity, opt.period_ns);
    for (const auto& a : aps)
      if (a.block == b.block) p = activity_tile_power(a.logic_activity_mw, a.memories_activity_mw, opt.period_ns, a.samples);
    const auto rows = memory_technologies(b, t, p, scaling, plan.options.programmable);
    fmt::print("efficiency {} of '{}': {:.0f} operations per inference (one multiply or one add of the float layer); "
               "power {}\n", b.block, t.name, tile_ops_per_inference(t), p.source);
    fmt::print("  {:<36} {:>9} {:>9} {:>10} {:>9} {:>11} {:>9}\n", "memory technology", "area mm2", "Fmax MHz",
               "nJ/inf", "GOPS/s", "GOPS/s/mm2", "GOPS/s/W");
    for (const auto& e : rows)
      fmt::print("  {:<36} {:>9.4f} {:>9.1f} {:>10.3f} {:>9.3f} {:>11.2f} {:>9.2f}\n", e.technology, e.area_mm2,
                 e.fmax_mhz, e.energy_nj_per_inference, e.gops, e.gops_per_mm2, e.gops_per_w);
    fmt::print("  {:<36} {:>9} {:>9} {:>10} {:>9} {:>11.1f} {:>9.1f}\n", "paper (whole accelerator, 45 nm)", "-", "-",
               "-", "-", kPaperGopsPerMm2, kPaperGopsPerW);
    fmt::print("  scaled rows: {}\n  crossbar: {}\n", scaling.describe(), rows.back().basis);
    out[b.block] = tech_efficiency_json(rows, scaling, p.source);
  }
  return out;
}

}  // namespace rapidnn::cli
