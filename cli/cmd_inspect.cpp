// rapidnn inspect: print a model's layers and shapes as rapidnn imports them.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"

namespace rapidnn::cli {

struct InspectOptions {
  std::string model;
};

static void run_inspect(const InspectOptions& o) {
  const Network net = load_model(o.model);
  fmt::print("{}", net.summary());
}

void setup_inspect(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "Show how rapidnn reads a model: layers, shapes, parameters");
  cmd->add_option("model", o->model, "Model file (.onnx)")->required();
  cmd->callback([o] { run_inspect(*o); });
}

}  // namespace rapidnn::cli
