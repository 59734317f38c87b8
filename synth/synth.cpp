// Synthesis estimates: wrapper tops, Yosys and OpenSTA runs, report parsing.
#include "synth/synth.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <atomic>
#include <climits>
#include <thread>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "sim/process.h"

namespace rapidnn {
namespace {

namespace fs = std::filesystem;

std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [k, v] : vars)
    for (std::size_t at; (at = text.find(k)) != std::string::npos;) text.replace(at, k.size(), v);
  return text;
}

const char* script(const std::string& name) {
  for (const auto& s : synth_scripts())
    if (name == s.file) return s.text;
  fail("", "embedded synthesis script {} is missing", name);
}

// The first Dense or Conv stage: the one whose blocks are reported.
const RtlStage& first_tile(const RtlPlan& p) {
  for (const auto& t : p.stages)
    if (t.kind == StageKind::Dense || t.kind == StageKind::Conv) return t;
  fail("", "the design has no Dense or Conv layer");
}

std::int64_t rna_bits(const RtlStage& t) {
  return static_cast<std::int64_t>(t.tables_per_rna) * (std::int64_t{1} << (t.wiw + t.xiw)) * t.product_bits;
}
std::int64_t am_bits(const RtlStage& t) {
  if (t.output) return 0;
  std::int64_t b = static_cast<std::int64_t>(t.enc_entries) * t.am_value_bits;
  if (t.am_mode == 1) b += 2LL * t.q * t.am_value_bits;
  if (t.am_mode == 2) b += static_cast<std::int64_t>(t.q) * (t.am_value_bits + t.out_index_bits);
  return b;
}
std::int64_t ctrl_bits(const RtlStage& t) { return static_cast<std::int64_t>(t.taps.width) * t.beats; }
std::int64_t tile_bits(const RtlStage& t) {
  return t.rnas * (rna_bits(t) + am_bits(t)) + static_cast<std::int64_t>(t.widx.width) * t.groups * t.beats +
         static_cast<std::int64_t>(t.bias.width) * t.groups + ctrl_bits(t);
}

struct Block {
  Block(std::string n, std::string m, std::string d, std::string w, std::int64_t bits)
      : name(std::move(n)), module(std::move(m)), description(std::move(d)), wrapper(std::move(w)), memory_bits(bits) {}
  std::string name, module, description, wrapper;
  std::int64_t memory_bits = 0;
  bool fast = false;       // the fast script (large blocks)
  bool cut_roms = false;   // rnn_rom instances are black boxes here, synthesized as memory blocks
  std::string parent;      // a memory block: the block it belongs to
  std::int64_t depth = 0, width = 0;
};

// rnn_rom as a black box: the block's own synthesis leaves its memories to memory blocks.
constexpr const char* kRomBlackBox =
    "(* blackbox *)\nmodule rnn_rom #(\n  parameter integer DEPTH = 4,\n  parameter integer WIDTH = 8,\n"
    "  parameter integer AW = 2,\n  parameter INIT_FILE = \"\"\n) (\n  input wire [AW-1:0] addr_i,\n"
    "  output wire [WIDTH-1:0] data_o\n);\nendmodule\n";

std::string q(const std::string& s) { return fmt::format("\"{}\"", s); }

