// rapidnn golden: run the bit-exact integer model of an artifact over a dataset; optionally dump
// every stage's encoded outputs (JSON lines) as co-simulation reference traces.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "composer/artifact.h"
#include "composer/levels.h"
#include "composer/compose.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "models/golden.h"

namespace rapidnn::cli {

struct GoldenOptions {
  std::string composed;
  DatasetOptions data;
  std::int64_t samples = 0;
  std::string accumulate = kAccumulateForms.name(AccumulateForm::Direct);
  std::string am = "two-block";
  std::string dump;
  int threads = 0;
  int level = 0;  // 0: the finest
};

static void run_golden(const GoldenOptions& o) {
  if (!o.dump.empty()) check_output_file(o.dump, {o.composed, o.data.dataset});
  const ComposedNetwork all = load_artifact(o.composed);
  const ComposedNetwork& cn = o.level > 0 ? at_level(all, o.level, "--level") : all;
  DatasetSplits splits = load_dataset(o.data.dataset, o.data.preprocess());
  Dataset d = std::move(splits.test);
  if (d.sample_numel() != numel(cn.input_shape))
    fail(d.source, "samples of {} values do not fit the artifact's input {}", d.sample_numel(), to_string(cn.input_shape));
  if (o.samples > 0) d = d.head(o.samples);
  check_labels(d, cn.classes, "artifact " + o.composed);
  const auto raw = raw_features(d, cn.input.raw_bits);
  rapidnn::GoldenOptions go;
  go.accumulate = kAccumulateForms.parse(o.accumulate, "--accumulate");
  go.am = kAmForms.parse(o.am, "--am");
  const GoldenModel g(cn, go);
  Stopwatch sw;
  const auto pred = g.classify_all(raw, d.size(), o.threads);
  const double secs = sw.seconds();
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) ok += pred[i] == d.y[i];
  fmt::print("artifact   {} (w={}, u={}, level {} of {} to {}; {} accumulation, {} lookups)\n", o.composed, cn.config.w,
             cn.config.u, network_level(cn), min_level(all), network_level(all), o.accumulate, o.am);
  fmt::print("dataset    {} [{} test samples]\n", splits.description, d.size());
  fmt::print("accuracy   {:.2f}% ({}/{})\n", 100.0 * static_cast<double>(ok) / static_cast<double>(d.size()), ok, d.size());
  fmt::print("time       {:.3f} s ({:.0f} samples/s)\n", secs, static_cast<double>(d.size()) / secs);
  if (o.dump.empty()) return;
  std::string lines;
  const std::int64_t per = numel(cn.input_shape);
  Progress bar("dumping traces", d.size());
  for (std::int64_t i = 0; i < d.size(); ++i) {
    GoldenTrace t;
    g.classify(raw.data() + i * per, &t);
    nlohmann::json stages = nlohmann::json::array();
    for (std::size_t s = 0; s < cn.stages.size(); ++s)
      stages.push_back({{"stage", s}, {"name", cn.stages[s].name}, {"encoded", t.encoded[s]}, {"acc", t.acc[s]}});
    lines += nlohmann::json{{"sample", i}, {"label", t.label}, {"truth", d.y[static_cast<std::size_t>(i)]},
                            {"input", t.input}, {"stages", stages}, {"scores", t.scores}}
                 .dump() +
             "\n";
    bar.advance();
  }
  bar.finish();
  write_file_atomic(o.dump, lines);
  fmt::print("traces     {} ({} samples, one JSON object per line)\n", o.dump, d.size());
}

void setup_golden(CLI::App& app) {
  auto o = std::make_shared<GoldenOptions>();
  auto* cmd = app.add_subcommand(
      "golden",
      "Run the golden model (bit-exact integer inference, what the hardware computes) of an artifact over a "
      "dataset's test split: accuracy, throughput, and optional per-stage traces");
  cmd->add_option("--composed,-c", o->composed, "Artifact directory from rapidnn compose")->required();
  add_dataset_options(*cmd, o->data, true, false);
  cmd->add_option("--samples,-n", o->samples, "Only the first N test samples (0: all)");
  cmd->add_option("--accumulate", o->accumulate, "direct (sum of lookups) or count (counters x products by shift-add)")
      ->check(words_of(kAccumulateForms))
      ->capture_default_str();
  cmd->add_option("--am", o->am, "Activation/encoding lookups: two-block or fused")
      ->check(words_of(kAmForms))
      ->capture_default_str();
  cmd->add_option("--dump", o->dump, "Write every stage's encoded outputs and accumulators as JSON lines");
  cmd->add_option("--threads,-j", o->threads, "Threads (0: all cores)")->check(within(kThreadsRange));
  cmd->add_option("--level", o->level, "Codebook level to run (an artifact composed with --levels; default: the finest)")
      ->check(CLI::Range(1, 16));
  cmd->callback([o] { run_golden(*o); });
}

}  // namespace rapidnn::cli
