// Synthesis estimates: blocks of an emitted design -> Yosys (generic and liberty-mapped) and
// OpenSTA figures.
//
// For each requested block a small wrapper top is written next to copies of the design's files,
// Yosys runs synth_generic.ys (stat -tech cmos: transistors) then synth_liberty.ys (dfflibmap,
// abc, stat -liberty: cells and area), and OpenSTA times the mapped netlist (sta.tcl). Table
// memories are reported apart from logic: their bits, and, clearly labelled as a model, the area
// the paper's non-volatile crossbar would take for them (Table 1: 3136 um2 per 1K x 1K). The
// baseline block is a multiply-accumulate neuron with the same lanes (8-bit weights and inputs).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/vocab.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_blocks.h"
#include "generator/rtl_plan.h"

namespace rapidnn {

const std::vector<RtlTemplate>& synth_scripts();

// Paper Table 1: a 1K x 1K crossbar takes 3136 um2 (a model, not a synthesis result).
inline constexpr double kCrossbarUm2PerBit = 3136.0 / (1024.0 * 1024.0);

struct SynthOptions {
  std::string liberty = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";
  std::vector<BlockKind> blocks{BlockKind::Rna, BlockKind::Ndcam, BlockKind::Controller, BlockKind::Tile, BlockKind::Mac};
  double period_ns = 100.0;
  double input_activity = 0.1;  // vectorless power: toggles per input per cycle
  std::string work_dir;  // default: <rtl>.synth
  int mac_weight_bits = 8, mac_input_bits = 8;
  // false: the memories of tiles and tops are reported by bits (and crossbar model) only, which
  // saves their ROM-logic synthesis (minutes for a large layer's weight indices).
  bool synthesize_memories = true;
  int stage = -1;  // the artifact stage whose tile's blocks are synthesized (-1: the first weighted layer)
  int level = 0;   // a design of several codebook levels: the level activity is simulated at (0: the finest)
};

// How tile and top memories are treated: synthesized as ROM logic, or reported by their bits.
inline const Vocabulary<bool> kMemoryTreatments{"memory treatment", {{"synth", true}, {"bits", false}}};

// A table memory of a block, synthesized on its own as ROM logic (address to data).
struct MemoryReport {
  std::string name;
  std::int64_t depth = 0, width = 0, bits = 0;
  double area_um2 = 0.0, access_ns = 0.0, power_mw = 0.0, crossbar_model_um2 = 0.0;
  std::int64_t cells = 0, transistors = 0;
  bool synthesized = true;  // false: not synthesized (the baseline's weights, or --memories bits)
};

struct BlockReport {
  std::string block, module, description;
  double area_um2 = 0.0;        // liberty-mapped, memories as synthesized logic
  std::int64_t transistors = 0; // stat -tech cmos
  std::int64_t cells = 0;       // liberty cells
  std::int64_t fanout_buffers = 0;  // of them: buffers on cross-module nets (a tile, a top; synth_netlist.h)
  std::int64_t memory_bits = 0; // table bits inside the block
  double crossbar_model_um2 = 0.0;  // those bits as the paper's crossbar (model)
  double critical_ns = 0.0, fmax_mhz = 0.0;
  double logic_critical_ns = 0.0;  // the block's own path, cut at its separately synthesized memories
  // OpenSTA report_power (vectorless, SynthOptions::input_activity) at period_ns; energy per
  // clock cycle = total power x period, which does not depend on the clock for dynamic power.
  double power_mw = 0.0, energy_pj_per_cycle = 0.0;
  double seconds = 0.0;
  // The tile and the top: their large memories (rnn_rom: weight indices, biases, tap tables) are
  // synthesized apart, in parallel, and added into the figures above. The block's own path is cut
  // at the memories; critical_ns is the larger of that path and the memories' access times.
  std::vector<MemoryReport> memories;
  // A hierarchical block (tile, top): liberty area per module kind ("rnn_rna_sel", "rnn_am", ...;
  // its own cells times its instances), from Yosys' stat; the top's own glue under its own name.
  std::vector<std::pair<std::string, double>> module_areas;
  std::string script = "full";  // "fast" (no generic ABC pass, no dch) for the tile and the top
};

// Blocks: rna, ndcam, controller, tile (the first weighted layer's), top, mac (baseline neuron),
// mac-tile (baseline tile: the first layer's tile with multiply-accumulate neurons).
std::vector<BlockReport> synth_blocks(const RtlPlan& plan, const std::string& rtl_dir, const SynthOptions& opt);

// One block as the JSON `rapidnn synth --json` and the flow's results record.
// A memory as synth_blocks compiles it: column slices of at most 2^18 bits, each named
// "<memory>.slice<n>" when there is more than one (its netlist in <work>/<name>/netlist.v).
std::vector<RtlBlock> memory_slices(const RtlBlock& memory);

nlohmann::json block_report_json(const BlockReport& r);

// A hierarchical block's area by what it does (paper Figure 14): weight accumulation (RNA logic
// and product rows; weight-index and bias memories), activation and encoding (rnn_am, the NDCAM
// lookups), the controller, and the rest (tap table, glue, fanout buffers); null for a flat block.
nlohmann::json area_breakdown_json(const BlockReport& r);

// Fails with a message naming the Debian package when yosys or sta is missing, or the file when
// the liberty cannot be read.
void check_synth_tools(const SynthOptions& opt);

}  // namespace rapidnn
