// rnn_am: activation and encoding of one accumulator value (paper section 4.2).
//
// MODE 0, comparator: z = CLAMP ? max(acc, 0) : acc (ReLU or identity), then the encoding
//         NDCAM gives the index of the nearest entry of the next layer's input codebook.
// MODE 1, two blocks: the activation NDCAM finds the nearest of Q rows act_y to acc, a ROM
//         gives that row's output act_z, and the encoding NDCAM encodes it.
// MODE 2, fused: the activation NDCAM's row indexes a ROM of encoded indices directly
//         (activation and encoding folded into one table).
// Tables are constant images: act_y and enc ascending; all values signed VW-bit. A design of NL
// codebook levels holds NL of each, one after another; level_i selects one. In a programmable
// design (PROG = 1) each table is written through the configuration port, entry k at its base
// + k (ENC_BASE, ACTY_BASE, and ACTZ_BASE for act_z or the fused table).
`default_nettype none

module rnn_am #(
  parameter integer MODE       = 0,
  parameter integer CLAMP      = 0,   // MODE 0: ReLU as a comparator
  parameter integer AW         = 24,  // accumulator width
  parameter integer VW         = 24,  // table value width (>= AW)
  parameter integer Q          = 4,   // activation rows (MODE 1, 2)
  parameter integer QW         = 2,   // row index width
  parameter integer E          = 4,   // encoding entries (next layer's u)
  parameter integer IW         = 2,   // encoded index width
  parameter integer NL         = 1,   // codebook levels
  parameter integer LW         = 1,   // level select width
  parameter         ACTY_FILE  = "",
  parameter         ACTZ_FILE  = "",
  parameter         ENC_FILE   = "",
  parameter         FUSED_FILE = "",
  parameter integer PROG       = 0,   // 1: tables written through the configuration port
  parameter integer CAW        = 1,   // configuration address width
  parameter integer DW         = 1,   // configuration data width (>= VW when PROG)
  parameter integer ENC_BASE   = 0,
  parameter integer ACTY_BASE  = 0,
  parameter integer ACTZ_BASE  = 0
) (
  input  wire          clk_i,     // configuration writes (PROG)
  input  wire          cfg_we_i,
  input  wire [CAW-1:0] cfg_addr_i,
  input  wire [DW-1:0] cfg_data_i,
  input  wire [AW-1:0] acc_i,  // two's complement (ports unsigned: see sim/cosim.cpp, hierarchical builds)
  input  wire [LW-1:0] level_i,
  output wire        [IW-1:0] idx_o
);
  wire signed [VW-1:0] acc_ext = {{(VW-AW){acc_i[AW-1]}}, acc_i};

  generate
    if (MODE == 0) begin : g_comparator
      wire signed [VW-1:0] z = (CLAMP != 0 && acc_ext < 0) ? {VW{1'b0}} : acc_ext;
      rnn_nearest #(.N(E), .VW(VW), .IW(IW), .NL(NL), .LW(LW), .INIT_FILE(ENC_FILE), .PROG(PROG), .CAW(CAW),
                    .DW(DW), .BASE(ENC_BASE)) u_enc (
        .clk_i(clk_i), .cfg_we_i(cfg_we_i), .cfg_addr_i(cfg_addr_i), .cfg_data_i(cfg_data_i),
        .value_i(z),
        .level_i(level_i),
        .idx_o  (idx_o)
      );
    end else begin : g_table
      wire [QW-1:0] row;
      rnn_nearest #(.N(Q), .VW(VW), .IW(QW), .NL(NL), .LW(LW), .INIT_FILE(ACTY_FILE), .PROG(PROG), .CAW(CAW),
                    .DW(DW), .BASE(ACTY_BASE)) u_act (
        .clk_i(clk_i), .cfg_we_i(cfg_we_i), .cfg_addr_i(cfg_addr_i), .cfg_data_i(cfg_data_i),
        .value_i(acc_ext),
        .level_i(level_i),
        .idx_o  (row)
      );
      // Row r of level l: word {l, r} (one region of 2^QW words per level).
      localparam integer ATW = NL > 1 ? LW + QW : QW;
      wire [ATW-1:0] at;
      if (NL > 1) begin : g_at_levels
        assign at = {level_i, row};
      end else begin : g_at_one
        assign at = row;
      end
      // The row's output: act_z values (two blocks) or encoded indices (fused), word {level, row}.
      localparam integer ZW = MODE == 1 ? VW : IW;
      reg [ZW-1:0] z_q [0:NL*(1<<QW)-1];
      if (PROG != 0) begin : g_prog
        wire we;
        wire [ATW-1:0] word;
        wire chunk;
        rnn_cfg_port #(.CAW(CAW), .WIN(ATW), .CHW(0), .BASE(ACTZ_BASE), .DEPTH(NL * (1 << QW)), .CH(1), .CWB(1)) u_port (
          .we_i(cfg_we_i), .addr_i(cfg_addr_i), .we_o(we), .word_o(word), .chunk_o(chunk)
        );
        always @(posedge clk_i) if (we) z_q[word] <= cfg_data_i[ZW-1:0];
        wire unused_chunk = chunk;
      end else if (MODE == 1) begin : g_rom_z
        initial $readmemh(ACTZ_FILE, z_q);
      end else begin : g_rom_fused
        initial $readmemh(FUSED_FILE, z_q);
      end
      if (MODE == 1) begin : g_two_block
        rnn_nearest #(.N(E), .VW(VW), .IW(IW), .NL(NL), .LW(LW), .INIT_FILE(ENC_FILE), .PROG(PROG), .CAW(CAW),
                      .DW(DW), .BASE(ENC_BASE)) u_enc (
          .clk_i(clk_i), .cfg_we_i(cfg_we_i), .cfg_addr_i(cfg_addr_i), .cfg_data_i(cfg_data_i),
          .value_i(z_q[at]),
          .level_i(level_i),
          .idx_o  (idx_o)
        );
      end else begin : g_fused
        assign idx_o = z_q[at];
      end
    end
  endgenerate
endmodule

`default_nettype wire
