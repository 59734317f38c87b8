// rapidnn: the command-line door to every stage.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/error.h"

int& rapidnn::cli::exit_status() {
  static int status = rapidnn::kExitOk;
  return status;
}

int main(int argc, char** argv) {
  CLI::App app{
      "rapidnn: turn a trained DNN into a multiplier-free lookup-table accelerator (RAPIDNN) and prove it right.\n"
      "Stages: train/import -> eval -> compose (codebooks, tables) -> golden model -> emit RTL -> cosim -> synth.\n"
      "Run 'rapidnn <command> --help' for the manual of each command."};
  app.set_version_flag("--version,-V", fmt::format("rapidnn {}", RAPIDNN_VERSION));
  app.require_subcommand(1);
  rapidnn::cli::setup_inspect(app);
  rapidnn::cli::setup_eval(app);
  rapidnn::cli::setup_train(app);
  rapidnn::cli::setup_compose(app);
  rapidnn::cli::setup_sweep(app);
  rapidnn::cli::setup_merge(app);
  rapidnn::cli::setup_paper(app);
  rapidnn::cli::setup_golden(app);
  rapidnn::cli::setup_emit(app);
  rapidnn::cli::setup_cosim(app);
  rapidnn::cli::setup_gatesim(app);
  rapidnn::cli::setup_layout(app);
  rapidnn::cli::setup_synth(app);
  rapidnn::cli::setup_flow(app);
  const auto known = [&](const std::string& name) {
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; }))
      if (sub->get_name() == name) return true;
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    fmt::print(stderr, "rapidnn: error: {}: not a command; 'rapidnn --help' lists them\n", argv[1]);
    return rapidnn::kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return rapidnn::kExitBadInput;
  } catch (const rapidnn::Error& e) {
    fmt::print(stderr, "rapidnn: error: {}\n", e.what());
    return rapidnn::kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rapidnn: internal error: {}\n", e.what());
    return rapidnn::kExitFailure;
  }
  return rapidnn::cli::exit_status();
}
