// The training module: libtorch lives in a module (librapidnn_torch.so) that is loaded only when
// a command trains or retrains, so every other command starts without libtorch's ~1 s of
// loading and operator registration. The entry points are the ones trainer.h and retrain.h declare.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "train/retrain.h"
#include "train/trainer.h"

namespace rapidnn {

// The table of entry points the module exports (as "rapidnn_torch_module").
struct TorchModule {
  std::size_t abi = 0;  // kTorchModuleAbi of the build that made the module
  TrainResult (*train_network)(const Network&, const Dataset&, const Dataset&, const TrainOptions&, const EpochCallback&,
                               const BatchCallback&) = nullptr;
  std::vector<int> (*torch_predict)(const Network&, const Dataset&, int, const QuantSpec&) = nullptr;
  RetrainResult (*retrain)(const ComposerState&, const Dataset&, const Dataset&, const Dataset&, double,
                           const RetrainOptions&, const RetrainStepCallback&, const EpochCallback&,
                           const BatchCallback&) = nullptr;
};

// Changes with the layout of the types that cross into the module, so a module from another build
// is refused instead of misread.
constexpr std::size_t kTorchModuleVersion = 1;  // bumped when an entry point changes
constexpr std::size_t kTorchModuleAbi = kTorchModuleVersion << 48 ^ sizeof(TrainOptions) << 36 ^ sizeof(RetrainOptions) << 24 ^
                                        sizeof(Dataset) << 16 ^ sizeof(Network) << 8 ^ sizeof(ComposerState);

// The module, loaded on first use: from $RAPIDNN_TORCH_MODULE if set, else beside the running
// program, else from the build tree. Throws Error naming the file and why it cannot be used.
const TorchModule& torch_module();

}  // namespace rapidnn
