// cosim --level: images x levels -> one co-simulation that switches the level register, per-level accuracy.
#include "cli/cosim_print.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "composer/artifact.h"
#include "composer/levels.h"
#include "generator/design_record.h"
#include "core/error.h"
#include "models/golden.h"

namespace rapidnn::cli {

bool run_level_cosim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl, const Dataset& d,
                     const std::vector<std::uint16_t>& raw, const std::vector<int>& levels, bool interleave,
                     CosimOptions opt) {
  const std::int64_t n = d.size(), per = plan.input_numel, k = static_cast<std::int64_t>(levels.size());
  std::vector<std::uint16_t> stream;
  opt.levels.clear();
  for (std::int64_t pass = 0; pass < k; ++pass)
    for (std::int64_t i = 0; i < n; ++i) {
      opt.levels.push_back(levels[static_cast<std::size_t>(interleave ? (i + pass) % k : pass)]);
      stream.insert(stream.end(), raw.begin() + i * per, raw.begin() + (i + 1) * per);
    }
  const CosimResult r = run_cosim(cn, plan, rtl, stream, n * k, opt);
  fmt::print("design     {} (codebook levels {} to {}; {} lanes, {} neuron(s) per RNA)\n", rtl, plan.level_min,
             plan.level_max, plan.options.lanes, plan.options.rna_share);
  fmt::print("simulator  {}: build {:.1f} s{}\n", kSimulators.name(opt.simulator), r.build_seconds, r.cached_build ? " (cached)" : "");
  if (!r.ok) {
    fmt::print("{}\nresult     FAILED: the RTL differs from the golden model (image numbers count the {} streamed)\n",
               r.mismatch, n * k);
    return false;
  }
  fmt::print("compared   {} images ({} test images at each of {} levels, {}): every buffer entry and class, 0 "
             "mismatches\n",
             n * k, n, k, interleave ? "the level switched after every image" : "one level after another");
  // Every class was compared with the golden model's at its (clamped) level: those are the RTL's.
  std::map<int, std::vector<int>> classes;
  for (int asked : levels) {
    const int level = std::clamp(asked, plan.level_min, plan.level_max);
    if (!classes.count(level)) classes[level] = GoldenModel(at_level(cn, level, "--level")).classify_all(raw, n, 0);
  }
  for (int asked : levels) {
    const int level = std::clamp(asked, plan.level_min, plan.level_max);
    std::int64_t ok = 0;
    for (std::int64_t i = 0; i < n; ++i) ok += classes[level][static_cast<std::size_t>(i)] == d.y[static_cast<std::size_t>(i)];
    fmt::print("level {}{}  {:.2f}% of {} images ({} right), bit-exact with the golden model at level {}\n", asked,
               asked != level ? fmt::format(" (clamped to {})", level) : "", 100.0 * static_cast<double>(ok) / static_cast<double>(n),
               n, ok, level);
  }
  if (opt.simulator == Simulator::Verilator)
    fmt::print("cycles     {} in all (level switches drain the pipeline); latency min {} max {} mean {:.1f}\n", r.cycles,
               r.latency_min, r.latency_max, r.latency_mean);
  return true;
}

bool run_tables_cosim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl, const std::string& composed,
                      const Dataset& d, const std::vector<std::uint16_t>& raw, const std::vector<std::string>& then,
                      CosimOptions opt) {
  if (!plan.options.programmable)
    fail("--then", "the design in {} has constant tables; emit it with --programmable to load other networks' tables", rtl);
  const std::int64_t n = d.size();
  std::vector<ComposedNetwork> nets;
  nets.reserve(then.size());
  std::vector<std::string> names{composed};
  opt.loads = {{0, &cn, cfg_writes(plan)}};
  std::vector<std::uint16_t> stream(raw.begin(), raw.begin() + n * plan.input_numel);
  RtlPlan held = plan;
  for (const auto& dir : then) {
    nets.push_back(load_artifact(dir));
    RtlPlan p = load_design(nets.back(), dir, rtl);  // fits the design, or says why not
    // Only the tables that differ from the ones the design holds are written.
    opt.loads.push_back({static_cast<std::int64_t>(names.size()) * n, &nets.back(), cfg_writes(p, &held)});
    held = std::move(p);
    names.push_back(dir);
    stream.insert(stream.end(), raw.begin(), raw.begin() + n * plan.input_numel);
  }
  const std::int64_t total = n * static_cast<std::int64_t>(names.size());
  const CosimResult r = run_cosim(cn, plan, rtl, stream, total, opt);
  fmt::print("design     {} (programmable; {} lanes, {} neuron(s) per RNA)\nsimulator  verilator: build {:.1f} s{}\n", rtl,
             plan.options.lanes, plan.options.rna_share, r.build_seconds, r.cached_build ? " (cached)" : "");
  if (!r.ok) {
    fmt::print("{}\nresult     FAILED: the RTL differs from the golden model (image numbers count the {} streamed)\n",
               r.mismatch, total);
    return false;
  }
  fmt::print("compared   {} images ({} test images under each of {} networks' tables, loaded one after another through "
             "the configuration port): every buffer entry and class, 0 mismatches\n",
             total, n, names.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto classes = GoldenModel(k == 0 ? cn : nets[k - 1]).classify_all(raw, n, 0);
    std::int64_t ok = 0;
    for (std::int64_t i = 0; i < n; ++i) ok += classes[static_cast<std::size_t>(i)] == d.y[static_cast<std::size_t>(i)];
    fmt::print("network {}  {}: {} table writes{}, then {:.2f}% of {} images ({} right), bit-exact\n", k, names[k],
               opt.loads[k].writes.size(), k > 0 ? " (the tables that differ from the previous network's)" : "",
               100.0 * static_cast<double>(ok) / static_cast<double>(n), n, ok);
  }
  fmt::print("cycles     {} in all (each load drains the pipeline, then one write per cycle); cfg_err_o {}\n", r.cycles,
             r.cfg_error ? 1 : 0);
  return !r.cfg_error;
}

bool print_cycles(const RtlPlan& plan, const CosimResult& r, std::int64_t images, const CosimOptions& opt) {
  if (plan.options.programmable)
    fmt::print("tables     {} configuration writes before the first image; cfg_err_o {}\n", cfg_writes(plan).size(),
               r.cfg_error ? "1: a write fell outside the memory map" : "0");
  if (opt.simulator != Simulator::Verilator) {
    fmt::print("simulation {:.2f} s ({} cycles)\n", r.sim_seconds, r.cycles);
    return true;
  }
  const CycleCheck cc = check_cycles(plan, r, images, opt);
  fmt::print("cycles     {} in all; latency {} cycles (first image), min {} max {} mean {:.1f}\n", r.cycles,
             r.first_latency, r.latency_min, r.latency_max, r.latency_mean);
  fmt::print("throughput one result every {:.1f} cycles{}\n", r.interval,
             opt.stall_in > 0 || opt.stall_out > 0
                 ? fmt::format(" (stalls: input {:.0f}%, output {:.0f}%)", 100 * opt.stall_in, 100 * opt.stall_out)
                 : "");
  if (cc.checked)
    fmt::print("predicted  latency {} cycles, one result every {:.1f} cycles: {}\n", cc.predicted_latency,
               cc.predicted_interval, cc.exact ? "matches the RTL" : "DIFFERS from the RTL");
  fmt::print("simulation {:.2f} s, {:.0f} cycles/s, {:.1f} images/s\n", r.sim_seconds, r.cycles_per_second,
             static_cast<double>(images) / std::max(r.sim_seconds, 1e-9));
  return !cc.checked || cc.exact;
}

}  // namespace rapidnn::cli
