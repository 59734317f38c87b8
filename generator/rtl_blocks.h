// Blocks of a design as tops of their own, for synthesis: RtlPlan -> wrapper Verilog + bits.
//
// A block is one piece of the first weighted layer's tile (one RNA, its NDCAM, the controller),
// the tile or the whole top as emitted, a table memory on its own (rnn_rom as ROM logic), or a
// multiply-accumulate baseline (one neuron, or a tile with the same controller). The wrappers
// are generated here, from the plan and the instance writers the emitter uses, so they lint like
// every emitted file; synth/ only runs the tools on them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/vocab.h"
#include "generator/rtl_instances.h"
#include "generator/rtl_plan.h"

namespace rapidnn {

enum class BlockKind { Rna, Ndcam, Controller, Tile, Top, Mac, MacTile };
inline const Vocabulary<BlockKind> kBlockKinds{"synthesis block",
                                               {{"rna", BlockKind::Rna},
                                                {"ndcam", BlockKind::Ndcam},
                                                {"controller", BlockKind::Controller},
                                                {"tile", BlockKind::Tile},
                                                {"top", BlockKind::Top},
                                                {"mac", BlockKind::Mac},
                                                {"mac-tile", BlockKind::MacTile}}};
// Blocks by name ("rna", ...); throws Error(where, ...) naming an unknown one and the accepted names.
std::vector<BlockKind> parse_blocks(const std::vector<std::string>& names, const std::string& where);

struct RtlBlock {
  std::string name;         // "rna", ..., or "<parent>.s<k>.<memory>" for a memory
  std::string module;       // the top module synthesized
  std::string description;
  std::string wrapper;      // the generated wrapper, file <module>.v ("" when the module is the design's own)
  std::vector<std::string> templates;  // templates it needs beyond the design's own files
  std::int64_t memory_bits = 0;        // table bits inside the block
  bool large = false;       // synthesized with the fast script (tiles, tops)
  bool cut_roms = false;    // its rnn_rom instances are black boxes, synthesized as memory blocks
  std::string parent;       // a memory: the block it belongs to
  std::int64_t depth = 0, width = 0;
  std::string image;                   // a memory: its $readmemh image in the RTL directory
  std::int64_t col_lo = 0, col_hi = 0; // a memory slice: its columns (col_hi 0: all)
};

struct BlockSet {
  std::vector<RtlBlock> blocks;    // in the order asked for
  std::vector<RtlBlock> memories;  // the large blocks' memories (parent set)
};

// The baseline's number formats (mac, mac-tile).
struct MacBits {
  int weight_bits = 8, input_bits = 8;
};

// The blocks of the tile of artifact stage `stage` (-1: the first weighted layer). Throws Error
// when that layer has no such block (an NDCAM of the output layer).
BlockSet plan_blocks(const RtlPlan& plan, const std::vector<BlockKind>& kinds, const MacBits& mac = {}, int stage = -1);

// rnn_rom as a black box, for a block whose memories are synthesized apart.
const char* rom_blackbox_text();

// Table bits of the first-layer pieces (what the memories of a block hold).
std::int64_t rna_table_bits(const RtlStage& t);
std::int64_t am_table_bits(const RtlStage& t);
std::int64_t tile_table_bits(const RtlStage& t, AccumulateForm form);

// The first Dense or Conv stage: the one whose blocks are reported. Throws Error when none.
const RtlStage& first_tile(const RtlPlan& p);
// The tile of artifact stage `stage` (a Dense, Conv or AvgPool layer), or first_tile for -1.
// Throws Error(--stage) naming the weighted stages otherwise.
const RtlStage& tile_of(const RtlPlan& p, int stage);

}  // namespace rapidnn
