// Gate-level co-simulation: the mapped netlist of a whole design against the RTL and the golden
// model, bit for bit, every cycle.
//
// The flat netlist `rapidnn synth --block top` writes (<work>/top/netlist.v, liberty cells and
// one black box per table memory) runs with cell models derived from the liberty and proved equal
// to the vendor's Verilog models (gate_cells.h), and each black box becomes the ROM netlist
// synthesized for that memory (<work>/<memory>[.slice<n>]/netlist.v): every gate of the design is
// simulated. Verilator builds one model holding the netlist and the RTL side by side under a
// lockstep top: the co-simulation harness (sim/cosim_harness.cpp) streams the images, checks the
// netlist's classes and the RTL's traced buffers against the golden model, and the lockstep top
// compares, at every rising edge, every output bit and every flip-flop of the netlist whose Q is
// a named RTL signal (the register map synth writes beside the netlist, registers.tsv) with that
// signal in the RTL. That makes the chain golden model = RTL = netlist.
//
// At the first difference the report names the cycle, the image being fed, each differing
// register (RTL name, netlist cell and net, got and expected) and the cells that can explain it:
// with every state equal one cycle before, a single wrong cell lies in the fan-in cone of every
// flip-flop that differs, so the candidates are the intersection of those cones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "composer/composed.h"
#include "generator/rtl_plan.h"

namespace rapidnn {

struct GateSimOptions {
  std::string synth_dir;  // synth's work directory (default <rtl>.synth): register map, memory netlists
  std::string netlist;    // the top's flat netlist (default <synth_dir>/top/netlist.v)
  std::string liberty = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";
  std::string cell_models = "/usr/share/qflow/tech/osu018/osu018_stdcells.v";  // the vendor's, proved against
  std::string build_dir;  // default <rtl>.gatesim
  int jobs = 2;
};

struct GateSimResult {
  bool ok = false;
  std::string mismatch;                 // the first difference, as reported (empty when ok)
  std::vector<std::string> diverging;   // registers and outputs that differ at that cycle
  std::vector<std::string> suspects;    // candidate cells, nearest first ("c123 NAND2X1 -> n456")
  std::int64_t suspect_count = 0;       // how many cells the cones' intersection holds
  std::int64_t samples = 0, cells = 0, flops = 0, compared_flops = 0, compared_outputs = 0, memories = 0;
  std::int64_t compared_memory_pins = 0;  // address and data bits of the memories (black boxes)
  std::vector<std::string> proof;       // one line per cell type: how its model was proved
  std::uint64_t cycles = 0;
  double build_seconds = 0.0, sim_seconds = 0.0, cycles_per_second = 0.0;
  bool cached_build = false;
};

// The build directory `opt` names (default <rtl>.gatesim); throws Error when it may not be
// replaced (a directory of the user's, an input).
std::string gatesim_build_dir(const std::string& rtl_dir, const GateSimOptions& opt);
// Throws Error(rtl_dir) for a design the gate-level co-simulation cannot drive yet (several
// codebook levels, programmable tables): before any synthesis.
void check_gatesim_design(const RtlPlan& plan, const std::string& rtl_dir);

// `plan` is the plan the RTL in `rtl_dir` was emitted from; `raw` holds `samples` images.
// Throws Error when a tool, the netlist, the register map or a memory netlist is missing or
// malformed; a difference is a result (ok false), not an error.
GateSimResult run_gatesim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                          const std::vector<std::uint16_t>& raw, std::int64_t samples, const GateSimOptions& opt);

}  // namespace rapidnn
