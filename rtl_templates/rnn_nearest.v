// rnn_nearest: nearest-distance lookup (the paper's NDCAM, section 4.2) over a sorted table.
//
// idx_o is the index of the entry nearest to value_i; on a tie the lower index wins, and of
// equal (duplicated) entries the first. Hardware form of that rule: entry j (j > 0) is chosen
// over its predecessors when 2*value_i > table[j-1] + table[j], and entries equal to their
// predecessor are never chosen; the result is the highest such j (0 when there is none).
// The table is a constant image read with $readmemh (N signed VW-bit values, ascending), or in a
// design of NL codebook levels NL such tables one after another, level_i selecting one. In a
// programmable design (PROG = 1) entry k is written through the configuration port at address
// BASE + k (rnn_cfg_port); the search then runs against registers instead of constants.
`default_nettype none

module rnn_nearest #(
  parameter integer N         = 4,
  parameter integer VW        = 16,
  parameter integer IW        = 2,
  parameter integer NL        = 1,   // codebook levels (tables)
  parameter integer LW        = 1,   // level select width
  parameter         INIT_FILE = "",
  parameter integer PROG      = 0,   // 1: written through the configuration port
  parameter integer CAW       = 1,   // configuration address width
  parameter integer DW        = 1,   // configuration data width (>= VW when PROG)
  parameter integer BASE      = 0    // the table's first configuration address
) (
  input  wire                 clk_i,     // configuration writes (PROG)
  input  wire                 cfg_we_i,
  input  wire        [CAW-1:0] cfg_addr_i,
  input  wire        [DW-1:0] cfg_data_i,
  input  wire signed [VW-1:0] value_i,
  input  wire        [LW-1:0] level_i,  // the table, when NL > 1 (below NL)
  output wire        [IW-1:0] idx_o
);
  localparam integer WIN = NL * N > 1 ? $clog2(NL * N) : 1;
  reg signed [VW-1:0] table_q [0:NL*N-1];
  generate
    if (PROG != 0) begin : g_prog
      wire we;
      wire [WIN-1:0] word;
      wire chunk;
      rnn_cfg_port #(.CAW(CAW), .WIN(WIN), .CHW(0), .BASE(BASE), .DEPTH(NL * N), .CH(1), .CWB(1)) u_port (
        .we_i   (cfg_we_i),
        .addr_i (cfg_addr_i),
        .we_o   (we),
        .word_o (word),
        .chunk_o(chunk)
      );
      always @(posedge clk_i) if (we) table_q[word] <= cfg_data_i[VW-1:0];
      wire unused_cfg = ^{chunk, cfg_data_i};
    end else begin : g_rom
      initial $readmemh(INIT_FILE, table_q);
      wire unused_cfg = ^{clk_i, cfg_we_i, cfg_addr_i, cfg_data_i};
    end
  endgenerate

  wire signed [VW:0] twice = $signed({value_i, 1'b0});
  // One search per table, each against constant entries; level_i selects its result.
  wire [IW-1:0] found [0:NL-1];
  genvar t;
  generate
    for (t = 0; t < NL; t = t + 1) begin : g_table
      integer j;
      reg [IW-1:0] idx;
      reg signed [VW:0] sum;  // table[j-1] + table[j], one bit wider (all operands signed)
      always @* begin
        idx = {IW{1'b0}};
        for (j = 1; j < N; j = j + 1) begin
          sum = $signed({table_q[t*N+j-1][VW-1], table_q[t*N+j-1]}) + $signed({table_q[t*N+j][VW-1], table_q[t*N+j]});
          if (table_q[t*N+j] != table_q[t*N+j-1] && twice > sum) idx = j[IW-1:0];
        end
      end
      assign found[t] = idx;
    end
    if (NL > 1) begin : g_levels
      assign idx_o = found[level_i];
    end else begin : g_one
      assign idx_o = found[0];
      wire unused_level = ^level_i;
    end
  endgenerate
endmodule

`default_nettype wire
