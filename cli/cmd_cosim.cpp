// rapidnn cosim: the generated RTL against the golden model, bit for bit, with cycle counts.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <numeric>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/cosim_print.h"
#include "composer/artifact.h"
#include "composer/compose.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "flow/cosim_result.h"
#include "models/golden.h"
#include "generator/design_record.h"
#include "sim/cosim.h"

namespace rapidnn::cli {

struct CosimCliOptions {
  std::string composed, rtl;
  DatasetOptions data;
  std::int64_t samples = 200;
  std::string simulator = "verilator", hierarchy = "auto";
  CosimOptions sim;
  std::string result;                       // the result document (flow/cosim_result.h), empty: none
  std::string shard;                        // "I/N"; empty: a job array's task, or one process
  std::string shard_dir = "cosim-shards";
  std::vector<int> levels;  // a design of several codebook levels: run every image at each
  bool interleave = false;
  std::vector<std::string> then;  // a programmable design: further networks' tables, one after another
};

// The options that decide a run's result, for its shards' key.
static std::string result_options(const CosimCliOptions& o) {
  return fmt::format("{} {} {} {} {} {} {} {}", o.samples, o.simulator, o.sim.stall_in, o.sim.stall_out, o.sim.seed,
                     o.data.scale ? *o.data.scale : -1.0f, o.data.offset, fmt::join(o.data.input_range, ","));
}

static void run_cosim_cmd(const CosimCliOptions& o) {
  Stopwatch total;
  CosimOptions opt = o.sim;
  opt.simulator = kSimulators.parse(o.simulator, "--simulator");
  opt.hierarchy = kHierarchies.parse(o.hierarchy, "--hierarchical");
  const ComposedNetwork cn = load_artifact(o.composed);
  const RtlPlan plan = load_design(cn, o.composed, o.rtl);
  DatasetSplits splits = load_dataset(o.data.dataset, o.data.preprocess(), false);  // the test split only
  Dataset d = std::move(splits.test);
  if (d.sample_numel() != numel(cn.input_shape))
    fail(d.source, "samples of {} values do not fit the design's input {}", d.sample_numel(), to_string(cn.input_shape));
  const std::int64_t n = o.samples > 0 ? std::min(o.samples, d.size()) : d.size();
  d = d.head(n);
  check_labels(d, cn.classes, "artifact " + o.composed);
  const auto shard = flow::resolve_shard(o.shard, "--shard");
  const auto [first, last] = shard ? flow::shard_block(*shard, n) : std::pair<std::int64_t, std::int64_t>{0, n};
  if (last == first) fail("--shard", "shard {} of {} has none of the {} images", shard->index, shard->count, n);
  if (shard) {
    opt.run_name = "run-" + shard->name();
    fmt::print("shard      {} of {}: images {} to {} (image numbers below count from {})\n", shard->index,
               shard->count, first, last - 1, first);
  } else if (!o.result.empty()) {
    check_output_file(o.result, {o.composed, o.data.dataset});
  }
  std::vector<std::int64_t> items(static_cast<std::size_t>(last - first));  // the images simulated
  std::iota(items.begin(), items.end(), first);
  d = d.subset(items);
  const auto raw = raw_features(d, cn.input.raw_bits);
  if (!o.levels.empty()) {
    if (shard || !o.result.empty()) fail("--level", "does not combine with --shard or --result");
    if (!run_level_cosim(cn, plan, o.rtl, d, raw, o.levels, o.interleave, opt)) exit_status() = kExitFailure;
    return;
  }
  if (!o.then.empty()) {
    if (shard || !o.result.empty() || !o.levels.empty()) fail("--then", "does not combine with --shard, --result or --level");
    if (!run_tables_cosim(cn, plan, o.rtl, o.composed, d, raw, o.then, opt)) exit_status() = kExitFailure;
    return;
  }
  const CosimResult r = run_cosim(cn, plan, o.rtl, raw, last - first, opt);
  fmt::print("design     {} ({} stages; {} lanes, {} neuron(s) per RNA, {} accumulation, {} AM)\n", o.rtl,
             plan.stages.size(), plan.options.lanes, plan.options.rna_share, to_string(plan.options.accumulate),
             plan.options.fused_am ? "fused" : "two-block");
  fmt::print("simulator  {}: build {:.1f} s{}{}\n", o.simulator, r.build_seconds, r.hierarchical ? ", hierarchical" : "",
             r.cached_build ? " (cached)" : r.resumed_build ? " (resumed an interrupted build)" : "");
  if (!r.ok) {
    fmt::print("{}\n", r.mismatch);
    fmt::print("result     FAILED: the RTL differs from the golden model\n");
    exit_status() = kExitFailure;
    return;
  }
  fmt::print("compared   {} images: every buffer entry of every layer and every class: 0 mismatches\n", last - first);
  if (!print_cycles(plan, r, last - first, opt)) exit_status() = kExitFailure;
  if (!opt.trace.empty()) fmt::print("waveform   {} (image {})\n", opt.trace, opt.trace_image);
  if (exit_status() != 0) return;  // the cycle model differs: no result to merge
  // Every class was compared with the golden model's: the golden model's classes are the RTL's.
  const flow::CosimClasses classes{first, GoldenModel(cn).classify_all(raw, last - first, 0), d.y};
  if (shard) {
    const auto key = flow::cosim_run_key(o.composed, o.rtl, o.data.dataset, result_options(o));
    const auto dir = flow::write_shard(o.shard_dir, {"cosim", key, *shard, n, items},
                                       {{"result.json", flow::cosim_result_document(classes)},
                                        {"cycles.json", flow::cosim_cycles_document(r, check_cycles(plan, r, last - first, opt))}});
    fmt::print("written    {}\n", dir.string());
  } else if (!o.result.empty()) {
    write_file_atomic(o.result, flow::cosim_result_document(classes));
    fmt::print("result     {}\n", o.result);
  }
  fmt::print("time       {:.1f} s\n", total.seconds());
}

void setup_cosim(CLI::App& app) {
  auto o = std::make_shared<CosimCliOptions>();
  auto* cmd = app.add_subcommand(
      "cosim",
      "Co-simulate emitted RTL against the golden model: streams a dataset through the top (valid/ready), compares "
      "every layer's encoded outputs and every class bit for bit, and reports cycles, throughput and simulation speed");
  cmd->add_option("--composed,-c", o->composed, "Artifact directory the RTL was emitted from")->required();
  cmd->add_option("--rtl,-r", o->rtl, "RTL directory written by 'rapidnn emit'")->required();
  add_dataset_options(*cmd, o->data, true, false);
  cmd->add_option("--samples,-n", o->samples, "Test images to stream (0: all)")->capture_default_str();
  cmd->add_option("--simulator", o->simulator, "verilator or iverilog (small designs)")
      ->check(words_of(kSimulators))
      ->capture_default_str();
  cmd->add_option("--stall-in", o->sim.stall_in, "Probability that the source withholds a feature in a cycle");
  cmd->add_option("--stall-out", o->sim.stall_out, "Probability that the sink is not ready in a cycle");
  cmd->add_option("--seed", o->sim.seed, "Seed of the stall pattern")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--trace", o->sim.trace, "Write an FST waveform of one image (Verilator)");
  cmd->add_option("--trace-image", o->sim.trace_image, "Image to trace")->capture_default_str();
  cmd->add_option("--build-dir", o->sim.build_dir, "Simulator build directory (default <rtl>.cosim-<simulator>)");
  cmd->add_option("--hierarchical", o->hierarchy, "Verilate each distinct RNA and activation block once instead of "
                  "once per instance (auto: for 128 or more RNAs of few distinct kinds, not with --trace)")
      ->check(words_of(kHierarchies))->capture_default_str();
  cmd->add_option("--jobs,-j", o->sim.jobs, "Parallel compile jobs")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->add_option("--result", o->result, "Write every image's class, label and the totals as JSON (rapidnn merge "
                  "reassembles it from shards byte for byte)");
  cmd->add_option("--shard", o->shard,
                  "Co-simulate only shard I of N (I/N, I from 0): a contiguous block of the images, the first "
                  "(images % N) blocks one image longer, written with a manifest to --shard-dir/I-of-N for rapidnn "
                  "merge; shards share one simulator build. Without it, a Slurm, SGE or LSF array task is used when set");
  cmd->add_option("--shard-dir", o->shard_dir, "Where a shard writes its directory")->capture_default_str();
  cmd->add_option("--level", o->levels, "A design of several codebook levels: run the images at each of these levels "
                  "(comma-separated; outside the design's levels: clamped), switching its level register between images")
      ->delimiter(',');
  cmd->add_flag("--interleave-levels", o->interleave, "With --level: switch the level after every image");
  cmd->add_option("--then", o->then, "A programmable design: after the images under -c's tables, load each of these "
                  "artifacts' tables through the configuration port and run the same images again");
  cmd->callback([o] { run_cosim_cmd(*o); });
}

}  // namespace rapidnn::cli
