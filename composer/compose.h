// The DNN composer (paper section 3): Network + calibration data -> ComposedNetwork.
//
// prepare_composer() does the expensive, (w, u)-independent part once: maps the
// IR onto stages, runs the float network over the calibration sample, and
// builds every codebook up to the largest level needed. assemble() then cuts
// the codebooks at one (w, u, q) and computes the integer tables: products,
// biases, fixed-point scales, accumulator widths, activation and encoding
// tables, and the input encoder. A sweep calls assemble() once per point.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "composer/cluster.h"
#include "composer/composed.h"
#include "core/ir.h"
#include "data/dataset.h"

namespace rapidnn {

struct ComposerState {
  Network net;                 // with any input Scale folded away
  std::string model_file;
  ComposeConfig base;          // method, seed, sample fraction, widths
  int max_w_level = 0, max_u_level = 0;
  double raw_scale = 1.0, raw_offset = 0.0;  // model input = raw * raw_scale + raw_offset
  int raw_bits = 8;
  std::int64_t calibration_samples = 0;
  std::vector<float> calibration_x;  // the calibration sample as the network's input, for sequential calibration
  bool pinned = false;               // pin_codebooks() fixed the codebooks: no sequential calibration
  std::vector<int> float_pred;       // the float network's class for each calibration sample
  // With base.choose_calibration: the same preparation with output-weighted codebooks.
  std::shared_ptr<const ComposerState> output_weighted;
  // With base.choose_calibration: held-out samples (raw features and labels) the combinations are
  // judged on by the golden model; without them, by agreement on the calibration sample.
  struct ChoiceSample {
    std::vector<int> labels;
    std::function<std::vector<int>(const ComposedNetwork&)> classify;  // one class per sample
  };
  std::shared_ptr<const ChoiceSample> choice;

  struct StagePrep {
    Stage skeleton;                              // geometry, kind, act, name (no tables yet)
    std::vector<float> weights, bias;            // float parameters (Dense/Conv)
    std::vector<LeveledCodebook> weight_books;   // [tables]
    LeveledCodebook input_book;
    WeightedPoints input_points;                 // the calibration inputs, for WCSS reports
    std::vector<float> pre_act_sample;           // pre-activation values (table-form activations)
    std::vector<double> out_mean;                // Dense/Conv: each unit's float mean output (activated)
    // The weighted stage whose input codebook encodes this stage's output (its first weighted
    // reader); -1: none (the output stage, or a tensor only residual sums read: output_book).
    int consumer = -1;
    int book_owner = -1;       // weighted stages: the stage whose input codebook this one reads with
    int skip_reader = -1;      // the first stage that adds this stage's output as its skip
    LeveledCodebook output_book;  // consumer < 0 and skip_reader >= 0: the codebook of the output itself
    int layer = -1;            // index of the layer of `net` it maps
    int join_layer = -1;       // a residual sum fused into it: the Add layer, and which of its inputs
    int skip_input = -1;       // is the skipped one (an index into its Layer::inputs)
  };
  std::vector<StagePrep> stages;
  std::vector<std::string> notes;  // e.g. fewer distinct values than clusters
};

// The composer's numeric options, for the CLI and the flow configuration alike.
inline constexpr IntRange kCodebookSizeRange{"a power of two", 2, 256};  // w and u
inline constexpr IntRange kQRange{"activation table rows", 2, 4096};
inline constexpr IntRange kProductBitsRange{"bits of a signed product-table entry", 4, 31};
// A codebook size (w or u): a power of two in kCodebookSizeRange; `key` names it in the message.
void check_codebook_size(std::int64_t v, const std::string& where, const std::string& key);

// Validates (w, u, q) ranges: powers of two in [2, 256] for w and u, q in [2, 4096].
void check_compose_params(int w, int u, int q);

// `calibration` is the data the input codebooks and activation statistics come from.
ComposerState prepare_composer(const Network& net, const std::string& model_file, const Dataset& calibration,
                               const ComposeConfig& base, int max_w, int max_u);

// With state.base.choose_calibration (and codebooks not pinned), assemble() first chooses the
// codebook weighting, input codebooks, bias correction and codebook refit among every combination
// (16). With state.choice, each combination is assembled and the golden model classifies the
// held-out samples; the plain one (no weighting, float inputs, no correction, no refit) is kept
// unless the best is right on more of them by at least kChoiceStandardErrors standard errors of
// the paired per-sample difference and kChoiceMinimum points. Without state.choice, each is run
// over the calibration sample by the float emulation of composer/sequential.h, and the plain one
// is kept unless another's predictions agree with the float network's on at least kChoiceMargin
// points more of the sample. The artifact records the choice. Measured in the README.
inline constexpr double kChoiceMargin = 1.0;
inline constexpr double kChoiceStandardErrors = 2.0;
inline constexpr double kChoiceMinimum = 0.1;
ComposedNetwork assemble(const ComposerState& state, int w, int u, int q);

// Codebook sizes per stage (indexed like state.stages; 0 for stages that are not weighted; an
// average pooling's w is unused).
struct CodebookSizes {
  std::vector<int> w, u;
  bool uniform() const;  // one w and one u for every weighted stage
};
CodebookSizes uniform_sizes(const ComposerState& state, int w, int u);
// From per-layer lists, one entry per weighted layer (Dense, Conv, average pooling) in order, or a
// single entry for all; `where` names the option in messages. Checks sizes and the built range.
CodebookSizes layer_sizes(const ComposerState& state, const std::vector<int>& w, const std::vector<int>& u);
ComposedNetwork assemble(const ComposerState& state, const CodebookSizes& sizes, int q);

// The points a stage's input codebook is clustered from: `inputs` (samples x the stage's input
// shape) weighted as the configuration says (CodebookWeighting).
WeightedPoints input_points(const ComposerState::StagePrep& stage, const std::vector<float>& inputs,
                            const ComposeConfig& config);

// Makes `state` use the codebooks of `cn` (a composition of the same network structure) at cn's
// (w, u): e.g. the codebooks a network was retrained for, so its composition is what training saw.
void pin_codebooks(ComposerState& state, const ComposedNetwork& cn);

// Within-cluster sums of squares of each weighted stage's codebooks at (w, u): weights (summed
// over a convolution's per-channel tables) and calibration inputs. Indexed like state.stages.
struct StageWcss {
  double weights = 0.0, inputs = 0.0;
};
std::vector<StageWcss> codebook_wcss(const ComposerState& state, int w, int u);
std::vector<StageWcss> codebook_wcss(const ComposerState& state, const CodebookSizes& sizes);

// Raw integer features of a dataset (the accelerator's input), inverting its preprocessing;
// throws Error naming the dataset if a feature is not an integer in [0, 2^bits).
std::vector<std::uint16_t> raw_features(const Dataset& d, int bits);

}  // namespace rapidnn
