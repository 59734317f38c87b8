// Start-up: what every rapidnn command costs before it does anything, against the cost of loading
// the libtorch module that only training commands pay (it was every command's cost while the
// program linked libtorch).
//   build/bench/bench_startup [runs]     (default 20)
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "core/process.h"
#include "train/torch_module.h"

using namespace rapidnn;

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::stoi(argv[1]) : 20;
  const std::string bin = RAPIDNN_BIN;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i)
    if (run_process({bin, "--version"}).exit_code != 0) {
      fmt::print(stderr, "{} --version failed\n", bin);
      return 1;
    }
  const double run_ms = ms_since(t0) / runs;
  t0 = std::chrono::steady_clock::now();
  const TorchModule& m = torch_module();  // dlopen: libtorch's libraries and its static registration
  const double load_ms = ms_since(t0);
  fmt::print("rapidnn --version, start to exit     {:8.1f} ms (mean of {} runs)\n", run_ms, runs);
  fmt::print("loading the libtorch module, once   {:8.1f} ms (only train and retrain pay it; abi {:x})\n", load_ms, m.abi);
  fmt::print("ratio                                {:8.1f}x\n", load_ms / run_ms);
  return 0;
}
