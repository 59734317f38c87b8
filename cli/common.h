// Helpers shared by the subcommands: model loading, dataset options, reports.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "core/ir.h"
#include "data/dataset.h"

namespace rapidnn::cli {

struct DatasetOptions {
  std::string dataset = "fashion-mnist";
  std::optional<float> scale;
  float offset = 0.0f;
  Preprocess preprocess() const { return Preprocess{scale, offset}; }
};

// Adds --dataset, --scale and --offset to a subcommand.
void add_dataset_options(CLI::App& cmd, DatasetOptions& o, bool required);

// Loads a model file (ONNX) into the IR, with a clear error for unknown formats.
Network load_model(const std::string& path);

struct EvalReport {
  std::int64_t samples = 0, correct = 0;
  double seconds = 0.0;
  std::vector<std::vector<std::int64_t>> confusion;  // [true][predicted]
  double accuracy() const { return samples ? 100.0 * static_cast<double>(correct) / static_cast<double>(samples) : 0.0; }
};

EvalReport evaluate(const Network& net, const Dataset& d, int threads);
void print_report(const EvalReport& r, bool confusion);

}  // namespace rapidnn::cli
