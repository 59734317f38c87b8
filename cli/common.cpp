// Shared CLI helpers: dataset options, the float report.
#include "cli/common.h"

#include <fmt/format.h>

#include "composer/compose.h"
#include "core/error.h"

namespace rapidnn::cli {

void add_dataset_options(CLI::App& cmd, DatasetOptions& o, bool required, bool preprocessing) {
  auto* d = cmd.add_option("--dataset,-d", o.dataset,
                           "Dataset: 'fashion-mnist' (Debian's dataset-fashion-mnist), a directory of IDX files "
                           "(train-*/t10k-* or test-*, gzip or raw), or a CSV file (features..., label)");
  if (required) d->required();
  else d->capture_default_str();
  cmd.add_option("--input-range", o.input_range,
                 "LO,HI: CSV features are real numbers in [LO, HI], each quantized to the nearest of 256 levels "
                 "(the accelerator's 8-bit raw input; values outside clamp); replaces --scale and --offset")
      ->expected(2)
      ->delimiter(',');
  if (!preprocessing) return;
  cmd.add_option("--scale", o.scale,
                 "Input preprocessing: model input = raw * scale + offset. Default 1/255 for IDX pixels, 1 for CSV");
  cmd.add_option("--offset", o.offset, "Input preprocessing offset (see --scale)")->capture_default_str();
}

void check_labels(const Dataset& d, std::int64_t classes, const std::string& what) {
  if (d.num_classes > classes)
    fail(d.labels_source.empty() ? d.source : d.labels_source, "labels go up to {} but {} has only {} classes",
         d.num_classes - 1, what, classes);
}

TestImages load_test_images(const DatasetOptions& o, const ComposedNetwork& cn, std::int64_t n, const std::string& artifact) {
  DatasetSplits splits = load_dataset(o.dataset, o.preprocess());
  Dataset d = std::move(splits.test);
  if (d.sample_numel() != numel(cn.input_shape))
    fail(d.source, "samples of {} values do not fit the design's input {}", d.sample_numel(), to_string(cn.input_shape));
  d = d.head(n > 0 ? std::min(n, d.size()) : d.size());
  check_labels(d, cn.classes, "artifact " + artifact);
  return {raw_features(d, cn.input.raw_bits), d.size()};
}

void print_report(const EvalReport& r, bool confusion) {
  fmt::print("accuracy   {:.2f}% ({}/{})\n", r.accuracy(), r.correct, r.samples);
  fmt::print("time       {:.3f} s ({:.0f} samples/s)\n", r.seconds,
             r.seconds > 0 ? static_cast<double>(r.samples) / r.seconds : 0.0);
  if (!confusion) return;
  fmt::print("confusion matrix (rows: true class, columns: predicted class)\n      ");
  for (std::size_t c = 0; c < r.confusion.size(); ++c) fmt::print("{:>6}", c);
  fmt::print("\n");
  for (std::size_t t = 0; t < r.confusion.size(); ++t) {
    fmt::print("{:>6}", t);
    for (auto v : r.confusion[t]) fmt::print("{:>6}", v);
    fmt::print("\n");
  }
}

}  // namespace rapidnn::cli
