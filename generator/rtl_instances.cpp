// Instance writers: RtlPlan pieces + signal names -> the Verilog instance of one template module.
#include "generator/rtl_instances.h"

#include <fmt/format.h>

#include <algorithm>

namespace rapidnn {

std::string vquote(const std::string& s) { return "\"" + s + "\""; }

const CfgRegion* CfgBus::region(const std::string& table) const {
  if (!map) return nullptr;
  for (const CfgRegion& r : map->regions)
    if (r.stage == stage && r.table == table) return &r;
  for (const CfgRegion& r : map->regions)  // the product table every tile shares (a global codebook)
    if (r.stage == -1 && r.table == table) return &r;
  return nullptr;
}

std::int64_t CfgBus::base(const std::string& table) const {
  const CfgRegion* r = region(table);
  return r ? r->base : 0;
}

std::string CfgBus::params() const {
  return map ? fmt::format(", .PROG(1), .CAW({}), .DW({})", map->addr_bits, map->data_bits) : "";
}

std::string CfgBus::ports(bool clk) const {
  if (!map) return fmt::format("{}.cfg_we_i(1'b0), .cfg_addr_i(1'b0), .cfg_data_i(1'b0)", clk ? ".clk_i(1'b0), " : "");
  return fmt::format("{}.cfg_we_i({}), .cfg_addr_i(cfg_addr_i), .cfg_data_i(cfg_data_i)", clk ? ".clk_i(clk_i), " : "", we);
}

CfgBus cfg_bus(const RtlPlan& p, int stage) {
  CfgBus b;
  if (p.options.programmable) b.map = &p.cfg;
  b.stage = stage;
  return b;
}

std::string table_instance(const CfgBus& cfg, const std::string& table, std::int64_t depth, std::int64_t width,
                           int addr_bits, const std::string& file, const std::string& inst, const std::string& addr,
                           const std::string& data) {
  if (!cfg.map) return rom_instance(depth, width, addr_bits, file, inst, addr, data);
  const CfgRegion* r = cfg.region(table);
  if (!r) return "  // missing table " + table + "\n";  // plan_cfg_map maps every table memory
  return fmt::format(
      "  rnn_ram #(.DEPTH({}), .WIDTH({}), .AW({}), .CAW({}), .DW({}), .WIN({}), .BASE({})) {} (.clk_i(clk_i), "
      ".addr_i({}), .data_o({}),\n    {});\n",
      depth, width, addr_bits, cfg.map->addr_bits, cfg.map->data_bits, r->win, r->base, inst, addr, data,
      cfg.ports(false));
}

std::string tile_ctrl_instance(const RtlStage& t, const RtlBuffer& in, bool count, const std::string& inst,
                               const CtrlSignals& s) {
  std::string v = fmt::format(
      "  rnn_tile_ctrl #(.L({}), .BEATS({}), .G({}), .OH({}), .OW({}), .IH({}), .IWD({}), .PT({}), .PL({}), .SH({}), "
      ".SW({}), .CHAN_STRIDE({}), .COUNT({}), .PAIRW({}), .XAW({}), .GW({}), .PSW({}), .WAW({}), .KYW({}), .KXW({}), "
      ".OFFW({}), .TAW({}), .TAP_FILE({})) {} (\n",
      t.lanes, t.beats, t.groups, t.oh, t.ow, t.ih, t.iw, t.pt, t.pl, t.sh, t.sw, t.chan_stride, count ? 1 : 0,
      t.pair_bits, in.addr_bits, t.group_bits, t.pos_bits, t.widx_addr_bits, t.ky_bits, t.kx_bits, t.tap_off_bits,
      t.tap_addr_bits, vquote(t.taps.file), inst);
  v += "    .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(in_valid_i), .out_ready_i(out_ready_i),\n";
  v += fmt::format("    .in_done_o(in_done_o), .out_done_o(out_done_o), .rd_addr_o(rd_addr_o), .lane_valid_o({}),\n",
                   s.lane_valid);
  v += fmt::format("    .beat_o({}), .first_o({}), .mul_o({}), .mul_first_o({}), .pair_o({}), .group_o({}),\n", s.beat,
                   s.first, s.mul, s.mul_first, s.pair, s.group);
  v += fmt::format("    .widx_addr_o({}), .pos_o({}), .write_o({}), .busy_o(busy_o)\n  );\n", s.widx_addr, s.pos, s.write);
  return v;
}

std::string prow_instance(const RtlStage& t, const std::string& file, const std::string& inst, const std::string& x_idx,
                          const std::string& table, const std::string& row) {
  return fmt::format(
      "  rnn_prow #(.L({}), .WIW({}), .XIW({}), .NT({}), .TW({}), .PW({}), .ROW_FILE({})) {} (\n"
      "    .x_idx_i({}), .table_i({}), .row_o({})\n  );\n",
      t.lanes, t.wiw, t.xiw, t.tables_per_rna, t.table_bits, t.product_bits, vquote(file), inst, x_idx, table, row);
}

std::string rna_instance(const RtlStage& t, AccumulateForm form, const std::string& prod_file, const std::string& inst,
                         const RnaSignals& s, const CfgBus& cfg, int product) {
  if (form == AccumulateForm::Shared) {
    std::string v = fmt::format("  rnn_rna_sel #(.L({}), .WIW({}), .PW({}), .BW({}), .AW({})) {} (\n", t.lanes, t.wiw,
                                t.product_bits, t.bias_bits, t.acc_bits, inst);
    v += fmt::format("    .clk_i(clk_i), .rst_ni(rst_ni), .beat_i({}), .first_i({}),\n", s.beat, s.first);
    v += fmt::format("    .w_idx_i({}), .row_i({}), .lane_valid_i({}),\n", s.w_idx, s.row, s.lane_valid);
    v += fmt::format("    .bias_i({}), .acc_o({})\n  );\n", s.bias, s.acc);
    return v;
  }
  const bool count = form == AccumulateForm::Count;
  const std::string table = t.products.size() > 1 ? fmt::format("prod_r{}", product) : "prod";
  std::string v = fmt::format(
      "  {} #(.L({}), .WIW({}), .XIW({}), .NT({}), .TW({}), .PW({}), .BW({}), .AW({}){}, .PROD_FILE({}){}) {} (\n",
      count ? "rnn_rna_count" : "rnn_rna", t.lanes, t.wiw, t.xiw, t.rna_tables(), t.rna_table_bits(), t.product_bits,
      t.bias_bits, t.acc_bits, count ? fmt::format(", .CW({})", t.count_bits) : "", vquote(prod_file),
      cfg.map ? cfg.params() + fmt::format(", .BASE({})", cfg.base(table)) : "", inst);
  v += fmt::format("    .clk_i(clk_i), .rst_ni(rst_ni), .beat_i({}), .first_i({}),\n", s.beat, s.first);
  v += fmt::format("    .w_idx_i({}), .x_idx_i({}), .lane_valid_i({}),\n", s.w_idx, s.x_idx, s.lane_valid);
  if (count) v += fmt::format("    .mul_i({}), .mul_first_i({}), .pair_i({}),\n", s.mul, s.mul_first, s.pair);
  // rnn_rna's table can be written (a programmable design); rnn_rna_count's is constant.
  if (count) v += fmt::format("    .table_i({}), .bias_i({}), .acc_o({})\n  );\n", s.table, s.bias, s.acc);
  else v += fmt::format("    .table_i({}), .bias_i({}), .acc_o({}),\n    {}\n  );\n", s.table, s.bias, s.acc, cfg.ports(false));
  return v;
}

std::string am_instance(const RtlStage& t, const std::string& inst, const std::string& acc, const std::string& idx,
                        int indent, const std::string& level, const CfgBus& cfg) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  const std::string prog =
      cfg.map ? cfg.params() + fmt::format(", .ENC_BASE({}), .ACTY_BASE({}), .ACTZ_BASE({})", cfg.base("enc"),
                                           cfg.base("act_y"), cfg.base(t.am_mode == AmMode::Fused ? "fused" : "act_z"))
              : "";
  return fmt::format(
      "{0}rnn_am #(.MODE({1}), .CLAMP({2}), .AW({3}), .VW({4}), .Q({5}), .QW({6}), .E({7}), .IW({8}), .NL({16}), "
      ".LW({17}), .ACTY_FILE({9}), .ACTZ_FILE({10}), .ENC_FILE({11}), .FUSED_FILE({12}){19}) {13} (\n{0}  .acc_i({14}), "
      ".level_i({18}), .idx_o({15}),\n{0}  {20}\n{0});\n",
      pad, static_cast<int>(t.am_mode), t.am_clamp, t.acc_bits, t.am_value_bits, std::max(t.q, 1), t.q_bits,
      t.enc_entries, t.out_index_bits, vquote(t.act_y.file), vquote(t.act_z.file), vquote(t.enc.file),
      vquote(t.fused.file), inst, acc, idx, t.levels, std::max(t.level_bits, 1), level, prog, cfg.ports(true));
}

