// rnn_ram: a table memory written through the configuration port (rnn_cfg_port), one
// asynchronous read port: the programmable design's form of rnn_rom. A word wider than the data
// port (DW bits) takes several writes, chunk c setting bits [c*DW +: DW]. Its contents are
// undefined until written.
`default_nettype none

module rnn_ram #(
  parameter integer DEPTH = 4,
  parameter integer WIDTH = 8,
  parameter integer AW    = 2,
  parameter integer CAW   = 8,   // configuration address width
  parameter integer DW    = 32,  // configuration data width
  parameter integer WIN   = 2,   // window bits: AW + chunk bits
  parameter integer BASE  = 0
) (
  input  wire             clk_i,
  input  wire [AW-1:0]    addr_i,
  output wire [WIDTH-1:0] data_o,
  input  wire             cfg_we_i,
  input  wire [CAW-1:0]   cfg_addr_i,
  input  wire [DW-1:0]    cfg_data_i
);
  localparam integer CH = (WIDTH + DW - 1) / DW;
  localparam integer CHW = CH > 1 ? $clog2(CH) : 0;
  localparam integer CWB = CHW > 0 ? CHW : 1;

  wire we;
  wire [AW-1:0] word;
  wire [CWB-1:0] chunk;
  rnn_cfg_port #(.CAW(CAW), .WIN(WIN), .CHW(CHW), .BASE(BASE), .DEPTH(DEPTH), .CH(CH), .CWB(CWB)) u_port (
    .we_i   (cfg_we_i),
    .addr_i (cfg_addr_i),
    .we_o   (we),
    .word_o (word),
    .chunk_o(chunk)
  );

  genvar c;
  generate
    for (c = 0; c < CH; c = c + 1) begin : g_chunk
      localparam integer CW = WIDTH - c * DW < DW ? WIDTH - c * DW : DW;
      localparam [CWB-1:0] C = c;
      reg [CW-1:0] mem_q [0:DEPTH-1];
      always @(posedge clk_i) if (we && chunk == C) mem_q[word] <= cfg_data_i[CW-1:0];
      assign data_o[c*DW +: CW] = mem_q[addr_i];
      if (CW < DW) begin : g_narrow
        wire unused_data = ^cfg_data_i[DW-1:CW];
      end
    end
  endgenerate
endmodule

`default_nettype wire
