// Icarus Verilog testbench for one generated rapidnn design (`rapidnn cosim --simulator iverilog`).
// Streams STIM_FILE (one raw feature per line, hex) through the top with the valid/ready
// protocol, F features per beat (a beat never crosses images), the output side always ready.
// The design's trace lines ("trace buffer entry value time", from RAPIDNN_TRACE) and one
// "class image index time" line per result go to stdout; rapidnn compares them with the golden
// model. The clock period is 2 time units. With RNN_LEVELS (a design of several codebook levels)
// LEVEL_FILE holds the level driven on level_i for each image (hex, one per line): before an image
// whose level differs, the input waits until every earlier image is out, plus one cycle for the
// level register to sample it.
`default_nettype none

module cosim_tb;
  parameter integer NUMEL    = 1;
  parameter integer SAMPLES  = 1;
  parameter integer RAW_BITS = 8;
  parameter integer F        = 1;
  parameter integer CW       = 1;
  parameter integer SCW      = 1;
  parameter integer PW        = 1;  // level_i width (RNN_LEVELS)
  parameter integer LEVEL_MAX = 1;  // the level the design resets to

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

`ifdef RNN_LEVELS
  reg [7:0] levels [0:SAMPLES-1];
  reg [PW-1:0] level_in = LEVEL_MAX[PW-1:0];
  integer level_now = LEVEL_MAX;
  wire [PW-1:0] level_out;
  initial $readmemh(`LEVEL_FILE, levels);
`endif

  `RNN_TOP dut (
    .clk_i(clk), .rst_ni(rst_n), .in_valid_i(in_valid), .in_ready_o(in_ready), .in_data_i(in_data),
`ifdef RNN_LEVELS
    .level_i(level_in), .level_o(level_out),
`endif
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
`ifdef RNN_LEVELS
      if (in_valid && next % NUMEL == 0 && levels[next / NUMEL] != level_now) begin
        in_valid = 1'b0;
        level_in = levels[next / NUMEL][PW-1:0];
        if (outputs == next / NUMEL) level_now = levels[next / NUMEL];
      end
`endif
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
