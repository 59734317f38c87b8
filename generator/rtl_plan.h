// RTL plan: ComposedNetwork + hardware options -> a validated description of the accelerator.
//
// The plan fixes every structural choice before any Verilog is written (Verilator's
// "one pass per file pair", CIRCT's "validated IR first"): which buffers exist, how many RNAs
// each tile has and how neurons share them, lanes, beats, widths, the contents of every table
// image, and the cycle count of every stage. emit_rtl() only prints it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "composer/composed.h"
#include "core/vocab.h"

namespace rapidnn {

using RtlAccumulate = AccumulateForm;

// What a tile's activation/encoding block (rnn_am's MODE parameter) holds.
enum class AmMode {
  Comparator = 0,  // ReLU or identity: a comparator (or nothing), then the encoding NDCAM
  Tables = 1,      // activation NDCAM (q rows) then encoding NDCAM
  Fused = 2,       // one fused NDCAM from accumulator to the next layer's index
};

// The plan's numeric options, for the CLI and the flow configuration alike.
inline constexpr IntRange kLanesRange{"taps per beat per RNA", 1, 1 << 16};
inline constexpr IntRange kRnaShareRange{"neurons per RNA", 1, 1 << 24};
inline constexpr IntRange kFeaturesPerBeatRange{"raw features per input beat", 1, 1024};

struct RtlOptions {
  int lanes = 8;           // taps per beat per RNA (clamped to each layer's fan-in)
  int rna_share = 1;       // neurons time-multiplexed on one RNA (1: one RNA per neuron)
  RtlAccumulate accumulate = RtlAccumulate::Direct;
  bool fused_am = false;   // one fused activation+encoding block instead of two
  std::string top = "rapidnn_top";
  int features_per_beat = 1;  // raw features the input port takes per valid/ready beat
  // Every table memory written through the configuration port (docs/programmable.md) instead of
  // constant images: one design for every network of its structure and widths.
  bool programmable = false;
};

// A table image: entries of `width` bits (words wider than 64 bits are packed from `wide`).
struct RtlImage {
  std::string file;
  int width = 1;
  bool is_signed = false;
  std::vector<std::int64_t> values;             // one per word, when width <= 63
  std::vector<std::vector<std::uint8_t>> wide;  // one bit vector (LSB first) per word, otherwise
  std::size_t words() const { return width <= 63 ? values.size() : wide.size(); }
};

// One reader of a buffer: a stage (index into RtlPlan::stages) and its read ports. A stage that
// both reads a buffer and adds it as a residual skip is one reader with both sets of ports.
struct RtlReader {
  int stage = 0;
  int base = 0, ports = 0;  // read ports [base, base + ports) of the buffer
};

struct RtlBuffer {
  int id = 0;           // 0: input encoder's output; k + 1: stage k's output
  std::int64_t depth = 0;
  int index_bits = 1;   // width of an encoded index
  int addr_bits = 1;
  int write_ports = 1, read_ports = 0;
  std::int64_t positions = 1;  // entries per neuron of the producer (its writer is fixed per entry)
  std::vector<RtlReader> readers;  // in stage order; a bank is free once all have released it
};

struct RtlStage {
  int stage = 0;                 // index in ComposedNetwork::stages
  StageKind kind = StageKind::Dense;
  std::string name;              // legalized
  bool output = false;
  // A weighted layer's tile (Dense, Conv, AvgPool), else a max-pool or concatenation block.
  bool tile() const { return kind == StageKind::Dense || kind == StageKind::Conv || kind == StageKind::AvgPool; }
  int in_buffer = 0, out_buffer = -1;  // indices into RtlPlan::buffers (-1: the output block)
  int in_reader = 0, in_port = 0;     // this stage's reader index and first read port there
  // A residual sum (ComposedNetwork Stage::skip): in each write cycle RNA r reads the skipped
  // tensor's index at the entry it writes (read port skip_port + r of skip_buffer), decodes it
  // with the skip_lut image (accumulator units) and adds it to its sum before activation.
  // A concatenation reads its second input through skip_buffer (one port).
  int skip_buffer = -1, skip_reader = 0, skip_port = 0;
  RtlImage skip_lut;
  // Tile (weighted stages).
  std::int64_t units = 0, fan_in = 0;
  int lanes = 1, rnas = 1, groups = 1, beats = 1;
  std::int64_t oh = 1, ow = 1, ih = 1, iw = 1, channels = 1;
  int kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0;
  std::int64_t chan_stride = 0;
  int wiw = 1, xiw = 1, tables_per_rna = 1, table_bits = 1;
  bool x_signed = false;         // the input codebook has negative entries
  int product_bits = 16, bias_bits = 16, acc_bits = 24, count_bits = 1;
  // The controller's counter and address widths (every width an emitted module needs is here).
  std::int64_t positions = 1;  // oh x ow
  int group_bits = 1, pos_bits = 1, widx_addr_bits = 1, tap_addr_bits = 1, pair_bits = 2;
  // Activation + encoding.
  AmMode am_mode = AmMode::Comparator;
  int am_clamp = 0, am_value_bits = 24, q = 0, q_bits = 1, enc_entries = 0, out_index_bits = 1;
  // Images (file names relative to the RTL directory).
  std::vector<RtlImage> products;  // one shared image (Dense, AvgPool) or one per RNA (Conv)
  RtlImage widx, bias, taps, act_y, act_z, enc, fused;
  // A level design (RtlPlan::levels() > 1): the level select's width in this tile's tables. Every
  // table image but the weight indices and taps holds one region per level, addressed
  // {level select, address} (products: {level select, table, w_idx, x_idx}); the weight indices
  // are the finest level's, shifted right by (level_max - level) before the product lookup.
  int level_bits = 0, levels = 1;
  std::int64_t level_entries = 0;  // product entries per table over all levels (0: one level, 2^pair_bits)
  // The product table select of an RNA (rnn_rna's NT and TW): conv tables and the level.
  int rna_tables() const { return level_bits > 0 ? 1 << rna_table_bits() : tables_per_rna; }
  int rna_table_bits() const { return level_bits > 0 ? level_bits + (tables_per_rna > 1 ? table_bits : 0) : table_bits; }
  int tap_off_bits = 1, ky_bits = 1, kx_bits = 1;
  std::int64_t cycles = 0;        // per sample, when never stalled
};

// A programmable design's memory map (generator/cfg_map.h, docs/programmable.md): each table
// memory is one window of the configuration address space, 2^win addresses from `base`, the
// address of word w, chunk c being base + (w << chunk_bits) + c (chunk c: bits [c*DW +: DW]).
struct CfgRegion {
  std::string name;     // "input_lut", "s<k>_<stage>.<table>"
  int stage = -1;       // plan stage index (-1: the input encoder, or the product table every tile shares)
  std::string table;    // input_lut, widx, bias, prod, prod_r<r>, skip, enc, act_y, act_z, fused
  int product = -1;     // index into RtlStage::products (prod tables)
  std::int64_t base = 0, depth = 0;
  int width = 1, chunks = 1, chunk_bits = 0, win = 1;
};
struct CfgMap {
  int addr_bits = 1, data_bits = 32;
  std::int64_t end = 0;  // one past the last mapped address
  std::vector<CfgRegion> regions;
};

struct RtlPlan {
  RtlOptions options;
  CfgMap cfg;  // options.programmable only
  std::string network;
  std::string artifact_fingerprint;  // of the ComposedNetwork planned (composer/artifact.h)
  // Uniform codebooks (CodebookMethod::Uniform): every index is an integer level (offset binary
  // where the codebook is signed), so a multiply-accumulate baseline can run on the same memories.
  bool uniform = false;
  // One weight and one input codebook for every layer (compose --global-codebook): a programmable
  // design then holds one product window that every tile's RNAs read (generator/cfg_map.h).
  bool global_codebook = false;
  int raw_bits = 8;
  std::int64_t input_numel = 0;
  std::int64_t input_beats = 0;  // beats per sample: input_numel / features_per_beat, rounded up
  int input_index_bits = 1;
  RtlImage input_lut;
  std::int64_t classes = 0;
  int class_bits = 1, score_bits = 16, score_addr_bits = 1;
  bool output_relu = false;
  std::vector<RtlBuffer> buffers;
  // Codebook levels (composer/levels.h) the design holds, selected at run time by the level
  // register (rnn_level): level_min == level_max for a design of one level.
  int level_min = 0, level_max = 0, level_sel_bits = 1;
  int levels() const { return level_max - level_min + 1; }
  int level_pin_bits() const { return clog2(level_max + 1); }
  std::vector<RtlStage> stages;  // tiles and max-pool blocks in order (Flatten has no hardware)
  // Cycle estimates from the stage periods: the slowest stage bounds throughput.
  std::int64_t interval() const;
};

// Co-simulation trace id of a tile's accumulator sums (its buffers' ids are 0 .. stages): under
// RAPIDNN_TRACE a tile reports every sum it hands to its activation/encoding block.
inline int acc_trace_id(const RtlStage& t) { return 1000 + t.stage; }

// The widths a plan's memories and datapaths are built with, per plan stage (RtlStage's wiw, xiw,
// product_bits, bias_bits, acc_bits, am_value_bits, enc_entries, out_index_bits) and for the input
// and output. A plan made with them as floors has at least these widths: one structure for every
// codebook level of a level design, or for every network a programmable design is to run.
struct RtlWidths {
  std::vector<RtlStage> stages;
  int input_index_bits = 1, score_bits = 1;
};
// RtlWidths' fields of a stage, by the name design.json records them under.
inline constexpr std::pair<const char*, int RtlStage::*> kRtlWidthFields[] = {
    {"wiw", &RtlStage::wiw},
    {"xiw", &RtlStage::xiw},
    {"product_bits", &RtlStage::product_bits},
    {"bias_bits", &RtlStage::bias_bits},
    {"acc_bits", &RtlStage::acc_bits},
    {"am_value_bits", &RtlStage::am_value_bits},
    {"enc_entries", &RtlStage::enc_entries},
    {"out_index_bits", &RtlStage::out_index_bits}};
// The widest of the plans' widths (plans of one structure).
RtlWidths widest_widths(const std::vector<RtlPlan>& plans);

// Throws Error(source, ...) for impossible options (lanes or sharing below 1, lanes above every
// layer's fan-in) or a network the hardware cannot hold. `widths`: floors for every width (a
// network of one codebook level); the plan then has the same stages or the call throws.
RtlPlan plan_rtl(const ComposedNetwork& cn, const RtlOptions& opt, const std::string& source,
                 const RtlWidths* widths = nullptr);

}  // namespace rapidnn
