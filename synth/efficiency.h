// Computational efficiency of a synthesized tile under two memory technologies: a tile's figures
// (area, Fmax, power) and its layer's work -> GOPS/s, GOPS/s/mm2 and GOPS/s/W, side by side.
//
// An operation is one multiply or one add of the float layer the tile replaces: a weighted sum
// of K inputs plus its bias is K multiplies and K adds, so a tile does 2 x units x fan-in x output
// positions per inference. Its time per inference is its cycles at its Fmax.
//
// Memory technologies, each labelled with what it rests on:
// - built: the tables as synthesized standard-cell ROM, as rapidnn builds them; every figure
//   measured in the liberty's node (osu018: 180 nm, 1.8 V). Power from simulated activity where
//   it was measured, else OpenSTA's vectorless estimate (the label says which).
// - built, scaled: the same, scaled to the paper's 45 nm by constant-field rules (TechScaling):
//   a scaling, not a measurement, with its factors stated.
// - crossbar model: the tile's logic as built (scaled to 45 nm as above), its table bits in the
//   paper's non-volatile crossbar (Table 1, 45 nm: 3136 um2 and 3.7 mW per 1K x 1K, pro rata by
//   bits), clocked at the logic's own path (the memories assumed to be read within it).
// The paper's figures for the whole accelerator (1,904.6 GOPS/s/mm2, 839.1 GOPS/s/W at 45 nm)
// are given beside them, as the paper's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "generator/rtl_plan.h"
#include "synth/synth.h"

namespace rapidnn {

// The paper's crossbar (Table 1): 1K x 1K bits in 3136 um2 drawing 3.7 mW, at 45 nm.
inline constexpr double kCrossbarMwPerBit = 3.7 / (1024.0 * 1024.0);
inline constexpr double kPaperGopsPerMm2 = 1904.6, kPaperGopsPerW = 839.1, kPaperNodeNm = 45.0;

// Constant-field scaling from the liberty's node to the paper's: area by (to/from)^2, delay by
// to/from, switching energy by (to/from) x (to_v/from_v)^2 (C scales with length, E = C V^2).
struct TechScaling {
  double from_nm = 180.0, to_nm = kPaperNodeNm;
  double from_v = 1.8, to_v = 1.1;  // osu018's nominal supply; 45 nm's (FreePDK45, NanGate) nominal
  double area() const { return (to_nm / from_nm) * (to_nm / from_nm); }
  double delay() const { return to_nm / from_nm; }
  double energy() const { return (to_nm / from_nm) * (to_v / from_v) * (to_v / from_v); }
  std::string describe() const;  // "180 nm -> 45 nm: area x1/16, clock x4, energy x1/10.7 (1.8 V -> 1.1 V)"
};

// The tile's switching energy per clock cycle (power x the period it was computed at: dynamic
// energy per cycle does not depend on the clock), logic and memories apart, and where it is from.
struct TilePower {
  double logic_pj_per_cycle = 0.0, memories_pj_per_cycle = 0.0;
  std::string source;  // "vectorless (...)" or "from simulated activity on 100 test images"
};

// The block's vectorless figure, from OpenSTA at `period_ns`.
TilePower vectorless_power(const BlockReport& b, double input_activity, double period_ns);
// From power measured with simulated activity at `period_ns` over `images` test images.
TilePower activity_tile_power(double logic_mw, double memories_mw, double period_ns, std::int64_t images);

struct TechEfficiency {
  std::string technology;  // "standard-cell ROM (built)", ...
  std::string basis;       // what the row rests on: "measured, 180 nm", "scaled from 180 nm ...", "model ..."
  bool scaled = false, modelled = false;
  double area_mm2 = 0.0, memory_mm2 = 0.0, fmax_mhz = 0.0, power_mw = 0.0;
  double ops_per_inference = 0.0, energy_nj_per_inference = 0.0;
  double gops = 0.0, gops_per_mm2 = 0.0, gops_per_w = 0.0;
};

// 2 x units x fan-in x positions.
double tile_ops_per_inference(const RtlStage& t);

// The rows for a tile or a MAC tile `b` of stage `t`: built, built scaled, crossbar model.
// `programmable`: the tile's tables are flip-flops inside its logic (emit --programmable), only its
// taps a separate memory; the rows are named so.
std::vector<TechEfficiency> memory_technologies(const BlockReport& b, const RtlStage& t, const TilePower& power,
                                                const TechScaling& scaling = {}, bool programmable = false);

nlohmann::json tech_efficiency_json(const std::vector<TechEfficiency>& rows, const TechScaling& scaling,
                                    const std::string& power_source);

}  // namespace rapidnn