std::string rom_instance(std::int64_t depth, std::int64_t width, int addr_bits, const std::string& file,
                         const std::string& inst, const std::string& addr, const std::string& data) {
  return fmt::format("  rnn_rom #(.DEPTH({}), .WIDTH({}), .AW({}), .INIT_FILE({})) {} (.addr_i({}), .data_o({}));\n",
                     depth, width, addr_bits, vquote(file), inst, addr, data);
}

std::string mac_instance(const MacShape& m, const std::string& inst, const MacSignals& s, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  return fmt::format(
      "{0}rnn_mac #(.L({1}), .WB({2}), .XB({3}), .XS({14}), .BW({4}), .AW({5})) {6} (\n"
      "{0}  .clk_i(clk_i), .rst_ni(rst_ni), .beat_i({7}), .first_i({8}), .w_i({9}), .x_i({10}),\n"
      "{0}  .lane_valid_i({11}), .bias_i({12}), .acc_o({13})\n{0});\n",
      pad, m.lanes, m.weight_bits, m.input_bits, m.bias_bits, m.acc_bits, inst, s.beat, s.first, s.w, s.x,
      s.lane_valid, s.bias, s.acc, m.input_signed ? 1 : 0);
}

std::string pingpong_instance(const RtlBuffer& b, const std::string& n) {
  // More than one reader: each read port's reader, one byte per port, the last port first.
  std::string readers;
  if (b.readers.size() > 1) {
    std::string bytes;
    for (auto r = b.readers.rbegin(); r != b.readers.rend(); ++r)
      for (int k = 0; k < r->ports; ++k) bytes += fmt::format("{:02x}", r.base() - b.readers.begin() - 1);
    readers = fmt::format(", .NR({}), .PORT_READER({}'h{})", b.readers.size(), b.read_ports * 8, bytes);
  }
  std::string v = fmt::format("  rnn_pingpong #(.DEPTH({}), .IW({}), .AW({}), .WP({}), .RP({}), .POS({}){}, .BUF_ID({})) u_{} (\n",
                              b.depth, b.index_bits, b.addr_bits, b.write_ports, b.read_ports, b.positions, readers, b.id,
                              n);
  v += fmt::format("    .clk_i(clk_i), .rst_ni(rst_ni), .wr_en_i({0}_wr_en), .wr_addr_i({0}_wr_addr), "
                   ".wr_data_i({0}_wr_data), .wr_done_i({0}_wr_done), .wr_ready_o({0}_wr_ready),\n"
                   "    .rd_addr_i({0}_rd_addr), .rd_data_o({0}_rd_data), .rd_done_i({0}_rd_done), "
                   ".rd_valid_o({0}_rd_valid)\n  );\n",
                   n);
  return v;
}

