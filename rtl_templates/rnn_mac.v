// rnn_mac: the conventional baseline neuron for area comparisons: L lanes of fixed-point
// multiply (WB-bit weights x XB-bit inputs, both signed) per beat, summed by an adder tree into
// an accumulator that restarts from the bias on first_i. Same lanes and throughput as rnn_rna.
`default_nettype none

module rnn_mac #(
  parameter integer L  = 4,
  parameter integer WB = 8,
  parameter integer XB = 8,
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
  input  wire signed [BW-1:0] bias_i,
  output wire signed [AW-1:0] acc_o
);
  localparam integer LP = L <= 1 ? 1 : (1 << $clog2(L));
  localparam integer PB = WB + XB;

  wire signed [AW-1:0] node [0:2*LP-2] /* verilator split_var */;
  genvar l;
  generate
    for (l = 0; l < LP; l = l + 1) begin : g_leaf
      if (l < L) begin : g_lane
        wire signed [WB-1:0] w = w_i[l*WB +: WB];
        wire signed [XB-1:0] x = x_i[l*XB +: XB];
        wire signed [PB-1:0] p = w * x;
        assign node[LP-1+l] = lane_valid_i[l] ? {{(AW-PB){p[PB-1]}}, p} : {AW{1'b0}};
      end else begin : g_pad
        assign node[LP-1+l] = {AW{1'b0}};
      end
    end
    for (l = 0; l < LP - 1; l = l + 1) begin : g_tree
      assign node[l] = node[2*l+1] + node[2*l+2];
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
