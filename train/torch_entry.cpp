// The training module's one export: its entry points, for torch_module() in the program.
#include "train/torch_module.h"

extern "C" __attribute__((visibility("default"))) const rapidnn::TorchModule* rapidnn_torch_module() {
  static const rapidnn::TorchModule m{rapidnn::kTorchModuleAbi, &rapidnn::train_network, &rapidnn::torch_predict,
                                      &rapidnn::retrain};
  return &m;
}
