// rapidnn flow: the main job end to end (cli/flow.*), configured by a JSON file and flags.
#include <fmt/format.h>

#include <optional>

#include "cli/commands.h"
#include "flow/flow.h"
#include "core/error.h"

namespace rapidnn::cli {

struct FlowCliOptions {
  std::string config;
  bool print_config = false, force = false;
  // Flags override the configuration file.
  std::optional<std::string> out, model, dataset;
  std::optional<int> w, u, epochs, lanes, rna_share;
  std::optional<std::int64_t> samples;
  bool train = false, retrain = false, no_sweep = false, no_synth = false, no_cosim = false;
  int jobs = 1;
};

static void run_flow_cmd(const FlowCliOptions& o) {
  flow::FlowConfig c = flow::load_flow_config(o.config);
  if (o.out) c.out = *o.out;
  if (o.model) c.model = *o.model;
  if (o.train) c.model.clear();
  if (o.dataset) c.dataset = *o.dataset;
  if (o.w) c.w = *o.w;
  if (o.u) c.u = *o.u;
  if (o.epochs) c.train.epochs = *o.epochs;
  if (o.lanes) c.rtl.lanes = *o.lanes;
  if (o.rna_share) c.rtl.rna_share = *o.rna_share;
  if (o.samples) c.samples = *o.samples;
  if (o.retrain) c.retrain.enabled = true;
  if (o.no_sweep) c.sweep = false;
  if (o.no_synth) c.synth = false, c.sweep_synth = false;
  if (o.no_cosim) c.cosim = false;
  if (o.print_config) {
    fmt::print("{}", flow::flow_config_json(c));
    return;
  }
  flow::FlowRunOptions ro;
  ro.force = o.force;
  ro.jobs = o.jobs;
  const flow::FlowOutcome r = flow::run_flow(c, ro);
  if (!r.ok) exit_status() = kExitFailure;
}

void setup_flow(CLI::App& app) {
  auto o = std::make_shared<FlowCliOptions>();
  auto* cmd = app.add_subcommand(
      "flow",
      "The main job end to end: train (or load) a model, compose it at (w, u), sweep delta-e over a (w, u) grid, emit "
      "the RTL, co-simulate a sample against the golden model, synthesize (Yosys + OpenSTA), and write a report "
      "(HTML with plots, and Markdown). Stages whose inputs have not changed are reused. With no arguments: the "
      "paper's MNIST topology (784-512-512-10) on Fashion-MNIST, the shipped trained model (--train trains it "
      "again), at (16, 64). Configuration schema: "
      "docs/flow-config.md");
  cmd->add_option("config", o->config, "Flow configuration (JSON); default: the embedded one (--print-config shows it)");
  cmd->add_flag("--print-config", o->print_config, "Print the effective configuration as JSON and stop");
  cmd->add_flag("--force", o->force, "Rerun every stage, even those whose inputs have not changed");
  cmd->add_option("--out", o->out, "Work and report directory (config: out)");
  cmd->add_option("--model,-m", o->model,
                  "Start from this ONNX model (config: model; default: the shipped MLP in models/)");
  cmd->add_flag("--train", o->train, "Train the model in-tool with libtorch instead (config: model = \"\", train.*)");
  cmd->add_option("--dataset,-d", o->dataset, "Dataset (config: dataset)");
  cmd->add_option("--w", o->w, "Weight clusters of the design (config: compose.w)");
  cmd->add_option("--u", o->u, "Input clusters of the design (config: compose.u)");
  cmd->add_option("--epochs", o->epochs, "Training epochs (config: train.epochs)");
  cmd->add_option("--lanes", o->lanes, "Lanes per RNA (config: rtl.lanes)");
  cmd->add_option("--rna-share", o->rna_share, "Neurons per RNA (config: rtl.rna_share)");
  cmd->add_option("--samples", o->samples, "Test images to co-simulate (config: cosim.samples)");
  cmd->add_flag("--retrain", o->retrain, "Cluster-aware retraining (config: compose.retrain.enabled)");
  cmd->add_flag("--no-sweep", o->no_sweep, "Leave out the (w, u) sweep (config: sweep.enabled)");
  cmd->add_flag("--no-synth", o->no_synth, "Leave out synthesis (config: synth.enabled, sweep.synth)");
  cmd->add_flag("--no-cosim", o->no_cosim, "Leave out co-simulation (config: cosim.enabled)");
  cmd->add_option("--jobs", o->jobs,
                  "Run the sweep and cosim stages as this many shards at once through GNU parallel (rapidnn sweep/cosim "
                  "--shard, merged); the results are the same as one process's")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->callback([o] { run_flow_cmd(*o); });
}

}  // namespace rapidnn::cli
