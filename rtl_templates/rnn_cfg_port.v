// rnn_cfg_port: one table memory's window in the configuration address space (a programmable
// design, docs/programmable.md).
//
// The window is the 2^WIN addresses from BASE (a multiple of 2^WIN); an address in it is
// {word, chunk}: word (WIN - CHW bits) of the memory and, for words wider than the data port,
// chunk (CHW bits) the data port's share of it, chunk c holding bits [c*DW +: DW]. we_o is
// we_i for an address of the window whose word is below DEPTH and chunk below CH, else 0: a
// write to any other address changes nothing here.
`default_nettype none

module rnn_cfg_port #(
  parameter integer CAW   = 8,  // configuration address width (below 32)
  parameter integer WIN   = 2,  // window bits
  parameter integer CHW   = 0,  // chunk bits (0: one chunk per word)
  parameter integer BASE  = 0,  // first address of the window
  parameter integer DEPTH = 4,  // words
  parameter integer CH    = 1,  // chunks per word (at most 2^CHW)
  parameter integer CWB   = 1   // chunk_o width: CHW, at least 1
) (
  input  wire               we_i,
  input  wire [CAW-1:0]     addr_i,
  output wire               we_o,
  output wire [WIN-CHW-1:0] word_o,
  output wire [CWB-1:0]     chunk_o
);
  localparam integer WW = WIN - CHW;
  localparam [31:0] BASE32 = BASE;
  localparam [31:0] DEPTH32 = DEPTH;
  localparam [31:0] CH32 = CH;

  wire in_window;
  generate
    if (WIN < CAW) begin : g_window
      assign in_window = addr_i[CAW-1:WIN] == BASE32[CAW-1:WIN];
    end else begin : g_all
      assign in_window = 1'b1;
    end
    if (CHW > 0) begin : g_chunks
      assign chunk_o = addr_i[CHW-1:0];
    end else begin : g_one
      assign chunk_o = 1'b0;
    end
  endgenerate
  assign word_o = addr_i[WIN-1:CHW];
  wire [31:0] word32 = {{(32 - WW){1'b0}}, word_o};
  wire [31:0] chunk32 = {{(32 - CWB){1'b0}}, chunk_o};
  assign we_o = we_i && in_window && word32 < DEPTH32 && chunk32 < CH32;
endmodule

`default_nettype wire
