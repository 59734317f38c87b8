// rnn_rna_count: one RNA block, counter accumulation form (paper section 4.1.1).
//
// Counting phase (beat_i): each beat presents L (weight index, input index) pairs; counter
// {w, x} adds the number of valid lanes holding that pair, so lanes never conflict (first_i
// restarts every counter). Product phase (mul_i, one pair per cycle, pair_i = {w, x}): the
// accumulator adds count[w][x] * P[table][w][x], computed without a multiplier: the count is
// recoded into runs of ones, and a run over bits j..k contributes (P << (k+1)) - (P << j)
// (the paper's 2^k - 1 trick). mul_first_i restarts the accumulator from the bias.
`default_nettype none

module rnn_rna_count #(
  parameter integer L         = 4,
  parameter integer WIW       = 2,
  parameter integer XIW       = 2,
  parameter integer NT        = 1,
  parameter integer TW        = 1,
  parameter integer PW        = 16,
  parameter integer BW        = 16,
  parameter integer AW        = 24,
  parameter integer CW        = 8,   // counter width: holds the fan-in
  parameter         PROD_FILE = ""
) (
  input  wire                   clk_i,
  input  wire                   rst_ni,
  input  wire                   beat_i,
  input  wire                   first_i,
  input  wire [L*WIW-1:0]       w_idx_i,
  input  wire [L*XIW-1:0]       x_idx_i,
  input  wire [L-1:0]           lane_valid_i,
  input  wire                   mul_i,
  input  wire                   mul_first_i,
  input  wire [WIW+XIW-1:0]     pair_i,
  input  wire [TW-1:0]          table_i,       // ignored when NT = 1
  input  wire [BW-1:0]   bias_i,  // two's complement, like acc_o (ports unsigned: see sim/cosim.cpp, hierarchical builds)
  output wire [AW-1:0]   acc_o
);
  localparam integer PAIRS = 1 << (WIW + XIW);
  localparam integer AD = (NT > 1 ? TW : 0) + WIW + XIW;
  localparam integer DEPTH = 1 << AD;
  localparam integer LW = $clog2(L + 1);  // width of a per-beat increment

  reg signed [PW-1:0] prod_q [0:DEPTH-1];
  initial $readmemh(PROD_FILE, prod_q);

  // Counting phase.
  reg [CW-1:0] cnt_q [0:PAIRS-1];
  genvar wv, xv;
  generate
    for (wv = 0; wv < (1 << WIW); wv = wv + 1) begin : g_w
      for (xv = 0; xv < (1 << XIW); xv = xv + 1) begin : g_counter
        localparam [WIW+XIW-1:0] PAIR = wv * (1 << XIW) + xv;
        reg [LW-1:0] inc;
        integer l;
        always @* begin
          inc = {LW{1'b0}};
          for (l = 0; l < L; l = l + 1)
            if (lane_valid_i[l] && {w_idx_i[l*WIW +: WIW], x_idx_i[l*XIW +: XIW]} == PAIR)
              inc = inc + {{(LW-1){1'b0}}, 1'b1};
        end
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) cnt_q[PAIR] <= {CW{1'b0}};
          else if (beat_i) cnt_q[PAIR] <= (first_i ? {CW{1'b0}} : cnt_q[PAIR]) + {{(CW-LW){1'b0}}, inc};
        end
      end
    end
  endgenerate

  // Product phase: count x product by shifts and adds over the count's runs of ones.
  wire [AD-1:0] addr;
  generate
    if (NT > 1) begin : g_tabled
      assign addr = {table_i, pair_i};
    end else begin : g_single
      assign addr = pair_i;
      wire unused_table = ^table_i;
    end
  endgenerate
  wire signed [PW-1:0] p = prod_q[addr];
  wire [CW-1:0] c = cnt_q[pair_i];
  wire signed [AW-1:0] p_ext = {{(AW-PW){p[PW-1]}}, p};
  reg signed [AW-1:0] term;
  integer b;
  always @* begin
    term = {AW{1'b0}};
    for (b = 0; b <= CW; b = b + 1) begin
      // digit b of the recoded count: c[b-1] - c[b] (bits outside 0..CW-1 are 0)
      if ((b > 0 && c[b-1]) && !(b < CW && c[b])) term = term + (p_ext <<< b);       // a run ends below b
      else if (!(b > 0 && c[b-1]) && (b < CW && c[b])) term = term - (p_ext <<< b);  // a run starts at b
    end
  end

  reg signed [AW-1:0] acc_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) acc_q <= {AW{1'b0}};
    else if (mul_i) acc_q <= (mul_first_i ? {{(AW-BW){bias_i[BW-1]}}, bias_i} : acc_q) + term;
  end
  assign acc_o = acc_q;
endmodule

`default_nettype wire
