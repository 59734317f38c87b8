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
  std::string memories = "synth";
  SynthOptions synth;
};

static void run_synth(const SynthCliOptions& o) {
  Stopwatch total;
  SynthOptions opt = o.synth;
  if (!o.blocks.empty()) opt.blocks = o.blocks;
  opt.synthesize_memories = o.memories == "synth";
  check_synth_tools(opt);
  const ComposedNetwork cn = load_artifact(o.composed);
  const RtlPlan plan = plan_rtl(cn, read_design_options(o.rtl), o.composed);
  const auto reports = synth_blocks(plan, o.rtl, opt);
  fmt::print("liberty    {}\n", opt.liberty);
  fmt::print("{:<11} {:>9} {:>13} {:>12} {:>11} {:>14} {:>9} {:>8} {:>9} {:>7}\n", "block", "cells", "area um2",
             "transistors", "table bits", "crossbar um2*", "path ns", "Fmax MHz", "pJ/cycle+", "time s");
  nlohmann::json j = nlohmann::json::array();
  const BlockReport* rna = nullptr;
  const BlockReport* mac = nullptr;
  for (const auto& r : reports) {
    fmt::print("{:<11} {:>9} {:>13.0f} {:>12} {:>11} {:>14.1f} {:>9.2f} {:>8.1f} {:>9.1f} {:>7.1f}\n", r.block, r.cells,
               r.area_um2, r.transistors, r.memory_bits, r.crossbar_model_um2, r.critical_ns, r.fmax_mhz,
               r.energy_pj_per_cycle, r.seconds);
    for (const auto& m : r.memories) {
      if (m.synthesized)
        fmt::print("  {:<9} {:>9} {:>13.0f} {:>12} {:>11} {:>14.1f} {:>9.2f}  {} x {} memory, as ROM logic\n", m.name,
                   m.cells, m.area_um2, m.transistors, m.bits, m.crossbar_model_um2, m.access_ns, m.depth, m.width);
      else
        fmt::print("  {:<9} {:>9} {:>13} {:>12} {:>11} {:>14.1f} {:>9}  {} x {} memory, not synthesized\n",
                   m.name, "-", "-", "-", m.bits, m.crossbar_model_um2, "-", m.depth, m.width);
    }
    j.push_back(block_report_json(r));
    if (r.block == "rna") rna = &r;
    if (r.block == "mac") mac = &r;
  }
  // The sum of the lookup blocks listed (the baselines apart).
  BlockReport sum;
  int summed = 0;
  for (const auto& r : reports) {
    if (r.block == "mac" || r.block == "mac-tile") continue;
    sum.area_um2 += r.area_um2;
    sum.cells += r.cells;
    sum.transistors += r.transistors;
    sum.memory_bits += r.memory_bits;
    sum.crossbar_model_um2 += r.crossbar_model_um2;
    sum.energy_pj_per_cycle += r.energy_pj_per_cycle;
    sum.seconds += r.seconds;
    ++summed;
  }
  if (summed > 1) {
    fmt::print("{:<11} {:>9} {:>13.0f} {:>12} {:>11} {:>14.1f} {:>9} {:>8} {:>9.1f} {:>7.1f}\n", "total", sum.cells,
               sum.area_um2, sum.transistors, sum.memory_bits, sum.crossbar_model_um2, "", "", sum.energy_pj_per_cycle,
               sum.seconds);
    j.push_back({{"block", "total"}, {"description", "sum of the lookup blocks above (baselines apart)"},
                 {"cells", sum.cells}, {"area_um2", sum.area_um2}, {"transistors", sum.transistors},
                 {"table_bits", sum.memory_bits}, {"crossbar_model_um2", sum.crossbar_model_um2},
                 {"energy_pj_per_cycle", sum.energy_pj_per_cycle}, {"seconds", sum.seconds}});
  }
  for (const auto& r : reports) fmt::print("  {:<10} {}\n", r.block, r.description);
  if (summed > 1) fmt::print("  {:<10} the sum of the lookup blocks above (the baselines apart); time s is CPU-side, the blocks run two at a time\n", "total");
  fmt::print("  * model, not synthesis: the table bits as the paper's crossbar (Table 1, 3136 um2 per 1K x 1K); "
             "the area column synthesizes tables as ROM logic\n");
  if (std::any_of(reports.begin(), reports.end(), [](const BlockReport& r) { return !r.memories.empty(); }))
    fmt::print("  tile/top: each memory (indented) is synthesized on its own, as ROM logic, and included in the block's "
               "figures; the block's path is the larger of its logic path (cut at the memories) and their access "
               "times; fast script (no generic ABC, no dch)\n");
  fmt::print("  + OpenSTA report_power, vectorless: each input toggles with probability {} per cycle; energy per cycle "
             "= power x period ({} ns)\n",
             opt.input_activity, opt.period_ns);
  const CyclePrediction p = predict_cycles(plan, 2);
  fmt::print("cycles     {} per inference (latency), one result every {:.0f} cycles\n", p.latency(0), p.interval());
  nlohmann::json out{{"liberty", opt.liberty},        {"period_ns", opt.period_ns},
                     {"input_activity", opt.input_activity}, {"blocks", j},
                     {"latency_cycles", p.latency(0)},   {"interval_cycles", p.interval()}};
  if (rna && mac && mac->area_um2 > 0 && mac->transistors > 0) {
    fmt::print("lookup vs multiply-accumulate neuron (same lanes, same cycles): area {:.2f}x, transistors {:.2f}x, "
               "Fmax {:.2f}x\n",
               rna->area_um2 / mac->area_um2, static_cast<double>(rna->transistors) / static_cast<double>(mac->transistors),
               mac->fmax_mhz > 0 ? rna->fmax_mhz / mac->fmax_mhz : 0.0);
    // Per inference, a neuron block works for one interval and the answer takes one latency.
    const auto edp = [&](const BlockReport& b) {
      return b.energy_pj_per_cycle * p.interval() * (static_cast<double>(p.latency(0)) / b.fmax_mhz);  // pJ x us
    };
    fmt::print("energy     per inference: lookup neuron {:.1f} nJ, MAC neuron {:.1f} nJ ({:.2f}x); energy-delay {:.2f}x\n",
               rna->energy_pj_per_cycle * p.interval() / 1e3, mac->energy_pj_per_cycle * p.interval() / 1e3,
               rna->energy_pj_per_cycle / mac->energy_pj_per_cycle, edp(*rna) / edp(*mac));
    out["lut_vs_mac"] = {{"area_ratio", rna->area_um2 / mac->area_um2},
                         {"energy_ratio", rna->energy_pj_per_cycle / mac->energy_pj_per_cycle},
                         {"edp_ratio", edp(*rna) / edp(*mac)},
                         {"transistor_ratio", static_cast<double>(rna->transistors) / static_cast<double>(mac->transistors)},
                         {"fmax_ratio", mac->fmax_mhz > 0 ? rna->fmax_mhz / mac->fmax_mhz : 0.0}};
  }
  const BlockReport* tile = nullptr;
  const BlockReport* mtile = nullptr;
  for (const auto& r : reports) {
    if (r.block == "tile") tile = &r;
    if (r.block == "mac-tile") mtile = &r;
  }
  if (tile && mtile) {
    // Logic against logic: each tile without its memories (their bits are compared apart).
    const auto logic = [](const BlockReport& b) {
      double a = b.area_um2;
      for (const auto& m : b.memories) a -= m.area_um2;
      return a;
    };
    const auto bits = [](const BlockReport& b) {
      std::int64_t n = 0;
      for (const auto& m : b.memories) n += m.bits;
      return n;
    };
    fmt::print("lookup tile vs multiply-accumulate tile (same controller, lanes and cycles): logic {:.0f} vs {:.0f} um2 "
               "({:.2f}x), memories {} vs {} bits ({:.2f}x), Fmax {:.0f} vs {:.0f} MHz\n",
               logic(*tile), logic(*mtile), logic(*tile) / logic(*mtile), bits(*tile), bits(*mtile),
               static_cast<double>(bits(*tile)) / static_cast<double>(bits(*mtile)), tile->fmax_mhz, mtile->fmax_mhz);
    out["tile_vs_mac_tile"] = {{"logic_area_ratio", logic(*tile) / logic(*mtile)},
                               {"memory_bits_ratio", static_cast<double>(bits(*tile)) / static_cast<double>(bits(*mtile))},
                               {"fmax_ratio", mtile->fmax_mhz > 0 ? tile->fmax_mhz / mtile->fmax_mhz : 0.0}};
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
  cmd->add_option("--block", o->blocks, "Blocks: rna, ndcam, controller, tile, top, mac, mac-tile (default rna, ndcam, controller, tile, mac)")
      ->delimiter(',');
  cmd->add_option("--period", o->synth.period_ns, "Clock period for timing (ns); the report gives the critical path")
      ->capture_default_str();
  cmd->add_option("--activity", o->synth.input_activity,
                  "Vectorless power: probability that an input toggles in a cycle")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--memories", o->memories,
                  "Memories of tile, top and mac-tile: 'synth' (each as ROM logic, in parallel) or 'bits' (bits and the "
                  "crossbar model only: much faster for large layers)")
      ->capture_default_str()
      ->check(CLI::IsMember({"synth", "bits"}));
  cmd->add_option("--json", o->json, "JSON report (default <rtl>.synth/report.json)");
  cmd->add_option("--work-dir", o->synth.work_dir, "Directory for netlists and logs (default <rtl>.synth)");
  cmd->callback([o] { run_synth(*o); });
}

}  // namespace rapidnn::cli
