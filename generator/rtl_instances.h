// Instance writers: one function per hand-written module of rtl_templates/, printing its
// parameter list from the plan and its port connections from the signals a caller names.
//
// The emitter (tiles, top) and the synthesis wrappers (generator/rtl_blocks.*) both instantiate
// through these, so a module's parameters are written in exactly one place and every width comes
// from the RtlPlan. The text is deterministic; nothing here computes a width.
#pragma once

#include <string>

#include "generator/rtl_plan.h"

namespace rapidnn {

// "\"file\"": a Verilog string literal.
std::string vquote(const std::string& s);

// The signals a tile controller's per-beat outputs drive (the rest connect to same-named ports).
struct CtrlSignals {
  std::string lane_valid = "lane_valid", beat = "beat", first = "first", mul = "mul", mul_first = "mul_first",
              pair = "pair", group = "group", widx_addr = "widx_addr", pos = "pos", write = "write";
};
// rnn_tile_ctrl for tile `t` reading buffer `in`; `count` selects the counter form's extra phase.
std::string tile_ctrl_instance(const RtlStage& t, const RtlBuffer& in, bool count, const std::string& inst,
                               const CtrlSignals& s = {});

// The configuration bus as the table memories of one stage see it: a programmable design's
// (clk_i, cfg_we_i, cfg_addr_i, cfg_data_i and the memory map), else tied off (ROM tables).
struct CfgBus {
  const CfgMap* map = nullptr;  // null: ROM tables
  int stage = -1;               // plan stage index (-1: the input encoder)
  std::string we = "cfg_we_i";  // the write strobe's name where the bus is connected
  // This stage's table `table` in the map, or the one every tile shares (a global codebook's
  // products); null for ROM tables. base(): its first address (0 for ROM tables).
  const CfgRegion* region(const std::string& table) const;
  std::int64_t base(const std::string& table) const;
  // ", .PROG(1), .CAW(..), .DW(..)" (nothing for ROM tables), and the port connections.
  std::string params() const;
  std::string ports(bool clk) const;
};
// The bus of plan stage `stage` (-1: the input encoder) of `p`.
CfgBus cfg_bus(const RtlPlan& p, int stage);

// The signals of one RNA (rnn_rna or rnn_rna_count).
struct RnaSignals {
  std::string beat = "beat", first = "first", w_idx, x_idx, lane_valid = "lane_valid", mul = "mul",
              mul_first = "mul_first", pair = "pair", table, bias, acc;
  std::string row = "prow";  // the shared form's product rows (rnn_prow's row_o)
};
// `product`: the stage's product table (RtlStage::products index) this RNA holds.
std::string rna_instance(const RtlStage& t, AccumulateForm form, const std::string& prod_file, const std::string& inst,
                         const RnaSignals& s, const CfgBus& cfg = {}, int product = 0);

// rnn_prow (the shared form's product rows of tile `t`, from image `file`): x_idx in, rows out.
std::string prow_instance(const RtlStage& t, const std::string& file, const std::string& inst, const std::string& x_idx,
                          const std::string& table, const std::string& row);

// rnn_am (activation + encoding) of tile `t`, indented by `indent` spaces; `level` drives its
// level select (a design of several codebook levels).
std::string am_instance(const RtlStage& t, const std::string& inst, const std::string& acc, const std::string& idx,
                        int indent, const std::string& level = "1'b0", const CfgBus& cfg = {});

// rnn_rom of `depth` words of `width` bits from $readmemh file `file` ("" for none).
std::string rom_instance(std::int64_t depth, std::int64_t width, int addr_bits, const std::string& file,
                         const std::string& inst, const std::string& addr, const std::string& data);
// The table memory `table` of the bus's stage: rnn_rom from `file` for ROM tables, else rnn_ram
// written through the bus.
std::string table_instance(const CfgBus& cfg, const std::string& table, std::int64_t depth, std::int64_t width,
                           int addr_bits, const std::string& file, const std::string& inst, const std::string& addr,
                           const std::string& data);

// rnn_mac (the multiply-accumulate baseline neuron), indented by `indent` spaces.
struct MacShape {
  int lanes = 1, weight_bits = 8, input_bits = 8, bias_bits = 16, acc_bits = 32;
  bool input_signed = true;
};
struct MacSignals {
  std::string beat = "beat", first = "first", w, x, lane_valid = "lane_valid", bias, acc;
};
std::string mac_instance(const MacShape& m, const std::string& inst, const MacSignals& s, int indent);

// The top's modules: a ping-pong buffer, the input encoder, a max-pool block, the output block,
// a concatenation.
std::string pingpong_instance(const RtlBuffer& b, const std::string& name);
std::string input_enc_instance(const RtlPlan& p);
// rnn_level (the codebook level register) of a design of several levels.
std::string level_instance(const RtlPlan& p);
std::string maxpool_instance(const RtlStage& t, const RtlBuffer& in, const RtlBuffer& out, const std::string& inst);
std::string output_instance(const RtlPlan& p, const RtlStage& t);
// rnn_concat of stage `t` (its parameters only: the top connects it like any stage).
std::string concat_instance(const RtlStage& t, const RtlPlan& p, const std::string& inst);

}  // namespace rapidnn
