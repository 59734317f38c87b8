// rnn_concat: a concatenation along channels on encoded indices. Both inputs carry the codebook
// their reader encodes with, so the output is the first input's NA entries, then the second's NB
// (channels first: the second input's channels follow the first's). One entry per cycle, the
// first input read through rd_*, the second through skip_* (the ports a residual tile adds with):
//   cycles per sample = 2 + NA + NB
`default_nettype none

module rnn_concat #(
  parameter integer NA  = 4,
  parameter integer NB  = 4,
  parameter integer IW  = 2,   // index width
  parameter integer XAW = 2,   // first input buffer address width
  parameter integer SAW = 2,   // second input buffer address width
  parameter integer YAW = 3    // output buffer address width
) (
  input  wire           clk_i,
  input  wire           rst_ni,
  input  wire           in_valid_i,
  input  wire           out_ready_i,
  output wire           in_done_o,
  output wire           out_done_o,
  output wire [XAW-1:0] rd_addr_o,
  input  wire [IW-1:0]  rd_data_i,
  output wire [SAW-1:0] skip_addr_o,
  input  wire [IW-1:0]  skip_data_i,
  output wire           wr_en_o,
  output wire [YAW-1:0] wr_addr_o,
  output wire [IW-1:0]  wr_data_o,
  output wire           busy_o
);
  localparam [1:0] S_IDLE = 2'd0, S_RUN = 2'd1, S_DONE = 2'd2;
  localparam [31:0] NA32 = NA;
  localparam [31:0] LAST = NA + NB - 1;
  reg [1:0] state_q;
  reg [31:0] y_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_IDLE;
      y_q <= 32'd0;
    end else begin
      case (state_q)
        S_IDLE: if (in_valid_i && out_ready_i) state_q <= S_RUN;
        S_RUN: begin
          y_q <= y_q + 32'd1;
          if (y_q == LAST) begin
            y_q <= 32'd0;
            state_q <= S_DONE;
          end
        end
        default: state_q <= S_IDLE;  // S_DONE
      endcase
    end
  end

  wire first = y_q < NA32;
  wire [31:0] b = y_q - NA32;
  wire unused_addr = ^{y_q[31:YAW], b[31:SAW]};
  assign rd_addr_o = first ? y_q[XAW-1:0] : {XAW{1'b0}};
  assign skip_addr_o = first ? {SAW{1'b0}} : b[SAW-1:0];
  assign wr_en_o = state_q == S_RUN;
  assign wr_addr_o = y_q[YAW-1:0];
  assign wr_data_o = first ? rd_data_i : skip_data_i;
  assign in_done_o = state_q == S_DONE;
  assign out_done_o = state_q == S_DONE;
  assign busy_o = state_q != S_IDLE;
endmodule

`default_nettype wire
