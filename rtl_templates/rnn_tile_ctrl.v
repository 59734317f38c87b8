// rnn_tile_ctrl: the controller of one weighted layer's tile (paper sections 4.3, 5.6).
//
// For each neuron group g (G groups of R RNAs: RNA sharing time-multiplexes G neurons on each
// RNA) and each output position (oy, ox), it streams BEATS beats of L taps: per lane the input
// buffer address and a valid bit (taps past the fan-in and padded taps are masked). In the
// counter form, W*U product steps follow. Then one write cycle stores the RNAs' encoded
// outputs. A sample starts when the input bank is full and the output side is ready; the done
// cycle frees the input bank and hands over the output bank.
//   cycles per sample = 2 + G * OH * OW * (BEATS + (COUNT ? 2^PAIRW : 0) + 1)
// Tap image: one word per beat, lane l at bits [l*TAPW +: TAPW] = {valid, ky, kx, offset}, where
// offset = c*IH*IWD + ky*IWD + kx is the tap's address relative to the window's origin.
`default_nettype none

module rnn_tile_ctrl #(
  parameter integer L           = 4,
  parameter integer BEATS       = 1,
  parameter integer G           = 1,    // neuron groups
  parameter integer OH          = 1,
  parameter integer OW          = 1,
  parameter integer IH          = 1,
  parameter integer IWD         = 1,
  parameter integer PT          = 0,    // padding top, left
  parameter integer PL          = 0,
  parameter integer SH          = 1,
  parameter integer SW          = 1,
  parameter integer CHAN_STRIDE = 0,    // per-group input offset (average pooling: IH*IWD)
  parameter integer COUNT       = 0,    // 1: counter accumulation form
  parameter integer PAIRW       = 1,    // counter form: log2(W*U)
  parameter integer XAW         = 4,    // input buffer address width
  parameter integer GW          = 1,
  parameter integer PSW         = 1,    // position counter width
  parameter integer WAW         = 1,    // weight-index image address width (G*BEATS words)
  parameter integer KYW         = 1,
  parameter integer KXW         = 1,
  parameter integer OFFW        = 4,
  parameter integer TAW         = 1,    // tap image address width (BEATS words)
  parameter         TAP_FILE    = ""
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  input  wire               in_valid_i,
  input  wire               out_ready_i,
  output wire               in_done_o,
  output wire               out_done_o,
  output wire [L*XAW-1:0]   rd_addr_o,
  output wire [L-1:0]       lane_valid_o,
  output wire               beat_o,
  output wire               first_o,
  output wire               mul_o,
  output wire               mul_first_o,
  output wire [PAIRW-1:0]   pair_o,
  output wire [GW-1:0]      group_o,
  output wire [WAW-1:0]     widx_addr_o,
  output wire [PSW-1:0]     pos_o,
  output wire               write_o,
  output wire               busy_o
);
  localparam integer TAPW = 1 + KYW + KXW + OFFW;
  localparam [2:0] S_IDLE = 3'd0, S_BEAT = 3'd1, S_MUL = 3'd2, S_WRITE = 3'd3, S_DONE = 3'd4;

  reg [2:0] state_q;
  reg [GW-1:0] g_q;
  reg [PSW-1:0] pos_q;
  reg [31:0] oy_q, ox_q, b_q, gbase_q;
  reg [PAIRW-1:0] pair_q;
  reg signed [31:0] oy_base_q, ox_base_q, row_base_q, chan_base_q;

  wire start = state_q == S_IDLE && in_valid_i && out_ready_i;
  wire last_beat = b_q == BEATS - 1;
  wire last_pair = &pair_q;
  wire last_ox = ox_q == OW - 1;
  wire last_oy = oy_q == OH - 1;
  wire last_g = {{(32-GW){1'b0}}, g_q} == G - 1;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_IDLE;
      g_q <= {GW{1'b0}};
      pos_q <= {PSW{1'b0}};
      oy_q <= 32'd0;
      ox_q <= 32'd0;
      b_q <= 32'd0;
      gbase_q <= 32'd0;
      pair_q <= {PAIRW{1'b0}};
      oy_base_q <= -PT;
      ox_base_q <= -PL;
      row_base_q <= -PT * IWD;
      chan_base_q <= 32'sd0;
    end else begin
      case (state_q)
        S_IDLE: if (start) state_q <= S_BEAT;
        S_BEAT: begin
          if (last_beat) begin
            b_q <= 32'd0;
            state_q <= COUNT != 0 ? S_MUL : S_WRITE;
          end else begin
            b_q <= b_q + 32'd1;
          end
        end
        S_MUL: begin
          pair_q <= pair_q + {{(PAIRW-1){1'b0}}, 1'b1};
          if (last_pair) state_q <= S_WRITE;
        end
        S_WRITE: begin
          state_q <= S_BEAT;
          pos_q <= pos_q + {{(PSW-1){1'b0}}, 1'b1};
          ox_q <= ox_q + 32'd1;
          ox_base_q <= ox_base_q + SW;
          if (last_ox) begin
            ox_q <= 32'd0;
            ox_base_q <= -PL;
            oy_q <= oy_q + 32'd1;
            oy_base_q <= oy_base_q + SH;
            row_base_q <= row_base_q + SH * IWD;
            if (last_oy) begin
              oy_q <= 32'd0;
              oy_base_q <= -PT;
              row_base_q <= -PT * IWD;
              pos_q <= {PSW{1'b0}};
              g_q <= g_q + {{(GW-1){1'b0}}, 1'b1};
              gbase_q <= gbase_q + BEATS;
              chan_base_q <= chan_base_q + CHAN_STRIDE;
              if (last_g) begin
                g_q <= {GW{1'b0}};
                gbase_q <= 32'd0;
                chan_base_q <= 32'sd0;
                state_q <= S_DONE;
              end
            end
          end
        end
        default: state_q <= S_IDLE;  // S_DONE
      endcase
    end
  end

  // Taps of this beat.
  wire [L*TAPW-1:0] taps;
  rnn_rom #(.DEPTH(BEATS), .WIDTH(L * TAPW), .AW(TAW), .INIT_FILE(TAP_FILE)) u_taps (
    .addr_i(b_q[TAW-1:0]),
    .data_o(taps)
  );
  genvar l;
  generate
    for (l = 0; l < L; l = l + 1) begin : g_lane
      wire [TAPW-1:0] t = taps[l*TAPW +: TAPW];
      wire [OFFW-1:0] off = t[OFFW-1:0];
      wire [KXW-1:0] kx = t[OFFW +: KXW];
      wire [KYW-1:0] ky = t[OFFW+KXW +: KYW];
      wire tap_valid = t[TAPW-1];
      wire signed [31:0] iy = oy_base_q + $signed({{(32-KYW){1'b0}}, ky});
      wire signed [31:0] ix = ox_base_q + $signed({{(32-KXW){1'b0}}, kx});
      wire in_bounds = iy >= 0 && iy < IH && ix >= 0 && ix < IWD;
      wire [31:0] addr = {{(32-OFFW){1'b0}}, off} + row_base_q + ox_base_q + chan_base_q;
      wire unused_addr = ^addr[31:XAW];
      assign lane_valid_o[l] = state_q == S_BEAT && tap_valid && in_bounds;
      assign rd_addr_o[l*XAW +: XAW] = lane_valid_o[l] ? addr[XAW-1:0] : {XAW{1'b0}};
    end
  endgenerate

  wire [31:0] widx_addr = gbase_q + b_q;
  wire unused_widx_addr = ^widx_addr[31:WAW];
  assign widx_addr_o = widx_addr[WAW-1:0];
  assign beat_o = state_q == S_BEAT;
  assign first_o = state_q == S_BEAT && b_q == 32'd0;
  assign mul_o = state_q == S_MUL;
  assign mul_first_o = state_q == S_MUL && pair_q == {PAIRW{1'b0}};
  assign pair_o = pair_q;
  assign group_o = g_q;
  assign pos_o = pos_q;
  assign write_o = state_q == S_WRITE;
  assign in_done_o = state_q == S_DONE;
  assign out_done_o = state_q == S_DONE;
  assign busy_o = state_q != S_IDLE;
endmodule

`default_nettype wire
