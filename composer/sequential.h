// Sequential calibration: the composed network's own activations, layer by layer, in place of
// the float network's, for input codebooks and biases.
//
// The float network's activations are what input codebooks are clustered from by default and what
// its biases were trained against. With few clusters the composed network drifts from them: small
// ReLU outputs snap to the zero entry, each neuron's pre-activation mean shifts, the next layer's
// inputs are no longer distributed as its codebook assumed, and the error compounds layer by layer.
// This pass runs the calibration sample through a float emulation of the composed network
// (weights replaced by their codebook entries, every weighted stage's inputs by their nearest
// input-codebook entry), stage by stage in order, and
//  - with InputCodebooks::Composed clusters each stage's input codebook from the emulated inputs
//    that stage receives (the first stage's inputs are the raw features either way);
//  - with bias correction moves each hidden unit's bias (a neuron, or a channel) so that the mean
//    of its emulated activated output over the calibration sample equals the float network's
//    (a bisection: activations are monotone), before the next stage sees it. Matching the output
//    after the activation, not the pre-activation as in Nagel et al.'s bias correction, is what
//    measured better: through a ReLU, quantization noise raises the mean by itself. The output
//    stage keeps its trained biases (correcting them measured worse).
//  - with codebook refit, each Dense/Conv stage's weight codebook entries (weights keep their
//    indices) and its units' biases are solved by least squares so that the stage's
//    pre-activations from the quantized inputs it receives match the float network's on its
//    float inputs: given the indices, a pre-activation is linear in the entries (sum over
//    entries k of c_k times the sum of the inputs whose weight has index k) and in the bias, so
//    this is a w x w normal-equation solve per table once the biases are eliminated (centring
//    per unit), over every sample, unit and position of the calibration sample. It runs before
//    bias correction, which then moves hidden units' fitted biases further.
// The emulation is only a statistic for choosing tables; the golden model stays the truth.
#pragma once

#include <vector>

#include "composer/compose.h"

namespace rapidnn {

struct CalibratedStage {
  std::vector<double> input_codebook;  // [u], sorted
  std::vector<float> bias;             // Dense/Conv: the float bias the tables are made from
  std::vector<std::vector<double>> weight_codebooks;  // refit entries per table; empty: the state's
};

// One entry per state.stages (empty for stages that are not weighted), as `config` asks (its
// input codebooks and bias correction; the state's codebooks). `output`, when given, receives the
// emulated network's outputs (calibration samples x classes).
std::vector<CalibratedStage> calibrate_stages(const ComposerState& state, const ComposeConfig& config,
                                              const CodebookSizes& sizes, std::vector<float>* output = nullptr);

// True when assemble() runs calibrate_stages() for this state and configuration.
bool sequential_calibration(const ComposerState& state, const ComposeConfig& config);

}  // namespace rapidnn
