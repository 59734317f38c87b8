// rnn_nearest: nearest-distance lookup (the paper's NDCAM, section 4.2) over a sorted table.
//
// idx_o is the index of the entry nearest to value_i; on a tie the lower index wins, and of
// equal (duplicated) entries the first. Hardware form of that rule: entry j (j > 0) is chosen
// over its predecessors when 2*value_i > table[j-1] + table[j], and entries equal to their
// predecessor are never chosen; the result is the highest such j (0 when there is none).
// The table is a constant image read with $readmemh (N signed VW-bit values, ascending).
`default_nettype none

module rnn_nearest #(
  parameter integer N         = 4,
  parameter integer VW        = 16,
  parameter integer IW        = 2,
  parameter         INIT_FILE = ""
) (
  input  wire signed [VW-1:0] value_i,
  output reg         [IW-1:0] idx_o
);
  reg signed [VW-1:0] table_q [0:N-1];
  initial $readmemh(INIT_FILE, table_q);

  wire signed [VW:0] twice = $signed({value_i, 1'b0});
  integer j;
  reg signed [VW:0] sum;  // table[j-1] + table[j], one bit wider (all operands signed)
  always @* begin
    idx_o = {IW{1'b0}};
    for (j = 1; j < N; j = j + 1) begin
      sum = $signed({table_q[j-1][VW-1], table_q[j-1]}) + $signed({table_q[j][VW-1], table_q[j]});
      if (table_q[j] != table_q[j-1] && twice > sum) idx_o = j[IW-1:0];
    end
  end
endmodule

`default_nettype wire