Block rna_block(const RtlPlan& p, const RtlStage& t) {
  const bool count = p.options.accumulate == RtlAccumulate::Count;
  Block b{"rna", "synth_rna",
          fmt::format("one RNA of '{}': {} lanes, {} x {} table{} of {}-bit products, {} accumulation", t.name, t.lanes,
                      1 << t.wiw, 1 << t.xiw, t.tables_per_rna > 1 ? fmt::format(" x {}", t.tables_per_rna) : "",
                      t.product_bits, to_string(p.options.accumulate)),
          "", rna_bits(t)};
  std::string v = "`default_nettype none\nmodule synth_rna (\n  input wire clk_i, input wire rst_ni, input wire beat_i, input wire first_i,\n";
  v += fmt::format("  input wire [{}:0] w_idx_i, input wire [{}:0] x_idx_i, input wire [{}:0] lane_valid_i,\n",
                   t.lanes * t.wiw - 1, t.lanes * t.xiw - 1, t.lanes - 1);
  if (count) v += fmt::format("  input wire mul_i, input wire mul_first_i, input wire [{}:0] pair_i,\n", t.wiw + t.xiw - 1);
  v += fmt::format("  input wire [{}:0] table_i, input wire [{}:0] bias_i, output wire [{}:0] acc_o\n);\n", t.table_bits - 1,
                   t.bias_bits - 1, t.acc_bits - 1);
  v += fmt::format("  {} #(.L({}), .WIW({}), .XIW({}), .NT({}), .TW({}), .PW({}), .BW({}), .AW({}){}, .PROD_FILE({})) u (\n",
                   count ? "rnn_rna_count" : "rnn_rna", t.lanes, t.wiw, t.xiw, t.tables_per_rna, t.table_bits, t.product_bits,
                   t.bias_bits, t.acc_bits, count ? fmt::format(", .CW({})", t.count_bits) : "", q(t.products[0].file));
  v += "    .clk_i(clk_i), .rst_ni(rst_ni), .beat_i(beat_i), .first_i(first_i), .w_idx_i(w_idx_i), .x_idx_i(x_idx_i),\n"
       "    .lane_valid_i(lane_valid_i),";
  if (count) v += " .mul_i(mul_i), .mul_first_i(mul_first_i), .pair_i(pair_i),";
  v += " .table_i(table_i), .bias_i(bias_i), .acc_o(acc_o)\n  );\nendmodule\n";
  b.wrapper = v;
  return b;
}

Block mac_block(const RtlStage& t, const SynthOptions& o) {
  Block b{"mac", "synth_mac",
          fmt::format("baseline: one multiply-accumulate neuron, {} lanes of {}-bit x {}-bit multipliers", t.lanes,
                      o.mac_weight_bits, o.mac_input_bits),
          "", 0};
  const int acc = std::max(t.acc_bits, o.mac_weight_bits + o.mac_input_bits + 10);
  std::string v = "`default_nettype none\nmodule synth_mac (\n  input wire clk_i, input wire rst_ni, input wire beat_i, input wire first_i,\n";
  v += fmt::format("  input wire [{}:0] w_i, input wire [{}:0] x_i, input wire [{}:0] lane_valid_i,\n",
                   t.lanes * o.mac_weight_bits - 1, t.lanes * o.mac_input_bits - 1, t.lanes - 1);
  v += fmt::format("  input wire [{}:0] bias_i, output wire [{}:0] acc_o\n);\n", t.bias_bits - 1, acc - 1);
  v += fmt::format("  rnn_mac #(.L({}), .WB({}), .XB({}), .BW({}), .AW({})) u (\n", t.lanes, o.mac_weight_bits,
                   o.mac_input_bits, t.bias_bits, acc);
  v += "    .clk_i(clk_i), .rst_ni(rst_ni), .beat_i(beat_i), .first_i(first_i), .w_i(w_i), .x_i(x_i),\n"
       "    .lane_valid_i(lane_valid_i), .bias_i(bias_i), .acc_o(acc_o)\n  );\nendmodule\n";
  b.wrapper = v;
  return b;
}

