// Test helpers: paths to outside material, random networks, running the CLI.
#pragma once

#include <optional>
#include <random>
#include <string>

#include "core/ir.h"
#include "data/dataset.h"

namespace rapidnn::test {

// ../shared/ext beside the repository, or nullopt (tests then skip with a message).
std::optional<std::string> shared_ext(const std::string& relative);
// Debian's Fashion-MNIST directory if installed.
std::optional<std::string> fashion_mnist();

// A network with random weights (seeded) and its random inputs.
Network random_network(Network skeleton, std::uint64_t seed);
// The small 16-hidden-3 MLP (ReLU hidden layer) the CLI, flow, cosim and synth tests share.
Network small_mlp(int hidden, std::uint64_t seed);
std::vector<float> random_inputs(const Network& net, std::int64_t n, std::uint64_t seed);

struct RunResult {
  int exit_code = 0;
  std::string output;  // stdout and stderr together
};
// Runs the rapidnn binary with the given argument string (shell-quoted by the caller).
RunResult run_cli(const std::string& args);
// Runs any shell command line (stdout only unless it redirects stderr itself).
RunResult run_cli_program(const std::string& command);

// A report page laid out by headless Chromium: the text of its #render-check block (one line per
// plot, "<id> <w>x<h> marks=<n> drawn=<true|false>"); "" when the page has none; nullopt when
// chromium is not installed.
std::optional<std::string> render_check(const std::string& html_file);
struct PlotRender {
  int width = 0, height = 0, marks = 0;
  bool drawn = false;
};
// Plot `id`'s line of a render check, or nullopt when it is missing.
std::optional<PlotRender> plot_render(const std::string& check, const std::string& id);

// A fresh empty temporary directory for one test.
std::string temp_dir(const std::string& name);

}  // namespace rapidnn::test

#define SKIP_WITH(msg)                 \
  do {                                 \
    WARN("skipped: " << (msg));        \
    return;                            \
  } while (0)
