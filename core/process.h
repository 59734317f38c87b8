// Running external tools (verilator, make, the simulation binary, iverilog, yosys).
#pragma once

#include <string>
#include <vector>

namespace rapidnn {

struct ProcessResult {
  int exit_code = 0;   // 127: could not be started
  std::string output;  // stdout and stderr together
};

// Runs argv[0] (searched in PATH) with the arguments, in `cwd` when not empty, capturing output.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd = "");

// Full path of a program in PATH, or empty.
std::string find_program(const std::string& name);

}  // namespace rapidnn