Block ndcam_block(const RtlStage& t) {
  if (t.output) fail("--block", "the first layer is the output layer: it has no activation/encoding block");
  const char* modes[] = {"comparator + encoding NDCAM", "activation NDCAM + encoding NDCAM", "fused NDCAM"};
  Block b{"ndcam", "synth_ndcam",
          fmt::format("activation/encoding of '{}': {}, {} encoding rows{}", t.name, modes[t.am_mode], t.enc_entries,
                      t.q > 0 ? fmt::format(", {} activation rows", t.q) : ""),
          "", am_bits(t)};
  std::string v = "`default_nettype none\nmodule synth_ndcam (\n";
  v += fmt::format("  input wire [{}:0] acc_i, output wire [{}:0] idx_o\n);\n", t.acc_bits - 1, t.out_index_bits - 1);
  v += fmt::format(
      "  rnn_am #(.MODE({}), .CLAMP({}), .AW({}), .VW({}), .Q({}), .QW({}), .E({}), .IW({}), .ACTY_FILE({}), "
      ".ACTZ_FILE({}), .ENC_FILE({}), .FUSED_FILE({})) u (.acc_i(acc_i), .idx_o(idx_o));\nendmodule\n",
      t.am_mode, t.am_clamp, t.acc_bits, t.am_value_bits, std::max(t.q, 1), t.q_bits, t.enc_entries, t.out_index_bits,
      q(t.act_y.file), q(t.act_z.file), q(t.enc.file), q(t.fused.file));
  b.wrapper = v;
  return b;
}

int clog2(std::int64_t n) {
  int b = 1;
  while ((std::int64_t{1} << b) < n) ++b;
  return b;
}

Block memory_block(const std::string& parent, const std::string& name, std::int64_t depth, std::int64_t width,
                   const std::string& file) {
  Block b{parent + "." + name, "synth_mem", fmt::format("{} x {}-bit table {}", depth, width, file), "", depth * width};
  b.parent = parent;
  b.fast = true;
  b.depth = depth;
  b.width = width;
  const int aw = clog2(depth);
  b.wrapper = fmt::format(
      "`default_nettype none\nmodule synth_mem (input wire [{}:0] addr_i, output wire [{}:0] data_o);\n"
      "  rnn_rom #(.DEPTH({}), .WIDTH({}), .AW({}), .INIT_FILE({})) u (.addr_i(addr_i), .data_o(data_o));\nendmodule\n",
      aw - 1, width - 1, depth, width, aw, q(file));
  return b;
}

// The rnn_rom instances of one stage's tile (weight indices, biases, the controller's taps).
void add_tile_memories(std::vector<Block>& out, const std::string& parent, const RtlStage& t) {
  const std::string p = fmt::format("{}.s{}", parent, t.stage);
  out.push_back(memory_block(p, "widx", static_cast<std::int64_t>(t.groups) * t.beats, t.widx.width, t.widx.file));
  out.push_back(memory_block(p, "bias", t.groups, t.bias.width, t.bias.file));
  out.push_back(memory_block(p, "taps", t.beats, t.taps.width, t.taps.file));
  for (auto it = out.end() - 3; it != out.end(); ++it) it->parent = parent;
}

Block controller_block(const RtlPlan& p, const RtlStage& t, const RtlBuffer& in) {
  Block b{"controller", "synth_controller",
          fmt::format("tile controller of '{}': {} groups x {} positions x {} beats", t.name, t.groups, t.oh * t.ow, t.beats),
          "", ctrl_bits(t)};
  const int GW = clog2(t.groups), PSW = clog2(t.oh * t.ow), WAW = clog2(static_cast<std::int64_t>(t.groups) * t.beats);
  const int TAW = clog2(t.beats), PAIRW = t.wiw + t.xiw, XAW = in.addr_bits;
  std::string v = "`default_nettype none\nmodule synth_controller (\n";
  v += "  input wire clk_i, input wire rst_ni, input wire in_valid_i, input wire out_ready_i,\n"
       "  output wire in_done_o, output wire out_done_o, output wire beat_o, output wire first_o, output wire mul_o,\n"
       "  output wire mul_first_o, output wire write_o, output wire busy_o,\n";
  v += fmt::format("  output wire [{}:0] rd_addr_o, output wire [{}:0] lane_valid_o, output wire [{}:0] pair_o,\n",
                   t.lanes * XAW - 1, t.lanes - 1, PAIRW - 1);
  v += fmt::format("  output wire [{}:0] group_o, output wire [{}:0] widx_addr_o, output wire [{}:0] pos_o\n);\n", GW - 1,
                   WAW - 1, PSW - 1);
  v += fmt::format(
      "  rnn_tile_ctrl #(.L({}), .BEATS({}), .G({}), .OH({}), .OW({}), .IH({}), .IWD({}), .PT({}), .PL({}), .SH({}), "
      ".SW({}), .CHAN_STRIDE({}), .COUNT({}), .PAIRW({}), .XAW({}), .GW({}), .PSW({}), .WAW({}), .KYW({}), .KXW({}), "
      ".OFFW({}), .TAW({}), .TAP_FILE({})) u (\n",
      t.lanes, t.beats, t.groups, t.oh, t.ow, t.ih, t.iw, t.pt, t.pl, t.sh, t.sw, t.chan_stride,
      p.options.accumulate == RtlAccumulate::Count ? 1 : 0, PAIRW, XAW, GW, PSW, WAW, t.ky_bits, t.kx_bits,
      t.tap_off_bits, TAW, q(t.taps.file));
  v += "    .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(in_valid_i), .out_ready_i(out_ready_i), .in_done_o(in_done_o),\n"
       "    .out_done_o(out_done_o), .rd_addr_o(rd_addr_o), .lane_valid_o(lane_valid_o), .beat_o(beat_o), .first_o(first_o),\n"
       "    .mul_o(mul_o), .mul_first_o(mul_first_o), .pair_o(pair_o), .group_o(group_o), .widx_addr_o(widx_addr_o),\n"
       "    .pos_o(pos_o), .write_o(write_o), .busy_o(busy_o)\n  );\nendmodule\n";
  b.wrapper = v;
  return b;
}

