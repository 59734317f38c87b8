// In-tool training on libtorch (the only library that links it).
//
// The torch model is built from a Network IR (so an imported or composed
// network can be fine-tuned too) and written back into one. Set-up as in the
// paper (section 5.2): SGD with momentum, dropout 0.5 on hidden fully-connected
// layers, ReLU hidden layers, softmax + cross-entropy at the output.
// Seeded: parameter initialisation, dropout and batch order all derive from
// `seed`; with the same thread count two runs give identical weights.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/ir.h"
#include "data/dataset.h"

namespace rapidnn {

// What the hardware sees, for cluster-aware training (paper section 3.2). Indexed like the
// network's layers; an empty codebook means no quantization there. In the forward pass a
// layer's input is replaced by its nearest input-codebook entry and its weights by their nearest
// weight-codebook entry (one codebook per Dense layer, one per Conv2D output channel); gradients
// pass straight through to the float values.
struct LayerQuant {
  std::vector<float> input_codebook;                 // sorted
  std::vector<std::vector<float>> weight_codebooks;  // [tables][w], sorted
  // Add layers (a residual sum): input `skip_input` (an index into Layer::inputs) is quantized to
  // skip_codebook, the skipped tensor's values as the accelerator decodes them (fixed, not learned).
  std::vector<float> skip_codebook;
  int skip_input = -1;
};
struct QuantSpec {
  std::vector<LayerQuant> layers;
  bool empty() const {
    for (const auto& l : layers)
      if (!l.input_codebook.empty() || !l.weight_codebooks.empty() || !l.skip_codebook.empty()) return false;
    return true;
  }
};

struct TrainOptions {
  int epochs = 40;
  int batch = 128;
  double lr = 0.05;         // peak learning rate; cosine-annealed to 0 over the run
  double momentum = 0.9;
  double weight_decay = 0.0;
  double dropout = 0.5;     // on hidden fully-connected layers
  std::uint64_t seed = 1;
  int threads = 0;          // 0: all cores
  bool init_weights = true; // false: start from the weights already in the network
  QuantSpec quant;          // quantized forward pass with straight-through gradients
  bool learn_codebooks = false;  // the codebook entries of `quant` are trained too
  // The cosine schedule may span a longer run of which this call is a part: it then covers
  // schedule_epochs epochs and this call starts at epoch schedule_offset (0: just this call).
  int schedule_epochs = 0;
  int schedule_offset = 0;
};

struct EpochStats {
  int epoch = 0;
  double loss = 0.0;
  double validation_accuracy = 0.0;  // percent
  double seconds = 0.0;
};

struct TrainResult {
  Network net;
  QuantSpec quant;  // the codebooks at the end (trained when learn_codebooks), sorted
  std::vector<EpochStats> epochs;
  double seconds = 0.0;
};

using EpochCallback = std::function<void(const EpochStats&)>;
using BatchCallback = std::function<void(int epoch, std::int64_t batch, std::int64_t batches)>;

TrainResult train_network(const Network& init, const Dataset& train, const Dataset& validation,
                          const TrainOptions& opt, const EpochCallback& on_epoch = {},
                          const BatchCallback& on_batch = {});

// Predictions of the network computed by libtorch (eval mode), for cross-checking the float reference.
std::vector<int> torch_predict(const Network& net, const Dataset& d, int threads = 0,
                               const QuantSpec& quant = {});

}  // namespace rapidnn
