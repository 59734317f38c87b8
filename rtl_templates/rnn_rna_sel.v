// rnn_rna_sel: one RNA block of the shared-row accumulation form.
//
// Each beat presents, per lane, the row of products of that lane's input (from the tile's
// rnn_prow) and this RNA's weight index: the lane selects its product from the row by the weight
// index (a 2^WIW-way multiplexer, no table of its own), an adder tree sums the L products and the
// accumulator adds the sum (first_i: restart from the bias). acc_o holds bias + the sum over all
// beats of one neuron, exactly as rnn_rna's P[w_idx][x_idx] lookups would. Masked lanes add 0.
// The tree is as narrow as the products allow: a node d levels above the leaves is PW + d bits.
`default_nettype none

module rnn_rna_sel #(
  parameter integer L   = 4,   // lanes per beat
  parameter integer WIW = 2,   // weight index width (2^WIW products per row)
  parameter integer PW  = 16,  // product width (signed)
  parameter integer BW  = 16,  // bias width (signed)
  parameter integer AW  = 24   // accumulator width (signed)
) (
  input  wire                       clk_i,
  input  wire                       rst_ni,
  input  wire                       beat_i,
  input  wire                       first_i,
  input  wire [L*WIW-1:0]           w_idx_i,
  input  wire [L*(1<<WIW)*PW-1:0]   row_i,
  input  wire [L-1:0]               lane_valid_i,
  input  wire [BW-1:0]       bias_i,  // two's complement, like acc_o (ports unsigned: see sim/cosim.cpp, hierarchical builds)
  output wire [AW-1:0]       acc_o
);
  localparam integer RW = (1 << WIW) * PW;
  localparam integer LP = L <= 1 ? 1 : (1 << $clog2(L));  // leaves of the adder tree
  localparam integer D = $clog2(LP);                       // levels of the tree

  // Heap layout: leaves at LP-1 .. 2*LP-2, node i sums nodes 2i+1 and 2i+2. Every node is held
  // sign-extended to AW bits; only its low PW + (levels below it) bits are computed.
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [AW-1:0] node [0:2*LP-2] /* verilator split_var */;
  /* verilator lint_on UNUSEDSIGNAL */
  genvar l;
  generate
    for (l = 0; l < LP; l = l + 1) begin : g_leaf
      if (l < L) begin : g_lane
        wire [WIW-1:0] wi = w_idx_i[l*WIW +: WIW];
        wire [RW-1:0] row = row_i[l*RW +: RW];
        wire signed [PW-1:0] p = row[wi*PW +: PW];
        assign node[LP-1+l] = lane_valid_i[l] ? {{(AW-PW){p[PW-1]}}, p} : {AW{1'b0}};
      end else begin : g_pad
        assign node[LP-1+l] = {AW{1'b0}};
      end
    end
    for (l = 0; l < LP - 1; l = l + 1) begin : g_tree
      // Children are PW + (levels below them) bits wide, capped at AW (sums wrap modulo 2^AW, and
      // the accumulator width holds every final sum).
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
