// rnn_level: the codebook level register of a design of several levels (paper section 4: "an
// adjustable parameter selects the level of the codebook tree").
//
// level_i asks for a level (the number of encoding bits of the largest codebook). A level below
// MIN is taken as MIN and one above MAX as MAX (clamped, never an undefined table). The register
// samples the clamped level in every cycle in which no image is in flight (every image accepted
// has left through the output) and no input beat is accepted; so every stage of an image sees one
// level: the one sampled before its first beat. After reset the level is MAX. sel_o is the
// register (level - MIN), the table select of every tile; level_o the level in effect.
`default_nettype none

module rnn_level #(
  parameter integer MIN = 1,
  parameter integer MAX = 2,
  parameter integer PW  = 2,   // level_i / level_o width
  parameter integer LW  = 1    // sel_o width
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire [PW-1:0] level_i,
  input  wire          in_accept_i,   // an input beat is accepted
  input  wire          in_last_i,     // ... and it is an image's last
  input  wire          out_accept_i,  // a result leaves
  output wire [LW-1:0] sel_o,
  output wire [PW-1:0] level_o
);
  localparam [PW-1:0] MINP = MIN[PW-1:0];
  localparam [PW-1:0] MAXP = MAX[PW-1:0];
  localparam [LW-1:0] TOP = MAX[LW-1:0] - MIN[LW-1:0];

  reg mid_q;              // some beats of an image are in, not its last
  reg [7:0] inflight_q;   // images started and not yet out
  reg [LW-1:0] sel_q;
  wire start = in_accept_i && !mid_q;
  // No comparison that the port's width already decides (MIN 0, or MAX the largest PW-bit value).
  wire [PW-1:0] low, clamped;
  generate
    if (MIN > 0) begin : g_min
      assign low = level_i < MINP ? MINP : level_i;
    end else begin : g_no_min
      assign low = level_i;
    end
    if (MAX < (1 << PW) - 1) begin : g_max
      assign clamped = low > MAXP ? MAXP : low;
    end else begin : g_no_max
      assign clamped = low;
    end
  endgenerate
  wire [PW-1:0] rel = clamped - MINP;
  wire idle = inflight_q == 8'd0 && !mid_q && !in_accept_i;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mid_q <= 1'b0;
      inflight_q <= 8'd0;
      sel_q <= TOP;
    end else begin
      if (in_accept_i) mid_q <= !in_last_i;
      inflight_q <= inflight_q + {7'd0, start} - {7'd0, out_accept_i};
      if (idle) sel_q <= rel[LW-1:0];
    end
  end

  generate
    if (PW > LW) begin : g_unused
      wire unused_rel = ^rel[PW-1:LW];
    end
  endgenerate
  assign sel_o = sel_q;
  assign level_o = {{(PW > LW ? PW - LW : 0){1'b0}}, sel_q} + MINP;
endmodule

`default_nettype wire
