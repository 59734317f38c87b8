// Power from simulated switching activity: the RTL co-simulated on real images with a counter on
// every signal bit a mapped netlist needs, then OpenSTA's report_power on that netlist with the
// measured activity annotated, beside the vectorless figure.
//
// What is measured and what is modelled: every input port bit of the block, the Q of every
// flip-flop that implements a named RTL signal (the register map, synth_netlist.h) and every
// address and data bit of its memories get their own toggle rate and duty, counted cycle by cycle
// over the images (out of reset, idle cycles between images included); OpenSTA propagates them
// through the combinational cells by its probabilistic model (no glitches). Each memory's ROM
// netlist is powered with its own measured address activity. The simulation is the co-simulation
// harness's, so the golden model checks it as it runs.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "composer/composed.h"
#include "generator/rtl_plan.h"
#include "synth/synth.h"

namespace rapidnn {

struct BitActivity {
  std::uint64_t toggles = 0, ones = 0;
};

struct ActivityRecord {
  std::int64_t samples = 0;
  std::uint64_t cycles = 0;  // cycles counted
  std::unordered_map<std::string, BitActivity> bits;  // by RTL reference below the top
  double build_seconds = 0.0, sim_seconds = 0.0;
  bool cached_build = false;
};

// Simulates the RTL in `rtl_dir` (Verilator, the co-simulation harness: classes and buffers
// checked against the golden model) on `samples` images with a counter on each of `refs`
// (references from the activity top: "u_rtl.u_s0.g_rna[3].u_rna.acc_o[5]" in the design,
// "u_mac.g_mac[0].u_mac.acc_o[2]" in the MAC tile); build in `build_dir`. `with_mac_tile` (a
// uniform design): the baseline MAC tile (rtl_blocks.h) runs beside the first tile on its inputs,
// its read addresses and every neuron's sum at every write checked against the lookup tile's.
// Throws Error when a simulation differs from the golden model or the MAC tile from the tile.
// `level` (a design of several codebook levels): every image runs at that level (0: the finest).
ActivityRecord record_activity(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                               const std::vector<std::uint16_t>& raw, std::int64_t samples,
                               const std::vector<std::string>& refs, const std::string& build_dir, int jobs,
                               bool with_mac_tile = false, int level = 0);

struct ActivityPower {
  std::string block;
  std::int64_t samples = 0;
  std::uint64_t cycles = 0;
  // Block totals (logic + memories), vectorless and from activity.
  double vectorless_mw = 0.0, activity_mw = 0.0;
  double logic_vectorless_mw = 0.0, logic_activity_mw = 0.0;
  double memories_vectorless_mw = 0.0, memories_activity_mw = 0.0;
  std::int64_t ports = 0, flops = 0, memory_pins = 0;  // annotated bits
  std::int64_t memories = 0, memories_annotated = 0;
  double mean_flop_activity = 0.0;  // toggles per cycle, over the annotated flip-flops
};

// Throws Error (naming --block) unless `blocks` (block names) hold a tile, a top or a MAC tile,
// and a MAC tile only on a uniform design: checked before any synthesis.
void check_activity_blocks(const RtlPlan& plan, const std::vector<std::string>& blocks, int level = 0);

// Activity-based power of every tile, top or MAC tile in `reports` (synthesized by synth_blocks
// into opt.work_dir with the same options): one simulation of `samples` images for all of them.
std::vector<ActivityPower> activity_power(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                                          const std::vector<std::uint16_t>& raw, std::int64_t samples,
                                          const std::vector<BlockReport>& reports, const SynthOptions& opt,
                                          ActivityRecord* record = nullptr);

// Its figures as the synth report's JSON, with energy per inference = power x period x interval.
nlohmann::json activity_power_json(const ActivityPower& a, double period_ns, double interval_cycles);

}  // namespace rapidnn
