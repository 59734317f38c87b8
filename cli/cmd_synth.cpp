// rapidnn synth: area and timing of an emitted design's blocks (Yosys, osu018, OpenSTA), beside
// the multiply-accumulate baseline.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "composer/artifact.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "sim/cosim.h"
#include "sim/cycle_model.h"
#include "synth/synth.h"

namespace rapidnn::cli {

struct SynthCliOptions {
  std::string composed, rtl, json;
  std::vector<std::string> blocks;
  SynthOptions synth;
};

static void run_synth(const SynthCliOptions& o) {
  Stopwatch total;
  SynthOptions opt = o.synth;
  if (!o.blocks.empty()) opt.blocks = o.blocks;
  check_synth_tools(opt);
  const ComposedNetwork cn = load_artifact(o.composed);
  const RtlPlan plan = plan_rtl(cn, read_design_options(o.rtl), o.composed);
  const auto reports = synth_blocks(plan, o.rtl, opt);
  fmt::print("liberty    {}\n", opt.liberty);
  fmt::print("{:<11} {:>9} {:>13} {:>12} {:>11} {:>14} {:>9} {:>8} {:>7}\n", "block", "cells", "area um2", "transistors",
             "table bits", "crossbar um2*", "path ns", "Fmax MHz", "time s");
  nlohmann::json j = nlohmann::json::array();
  const BlockReport* rna = nullptr;
  const BlockReport* mac = nullptr;
  for (const auto& r : reports) {
    fmt::print("{:<11} {:>9} {:>13.0f} {:>12} {:>11} {:>14.1f} {:>9.2f} {:>8.1f} {:>7.1f}\n", r.block, r.cells, r.area_um2,
               r.transistors, r.memory_bits, r.crossbar_model_um2, r.critical_ns, r.fmax_mhz, r.seconds);
    j.push_back({{"block", r.block}, {"module", r.module}, {"description", r.description}, {"cells", r.cells},
                 {"area_um2", r.area_um2}, {"transistors", r.transistors}, {"table_bits", r.memory_bits},
                 {"crossbar_model_um2", r.crossbar_model_um2}, {"critical_path_ns", r.critical_ns},
                 {"fmax_mhz", r.fmax_mhz}, {"seconds", r.seconds}});
    if (r.block == "rna") rna = &r;
    if (r.block == "mac") mac = &r;
  }
  for (const auto& r : reports) fmt::print("  {:<10} {}\n", r.block, r.description);
  fmt::print("  * model, not synthesis: the table bits as the paper's crossbar (Table 1, 3136 um2 per 1K x 1K); "
             "the area column synthesizes tables as ROM logic\n");
  const CyclePrediction p = predict_cycles(plan, 2);
  fmt::print("cycles     {} per inference (latency), one result every {:.0f} cycles\n", p.latency(0), p.interval());
  nlohmann::json out{{"liberty", opt.liberty}, {"blocks", j}, {"latency_cycles", p.latency(0)},
                     {"interval_cycles", p.interval()}};
  if (rna && mac && mac->area_um2 > 0 && mac->transistors > 0) {
    fmt::print("lookup vs multiply-accumulate neuron (same lanes, same cycles): area {:.2f}x, transistors {:.2f}x, "
               "Fmax {:.2f}x\n",
               rna->area_um2 / mac->area_um2, static_cast<double>(rna->transistors) / static_cast<double>(mac->transistors),
               mac->fmax_mhz > 0 ? rna->fmax_mhz / mac->fmax_mhz : 0.0);
    out["lut_vs_mac"] = {{"area_ratio", rna->area_um2 / mac->area_um2},
                         {"transistor_ratio", static_cast<double>(rna->transistors) / static_cast<double>(mac->transistors)},
                         {"fmax_ratio", mac->fmax_mhz > 0 ? rna->fmax_mhz / mac->fmax_mhz : 0.0}};
  }
  const std::string json = o.json.empty() ? o.rtl + ".synth/report.json" : o.json;
  write_file_atomic(json, out.dump(2) + "\n");
  fmt::print("report     {}\ntime       {:.1f} s\n", json, total.seconds());
}

void setup_synth(CLI::App& app) {
  auto o = std::make_shared<SynthCliOptions>();
  auto* cmd = app.add_subcommand(
      "synth",
      "Area and timing estimates of an emitted design's blocks with open tools: Yosys (stat -tech cmos; mapping to a "
      "liberty, default osu018) and OpenSTA (critical path, Fmax), beside a multiply-accumulate baseline neuron");
  cmd->add_option("--composed,-c", o->composed, "Artifact directory the RTL was emitted from")->required();
  cmd->add_option("--rtl,-r", o->rtl, "RTL directory written by 'rapidnn emit'")->required();
  cmd->add_option("--liberty", o->synth.liberty, "Standard-cell liberty file")->capture_default_str();
  cmd->add_option("--block", o->blocks, "Blocks: rna, ndcam, controller, tile, top, mac (default all but top)")
      ->delimiter(',');
  cmd->add_option("--period", o->synth.period_ns, "Clock period for timing (ns); the report gives the critical path")
      ->capture_default_str();
  cmd->add_option("--json", o->json, "JSON report (default <rtl>.synth/report.json)");
  cmd->add_option("--work-dir", o->synth.work_dir, "Directory for netlists and logs (default <rtl>.synth)");
  cmd->callback([o] { run_synth(*o); });
}

}  // namespace rapidnn::cli
