// rapidnn train: train a network with libtorch and save it as ONNX.
#include <fmt/format.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"

namespace rapidnn::cli {

void setup_train(CLI::App& app) {
  auto o = std::make_shared<flow::TrainJobOptions>();
  auto* cmd = app.add_subcommand(
      "train",
      "Train a network in-tool (libtorch; SGD with momentum, dropout 0.5 on hidden FC layers, ReLU, softmax) "
      "and save it as ONNX");
  add_train_options(*cmd, *o);
  cmd->add_option("--output,-o", o->output, "Output ONNX file")->required();
  cmd->callback([o] {
    const auto r = flow::run_train_job(*o);
    if (r.agree != r.compared) exit_status() = kExitFailure;
  });
}

}  // namespace rapidnn::cli
