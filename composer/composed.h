// The composed network: what the accelerator holds (paper sections 2.2, 3.3).
//
// A validated, integer-only description of the lookup-table network, produced
// by the composer, written and read as the artifact, executed bit-exactly by
// the golden model and turned into RTL by the generator. Stages:
//
//   InputEncoder  raw integer feature r -> index into the first input codebook
//                 (the paper's virtual input layer; a lookup table over raw values)
//   Dense/Conv    acc = bias + sum P[w_idx][x_idx] (padded conv taps add 0),
//                 then activation + encoding to the consumer's input codebook,
//                 or argmax when it is the output layer
//   AvgPool       acc = sum P[0][x_idx] with P = codebook / window size,
//                 then encoding (identity activation)
//   MaxPool       max of encoded indices (codebooks are sorted)
//   Flatten       no-op on indices
//   Concat        the source's indices, then the indices of `skip` (its second input), along
//                 channels: both carry the same codebook (the one their reader encodes with)
//
// Stages run in order. A stage reads the encoded output of `source` (kPrevious: the previous
// stage, or the input encoder for the first; kFromInput: the input encoder). A residual join is fused into the weighted stage that
// ends its branch: that stage also reads the encoded output of `skip`, decodes each index with
// `skip_lut` (the skipped tensor's codebook in this stage's accumulator units) and adds it to the
// accumulator of the same output element before activation and encoding:
//   acc = bias + sum P[w_idx][x_idx] + skip_lut[skip_idx]
// so the skipped value stays exact integer arithmetic, and the sum is encoded once.
//
// Activation + encoding ("AM" blocks) for non-output layers:
//   comparator (ReLU, identity): z = max(acc, 0) or acc; index = nearest
//     enc[j] to z (enc in accumulator units)
//   table (sigmoid, tanh, softsign): row k = nearest act_y[k] to acc; z = act_z[k];
//     index = nearest enc[j] to z (act_z and enc in output units)
//   fused: index = fused_idx[nearest act_y[k] to acc]   (table form), or
//          index = nearest enc[j] to acc                 (comparator form)
// Nearest-distance ties go to the lowest index everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "composer/cluster.h"
#include "core/bits.h"
#include "core/ir.h"

namespace rapidnn {

enum class StageKind { Dense, Conv, AvgPool, MaxPool, Flatten, Concat };
const char* to_string(StageKind k);

// How a weighted stage accumulates its products: the sum of table lookups (direct), the paper's
// counters, then count x product by shifts and adds (count, section 4.1.1), or the sum of
// products selected from shared product rows (shared: every RNA of a tile reads the same input
// index at a beat, so the tile looks up that input's row of w products once per lane and each
// RNA only selects its product by its weight index). The golden model, the RTL plan and every
// option that selects one use this one vocabulary.
enum class AccumulateForm { Direct, Count, Shared };
inline const Vocabulary<AccumulateForm> kAccumulateForms{
    "accumulate form",
    {{"direct", AccumulateForm::Direct}, {"count", AccumulateForm::Count}, {"shared", AccumulateForm::Shared}}};
inline const char* to_string(AccumulateForm a) { return kAccumulateForms.name(a); }

inline constexpr int kFromInput = -1;  // Stage::source / skip: the input encoder's output
inline constexpr int kNoSkip = -2;     // Stage::skip: no residual addend
inline constexpr int kPrevious = -3;   // Stage::source: the previous stage (a chain)

struct Stage {
  StageKind kind = StageKind::Dense;
  std::string name;
  Shape in_shape, out_shape;
  // Geometry (Conv, pools).
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  Padding pad;

  // Dataflow: the stage whose output this one reads (kFromInput: the encoded network input), and
  // the stage whose output is added to each accumulator (kNoSkip: none; see above).
  int source = kPrevious;
  int skip = kNoSkip;                  // Concat: its second input (required, no skip_lut)
  std::vector<std::int64_t> skip_lut;  // [u of the skipped tensor]: its codebook in accumulator units

  // Weighted stages (Dense, Conv, AvgPool).
  bool weighted() const { return kind == StageKind::Dense || kind == StageKind::Conv || kind == StageKind::AvgPool; }
  std::int64_t units = 0;   // output neurons (Dense) or channels (Conv, AvgPool)
  std::int64_t fan_in = 0;  // Dense: inputs; Conv: in_ch*kh*kw; AvgPool: kh*kw
  int w = 1;                // weight codebook size (entries per table row)
  int u = 2;                // input codebook size
  int tables = 1;           // product tables: 1 (Dense, AvgPool) or one per output channel (Conv)
  std::vector<std::vector<double>> weight_codebooks;  // [tables][w], sorted
  std::vector<double> input_codebook;                 // [u], sorted: the values x_idx stands for
  std::vector<std::uint16_t> weight_idx;              // Dense [units][fan_in]; Conv [units][in_ch][kh][kw]
  std::vector<std::int32_t> product;                  // [tables][w][u]
  std::vector<std::int32_t> bias;                     // [units]
  double scale = 1.0;        // real value of one accumulator unit
  int product_bits = 16;     // signed width of product entries
  int bias_bits = 16;        // signed width of bias entries
  int acc_bits = 32;         // signed accumulator width (overflow impossible)

