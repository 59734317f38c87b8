// rnn_maxpool: max pooling on encoded indices (codebooks are sorted, so the largest index is
// the largest value). One output per cycle: the KH*KW window is read through as many ports;
// padded taps are left out (an all-padding window gives 0).
//   cycles per sample = 2 + C * OH * OW
`default_nettype none

module rnn_maxpool #(
  parameter integer C   = 1,
  parameter integer IH  = 2,
  parameter integer IWD = 2,
  parameter integer OH  = 1,
  parameter integer OW  = 1,
  parameter integer KH  = 2,
  parameter integer KW  = 2,
  parameter integer SH  = 2,
  parameter integer SW  = 2,
  parameter integer PT  = 0,
  parameter integer PL  = 0,
  parameter integer IW  = 2,   // index width
  parameter integer XAW = 2,   // input buffer address width
  parameter integer YAW = 1    // output buffer address width
) (
  input  wire                   clk_i,
  input  wire                   rst_ni,
  input  wire                   in_valid_i,
  input  wire                   out_ready_i,
  output wire                   in_done_o,
  output wire                   out_done_o,
  output wire [KH*KW*XAW-1:0]   rd_addr_o,
  input  wire [KH*KW*IW-1:0]    rd_data_i,
  output wire                   wr_en_o,
  output wire [YAW-1:0]         wr_addr_o,
  output wire [IW-1:0]          wr_data_o,
  output wire                   busy_o
);
  localparam [1:0] S_IDLE = 2'd0, S_RUN = 2'd1, S_DONE = 2'd2;
  reg [1:0] state_q;
  reg [31:0] c_q, oy_q, ox_q, y_q;
  reg signed [31:0] oy_base_q, ox_base_q, row_base_q, chan_base_q;

  wire last_ox = ox_q == OW - 1;
  wire last_oy = oy_q == OH - 1;
  wire last_c = c_q == C - 1;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_IDLE;
      c_q <= 32'd0;
      oy_q <= 32'd0;
      ox_q <= 32'd0;
      y_q <= 32'd0;
      oy_base_q <= -PT;
      ox_base_q <= -PL;
      row_base_q <= -PT * IWD;
      chan_base_q <= 32'sd0;
    end else begin
      case (state_q)
        S_IDLE: if (in_valid_i && out_ready_i) state_q <= S_RUN;
        S_RUN: begin
          y_q <= y_q + 32'd1;
          ox_q <= ox_q + 32'd1;
          ox_base_q <= ox_base_q + SW;
          if (last_ox) begin
            ox_q <= 32'd0;
            ox_base_q <= -PL;
            oy_q <= oy_q + 32'd1;
            oy_base_q <= oy_base_q + SH;
            row_base_q <= row_base_q + SH * IWD;
            if (last_oy) begin
              oy_q <= 32'd0;
              oy_base_q <= -PT;
              row_base_q <= -PT * IWD;
              c_q <= c_q + 32'd1;
              chan_base_q <= chan_base_q + IH * IWD;
              if (last_c) begin
                c_q <= 32'd0;
                y_q <= 32'd0;
                chan_base_q <= 32'sd0;
                state_q <= S_DONE;
              end
            end
          end
        end
        default: state_q <= S_IDLE;  // S_DONE
      endcase
    end
  end

  wire [KH*KW-1:0] tap_valid;
  genvar t;
  generate
    for (t = 0; t < KH * KW; t = t + 1) begin : g_tap
      localparam integer KY = t / KW;
      localparam integer KX = t % KW;
      wire signed [31:0] iy = oy_base_q + KY;
      wire signed [31:0] ix = ox_base_q + KX;
      wire [31:0] addr = chan_base_q + row_base_q + KY * IWD + ox_base_q + KX;
      wire unused_addr = ^addr[31:XAW];
      assign tap_valid[t] = iy >= 0 && iy < IH && ix >= 0 && ix < IWD;
      assign rd_addr_o[t*XAW +: XAW] = tap_valid[t] ? addr[XAW-1:0] : {XAW{1'b0}};
    end
  endgenerate

  reg [IW-1:0] m;
  integer k;
  always @* begin
    m = {IW{1'b0}};
    for (k = 0; k < KH * KW; k = k + 1)
      if (tap_valid[k] && rd_data_i[k*IW +: IW] > m) m = rd_data_i[k*IW +: IW];
  end

  wire unused_y = ^y_q[31:YAW];
  assign wr_en_o = state_q == S_RUN;
  assign wr_addr_o = y_q[YAW-1:0];
  assign wr_data_o = m;
  assign in_done_o = state_q == S_DONE;
  assign out_done_o = state_q == S_DONE;
  assign busy_o = state_q != S_IDLE;
endmodule

`default_nettype wire
