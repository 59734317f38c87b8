// rnn_rom: constant table with one asynchronous read port, initialised with $readmemh.
`default_nettype none

module rnn_rom #(
  parameter integer DEPTH     = 4,
  parameter integer WIDTH     = 8,
  parameter integer AW        = 2,
  parameter         INIT_FILE = ""
) (
  input  wire [AW-1:0]    addr_i,
  output wire [WIDTH-1:0] data_o
);
  reg [WIDTH-1:0] mem_q [0:DEPTH-1];
  initial $readmemh(INIT_FILE, mem_q);
  assign data_o = mem_q[addr_i];
endmodule

`default_nettype wire
