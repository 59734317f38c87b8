// The training job shared by `rapidnn train` and `rapidnn flow`.
#pragma once

#include <string>

#include "data/dataset.h"
#include "core/ir.h"

namespace rapidnn::flow {

struct TrainJobOptions {
  std::string arch = "mlp:784-512-512-10";
  DatasetOptions data;
  std::string output;
  int epochs = 40;
  int batch = 128;
  double lr = 0.05;
  double momentum = 0.9;
  double dropout = 0.5;
  std::int64_t validation = 5000;
  std::uint64_t seed = 1;
  int threads = 0;
};

struct TrainJobResult {
  Network net;
  double train_seconds = 0.0;
  double test_accuracy = 0.0;
  std::int64_t agree = 0, compared = 0;  // re-imported ONNX vs libtorch predictions
};

// Trains, writes the ONNX file atomically, re-imports it and checks it predicts as libtorch does.
TrainJobResult run_train_job(const TrainJobOptions& o);

}  // namespace rapidnn::flow
