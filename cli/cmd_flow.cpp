// rapidnn flow: the main job, stage by stage, with cached stages.
//
// Current stages: train (or load --model), evaluate. Each stage's output is
// keyed by a fingerprint of its inputs and skipped when already present.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/train_job.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"

namespace rapidnn::cli {

struct FlowOptions {
  TrainJobOptions train;
  std::string model;  // start from this ONNX instead of training
  std::string out = "out/flow";
};

static void run_flow(const FlowOptions& o) {
  Stopwatch total;
  std::string model_path = o.model;
  if (model_path.empty()) {
    const auto& t = o.train;
    const std::string key = fingerprint(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", t.arch, t.data.dataset,
                                                    t.data.scale.value_or(-1.0f), t.data.offset, t.epochs, t.batch,
                                                    t.lr, t.momentum, t.dropout, t.validation, t.seed));
    model_path = (fs::path(o.out) / fmt::format("model-{}.onnx", key)).string();
    if (fs::exists(model_path)) {
      fmt::print("[1/2] train      cached: {} (same architecture, data and settings)\n", model_path);
    } else {
      fmt::print("[1/2] train      {} on {}\n", t.arch, t.data.dataset);
      TrainJobOptions job = t;
      job.output = model_path;
      run_train_job(job);
    }
  } else {
    fmt::print("[1/2] model      {}\n", model_path);
  }
  fmt::print("[2/2] evaluate   float reference on the test split\n");
  const Network net = load_model(model_path);
  DatasetSplits splits = load_dataset(o.train.data.dataset, o.train.data.preprocess());
  fit_to_model(splits.test, net, model_path);
  const EvalReport r = evaluate(net, splits.test, o.train.threads);
  print_report(r, true);
  fmt::print("flow finished in {:.1f} s; model: {}\n", total.seconds(), model_path);
}

void setup_flow(CLI::App& app) {
  auto o = std::make_shared<FlowOptions>();
  auto* cmd = app.add_subcommand(
      "flow",
      "The main job end to end. With no arguments: train the paper's MNIST topology (784-512-512-10) on "
      "Fashion-MNIST, then evaluate it. Stages whose inputs have not changed are reused.");
  add_train_options(*cmd, o->train);
  cmd->add_option("--model,-m", o->model, "Start from this ONNX model instead of training");
  cmd->add_option("--out", o->out, "Work directory for stage outputs")->capture_default_str();
  cmd->callback([o] { run_flow(*o); });
}

}  // namespace rapidnn::cli