  // Activation + encoding (weighted stages that are not the output).
  bool is_output = false;
  ActKind act = ActKind::Identity;
  bool act_table = false;               // false: comparator form; true: q-row table
  std::vector<std::int64_t> act_y;      // [q] sorted, accumulator units (table form)
  std::vector<std::int64_t> act_z;      // [q] output units (table form)
  double act_scale = 1.0;               // real value of one output unit (table form; comparator: = scale)
  std::vector<std::int64_t> enc;        // [u_next] sorted, in act output units
  std::vector<std::uint16_t> fused_idx; // [q] table form: encoded index of each activation row
  int out_u = 0;                        // size of the consumer's codebook (= enc.size())
  int am_bits = 32;                     // signed width of act_y/act_z/enc values

  int q() const { return static_cast<int>(act_y.size()); }
};

// The accumulator width a weighted stage needs so that no input can overflow it: the worst-case
// sum, neuron by neuron, of its bias and each tap's smallest and largest product.
std::pair<std::int64_t, std::int64_t> accumulator_range(const Stage& s);  // [lo, hi], including 0 and every bias
int accumulator_bits(const Stage& s);

struct InputEncoder {
  int raw_bits = 8;                  // raw features are integers in [0, 2^raw_bits)
  double raw_scale = 1.0 / 255.0;    // model input = raw * raw_scale + raw_offset (preprocessing + Scale layer)
  double raw_offset = 0.0;
  std::vector<std::uint16_t> lut;    // [2^raw_bits]: raw value -> index into the first input codebook
  int u = 2;
};

// Where input codebooks are clustered from: the float network's activations over the calibration
// sample, or the composed network's own, stage by stage (composer/sequential.h).
enum class InputCodebooks { Float, Composed };
inline const Vocabulary<InputCodebooks> kInputCodebooks{
    "input codebook source", {{"float", InputCodebooks::Float}, {"composed", InputCodebooks::Composed}}};
inline const char* to_string(InputCodebooks i) { return kInputCodebooks.name(i); }

// What each clustered value counts for: once (plain: the codebook minimizes the operands' own
// squared error), or by what it does to the layer's output (output: a weight by the mean square
// of the inputs it multiplies, an input value by the squared weights it meets).
enum class CodebookWeighting { Plain, Output };
inline const Vocabulary<CodebookWeighting> kCodebookWeightings{
    "codebook weighting", {{"plain", CodebookWeighting::Plain}, {"output", CodebookWeighting::Output}}};
inline const char* to_string(CodebookWeighting c) { return kCodebookWeightings.name(c); }

struct ComposeConfig {
  int w = 16, u = 64, q = 64;
  CodebookMethod method = CodebookMethod::Tree;
  InputCodebooks inputs = InputCodebooks::Float;
  bool bias_correction = false;  // biases moved by each neuron's mean shift (composer/sequential.h)
  bool refit_codebooks = false;  // weight codebook entries refit to the layer outputs (composer/sequential.h)
  // One weight codebook and one input codebook for every layer (clustered from all of them), so
  // every layer's product table is the same table (the BasisN idea; README, "One codebook").
  bool global_codebook = false;
  CodebookWeighting weighting = CodebookWeighting::Plain;
  // The weighting, input codebooks, bias correction and refit above were chosen by assemble() among all
  // their combinations (composer/compose.h, choose_calibration).
  bool choose_calibration = false;
  // Per-layer codebook sizes (one per weighted layer) when they differ; w and u are then the largest.
  std::vector<int> layer_w, layer_u;
  double sample_fraction = 0.02;
  std::uint64_t seed = 1;
  int product_bits = 16;
  int act_bits = 16;
};

struct ComposedNetwork {
  std::string name;
  Shape input_shape;
  std::int64_t classes = 0;
  ComposeConfig config;
  InputEncoder input;
  std::vector<Stage> stages;
  // The same network at coarser levels of its tree codebooks, one level (one bit fewer per
  // codebook) after another; empty for a network of one level (composer/levels.h).
  std::vector<ComposedNetwork> coarser;

  // The stage (or kFromInput) whose output stage k reads.
  int source_of(std::size_t k) const {
    const int s = stages.at(k).source;
    return s == kPrevious ? static_cast<int>(k) - 1 : s;
  }
  // True when every stage reads the previous one and none adds a skip.
  bool is_chain() const;
  // Throws Error(source, ...) on any inconsistency: sizes, index ranges, widths, sortedness.
  void validate(const std::string& source) const;
  // Table sizes in bits, per stage and in total (weights indices, products, biases, AM tables).
  struct Bits {
    std::int64_t weight_idx = 0, product = 0, bias = 0, am = 0, input_lut = 0;
    std::int64_t total() const { return weight_idx + product + bias + am + input_lut; }
  };
  Bits table_bits() const;
};

// Index of the entry of a sorted integer table nearest to v; the lowest index on ties.
int nearest_int(const std::vector<std::int64_t>& sorted, std::int64_t v);

int signed_bits_for(std::int64_t lo, std::int64_t hi);  // two's complement width holding [lo, hi]

}  // namespace rapidnn