std::string input_enc_instance(const RtlPlan& p) {
  CfgBus cfg = cfg_bus(p, -1);
  cfg.we = "cfg_we";
  std::string v = fmt::format(
      "  rnn_input_enc #(.NUMEL({}), .F({}), .RAW_BITS({}), .IW({}), .YAW({}), .NL({}), .LW({}), .LUT_FILE({}){}) u_input (\n",
      p.input_numel, p.options.features_per_beat, p.raw_bits, p.input_index_bits, p.buffers[0].addr_bits, p.levels(),
      p.level_sel_bits, vquote(p.input_lut.file),
      cfg.map ? cfg.params() + fmt::format(", .BASE({})", cfg.base("input_lut")) : "");
  v += "    " + cfg.ports(false) + ",\n";
  v += fmt::format(
      "    .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(in_valid_i), .in_ready_o(in_ready_o), .in_data_i(in_data_i),\n"
      "    .level_i({}), .wr_ready_i(b0_wr_ready), .wr_en_o(b0_wr_en), .wr_addr_o(b0_wr_addr), .wr_data_o(b0_wr_data), "
      ".wr_done_o(b0_wr_done)\n  );\n",
      p.levels() > 1 ? "level_sel" : "1'b0");
  return v;
}

std::string level_instance(const RtlPlan& p) {
  return fmt::format(
      "  rnn_level #(.MIN({}), .MAX({}), .PW({}), .LW({})) u_level (\n"
      "    .clk_i(clk_i), .rst_ni(rst_ni), .level_i(level_i), .in_accept_i(in_valid_i && in_ready_o), "
      ".in_last_i(b0_wr_done),\n    .out_accept_i(out_valid_o && out_ready_i), .sel_o(level_sel), .level_o(level_o)\n  );\n",
      p.level_min, p.level_max, p.level_pin_bits(), p.level_sel_bits);
}

