// rnn_pingpong: the buffer of encoded outputs between layers (paper section 4.3), two banks so
// the producer fills one sample while its readers read the previous one.
//
// Producer: WP write ports (a static writer per entry, see below) into the bank it owns
// (wr_ready_o: that bank is free); wr_done_i hands the bank over. Readers: NR of them (the next
// layer, and in a residual network also the layers that branch from it or add it as a skip),
// each with its own bank pointer: reader k owns a bank while it holds a complete sample it has
// not released (rd_valid_o[k]); rd_done_i[k] releases it. A bank is free again once every reader
// has released it, so a skipped sample stays until the residual sum that adds it is done.
// Read port p (RP of them, asynchronous) belongs to reader PORT_READER[p*8 +: 8] and reads that
// reader's bank.
// With RAPIDNN_TRACE defined, every write is reported to the co-simulation harness
// (DPI-C rnn_trace_write under Verilator, a "trace" line under other simulators).
`default_nettype none

module rnn_pingpong #(
  parameter integer DEPTH  = 4,
  parameter integer IW     = 2,
  parameter integer AW     = 2,
  parameter integer WP     = 1,
  parameter integer RP     = 1,
  parameter integer POS    = 1,   // consecutive entries per writer (output positions)
  parameter integer NR     = 1,   // readers
  parameter [RP*8-1:0] PORT_READER = {(RP*8){1'b0}},
  parameter integer BUF_ID = 0
) (
  input  wire           clk_i,
  input  wire           rst_ni,
  input  wire [WP-1:0]    wr_en_i,
  input  wire [WP*AW-1:0] wr_addr_i,
  input  wire [WP*IW-1:0] wr_data_i,
  input  wire           wr_done_i,
  output wire           wr_ready_o,
  input  wire [RP*AW-1:0] rd_addr_i,
  output wire [RP*IW-1:0] rd_data_o,
  input  wire [NR-1:0]  rd_done_i,
  output wire [NR-1:0]  rd_valid_o
);
  reg [IW-1:0] bank0_q [0:DEPTH-1];
  reg [IW-1:0] bank1_q [0:DEPTH-1];
  reg [NR-1:0] pend0_q, pend1_q;  // per bank: the readers that have not released it
  reg wsel_q;
  reg [NR-1:0] rsel_q;             // per reader: the bank it reads next
  wire [1:0] full = {|pend1_q, |pend0_q};

  assign wr_ready_o = !full[wsel_q];
  genvar k;
  generate
    for (k = 0; k < NR; k = k + 1) begin : g_reader
      assign rd_valid_o[k] = rsel_q[k] ? pend1_q[k] : pend0_q[k];
    end
  endgenerate

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend0_q <= {NR{1'b0}};
      pend1_q <= {NR{1'b0}};
      wsel_q <= 1'b0;
      rsel_q <= {NR{1'b0}};
    end else begin
      // A reader releases only a bank it holds, and the producer fills only a free bank, so the
      // two never touch the same bank in one cycle.
      pend0_q <= (wr_done_i && !wsel_q) ? {NR{1'b1}} : pend0_q & ~(rd_done_i & ~rsel_q);
      pend1_q <= (wr_done_i && wsel_q) ? {NR{1'b1}} : pend1_q & ~(rd_done_i & rsel_q);
      if (wr_done_i) wsel_q <= !wsel_q;
      rsel_q <= rsel_q ^ rd_done_i;
    end
  end

`ifdef VERILATOR
  // Under this simulator one indexed write per port, guarded by the same ownership rule as the
  // per-entry form below: the per-entry form costs a scheduled update per entry per cycle.
  localparam [31:0] DEPTH32 = DEPTH;
  localparam [31:0] POS32 = POS;
  localparam [31:0] WP32 = WP;
  genvar w;
  generate
    for (w = 0; w < WP; w = w + 1) begin : g_write
      localparam [31:0] P32 = w;
      wire [AW-1:0] a = wr_addr_i[w*AW +: AW];
      wire [31:0] a32 = 32'(a);
      wire owned = a32 < DEPTH32 && (a32 / POS32) % WP32 == P32;
      wire hit = wr_en_i[w] && owned;
      always @(posedge clk_i) begin
        if (hit && !wsel_q) bank0_q[a] <= wr_data_i[w*IW +: IW];
        if (hit && wsel_q) bank1_q[a] <= wr_data_i[w*IW +: IW];
      end
    end
  endgenerate
`else
  // Entry e has one writer: port (e / POS) % WP (a tile's RNA r writes the entries of its
  // neurons g*WP + r, POS positions each), so each entry is a register with one compare.
  // (Two nested loops of at most 512 iterations keep every generate loop short.)
  genvar eh, el;
  generate
    for (eh = 0; eh < (DEPTH + 511) / 512; eh = eh + 1) begin : g_block
      for (el = 0; el < 512 && eh * 512 + el < DEPTH; el = el + 1) begin : g_entry
        localparam integer E = eh * 512 + el;
        localparam integer P = (E / POS) % WP;
        localparam [31:0] E32 = E;
        localparam [AW-1:0] ADDR = E32[AW-1:0];
        wire hit = wr_en_i[P] && wr_addr_i[P*AW +: AW] == ADDR;
        always @(posedge clk_i) begin
          if (hit && !wsel_q) bank0_q[E] <= wr_data_i[P*IW +: IW];
          if (hit && wsel_q) bank1_q[E] <= wr_data_i[P*IW +: IW];
        end
      end
    end
  endgenerate
`endif

  genvar r;
  generate
    for (r = 0; r < RP; r = r + 1) begin : g_read
      localparam integer RD = {24'd0, PORT_READER[r*8 +: 8]};
      wire [AW-1:0] a = rd_addr_i[r*AW +: AW];
      assign rd_data_o[r*IW +: IW] = rsel_q[RD] ? bank1_q[a] : bank0_q[a];
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
      for (t = 0; t < WP; t = t + 1)
        if (wr_en_i[t]) begin
`ifdef VERILATOR
          rnn_trace_write(BUF_ID, 32'(wr_addr_i[t*AW +: AW]), 64'(wr_data_i[t*IW +: IW]));
`else
          $display("trace %0d %0d %0d %0t", BUF_ID, wr_addr_i[t*AW +: AW], wr_data_i[t*IW +: IW], $time);
`endif
        end
`endif
endmodule

`default_nettype wire
