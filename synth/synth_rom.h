// ROM compiler: a table memory's $readmemh image -> mapped standard cells, without Yosys.
//
// A table memory is constant, so its logic is known exactly: each data bit is a function of the
// address. The compiler builds, for every data bit, the reduced ordered decision diagram of that
// function over the address bits (least significant bit nearest the data, addresses past the depth
// are don't-cares), shares identical nodes across all data bits (one unique table), and writes the
// diagram as a network of 2:1 multiplexers in BLIF. ABC (yosys-abc) restructures it (strash,
// dc2), maps it to the liberty, buffers and sizes it; OpenSTA times the mapped netlist (access
// time) and estimates its power like every other block. It is about ten times faster than
// Yosys's memory mapping on the same image and gives a smaller netlist, so the largest tiles'
// memories are synthesized, not extrapolated. A memory may be split into column slices (each its
// own job); the slices' figures add up to the memory's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "generator/rtl_blocks.h"
#include "generator/rtl_plan.h"
#include "synth/synth.h"

namespace rapidnn {

// The words of a $readmemh image (comment lines skipped), as LSB-first bit vectors of `width` bits.
std::vector<std::vector<std::uint8_t>> read_hex_image(const std::filesystem::path& file, std::int64_t depth,
                                                      std::int64_t width);

// The shared decision diagram of columns [col_lo, col_hi) of `words`, as BLIF of module `module`
// (inputs a0.., outputs d0..); `nodes` receives the number of multiplexers.
std::string rom_blif(const std::vector<std::vector<std::uint8_t>>& words, int addr_bits, std::int64_t col_lo,
                     std::int64_t col_hi, const std::string& module, std::int64_t* nodes = nullptr);

// Synthesizes memory block `b` (its image in rtl_dir, columns b.col_lo .. b.col_hi) in work/<name>.
BlockReport run_rom_block(const RtlBlock& b, const std::string& rtl_dir, const std::filesystem::path& work,
                          const SynthOptions& o);

// The ROM netlist of each black box of block `block`'s flat netlist (<synth_dir>/<block>/netlist.json
// names each black box's memory image), as Verilog modules: the black box's module (its Yosys name,
// escaped) instantiates the ROM netlists of its memory's column slices
// (<synth_dir>/<memory>[.slice<n>]/netlist.v, or that of a slice with the same image and columns;
// compiled here, with `liberty`, when the synthesizing process compiled it for another design).
struct RomNetlists {
  std::string verilog;
  std::set<std::string> cell_types;  // the liberty cells the ROM netlists use
  std::int64_t memories = 0;
};
RomNetlists rom_netlists(const std::set<std::string>& black_boxes, const RtlPlan& plan, const std::string& rtl_dir,
                         const std::filesystem::path& synth_dir, const std::string& block,
                         const std::set<std::string>& liberty_cells, const std::string& liberty);

}  // namespace rapidnn
