// rnn_prow: the product rows of a tile, shared by its RNAs (accumulate form "shared").
//
// Every RNA of a tile reads the same input index at a beat, so every RNA needs the same row of the
// product table: the 2^WIW products of that input with each weight codebook entry. This block
// looks the row up once per lane for the whole tile; each RNA (rnn_rna_sel) only selects its
// product by its weight index. The image holds NT tables of 2^XIW rows, addressed {table, x_idx};
// a row is 2^WIW signed PW-bit products, entry w at bits [w*PW +: PW].
`default_nettype none

module rnn_prow #(
  parameter integer L         = 4,   // lanes per beat
  parameter integer WIW       = 2,   // weight index width (2^WIW products per row)
  parameter integer XIW       = 2,   // input index width (2^XIW rows per table)
  parameter integer NT        = 1,   // tables held (one per neuron group of a convolution)
  parameter integer TW        = 1,   // table index width
  parameter integer PW        = 16,  // product width (signed)
  parameter         ROW_FILE  = ""
) (
  input  wire [L*XIW-1:0]               x_idx_i,
  input  wire [TW-1:0]                  table_i,  // ignored when NT = 1
  output wire [L*(1<<WIW)*PW-1:0]       row_o
);
  localparam integer RW = (1 << WIW) * PW;
  localparam integer AD = (NT > 1 ? TW : 0) + XIW;
  localparam integer DEPTH = 1 << AD;  // the image is padded to a power of two

  reg [RW-1:0] row_q [0:DEPTH-1];
  initial $readmemh(ROW_FILE, row_q);

  generate
    if (NT == 1) begin : g_no_table
      wire unused_table = ^table_i;
    end
  endgenerate

  genvar l;
  generate
    for (l = 0; l < L; l = l + 1) begin : g_lane
      wire [XIW-1:0] xi = x_idx_i[l*XIW +: XIW];
      wire [AD-1:0] addr;
      if (NT > 1) begin : g_tabled
        assign addr = {table_i, xi};
      end else begin : g_single
        assign addr = xi;
      end
      assign row_o[l*RW +: RW] = row_q[addr];
    end
  endgenerate
endmodule

`default_nettype wire
