// rapidnn eval: float reference accuracy of a model on a dataset.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "onnxio/onnx_io.h"
#include "core/error.h"
#include "core/fileio.h"

namespace rapidnn::cli {

struct EvalOptions {
  std::string model;
  DatasetOptions data;
  std::string split = "test";
  std::int64_t samples = 0;
  int threads = 0;
  std::string json;
};

static void run_eval(const EvalOptions& o) {
  if (!o.json.empty()) check_output_file(o.json, {o.model, o.data.dataset});
  const Network net = load_model(o.model);
  DatasetSplits splits = load_dataset(o.data.dataset, o.data.preprocess());
  Dataset d;
  if (o.split == "test") d = std::move(splits.test);
  else if (!splits.train) fail(o.data.dataset, "has no train split");
  else d = std::move(*splits.train);
  fit_to_model(d, net, o.model);
  if (o.samples > 0) d = d.head(o.samples);
  fmt::print("model      {} ({} layers, {} parameters)\n", o.model, net.layers.size(), net.parameter_count());
  fmt::print("dataset    {} [{} split, {} samples]\n", splits.description, o.split, d.size());
  const EvalReport r = evaluate(net, d, o.threads);
  print_report(r, true);
  if (!o.json.empty()) {
    nlohmann::json j{{"model", o.model},       {"dataset", o.data.dataset}, {"split", o.split},
                     {"samples", r.samples},   {"correct", r.correct},      {"accuracy", r.accuracy()},
                     {"seconds", r.seconds},   {"confusion", r.confusion}};
    write_file_atomic(o.json, j.dump(2) + "\n");
  }
}

void setup_eval(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Float reference accuracy, confusion matrix and time of a model on a dataset");
  cmd->add_option("--model,-m", o->model, "Model file (.onnx)")->required();
  add_dataset_options(*cmd, o->data, true);
  cmd->add_option("--split", o->split, "Which split to evaluate")->check(CLI::IsMember({"test", "train"}))->capture_default_str();
  cmd->add_option("--samples,-n", o->samples, "Evaluate only the first N samples (0: all)");
  cmd->add_option("--threads,-j", o->threads, "Worker threads (0: all cores)")->check(within(kThreadsRange));
  cmd->add_option("--json", o->json, "Also write the results as JSON to this file");
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace rapidnn::cli