// The baseline tile: the same controller, groups, lanes and beats as the lookup tile, with R
// multiply-accumulate neurons on 8-bit weights and 8-bit activations (shared by every neuron, as
// the lookup tile's input indices are), then ReLU and a saturating shift back to 8 bits. Its
// weight and bias memories are black boxes: the artifact holds weight indices, not the baseline's
// 8-bit weights, so their bits are reported (and their crossbar model), not their ROM logic.
Block mac_tile_block(const RtlStage& t, const RtlBuffer& in, const SynthOptions& o) {
  const int L = t.lanes, R = t.rnas, WB = o.mac_weight_bits, XB = o.mac_input_bits;
  const int GW = clog2(t.groups), PSW = clog2(t.oh * t.ow), WAW = clog2(static_cast<std::int64_t>(t.groups) * t.beats);
  const int TAW = clog2(t.beats), PAIRW = t.wiw + t.xiw, XAW = in.addr_bits, BW = t.bias_bits;
  const int AW = std::max(t.acc_bits, WB + XB + 10), SHIFT = AW - XB - 4;
  const std::int64_t wbits = static_cast<std::int64_t>(t.groups) * t.beats * R * L * WB;
  Block b{"mac-tile", "synth_mac_tile",
          fmt::format("baseline tile of '{}': {} multiply-accumulate neurons ({} lanes of {}-bit x {}-bit), the same "
                      "controller; ReLU and requantization to {} bits",
                      t.name, R, L, WB, XB, XB),
          "", wbits + static_cast<std::int64_t>(t.groups) * R * BW + ctrl_bits(t)};
  std::string v = "`default_nettype none\nmodule synth_mac_tile (\n";
  v += "  input wire clk_i, input wire rst_ni, input wire in_valid_i, input wire out_ready_i,\n"
       "  output wire in_done_o, output wire out_done_o, output wire busy_o, output wire write_o,\n";
  v += fmt::format("  output wire [{}:0] rd_addr_o, input wire [{}:0] rd_data_i, output wire [{}:0] wr_data_o\n);\n",
                   L * XAW - 1, L * XB - 1, R * XB - 1);
  v += fmt::format("  wire [{}:0] lane_valid;\n  wire beat, first, mul, mul_first;\n  wire [{}:0] pair;\n  wire [{}:0] group;\n"
                   "  wire [{}:0] widx_addr;\n  wire [{}:0] pos;\n",
                   L - 1, PAIRW - 1, GW - 1, WAW - 1, PSW - 1);
  v += fmt::format(
      "  rnn_tile_ctrl #(.L({}), .BEATS({}), .G({}), .OH({}), .OW({}), .IH({}), .IWD({}), .PT({}), .PL({}), .SH({}), "
      ".SW({}), .CHAN_STRIDE({}), .COUNT(0), .PAIRW({}), .XAW({}), .GW({}), .PSW({}), .WAW({}), .KYW({}), .KXW({}), "
      ".OFFW({}), .TAW({}), .TAP_FILE({})) u_ctrl (\n",
      L, t.beats, t.groups, t.oh, t.ow, t.ih, t.iw, t.pt, t.pl, t.sh, t.sw, t.chan_stride, PAIRW, XAW, GW, PSW, WAW,
      t.ky_bits, t.kx_bits, t.tap_off_bits, TAW, q(t.taps.file));
  v += "    .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(in_valid_i), .out_ready_i(out_ready_i), .in_done_o(in_done_o),\n"
       "    .out_done_o(out_done_o), .rd_addr_o(rd_addr_o), .lane_valid_o(lane_valid), .beat_o(beat), .first_o(first),\n"
       "    .mul_o(mul), .mul_first_o(mul_first), .pair_o(pair), .group_o(group), .widx_addr_o(widx_addr),\n"
       "    .pos_o(pos), .write_o(write_o), .busy_o(busy_o)\n  );\n";
  v += fmt::format("  wire [{}:0] w;\n  rnn_rom #(.DEPTH({}), .WIDTH({}), .AW({}), .INIT_FILE(\"\")) u_w (.addr_i(widx_addr), "
                   ".data_o(w));\n",
                   R * L * WB - 1, t.groups * t.beats, R * L * WB, WAW);
  v += fmt::format("  wire [{}:0] bias;\n  rnn_rom #(.DEPTH({}), .WIDTH({}), .AW({}), .INIT_FILE(\"\")) u_bias (.addr_i(group), "
                   ".data_o(bias));\n",
                   R * BW - 1, t.groups, R * BW, GW);
  v += fmt::format("  genvar r;\n  generate\n    for (r = 0; r < {}; r = r + 1) begin : g_mac\n", R);
  v += fmt::format("      wire signed [{}:0] acc;\n", AW - 1);
  v += fmt::format("      rnn_mac #(.L({}), .WB({}), .XB({}), .BW({}), .AW({})) u_mac (\n", L, WB, XB, BW, AW);
  v += fmt::format("        .clk_i(clk_i), .rst_ni(rst_ni), .beat_i(beat), .first_i(first), .w_i(w[r*{0} +: {0}]),\n"
                   "        .x_i(rd_data_i), .lane_valid_i(lane_valid), .bias_i(bias[r*{1} +: {1}]), .acc_o(acc)\n      );\n",
                   L * WB, BW);
  v += fmt::format("      wire over = |acc[{}:{}];\n", AW - 2, SHIFT + XB - 1);
  v += fmt::format("      assign wr_data_o[r*{0} +: {0}] = acc[{1}] ? {0}'d0 : over ? {{1'b0, {{{2}{{1'b1}}}}}} : "
                   "{{1'b0, acc[{3}:{4}]}};\n",
                   XB, AW - 1, XB - 1, SHIFT + XB - 2, SHIFT);
  v += "    end\n  endgenerate\nendmodule\n";
  b.wrapper = v;
  b.fast = b.cut_roms = true;
  return b;
}

