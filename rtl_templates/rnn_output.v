// rnn_output: the output layer's scores and the class stream. The output tile writes the
// class scores (accumulators) through R ports; when it is done, the class index (argmax, the
// lowest index on ties; ReLU outputs clamped at 0 first) is offered on a valid/ready stream
// with the scores beside it. The tile waits (wr_ready_o low) until the result is taken.
// With RAPIDNN_TRACE defined, score writes are reported like rnn_pingpong's.
`default_nettype none

module rnn_output #(
  parameter integer N    = 2,    // classes
  parameter integer R    = 1,    // write ports
  parameter integer POS  = 1,    // consecutive scores per writer
  parameter integer AW   = 16,   // score width
  parameter integer CAW  = 1,    // score address width
  parameter integer CW   = 1,    // class index width
  parameter integer RELU = 0,
  parameter integer BUF_ID = 0   // trace id (the output stage's index + 1)
) (
  input  wire              clk_i,
  input  wire              rst_ni,
  input  wire [R-1:0]      wr_en_i,
  input  wire [R*CAW-1:0]  wr_addr_i,
  input  wire [R*AW-1:0]   wr_data_i,
  input  wire              wr_done_i,
  output wire              wr_ready_o,
  output wire              out_valid_o,
  input  wire              out_ready_i,
  output wire [CW-1:0]     out_class_o,
  output wire [N*AW-1:0]   out_scores_o
);
  reg signed [AW-1:0] score_q [0:N-1];
  reg valid_q;
  reg [CW-1:0] class_q;

  function automatic [AW-1:0] clamp(input [AW-1:0] d);
    clamp = (RELU != 0 && d[AW-1]) ? {AW{1'b0}} : d;
  endfunction

  // Score e has one writer: port (e / POS) % R.
  genvar e;
  generate
    for (e = 0; e < N; e = e + 1) begin : g_score_reg
      localparam integer P = (e / POS) % R;
      localparam [CAW-1:0] ADDR = e;
      wire [AW-1:0] d = wr_data_i[P*AW +: AW];
      always @(posedge clk_i)
        if (wr_en_i[P] && wr_addr_i[P*CAW +: CAW] == ADDR) score_q[e] <= clamp(d);
    end
  endgenerate

  // First maximum.
  reg [CW-1:0] best;
  reg signed [AW-1:0] best_v;
  integer n;
  always @* begin
    best = {CW{1'b0}};
    best_v = score_q[0];
    for (n = 1; n < N; n = n + 1)
      if (score_q[n] > best_v) begin
        best = n[CW-1:0];
        best_v = score_q[n];
      end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= 1'b0;
      class_q <= {CW{1'b0}};
    end else if (wr_done_i) begin
      valid_q <= 1'b1;
      class_q <= best;
    end else if (out_ready_i) begin
      valid_q <= 1'b0;
    end
  end

  genvar s;
  generate
    for (s = 0; s < N; s = s + 1) begin : g_score
      assign out_scores_o[s*AW +: AW] = score_q[s];
    end
  endgenerate
`ifndef RAPIDNN_TRACE
  wire [31:0] unused_buf_id = BUF_ID;
`else
`ifdef VERILATOR
  import "DPI-C" function void rnn_trace_write(input int buf_id, input int addr, input longint data);
`endif
  integer t;
  always @(posedge clk_i)
    for (t = 0; t < R; t = t + 1)
      if (wr_en_i[t]) begin
`ifdef VERILATOR
        rnn_trace_write(BUF_ID, 32'(wr_addr_i[t*CAW +: CAW]), 64'($signed(clamp(wr_data_i[t*AW +: AW]))));
`else
        $display("trace %0d %0d %0d %0t", BUF_ID, wr_addr_i[t*CAW +: CAW], $signed(clamp(wr_data_i[t*AW +: AW])), $time);
`endif
      end
`endif

  assign wr_ready_o = !valid_q;
  assign out_valid_o = valid_q;
  assign out_class_o = class_q;
endmodule

`default_nettype wire
