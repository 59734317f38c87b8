// One CLI11 subcommand per file: setup_x(CLI::App&) registers it.
#pragma once

#include <CLI/CLI.hpp>

namespace rapidnn::cli {

void setup_inspect(CLI::App& app);
void setup_eval(CLI::App& app);
void setup_train(CLI::App& app);
void setup_flow(CLI::App& app);
void setup_compose(CLI::App& app);
void setup_sweep(CLI::App& app);
void setup_golden(CLI::App& app);
void setup_emit(CLI::App& app);
void setup_cosim(CLI::App& app);
void setup_gatesim(CLI::App& app);
void setup_layout(CLI::App& app);
void setup_synth(CLI::App& app);
void setup_merge(CLI::App& app);
void setup_paper(CLI::App& app);

}  // namespace rapidnn::cli

namespace rapidnn::cli {
// Exit status a subcommand sets for main() to return (default 0).
int& exit_status();
}  // namespace rapidnn::cli
