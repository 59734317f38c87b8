// What a set of block reports says: the total of the lookup blocks, the lookup neuron against the
// multiply-accumulate neuron, and the lookup tile against the MAC tile (logic against logic,
// memory bits against memory bits), per inference at the design's latency and interval.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/synth.h"

namespace rapidnn {

struct NeuronComparison {  // rna vs mac
  double area_ratio = 0, transistor_ratio = 0, fmax_ratio = 0, energy_ratio = 0, edp_ratio = 0;
  double lookup_nj = 0, mac_nj = 0;  // energy per inference
};
struct TileComparison {  // tile vs mac-tile
  double logic_um2 = 0, mac_logic_um2 = 0, logic_area_ratio = 0;
  std::int64_t memory_bits = 0, mac_memory_bits = 0;
  double memory_bits_ratio = 0, fmax_mhz = 0, mac_fmax_mhz = 0, fmax_ratio = 0;
};
struct SynthComparison {
  std::optional<BlockReport> total;  // the lookup blocks summed, when more than one was synthesized
  std::optional<NeuronComparison> neuron;
  std::optional<TileComparison> tile;
};

SynthComparison compare_blocks(const std::vector<BlockReport>& reports, std::uint64_t latency_cycles,
                               double interval_cycles);

// `rapidnn synth --json`: options, every block, the total, the comparisons, the cycles.
nlohmann::json synth_report_json(const SynthOptions& opt, const std::vector<BlockReport>& reports,
                                 const SynthComparison& c, std::uint64_t latency_cycles, double interval_cycles);

}  // namespace rapidnn
