// rnn_rna: one RNA block (paper Figure 7), direct accumulation form.
//
// Each beat presents L (weight index, input index) pairs. Each valid lane looks up the
// product table P[table][w_idx][x_idx]; a balanced adder tree sums the L products and the
// accumulator adds the sum (first_i: the accumulator restarts from the bias). acc_o holds
// bias + sum of P over all beats of one neuron. Masked lanes (padding, taps past the fan-in)
// add 0. The product table holds NT tables of 2^WIW x 2^XIW signed PW-bit entries, addressed
// {table, w_idx, x_idx}: a constant image (PROG = 0) or, in a programmable design, written word
// by word through the configuration port at addresses BASE + {table, w_idx, x_idx} (rnn_cfg_port).
`default_nettype none

module rnn_rna #(
  parameter integer L         = 4,   // lanes per beat
  parameter integer WIW       = 2,   // weight index width (2^WIW table rows)
  parameter integer XIW       = 2,   // input index width (2^XIW table columns)
  parameter integer NT        = 1,   // tables held (one per neuron group of a convolution)
  parameter integer TW        = 1,   // table index width
  parameter integer PW        = 16,  // product width (signed)
  parameter integer BW        = 16,  // bias width (signed)
  parameter integer AW        = 24,  // accumulator width (signed)
  parameter         PROD_FILE = "",
  parameter integer PROG      = 0,   // 1: the table is written through the configuration port
  parameter integer CAW       = 1,   // configuration address width
  parameter integer DW        = 1,   // configuration data width (>= PW when PROG)
  parameter integer BASE      = 0    // the table's first configuration address
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 beat_i,
  input  wire                 first_i,
  input  wire [L*WIW-1:0]     w_idx_i,
  input  wire [L*XIW-1:0]     x_idx_i,
  input  wire [L-1:0]         lane_valid_i,
  input  wire [TW-1:0]        table_i,       // ignored when NT = 1
  input  wire [BW-1:0] bias_i,  // two's complement, like acc_o (ports unsigned: see sim/cosim.cpp, hierarchical builds)
  output wire [AW-1:0] acc_o,
  input  wire          cfg_we_i,
  input  wire [CAW-1:0] cfg_addr_i,
  input  wire [DW-1:0] cfg_data_i
);
  localparam integer AD = (NT > 1 ? TW : 0) + WIW + XIW;
  localparam integer DEPTH = 1 << AD;  // the image is padded to a power of two
  localparam integer LP = L <= 1 ? 1 : (1 << $clog2(L));  // leaves of the adder tree
  localparam integer D = $clog2(LP);                       // levels of the tree

  reg signed [PW-1:0] prod_q [0:DEPTH-1];

  generate
    if (PROG != 0) begin : g_prog
      wire we;
      wire [AD-1:0] word;
      wire chunk;
      rnn_cfg_port #(.CAW(CAW), .WIN(AD), .CHW(0), .BASE(BASE), .DEPTH(DEPTH), .CH(1), .CWB(1)) u_port (
        .we_i   (cfg_we_i),
        .addr_i (cfg_addr_i),
        .we_o   (we),
        .word_o (word),
        .chunk_o(chunk)
      );
      always @(posedge clk_i) if (we) prod_q[word] <= cfg_data_i[PW-1:0];
      wire unused_cfg = ^{chunk, cfg_data_i};
    end else begin : g_rom
      initial $readmemh(PROD_FILE, prod_q);
      wire unused_cfg = ^{cfg_we_i, cfg_addr_i, cfg_data_i};
    end
    if (NT == 1) begin : g_no_table
      wire unused_table = ^table_i;
    end
  endgenerate

  // Leaves at LP-1 .. 2*LP-2, node i sums nodes 2i+1 and 2i+2 (heap layout).
  // Every node is held sign-extended to AW bits; only its low bits are computed (below).
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [AW-1:0] node [0:2*LP-2] /* verilator split_var */;
  /* verilator lint_on UNUSEDSIGNAL */
  genvar l;
  generate
    for (l = 0; l < LP; l = l + 1) begin : g_leaf
      if (l < L) begin : g_lane
        wire [WIW-1:0] wi = w_idx_i[l*WIW +: WIW];
        wire [XIW-1:0] xi = x_idx_i[l*XIW +: XIW];
        wire [AD-1:0] addr;
        if (NT > 1) begin : g_tabled
          assign addr = {table_i, wi, xi};
        end else begin : g_single
          assign addr = {wi, xi};
        end
        wire signed [PW-1:0] p = prod_q[addr];
        assign node[LP-1+l] = lane_valid_i[l] ? {{(AW-PW){p[PW-1]}}, p} : {AW{1'b0}};
      end else begin : g_pad
        assign node[LP-1+l] = {AW{1'b0}};
      end
    end
    for (l = 0; l < LP - 1; l = l + 1) begin : g_tree
      // Children are PW + (levels below them) bits wide, capped at AW (sums wrap modulo 2^AW,
      // and the accumulator width holds every final sum).
      localparam integer CW = PW + D - $clog2(l + 2) < AW ? PW + D - $clog2(l + 2) : AW;
      localparam integer NW = CW + 1 < AW ? CW + 1 : AW;
      wire signed [NW-1:0] s = $signed(node[2*l+1][CW-1:0]) + $signed(node[2*l+2][CW-1:0]);
      if (NW < AW) begin : g_ext
        assign node[l] = {{(AW-NW){s[NW-1]}}, s};
      end else begin : g_full
        assign node[l] = s;
      end
    end
  endgenerate

  reg signed [AW-1:0] acc_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) acc_q <= {AW{1'b0}};
    else if (beat_i) acc_q <= (first_i ? {{(AW-BW){bias_i[BW-1]}}, bias_i} : acc_q) + node[0];
  end
  assign acc_o = acc_q;
endmodule

`default_nettype wire
