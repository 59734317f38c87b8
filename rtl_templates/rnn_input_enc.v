// rnn_input_enc: the virtual input layer. Raw features arrive F per valid/ready beat, in the
// model's (C, H, W) order: beat k of a sample carries features k*F .. k*F+F-1, feature k*F+f in
// bits [f*RAW_BITS +: RAW_BITS] (the last beat of a sample carries NUMEL - k*F of them, the
// rest of its bits ignored). F lookup tables encode them into the first layer's input codebook
// and they are written to the first buffer, lane f into entry k*F + f (its write port f). The
// sample's last beat hands the bank over. A design of NL codebook levels holds NL tables, one
// after another; level_i selects one. In a programmable design (PROG = 1) the tables are one
// memory written through the configuration port, entry {level, raw} at BASE + {level, raw}, every
// lane's copy at once.
`default_nettype none

module rnn_input_enc #(
  parameter integer NUMEL    = 4,
  parameter integer F        = 1,   // features per beat
  parameter integer RAW_BITS = 8,
  parameter integer IW       = 2,
  parameter integer YAW      = 2,
  parameter integer NL       = 1,   // codebook levels
  parameter integer LW       = 1,   // level select width
  parameter         LUT_FILE = "",
  parameter integer PROG     = 0,   // 1: the table is written through the configuration port
  parameter integer CAW      = 1,   // configuration address width
  parameter integer DW       = 1,   // configuration data width
  parameter integer BASE     = 0    // the table's first configuration address
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  cfg_we_i,
  input  wire [CAW-1:0]        cfg_addr_i,
  input  wire [DW-1:0]         cfg_data_i,
  input  wire                  in_valid_i,
  output wire                  in_ready_o,
  input  wire [F*RAW_BITS-1:0] in_data_i,
  input  wire [LW-1:0]         level_i,
  input  wire                  wr_ready_i,
  output wire [F-1:0]          wr_en_o,
  output wire [F*YAW-1:0]      wr_addr_o,
  output wire [F*IW-1:0]       wr_data_o,
  output wire                  wr_done_o
);
  localparam [31:0] NUMEL32 = NUMEL;
  localparam [31:0] F32 = F;
  reg [31:0] base_q;  // the entry of this beat's first feature: k * F
  wire accept = in_valid_i && wr_ready_i;
  wire last = base_q + F32 >= NUMEL32;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) base_q <= 32'd0;
    else if (accept) base_q <= last ? 32'd0 : base_q + F32;
  end

  genvar f;
  generate
    for (f = 0; f < F; f = f + 1) begin : g_lane
      localparam [31:0] LANE32 = f;
      wire [31:0] entry = base_q + LANE32;
      localparam integer TAW = NL > 1 ? LW + RAW_BITS : RAW_BITS;
      wire [TAW-1:0] at;
      if (NL > 1) begin : g_levels
        assign at = {level_i, in_data_i[f*RAW_BITS +: RAW_BITS]};
      end else begin : g_one
        assign at = in_data_i[f*RAW_BITS +: RAW_BITS];
      end
      if (PROG != 0) begin : g_ram
        rnn_ram #(.DEPTH(NL << RAW_BITS), .WIDTH(IW), .AW(TAW), .CAW(CAW), .DW(DW), .WIN(TAW), .BASE(BASE)) u_lut (
          .clk_i     (clk_i),
          .addr_i    (at),
          .data_o    (wr_data_o[f*IW +: IW]),
          .cfg_we_i  (cfg_we_i),
          .cfg_addr_i(cfg_addr_i),
          .cfg_data_i(cfg_data_i)
        );
      end else begin : g_rom
        rnn_rom #(.DEPTH(NL << RAW_BITS), .WIDTH(IW), .AW(TAW), .INIT_FILE(LUT_FILE)) u_lut (
          .addr_i(at),
          .data_o(wr_data_o[f*IW +: IW])
        );
      end
      assign wr_en_o[f] = accept && entry < NUMEL32;
      assign wr_addr_o[f*YAW +: YAW] = entry[YAW-1:0];
      wire unused_entry = ^entry[31:YAW];
    end
  endgenerate

  generate
    if (NL == 1) begin : g_no_level
      wire unused_level = ^level_i;
    end
    if (PROG == 0) begin : g_no_cfg
      wire unused_cfg = ^{cfg_we_i, cfg_addr_i, cfg_data_i};
    end
  endgenerate
  assign in_ready_o = wr_ready_i;
  assign wr_done_o = accept && last;
endmodule

`default_nettype wire
