// Cluster-aware retraining (paper section 3.2): cluster -> retrain -> re-cluster -> estimate.
//
// Round 1 replaces every weight by its centroid (the float model's codebooks at (w, u)). Each
// round retrains for a few epochs with what the hardware sees in the forward pass: the input
// of every weighted layer snapped to that layer's input codebook and the weights to their
// codebook, with straight-through gradients (so the network adapts to u as well as to w); the
// codebook entries are trained too (LSQ-style scaled gradients). The round is then measured
// with the golden model on a validation split, composed with exactly the codebooks it ended
// with, and the next round starts from its weights and the codebooks it ended with: trained
// entries carry over (re-clustering them around the float weights, Lloyd's iterations, as the
// paper's loop does, is kept for learn_codebooks = false: on mnist-net_256x2 at (4, 4) it undid
// each round's training, validation delta-e +3.4 rising to +6.9, against +1.3 to +1.8 without it).
// One cosine learning-rate schedule spans all rounds. The
// loop stops when delta-e <= epsilon or after the last round and returns the best
// composition seen (lowest validation delta-e, the earliest on ties).
// Seeded: with the same seed and thread count two runs give identical tables.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "composer/compose.h"
#include "data/dataset.h"
#include "train/trainer.h"

namespace rapidnn {

struct RetrainOptions {
  int w = 16, u = 64, q = 64;
  std::vector<int> layer_w, layer_u;  // one size per weighted layer (layer_sizes) instead of w and u
  int iterations = 5;     // retraining rounds at most
  int epochs = 5;         // epochs per round
  double epsilon = 0.0;   // stop once validation delta-e (points) is at most this
  double lr = 0.02;       // peak learning rate; one cosine schedule spans all rounds
  double momentum = 0.9;
  double dropout = 0.0;
  bool learn_codebooks = true;  // train codebook entries with the weights (then pinned in the composition)
  int batch = 128;
  std::uint64_t seed = 1;
  int threads = 0;
};

struct RetrainStep {
  int iteration = 0;               // 0: the composition before any retraining
  double validation_accuracy = 0;  // golden model, percent
  double delta_e = 0;              // float validation accuracy minus golden, points
  double train_seconds = 0, compose_seconds = 0, seconds = 0;
};

struct RetrainResult {
  ComposerState state;       // of the best iteration
  ComposedNetwork composed;  // of the best iteration
  int best = 0;
  std::vector<RetrainStep> steps;
  double seconds = 0;
};

using RetrainStepCallback = std::function<void(const RetrainStep&)>;

// `initial` is a prepared composer (prepare_composer) of the float model; train, validation
// and calibration are the model's own inputs (as load_dataset gives them, fitted to the model).
// float_validation_accuracy: the float model's accuracy on `validation`, percent.
RetrainResult retrain(const ComposerState& initial, const Dataset& train, const Dataset& validation,
                      const Dataset& calibration, double float_validation_accuracy, const RetrainOptions& opt,
                      const RetrainStepCallback& on_step = {}, const EpochCallback& on_epoch = {},
                      const BatchCallback& on_batch = {});

// The quantization the hardware applies at (w, u), for the trainer: per layer of state.net, the
// input codebook of each weighted stage and the weight codebooks of Dense/Conv stages.
QuantSpec quant_spec(const ComposerState& state, const ComposedNetwork& cn);

// state.net with every Dense/Conv weight replaced by its centroid in `cn`.
Network centroid_network(const ComposerState& state, const ComposedNetwork& cn);

}  // namespace rapidnn
