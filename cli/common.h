// Helpers shared by the subcommands: binding library options to CLI11, printing reports.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "composer/composed.h"
#include "core/vocab.h"
#include "data/dataset.h"
#include "data/evaluate.h"

namespace rapidnn::cli {

// Adds --dataset, and --scale and --offset unless the artifact fixes the preprocessing (golden,
// cosim: raw integer features go through the artifact's input encoder).
void add_dataset_options(CLI::App& cmd, DatasetOptions& o, bool required, bool preprocessing = true);

// Throws Error naming the labels' file when a dataset has labels beyond the classes of a design.
void check_labels(const Dataset& d, std::int64_t classes, const std::string& what);

void print_report(const EvalReport& r, bool confusion);

// The first `n` test images of the dataset (0: all) as a design's raw integer features, checked
// against the artifact's input shape and classes (cosim, gatesim, synth --activity-images).
struct TestImages {
  std::vector<std::uint16_t> raw;
  std::int64_t count = 0;
};
TestImages load_test_images(const DatasetOptions& o, const ComposedNetwork& cn, std::int64_t n, const std::string& artifact);

// A CLI11 check that accepts exactly a vocabulary's words (the library's definition).
template <typename E>
CLI::Validator words_of(const Vocabulary<E>& v) {
  return CLI::IsMember(v.names());
}

// A CLI11 check for a numeric range (the library's definition), with its bounds in the help.
template <typename T>
CLI::Validator within(const ValueRange<T>& r) {
  return CLI::Range(r.lo, r.hi, r.what);
}

}  // namespace rapidnn::cli