std::string maxpool_instance(const RtlStage& t, const RtlBuffer& ib, const RtlBuffer& ob, const std::string& inst) {
  return fmt::format(
      "  rnn_maxpool #(.C({}), .IH({}), .IWD({}), .OH({}), .OW({}), .KH({}), .KW({}), .SH({}), .SW({}), .PT({}), "
      ".PL({}), .IW({}), .XAW({}), .YAW({})) {} (\n",
      t.channels, t.ih, t.iw, t.oh, t.ow, t.kh, t.kw, t.sh, t.sw, t.pt, t.pl, ib.index_bits, ib.addr_bits, ob.addr_bits,
      inst);
}

std::string concat_instance(const RtlStage& t, const RtlPlan& p, const std::string& inst) {
  const RtlBuffer& a = p.buffers[static_cast<std::size_t>(t.in_buffer)];
  const RtlBuffer& b = p.buffers[static_cast<std::size_t>(t.skip_buffer)];
  const RtlBuffer& y = p.buffers[static_cast<std::size_t>(t.out_buffer)];
  return fmt::format("  rnn_concat #(.NA({}), .NB({}), .IW({}), .XAW({}), .SAW({}), .YAW({})) {} (\n", a.depth, b.depth,
                     a.index_bits, a.addr_bits, b.addr_bits, y.addr_bits, inst);
}

std::string output_instance(const RtlPlan& p, const RtlStage& t) {
  std::string v = fmt::format(
      "  rnn_output #(.N({}), .R({}), .POS({}), .AW({}), .CAW({}), .CW({}), .RELU({}), .BUF_ID({})) u_output (\n",
      p.classes, t.rnas, t.positions, p.score_bits, p.score_addr_bits, p.class_bits, p.output_relu ? 1 : 0, t.stage + 1);
  v += "    .clk_i(clk_i), .rst_ni(rst_ni), .wr_en_i(o_wr_en), .wr_addr_i(o_wr_addr), .wr_data_i(o_wr_data),\n"
       "    .wr_done_i(o_wr_done), .wr_ready_o(o_wr_ready), .out_valid_o(out_valid_o), .out_ready_i(out_ready_i),\n"
       "    .out_class_o(out_class_o), .out_scores_o(out_scores_o)\n  );\n";
  return v;
}

}  // namespace rapidnn
