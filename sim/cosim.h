// Co-simulation: the generated RTL against the golden model, bit for bit, with cycle counts.
//
// Verilator: the design and the harness (cosim_harness.cpp, embedded) are built once per
// configuration into a cached build directory; the run streams raw features through the top
// and the harness compares every buffer's contents per image with the golden model's trace
// (written as expect files), stopping at the first difference. Icarus Verilog: the embedded
// testbench runs the same vectors and rapidnn compares the printed trace.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "composer/composed.h"
#include "core/process.h"
#include "core/vocab.h"
#include "generator/cfg_map.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"

namespace rapidnn {

const std::vector<RtlTemplate>& sim_sources();

enum class Simulator { Verilator, Icarus };
// Verilator's hierarchical mode (sim/verilate.h): Auto uses it for designs of many identical RNAs.
enum class Hierarchy { Auto, On, Off };
inline const Vocabulary<Hierarchy> kHierarchies{"hierarchical build", {{"auto", Hierarchy::Auto}, {"on", Hierarchy::On}, {"off", Hierarchy::Off}}};
inline const Vocabulary<Simulator> kSimulators{"simulator", {{"verilator", Simulator::Verilator}, {"iverilog", Simulator::Icarus}}};

struct CosimOptions {
  Simulator simulator = Simulator::Verilator;
  double stall_in = 0.0, stall_out = 0.0;  // probability of a stall cycle on each side
  std::uint64_t seed = 1;
  std::string trace;            // waveform file (FST), empty: none
  std::int64_t trace_image = 0;
  std::string build_dir;        // default: <rtl>.cosim-<simulator>
  int jobs = 2;
  Hierarchy hierarchy = Hierarchy::Auto;
  // The run's own directory under the build (its vectors): concurrent runs of one build (shards)
  // each name their own. The Verilator build itself is shared, under a lock (<build>.lock).
  std::string run_name = "run";
  // A design of several codebook levels: the level each image asks for on level_i (rnn_level:
  // a level outside the design's is clamped to it, and the golden model runs the clamped one).
  // The harness drains the pipeline before an image whose level differs from the one before.
  // Empty: every image at the design's reset level (the finest).
  std::vector<int> levels;
  // A programmable design (RtlOptions::programmable): the networks it runs, in order. Before
  // image `first_image` of each load the harness drains the pipeline and streams the load's
  // writes through the configuration port; from there on images are checked against its
  // network. Empty: the plan's own tables (cfg_writes(plan)) before image 0, checked against cn.
  struct Load {
    std::int64_t first_image = 0;
    const ComposedNetwork* network = nullptr;
    std::vector<CfgWrite> writes;
  };
  std::vector<Load> loads;
};

struct CosimResult {
  bool ok = false;
  std::string mismatch;         // the first difference, as reported
  std::int64_t samples = 0;
  std::uint64_t cycles = 0, first_latency = 0, latency_min = 0, latency_max = 0;
  double latency_mean = 0.0, interval = 0.0;
  std::vector<std::uint64_t> latencies;  // Icarus only
  double build_seconds = 0.0, sim_seconds = 0.0, cycles_per_second = 0.0;
  bool cached_build = false, resumed_build = false, hierarchical = false;
  bool cfg_error = false;  // cfg_err_o at the end: a table write fell outside the memory map
};

// `plan` must be the plan the RTL in `rtl_dir` was emitted from (load_design() in
// generator/design_record.h); `raw` holds `samples` images of raw features.
CosimResult run_cosim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                      const std::vector<std::uint16_t>& raw, std::int64_t samples, const CosimOptions& opt);

// The RTL's measured cycles against the cycle model (sim/cycle_model.h): checked only for a
// Verilator run without stalls, where the model is exact: the first image's latency and the
// span between the first and the last result.
struct CycleCheck {
  bool checked = false, exact = true;
  std::uint64_t predicted_latency = 0;
  double predicted_interval = 0.0;
};
// The harness's pieces, for a co-simulation of another top around the RTL (the gate-level one,
// synth/gatesim.h): an embedded simulation source
// ("cosim_harness.cpp"), the vectors of `samples` images written into `work` (stimulus, expected
// classes and traced buffers) with the harness arguments that read them, and the harness's output
// read into `r` (the first MISMATCH/TIMEOUT line, or the summary).
const char* sim_source_text(const std::string& name);
std::vector<std::string> write_harness_vectors(const ComposedNetwork& cn, const RtlPlan& plan,
                                               const std::vector<std::uint16_t>& raw, std::int64_t samples,
                                               const std::filesystem::path& work, const CosimOptions& opt);
void parse_harness_output(const ProcessResult& pr, const std::string& rtl_dir, CosimResult& r);

CycleCheck check_cycles(const RtlPlan& plan, const CosimResult& r, std::int64_t samples, const CosimOptions& opt);

}  // namespace rapidnn
