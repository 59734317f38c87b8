// rnn_mac: the conventional baseline neuron for area comparisons: L lanes of fixed-point
// multiply (WB-bit signed weights x XB-bit inputs, signed or, with XS = 0, unsigned as after a
// ReLU) per beat, summed by an adder tree into an accumulator that restarts from the bias on
// first_i. Same lanes and throughput as rnn_rna.
`default_nettype none

module rnn_mac #(
  parameter integer L  = 4,
  parameter integer WB = 8,
  parameter integer XB = 8,
  parameter integer XS = 1,   // 1: inputs are signed; 0: unsigned
  parameter integer BW = 16,
  parameter integer AW = 24
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 beat_i,
  input  wire                 first_i,
  input  wire [L*WB-1:0]      w_i,
  input  wire [L*XB-1:0]      x_i,
  input  wire [L-1:0]         lane_valid_i,
  input  wire [BW-1:0] bias_i,  // two's complement, like acc_o (ports unsigned: see sim/cosim.cpp, hierarchical builds)
  output wire [AW-1:0] acc_o
);
  localparam integer LP = L <= 1 ? 1 : (1 << $clog2(L));
  localparam integer D = $clog2(LP);
  localparam integer PB = WB + XB;

  // Every node is held sign-extended to AW bits; only its low bits are computed (below).
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [AW-1:0] node [0:2*LP-2] /* verilator split_var */;
  /* verilator lint_on UNUSEDSIGNAL */
  genvar l;
  generate
    for (l = 0; l < LP; l = l + 1) begin : g_leaf
      if (l < L) begin : g_lane
        wire signed [WB-1:0] w = w_i[l*WB +: WB];
        wire [XB-1:0] x = x_i[l*XB +: XB];
        wire signed [XB:0] xe = XS != 0 ? {x[XB-1], x} : {1'b0, x};
        wire signed [PB:0] pf = w * xe;  // the product fits PB bits either way
        wire signed [PB-1:0] p = pf[PB-1:0];
        wire unused_pf = pf[PB];
        assign node[LP-1+l] = lane_valid_i[l] ? {{(AW-PB){p[PB-1]}}, p} : {AW{1'b0}};
      end else begin : g_pad
        assign node[LP-1+l] = {AW{1'b0}};
      end
    end
    for (l = 0; l < LP - 1; l = l + 1) begin : g_tree
      // Children are PB + (levels below them) bits wide, capped at AW (sums wrap modulo 2^AW,
      // and the accumulator width holds every final sum).
      localparam integer CW = PB + D - $clog2(l + 2) < AW ? PB + D - $clog2(l + 2) : AW;
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
