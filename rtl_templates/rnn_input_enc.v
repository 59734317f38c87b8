// rnn_input_enc: the virtual input layer. Raw features arrive one per valid/ready beat, in
// the model's (C, H, W) order; a lookup table encodes each into the first layer's input
// codebook and it is written to the first buffer. The last feature hands the bank over.
`default_nettype none

module rnn_input_enc #(
  parameter integer NUMEL    = 4,
  parameter integer RAW_BITS = 8,
  parameter integer IW       = 2,
  parameter integer YAW      = 2,
  parameter         LUT_FILE = ""
) (
  input  wire                clk_i,
  input  wire                rst_ni,
  input  wire                in_valid_i,
  output wire                in_ready_o,
  input  wire [RAW_BITS-1:0] in_data_i,
  input  wire                wr_ready_i,
  output wire                wr_en_o,
  output wire [YAW-1:0]      wr_addr_o,
  output wire [IW-1:0]       wr_data_o,
  output wire                wr_done_o
);
  reg [31:0] k_q;
  wire accept = in_valid_i && wr_ready_i;
  wire last = k_q == NUMEL - 1;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) k_q <= 32'd0;
    else if (accept) k_q <= last ? 32'd0 : k_q + 32'd1;
  end

  rnn_rom #(.DEPTH(1 << RAW_BITS), .WIDTH(IW), .AW(RAW_BITS), .INIT_FILE(LUT_FILE)) u_lut (
    .addr_i(in_data_i),
    .data_o(wr_data_o)
  );

  wire unused_k = ^k_q[31:YAW];
  assign in_ready_o = wr_ready_i;
  assign wr_en_o = accept;
  assign wr_addr_o = k_q[YAW-1:0];
  assign wr_done_o = accept && last;
endmodule

`default_nettype wire
