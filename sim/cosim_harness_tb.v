// Icarus Verilog testbench for one generated rapidnn design (`rapidnn cosim --simulator iverilog`).
// Streams STIM_FILE (one raw feature per line, hex) through the top with the valid/ready
// protocol, F features per beat (a beat never crosses images), the output side always ready.
// The design's trace lines ("trace buffer entry value time", from RAPIDNN_TRACE) and one
// "class image index time" line per result go to stdout; rapidnn compares them with the golden
// model. The clock period is 2 time units.
`default_nettype none

module cosim_tb;
  parameter integer NUMEL    = 1;
  parameter integer SAMPLES  = 1;
  parameter integer RAW_BITS = 8;
  parameter integer F        = 1;
  parameter integer CW       = 1;
  parameter integer SCW      = 1;

  reg clk = 1'b0;
  reg rst_n = 1'b0;
  reg in_valid = 1'b0;
  reg [F*RAW_BITS-1:0] in_data = {F*RAW_BITS{1'b0}};
  wire in_ready, out_valid, busy;
  wire [CW-1:0] out_class;
  wire [SCW-1:0] out_scores;
  reg [15:0] stim [0:NUMEL*SAMPLES-1];
  integer next = 0;
  integer outputs = 0;
  integer beat = 1;  // features in this beat
  integer f;

  `RNN_TOP dut (
    .clk_i(clk), .rst_ni(rst_n), .in_valid_i(in_valid), .in_ready_o(in_ready), .in_data_i(in_data),
    .out_valid_o(out_valid), .out_ready_i(1'b1), .out_class_o(out_class), .out_scores_o(out_scores), .busy_o(busy)
  );

  always #1 clk = !clk;

  initial begin
    $readmemh(`STIM_FILE, stim);
    @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
  end

  always @(negedge clk)
    if (rst_n) begin
      in_valid = next < NUMEL * SAMPLES;
      beat = NUMEL - next % NUMEL < F ? NUMEL - next % NUMEL : F;
      in_data = {F*RAW_BITS{1'b0}};
      if (in_valid)
        for (f = 0; f < beat; f = f + 1) in_data[f*RAW_BITS +: RAW_BITS] = stim[next + f][RAW_BITS-1:0];
    end

  always @(posedge clk)
    if (rst_n) begin
      if (in_valid && in_ready) next <= next + beat;
      if (out_valid) begin
        $display("class %0d %0d %0t", outputs, out_class, $time);
        outputs <= outputs + 1;
        if (outputs + 1 == SAMPLES) $finish;
      end
    end
endmodule

`default_nettype wire
