// Running external tools (verilator, make, the simulation binary, iverilog, yosys).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rapidnn {

struct ProcessResult {
  int exit_code = 0;   // 127: could not be started
  std::string output;  // stdout and stderr together
};

// Runs argv[0] (searched in PATH) with the arguments, in `cwd` when not empty, capturing output.
// `on_line`, when set, sees each complete output line (without its newline) as it arrives.
using LineSink = std::function<void(std::string_view line)>;
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd = "", const LineSink& on_line = {});

// Full path of a program in PATH, or empty.
std::string find_program(const std::string& name);

}  // namespace rapidnn
