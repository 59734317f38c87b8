// Datasets: IDX (the MNIST family, gzip or raw) and CSV (features..., label).
//
// load_dataset() resolves a --dataset argument: a known name
// ("fashion-mnist" -> Debian's dataset-fashion-mnist files), a directory of
// IDX files (train-* / t10k-* or test-*), or a CSV file. Raw values are
// mapped to model inputs by an explicit affine preprocessing x*scale+offset
// whose default is pixels/255 for IDX images and identity for CSV.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/ir.h"

namespace rapidnn {

// Real-valued CSV features (ISOLET's lie in [-1, 1]) become the accelerator's 8-bit raw integers
// through `input_range` {lo, hi}: raw = round((v - lo) * 255 / (hi - lo)), clamped to [0, 255], and
// the model sees raw * (hi - lo) / 255 + lo. It replaces scale and offset.
inline constexpr int kRangeLevels = 255;
struct Preprocess {
  std::optional<float> scale;  // default: 1/255 for IDX, 1 for CSV
  float offset = 0.0f;
  std::optional<std::pair<float, float>> input_range;  // CSV only
};

// A dataset as a command or a flow names it: the spec load_dataset() takes, and its preprocessing.
struct DatasetOptions {
  std::string dataset = "fashion-mnist";
  std::optional<float> scale;
  float offset = 0.0f;
  std::vector<float> input_range;  // empty, or {lo, hi}
  Preprocess preprocess() const;
};

struct Dataset {
  std::string source;     // file or directory it came from
  std::string labels_source;  // the file its labels came from, when not `source` (IDX)
  Shape sample_shape;     // {1,H,W} for IDX images, {F} for CSV
  std::vector<float> x;   // size() * numel(sample_shape), preprocessed
  std::vector<int> y;     // labels
  int num_classes = 0;    // max label + 1
  float pre_scale = 1.0f; // x = raw * pre_scale + pre_offset (how the raw file values were mapped)
  float pre_offset = 0.0f;

  std::int64_t size() const { return static_cast<std::int64_t>(y.size()); }
  std::int64_t sample_numel() const { return numel(sample_shape); }
  const float* sample(std::int64_t i) const { return x.data() + i * sample_numel(); }
  Dataset subset(const std::vector<std::int64_t>& indices) const;
  Dataset head(std::int64_t n) const;
};

struct DatasetSplits {
  std::optional<Dataset> train;  // absent when the source holds only a test split
  Dataset test;
  std::string description;       // e.g. "fashion-mnist (/usr/share/datasets/fashion-mnist): 60000 train, 10000 test"
};

// Raw IDX array.
struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
};
IdxArray read_idx(const std::string& path);  // gzip or raw; throws Error on bad magic, short data

// Pairs an IDX images file and labels file.
Dataset load_idx_pair(const std::string& images, const std::string& labels, const Preprocess& pre);
Dataset load_csv(const std::string& path, const Preprocess& pre);
// with_train false: the test split only (what a co-simulation reads; the training split of
// Fashion-MNIST is six times the test split to decompress).
DatasetSplits load_dataset(const std::string& spec, const Preprocess& pre = {}, bool with_train = true);

// Directory Debian's dataset-fashion-mnist installs into.
std::string fashion_mnist_dir();

// Seeded split of `d` into (train, validation); `validation` samples go to the second.
std::pair<Dataset, Dataset> split_validation(const Dataset& d, std::int64_t validation, std::uint64_t seed);

// Seeded random sample of `count` distinct indices of [0, n), sorted.
std::vector<std::int64_t> sample_indices(std::int64_t n, std::int64_t count, std::uint64_t seed);

// Checks that the samples fit the model input (same element count) and adopts the
// model's input shape; throws Error naming the dataset and the model otherwise.
void fit_to_model(Dataset& d, const Network& net, const std::string& model_file);

}  // namespace rapidnn
