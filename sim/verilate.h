// Verilator builds: RTL + C++ sources -> a cached, resumable simulation binary (<build>/Vsim).
//
// A build is keyed by a stamp (a fingerprint of the flags, the sources and every RTL file): an
// unchanged configuration reuses the binary. A build that was interrupted (killed, timed out)
// resumes: its stamp is written before the build starts, so the next run with the same stamp keeps
// the object files make finished and compiles only the rest (a resumed build that fails starts
// over once from scratch). Progress is shown while Verilator and the C++ compiler run.
// Hierarchical verilation (Verilator's --hierarchical) verilates and compiles each listed module
// once per distinct parameter set instead of once per instance, so a design of many identical
// RNAs builds in time linear in its distinct modules.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "generator/rtl_plan.h"

namespace rapidnn {

struct VerilateJob {
  std::filesystem::path build;              // the build directory (created by the caller)
  std::vector<std::string> flags;           // "verilator" and its options, without files or -j
  std::map<std::string, std::string> sources;  // written into `build`; .v, .cpp and .vlt ones are compiled
  std::string rtl_dir;                      // files.f names the RTL files; errors name this directory
  std::vector<std::string> hier_blocks;     // modules verilated hierarchically (none: a flat build)
  int jobs = 2;
  std::string what = "co-simulation";       // for messages: "verilator could not build the <what>"
};

enum class VerilateStatus { Built, Resumed, Cached };

// The RTL files of an emitted design (its files.f), as absolute paths.
std::vector<std::string> rtl_file_list(const std::string& rtl_dir);

// Builds (or reuses, or finishes) <build>/Vsim. Throws Error naming `rtl_dir` when Verilator fails.
VerilateStatus verilate(const VerilateJob& job);

// The template modules of `plan` worth verilating hierarchically: the RNAs and activation blocks,
// when the design has many instances of few distinct ones (at least 128 RNAs, 8 or more per
// distinct product table). Empty for small designs and for designs whose RNAs all differ
// (convolutions with a product table per RNA), which build fastest flat. `always`: those modules
// whatever the design's size.
std::vector<std::string> hierarchical_blocks(const RtlPlan& plan, bool always = false);

}  // namespace rapidnn