std::int64_t parse_int_after(const std::string& text, const std::string& key) {
  const auto at = text.rfind(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

BlockReport run_block(const Block& b, const std::string& rtl_dir, const fs::path& work, const SynthOptions& o) {
  Stopwatch sw;
  BlockReport r;
  r.block = b.name;
  r.module = b.module;
  r.description = b.description;
  r.memory_bits = b.memory_bits;
  r.crossbar_model_um2 = static_cast<double>(b.memory_bits) * kCrossbarUm2PerBit;
  const fs::path dir = fs::absolute(work / b.name);
  r.script = b.fast ? "fast" : "full";
  fs::create_directories(dir);
  std::string files;
  std::istringstream list(read_file(fs::path(rtl_dir) / "files.f"));
  for (std::string l; std::getline(list, l);)
    if (!l.empty()) files += fmt::format(" {}", l);
  if (b.name == "mac" || b.name == "mac-tile") {  // the baseline's module need not be in the emitted design
    for (const auto& t : rtl_templates())
      if (std::string(t.file) == "rnn_mac.v") write_file_atomic(dir / t.file, t.text);
    files += fmt::format(" {}", (dir / "rnn_mac.v").string());
    if (files.find(" rnn_mac.v") != std::string::npos) files.erase(files.find(" rnn_mac.v"), 10);
  }
  if (b.cut_roms) {
    write_file_atomic(dir / "rnn_rom_blackbox.v", kRomBlackBox);
    const auto at = files.find(" rnn_rom.v");
    if (at != std::string::npos) files.replace(at, 10, " " + (dir / "rnn_rom_blackbox.v").string());
  }
  if (!b.wrapper.empty()) {
    write_file_atomic(dir / "wrapper.v", "// generated by rapidnn -- DO NOT EDIT\n" + b.wrapper + "\n`default_nettype wire\n");
    files += fmt::format(" {}", (dir / "wrapper.v").string());
  }
  const std::vector<std::pair<std::string, std::string>> vars{
      {"@FILES@", files}, {"@TOP@", b.module}, {"@OUT@", dir.string()}, {"@LIBERTY@", fs::absolute(o.liberty).string()},
      {"@PERIOD@", fmt::format("{}", o.period_ns)}, {"@ACTIVITY@", fmt::format("{}", o.input_activity)},
      {"@SYNTH_FLAGS@", b.fast ? "-noabc" : ""}, {"@DCH@", b.fast ? "" : "dch,-f;"}};
  write_file_atomic(dir / "synth.ys", fill(script("synth_generic.ys"), vars) + fill(script("synth_liberty.ys"), vars));
  ProcessResult pr = run_process({"yosys", "-q", "-l", (dir / "yosys.log").string(), "-s", (dir / "synth.ys").string()}, rtl_dir);
  if (pr.exit_code != 0) fail(rtl_dir, "yosys failed on block {} (log: {}):\n{}", b.name, (dir / "yosys.log").string(), pr.output);
  const std::string cmos = read_file(dir / "stat_cmos.txt"), lib = read_file(dir / "stat_liberty.txt");
  r.transistors = parse_int_after(cmos, "Estimated number of transistors:");
  r.cells = parse_int_after(lib, "Number of cells:");
  const std::regex area(R"(Chip area for module '[^']*': ([0-9.eE+-]+))");
  std::smatch m;
  if (std::regex_search(lib, m, area)) r.area_um2 = std::stod(m[1]);
  write_file_atomic(dir / "sta.tcl", fill(script("sta.tcl"), vars));
  pr = run_process({"sta", "-no_splash", "-exit", (dir / "sta.tcl").string()}, rtl_dir);
  write_file_atomic(dir / "sta.log", pr.output);
  if (pr.exit_code != 0 || pr.output.find("Error") != std::string::npos)
    fail((dir / "sta.log").string(), "OpenSTA could not time block {}:\n{}", b.name,
         pr.output.substr(0, std::min<std::size_t>(pr.output.size(), 2000)));
  // "max_delay/setup group clk" then a row "endpoint  required  actual  slack (MET)".
  const auto g = pr.output.find("group clk");
  if (pr.exit_code == 0 && g != std::string::npos) {
    const std::regex row(R"(\n\S+.*?\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+) \((MET|VIOLATED)\))");
    const std::string tail = pr.output.substr(g);
    if (std::regex_search(tail, m, row)) {
      r.critical_ns = std::stod(m[2]);
      r.fmax_mhz = r.critical_ns > 0 ? 1000.0 / r.critical_ns : 0.0;
    }
  }
  // "Total  internal  switching  leakage  total  100.0%" (Watts).
  const std::regex power(R"(\nTotal\s+\S+\s+\S+\s+\S+\s+([0-9.eE+-]+))");
  if (std::regex_search(pr.output, m, power)) {
    r.power_mw = std::stod(m[1]) * 1e3;
    r.energy_pj_per_cycle = r.power_mw * o.period_ns;  // mW x ns = pJ
  } else {
    fail((dir / "sta.log").string(), "OpenSTA printed no power report for block {}", b.name);
  }
  r.seconds = sw.seconds();
  return r;
}

}  // namespace

nlohmann::json block_report_json(const BlockReport& r) {
  nlohmann::json mems = nlohmann::json::array();
  for (const auto& m : r.memories)
    mems.push_back({{"name", m.name},
                    {"depth", m.depth},
                    {"width", m.width},
                    {"bits", m.bits},
                    {"cells", m.cells},
                    {"area_um2", m.area_um2},
                    {"transistors", m.transistors},
                    {"access_ns", m.access_ns},
                    {"power_mw", m.power_mw},
                    {"crossbar_model_um2", m.crossbar_model_um2},
                    {"synthesized", m.synthesized}});
  return {{"block", r.block},
          {"module", r.module},
          {"description", r.description},
          {"script", r.script},
          {"cells", r.cells},
          {"area_um2", r.area_um2},
          {"transistors", r.transistors},
          {"table_bits", r.memory_bits},
          {"crossbar_model_um2", r.crossbar_model_um2},
          {"critical_path_ns", r.critical_ns},
          {"fmax_mhz", r.fmax_mhz},
          {"power_mw", r.power_mw},
          {"energy_pj_per_cycle", r.energy_pj_per_cycle},
          {"seconds", r.seconds},
          {"memories", mems}};
}

void check_synth_tools(const SynthOptions& opt) {
  if (find_program("yosys").empty()) fail("yosys", "not found in PATH; install the Debian package yosys (scripts/setup.sh does)");
  if (find_program("sta").empty()) fail("sta", "OpenSTA not found in PATH; install the Debian package opensta (scripts/setup.sh does)");
  std::ifstream f(opt.liberty);
  std::string head(256, '\0');
  if (!f || !f.read(head.data(), static_cast<std::streamsize>(head.size())) || head.find("library") == std::string::npos)
    fail(opt.liberty, "cannot read a liberty library here (the default comes with the Debian package qflow-tech-osu018)");
}

std::vector<BlockReport> synth_blocks(const RtlPlan& plan, const std::string& rtl_dir, const SynthOptions& opt) {
  check_synth_tools(opt);
  const RtlStage& t = first_tile(plan);
  const fs::path work = opt.work_dir.empty() ? fs::path(rtl_dir + ".synth") : fs::path(opt.work_dir);
  std::vector<Block> blocks, memories;
  for (const auto& name : opt.blocks) {
    if (name == "rna") blocks.push_back(rna_block(plan, t));
    else if (name == "mac") blocks.push_back(mac_block(t, opt));
    else if (name == "ndcam") blocks.push_back(ndcam_block(t));
    else if (name == "controller") blocks.push_back(controller_block(plan, t, plan.buffers[static_cast<std::size_t>(t.in_buffer)]));
    else if (name == "mac-tile") {
      blocks.push_back(mac_tile_block(t, plan.buffers[static_cast<std::size_t>(t.in_buffer)], opt));
      memories.push_back(memory_block("mac-tile", "taps", t.beats, t.taps.width, t.taps.file));
    }
    else if (name == "tile") {
      blocks.push_back(Block{"tile", fmt::format("{}_s{}_{}", plan.options.top, t.stage, t.name),
                             fmt::format("tile of '{}': {} RNAs with their NDCAMs, weight-index and bias memories, "
                                         "controller",
                                         t.name, t.rnas),
                             "", tile_bits(t)});
      add_tile_memories(memories, "tile", t);
    } else if (name == "top") {
      std::int64_t bits = static_cast<std::int64_t>(plan.input_lut.values.size()) * plan.input_lut.width;
      blocks.push_back(Block{"top", plan.options.top, "the whole design", "", 0});
      memories.push_back(memory_block("top", "input_lut", static_cast<std::int64_t>(plan.input_lut.values.size()),
                                      plan.input_lut.width, plan.input_lut.file));
      for (const auto& s : plan.stages)
        if (s.kind != StageKind::MaxPool) {
          bits += tile_bits(s);
          add_tile_memories(memories, "top", s);
        }
      blocks.back().memory_bits = bits;
    } else {
      fail("--block", "'{}' is not rna, ndcam, controller, tile, top, mac or mac-tile", name);
    }
  }
  for (auto& b : blocks)
    if (b.name == "tile" || b.name == "top") b.fast = b.cut_roms = true;
  // Yosys and ABC are single-threaded: two workers take the jobs, largest first.
  std::vector<const Block*> jobs;
  for (const auto& b : blocks) jobs.push_back(&b);
  if (opt.synthesize_memories)
    for (const auto& m : memories) jobs.push_back(&m);
  std::stable_sort(jobs.begin(), jobs.end(), [](const Block* a, const Block* b) {
    const auto cost = [](const Block* x) { return x->cut_roms ? INT64_MAX : x->memory_bits; };
    return cost(a) > cost(b);
  });
  std::vector<BlockReport> reports(jobs.size());
  std::vector<std::exception_ptr> errors(jobs.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i; (i = next++) < jobs.size();) {
      try {
        reports[i] = run_block(*jobs[i], rtl_dir, work, opt);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  {
    std::thread second(worker);
    worker();
    second.join();
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  // Fold each memory into its block, in the order the blocks were asked for.
  const auto entry = [](std::string name, std::int64_t depth, std::int64_t width) {
    MemoryReport mr;
    mr.name = std::move(name);
    mr.depth = depth;
    mr.width = width;
    mr.bits = depth * width;
    mr.crossbar_model_um2 = static_cast<double>(mr.bits) * kCrossbarUm2PerBit;
    mr.synthesized = false;
    return mr;
  };
  std::vector<BlockReport> out;
  for (const auto& b : blocks) {
    const auto at = std::find(jobs.begin(), jobs.end(), &b) - jobs.begin();
    BlockReport r = reports[static_cast<std::size_t>(at)];
    for (const auto& mb : memories) {
      if (mb.parent != b.name) continue;
      MemoryReport mr = entry(mb.name.substr(b.name.size() + 1), mb.depth, mb.width);
      const auto j = std::find(jobs.begin(), jobs.end(), &mb);
      if (j != jobs.end()) {  // synthesized as ROM logic: its figures join the block's
        const BlockReport& m = reports[static_cast<std::size_t>(j - jobs.begin())];
        mr.synthesized = true;
        mr.area_um2 = m.area_um2;
        mr.cells = m.cells;
        mr.transistors = m.transistors;
        mr.access_ns = m.critical_ns;
        mr.power_mw = m.power_mw;
        r.area_um2 += m.area_um2;
        r.cells += m.cells;
        r.transistors += m.transistors;
        r.power_mw += m.power_mw;
        r.energy_pj_per_cycle += m.energy_pj_per_cycle;
        r.critical_ns = std::max(r.critical_ns, m.critical_ns);
        r.seconds += m.seconds;
      }
      r.memories.push_back(mr);
    }
    if (b.name == "mac-tile") {  // the baseline's weights and biases: bits only
      r.memories.push_back(entry("weights", static_cast<std::int64_t>(t.groups) * t.beats,
                                 static_cast<std::int64_t>(t.rnas) * t.lanes * opt.mac_weight_bits));
      r.memories.push_back(entry("bias", t.groups, static_cast<std::int64_t>(t.rnas) * t.bias_bits));
    }
    r.fmax_mhz = r.critical_ns > 0 ? 1000.0 / r.critical_ns : 0.0;
    out.push_back(r);
  }
  return out;
}

}  // namespace rapidnn
