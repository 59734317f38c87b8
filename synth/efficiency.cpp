// Tile figures -> efficiency rows (GOPS/s/mm2, GOPS/s/W) per memory technology; see efficiency.h.
#include "synth/efficiency.h"

#include <fmt/format.h>

#include <algorithm>

namespace rapidnn {
namespace {

double memory_bits(const BlockReport& b) {
  double bits = 0;
  for (const auto& m : b.memories) bits += static_cast<double>(m.bits);
  return bits;
}

// Fills throughput and the two ratios from area, clock, energy and work.
TechEfficiency finish(TechEfficiency e, double cycles) {
  const double us = e.fmax_mhz > 0 ? cycles / e.fmax_mhz : 0.0;  // per inference
  e.power_mw = us > 0 ? e.energy_nj_per_inference / us : 0.0;   // nJ / us = mW
  e.gops = us > 0 ? e.ops_per_inference / us / 1e3 : 0.0;      // ops/us = 1e6 ops/s
  e.gops_per_mm2 = e.area_mm2 > 0 ? e.gops / e.area_mm2 : 0.0;
  e.gops_per_w = e.energy_nj_per_inference > 0 ? e.ops_per_inference / e.energy_nj_per_inference : 0.0;  // ops/nJ = G/J
  return e;
}

}  // namespace

std::string TechScaling::describe() const {
  return fmt::format("{:.0f} nm -> {:.0f} nm by constant-field rules: area x1/{:.3g}, clock x{:.3g}, energy x1/{:.3g} "
                     "(length x{:.3g}, supply {:.2g} V -> {:.2g} V)",
                     from_nm, to_nm, 1.0 / area(), 1.0 / delay(), 1.0 / energy(), to_nm / from_nm, from_v, to_v);
}

TilePower vectorless_power(const BlockReport& b, double input_activity, double period_ns) {
  TilePower p;
  double mem_mw = 0;
  for (const auto& m : b.memories) mem_mw += m.power_mw;
  p.memories_pj_per_cycle = mem_mw * period_ns;
  p.logic_pj_per_cycle = std::max(0.0, b.energy_pj_per_cycle - p.memories_pj_per_cycle);
  p.source = fmt::format("vectorless (each input toggling with probability {})", input_activity);
  return p;
}

TilePower activity_tile_power(double logic_mw, double memories_mw, double period_ns, std::int64_t images) {
  TilePower p;
  p.logic_pj_per_cycle = logic_mw * period_ns;
  p.memories_pj_per_cycle = memories_mw * period_ns;
  p.source = fmt::format("from simulated activity on {} test images", images);
  return p;
}

double tile_ops_per_inference(const RtlStage& t) {
  return 2.0 * static_cast<double>(t.units) * static_cast<double>(t.fan_in) * static_cast<double>(t.positions);
}

std::vector<TechEfficiency> memory_technologies(const BlockReport& b, const RtlStage& t, const TilePower& power,
                                                const TechScaling& s, bool programmable) {
  const std::string cells = programmable ? "standard-cell flip-flops, programmable" : "standard-cell ROM";
  const double ops = tile_ops_per_inference(t), cycles = static_cast<double>(t.cycles);
  const bool all_built = std::all_of(b.memories.begin(), b.memories.end(), [](const MemoryReport& m) { return m.synthesized; });
  double mem_um2 = 0;
  for (const auto& m : b.memories) mem_um2 += m.area_um2;
  const double energy_nj = (power.logic_pj_per_cycle + power.memories_pj_per_cycle) * cycles / 1000.0;

  TechEfficiency built;
  built.technology = cells + " (built)";
  built.basis = fmt::format("measured at {:.0f} nm (osu018){}; power {}", s.from_nm,
                            all_built ? "" : "; memories not synthesized (--memories bits) are left out", power.source);
  built.area_mm2 = b.area_um2 / 1e6;
  built.memory_mm2 = mem_um2 / 1e6;
  built.fmax_mhz = b.fmax_mhz;
  built.ops_per_inference = ops;
  built.energy_nj_per_inference = energy_nj;

  TechEfficiency scaled = built;
  scaled.technology = cells + " (built), scaled";
  scaled.basis = "scaled, not measured: " + s.describe();
  scaled.scaled = true;
  scaled.area_mm2 = built.area_mm2 * s.area();
  scaled.memory_mm2 = built.memory_mm2 * s.area();
  scaled.fmax_mhz = built.fmax_mhz / s.delay();
  scaled.energy_nj_per_inference = energy_nj * s.energy();

  // The logic as built, scaled; its memories' bits as the paper's crossbar at 45 nm.
  TechEfficiency xbar;
  xbar.technology = "non-volatile crossbar (paper's model)";
  xbar.basis = fmt::format("model: the {:.0f} table bits of the tile's memories as the paper's crossbar (Table 1, "
                           "{:.0f} nm: 3136 um2 and 3.7 mW per 1K x 1K, pro rata), read within the logic's own path; "
                           "the logic (all but those memories: RNAs or MAC neurons, NDCAMs, controller{}) measured and "
                           "scaled as above",
                           memory_bits(b), kPaperNodeNm, programmable ? ", and the programmable tables' flip-flops" : "");
  xbar.scaled = xbar.modelled = true;
  const double logic_ns = b.logic_critical_ns > 0 ? b.logic_critical_ns : b.critical_ns;
  xbar.memory_mm2 = memory_bits(b) * kCrossbarUm2PerBit / 1e6;
  xbar.area_mm2 = (b.area_um2 - mem_um2) / 1e6 * s.area() + xbar.memory_mm2;
  xbar.fmax_mhz = logic_ns > 0 ? 1000.0 / logic_ns / s.delay() : 0.0;
  xbar.ops_per_inference = ops;
  const double us = xbar.fmax_mhz > 0 ? cycles / xbar.fmax_mhz : 0.0;
  xbar.energy_nj_per_inference =
      power.logic_pj_per_cycle * cycles / 1000.0 * s.energy() + memory_bits(b) * kCrossbarMwPerBit * us;
  return {finish(built, cycles), finish(scaled, cycles), finish(xbar, cycles)};
}

nlohmann::json tech_efficiency_json(const std::vector<TechEfficiency>& rows, const TechScaling& s, const std::string& power) {
  nlohmann::json r = nlohmann::json::array();
  for (const auto& e : rows)
    r.push_back({{"technology", e.technology},
                 {"basis", e.basis},
                 {"scaled", e.scaled},
                 {"modelled", e.modelled},
                 {"area_mm2", e.area_mm2},
                 {"memory_mm2", e.memory_mm2},
                 {"fmax_mhz", e.fmax_mhz},
                 {"power_mw", e.power_mw},
                 {"ops_per_inference", e.ops_per_inference},
                 {"energy_nj_per_inference", e.energy_nj_per_inference},
                 {"gops", e.gops},
                 {"gops_per_mm2", e.gops_per_mm2},
                 {"gops_per_w", e.gops_per_w}});
  return {{"operation", "one multiply or one add of the float layer the tile replaces (2 x units x fan-in x positions "
                        "per inference)"},
          {"power", power},
          {"scaling", s.describe()},
          {"rows", r},
          {"paper", {{"gops_per_mm2", kPaperGopsPerMm2},
                     {"gops_per_w", kPaperGopsPerW},
                     {"node_nm", kPaperNodeNm},
                     {"what", "the paper's whole accelerator (section 5.5), 45 nm, HSPICE post-layout"}}}};
}

}  // namespace rapidnn
