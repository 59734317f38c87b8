// rapidnn synth: area and timing of an emitted design's blocks (Yosys, osu018, OpenSTA), beside
// the multiply-accumulate baseline.
#include <fmt/format.h>

#include <algorithm>

#include "cli/commands.h"
#include "composer/artifact.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "cli/common.h"
#include "cli/synth_print.h"
#include "generator/design_record.h"
#include "sim/cycle_model.h"
#include "synth/activity.h"
#include "synth/synth.h"
#include "synth/synth_compare.h"

namespace rapidnn::cli {

struct SynthCliOptions {
  std::string composed, rtl, json;
  std::vector<std::string> blocks;
  std::string memories = "synth";
  SynthOptions synth;
  std::int64_t activity_images = 0;
  DatasetOptions data;
};

static void run_synth(const SynthCliOptions& o) {
  Stopwatch total;
  SynthOptions opt = o.synth;
  if (!o.blocks.empty()) opt.blocks = parse_blocks(o.blocks, "--block");
  opt.synthesize_memories = kMemoryTreatments.parse(o.memories, "--memories");
  const std::string json = o.json.empty() ? o.rtl + ".synth/report.json" : o.json;
  check_output_file(json, {o.composed, o.rtl});
  const ComposedNetwork cn = load_artifact(o.composed);
  const RtlPlan plan = load_design(cn, o.composed, o.rtl);
  check_synth_tools(opt);
  if (o.activity_images > 0 && o.data.dataset.empty()) fail("--activity-images", "needs the test images: give --dataset");
  if (opt.level > 0 && o.activity_images == 0) fail("--level", "is the level --activity-images runs at: give it too");
  if (opt.stage >= 0 && o.activity_images > 0 && tile_of(plan, opt.stage).stage != first_tile(plan).stage)
    fail("--stage", "--activity-images measures the first weighted layer's tile ({}); drop one of the two",
         first_tile(plan).stage);
  if (o.activity_images > 0) {
    std::vector<std::string> names;
    for (const auto b : opt.blocks) names.emplace_back(kBlockKinds.name(b));
    check_activity_blocks(plan, names, opt.level);
  }
  const auto reports = synth_blocks(plan, o.rtl, opt);
  const CyclePrediction p = predict_cycles(plan, 2);
  const SynthComparison c = compare_blocks(reports, p.latency(0), p.interval());
  fmt::print("liberty    {}\n", opt.liberty);
  fmt::print("{:<11} {:>9} {:>13} {:>12} {:>11} {:>14} {:>9} {:>8} {:>9} {:>7}\n", "block", "cells", "area um2",
             "transistors", "table bits", "crossbar um2*", "path ns", "Fmax MHz", "pJ/cycle+", "time s");
  for (const auto& r : reports) print_block(r);
  if (c.total)
    fmt::print("{:<11} {:>9} {:>13.0f} {:>12} {:>11} {:>14.1f} {:>9} {:>8} {:>9.1f} {:>7.1f}\n", "total", c.total->cells,
               c.total->area_um2, c.total->transistors, c.total->memory_bits, c.total->crossbar_model_um2, "", "",
               c.total->energy_pj_per_cycle, c.total->seconds);
  for (const auto& r : reports) fmt::print("  {:<10} {}\n", r.block, r.description);
  if (c.total)
    fmt::print("  {:<10} the sum of the lookup blocks above (the baselines apart); time s is CPU-side, the blocks run "
               "two at a time\n", "total");
  fmt::print("  * model, not synthesis: the table bits as the paper's crossbar (Table 1, 3136 um2 per 1K x 1K); "
             "the area column synthesizes {}\n", plan.options.programmable ? "a programmable design's tables as "
             "flip-flops and their write decoders (its taps as ROM logic)" : "tables as ROM logic");
  if (std::any_of(reports.begin(), reports.end(), [](const BlockReport& r) { return !r.memories.empty(); }))
    fmt::print("  tile/top: each memory (indented) is synthesized on its own, as ROM logic, and included in the block's "
               "figures; the block's path is the larger of its logic path (cut at the memories) and their access "
               "times; fast script (no generic ABC, no dch)\n");
  fmt::print("  + OpenSTA report_power, vectorless: each input toggles with probability {} per cycle; energy per cycle "
             "= power x period ({} ns)\n",
             opt.input_activity, opt.period_ns);
  fmt::print("cycles     {} per inference (latency), one result every {:.0f} cycles\n", p.latency(0), p.interval());
  if (const auto& n = c.neuron) {
    fmt::print("lookup vs multiply-accumulate neuron (same lanes, same cycles): area {:.2f}x, transistors {:.2f}x, "
               "Fmax {:.2f}x\n", n->area_ratio, n->transistor_ratio, n->fmax_ratio);
    fmt::print("energy     per inference: lookup neuron {:.1f} nJ, MAC neuron {:.1f} nJ ({:.2f}x); energy-delay {:.2f}x\n",
               n->lookup_nj, n->mac_nj, n->energy_ratio, n->edp_ratio);
  }
  if (const auto& t = c.tile)
    fmt::print("lookup tile vs multiply-accumulate tile (same controller, lanes and cycles): logic {:.0f} vs {:.0f} um2 "
               "({:.2f}x), memories {} vs {} bits ({:.2f}x), Fmax {:.0f} vs {:.0f} MHz\n",
               t->logic_um2, t->mac_logic_um2, t->logic_area_ratio, t->memory_bits, t->mac_memory_bits,
               t->memory_bits_ratio, t->fmax_mhz, t->mac_fmax_mhz);
  nlohmann::json report = synth_report_json(opt, reports, c, p.latency(0), p.interval());
  std::vector<ActivityPower> aps;
  if (o.activity_images > 0) {  // power of the tile/top from the RTL's switching on real test images
    const TestImages t = load_test_images(o.data, cn, o.activity_images, o.composed);
    ActivityRecord rec;
    aps = activity_power(cn, plan, o.rtl, t.raw, t.count, reports, opt, &rec);
    report["activity"] = print_activity(aps, rec, opt.period_ns, p.interval());
  }
  report["efficiency"] = print_efficiency(reports, plan, aps, opt);
  write_file_atomic(json, report.dump(2) + "\n");
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
  cmd->add_option("--block", o->blocks, fmt::format("Blocks: {} (default rna, ndcam, controller, tile, mac)", kBlockKinds.list()))
      ->delimiter(',')->check(words_of(kBlockKinds));
  cmd->add_option("--period", o->synth.period_ns, "Clock period (ns); the report gives the critical path")->capture_default_str();
  cmd->add_option("--activity", o->synth.input_activity,
                  "Vectorless power: probability that an input toggles in a cycle")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--memories", o->memories,
                  "Memories of tile, top and mac-tile: 'synth' (each as ROM logic, in parallel) or 'bits' (bits and the "
                  "crossbar model only: much faster for large layers)")
      ->capture_default_str()->check(words_of(kMemoryTreatments));
  cmd->add_option("--mac-weight-bits", o->synth.mac_weight_bits,
                  "Weight width of the mac and mac-tile baselines (mac-tile on a uniform design: the design's)")
      ->capture_default_str()->check(CLI::Range(2, 16));
  cmd->add_option("--mac-input-bits", o->synth.mac_input_bits, "Input width of the mac and mac-tile baselines")
      ->capture_default_str()->check(CLI::Range(2, 16));
  cmd->add_option("--activity-images", o->activity_images, "Also power tile/top from the RTL's toggles and duty on this "
                  "many test images (needs --dataset)")->check(CLI::Range(0, 1000000));
  add_dataset_options(*cmd, o->data, false, false);
  cmd->add_option("--stage", o->synth.stage, "Artifact stage (as 'rapidnn emit' numbers them) whose tile rna, ndcam, "
                  "controller, tile, mac and mac-tile describe (default: the first weighted layer)");
  cmd->add_option("--level", o->synth.level, "A design of several codebook levels: the level --activity-images runs the "
                  "images at (default: the finest)")->check(CLI::Range(1, 16));
  cmd->add_option("--json", o->json, "JSON report (default <rtl>.synth/report.json)");
  cmd->add_option("--work-dir", o->synth.work_dir, "Directory for netlists and logs (default <rtl>.synth)");
  cmd->callback([o] { run_synth(*o); });
}

}  // namespace rapidnn::cli
