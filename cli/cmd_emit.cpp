// rapidnn emit: the composer's artifact -> synthesizable Verilog (templates, tiles, top, tables).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "composer/artifact.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"
#include "sim/cycle_model.h"

namespace rapidnn::cli {

struct EmitOptions {
  std::string composed;
  std::string output;
  RtlOptions rtl;
  std::string accumulate = kAccumulateForms.name(AccumulateForm::Direct);
  std::vector<std::string> fit;  // further artifacts a programmable design must hold
};

// A programmable design wide enough for every artifact of `fit` too; each must plan to it.
static RtlPlan plan_programmable(const ComposedNetwork& cn, const RtlOptions& opt, const EmitOptions& o) {
  std::vector<ComposedNetwork> nets;
  std::vector<RtlPlan> plans{plan_rtl(cn, opt, o.composed)};
  for (const auto& f : o.fit) {
    nets.push_back(load_artifact(f));
    plans.push_back(plan_rtl(nets.back(), opt, f));
    if (plans.back().stages.size() != plans.front().stages.size())
      fail(f, "--fit: {} stages, {} has {}", plans.back().stages.size(), o.composed, plans.front().stages.size());
  }
  const RtlWidths widths = widest_widths(plans);
  RtlPlan plan = plan_rtl(cn, opt, o.composed, &widths);
  for (std::size_t k = 0; k < nets.size(); ++k)
    if (generated_modules(plan_rtl(nets[k], opt, o.fit[k], &widths)) != generated_modules(plan))
      fail(o.fit[k], "--fit: plans another structure than {} (layers, codebook sizes or activations differ)", o.composed);
  return plan;
}

static void run_emit(const EmitOptions& o) {
  Stopwatch sw;
  RtlOptions opt = o.rtl;
  opt.accumulate = kAccumulateForms.parse(o.accumulate, "--accumulate");
  const std::string out = o.output.empty() ? o.composed + "-rtl" : o.output;
  check_replaceable(out, "rtl");
  const ComposedNetwork cn = load_artifact(o.composed);
  if (!o.fit.empty() && !opt.programmable) fail("--fit", "needs --programmable");
  const RtlPlan plan = opt.programmable ? plan_programmable(cn, opt, o) : plan_rtl(cn, opt, o.composed);
  const EmitStats st = emit_rtl(plan, out);
  fmt::print("design     {} ({}), top {}: {} lanes, {} neuron(s) per RNA, {} accumulation, {} activation/encoding\n",
             plan.network, o.composed, opt.top, opt.lanes, opt.rna_share, to_string(opt.accumulate),
             opt.fused_am ? "fused" : "two-block");
  fmt::print("{:>3} {:<8} {:<20} {:>7} {:>6} {:>6} {:>6} {:>6} {:>9} {:>10}\n", "#", "stage", "name", "units", "RNAs",
             "groups", "lanes", "beats", "positions", "cycles");
  // Where the network is not a chain: the stage each one reads, and the residual skip it adds.
  const auto producer = [&](int buffer) {
    const int id = plan.buffers[static_cast<std::size_t>(buffer)].id;
    return id == 0 ? std::string("input") : fmt::format("#{}", id - 1);
  };
  bool chain = true;
  for (std::size_t k = 0; k < plan.stages.size(); ++k)
    chain &= plan.stages[k].skip_buffer < 0 && plan.stages[k].in_buffer == (k == 0 ? 0 : plan.stages[k - 1].out_buffer);
  for (const auto& t : plan.stages) {
    const std::string flow = chain ? "" : fmt::format("  reads {}{}", producer(t.in_buffer),
                                                      t.skip_buffer < 0                  ? ""
                                                      : (t.tile() ? " + skip " : ", ") + producer(t.skip_buffer));
    if (!t.tile())
      fmt::print("{:>3} {:<8} {:<20} {:>7} {:>6} {:>6} {:>6} {:>6} {:>9} {:>10}{}\n", t.stage, to_string(t.kind), t.name,
                 t.channels, "-", "-", "-", "-", t.oh * t.ow, t.cycles, flow);
    else
      fmt::print("{:>3} {:<8} {:<20} {:>7} {:>6} {:>6} {:>6} {:>6} {:>9} {:>10}{}\n", t.stage, to_string(t.kind), t.name,
                 t.units, t.rnas, t.groups, t.lanes, t.beats, t.oh * t.ow, t.cycles, flow);
  }
  fmt::print("pipeline   one sample every {} cycles at best (the slowest stage; input takes {} cycles)\n",
             plan.interval(), plan.input_beats);
  if (!chain) {  // a buffer held for a later sum or concatenation can hold the pipeline below that
    const CyclePrediction c = predict_cycles(plan, 16);
    fmt::print("           with samples held for the branches that join them: one every {:.0f} cycles in steady state "
               "(cycle model, images 8 to 16)\n", static_cast<double>(c.produced[15] - c.produced[7]) / 8.0);
  }
  if (plan.levels() > 1)
    fmt::print("levels     codebook levels {} to {} in one design: level_i selects one between images (clamped to "
               "{} to {}; resets to {}), level_o tells the level in effect\n",
               plan.level_min, plan.level_max, plan.level_min, plan.level_max, plan.level_max);
  if (opt.programmable)
    fmt::print("tables     programmable: {} table memories in {} configuration addresses ({}-bit address, {}-bit data; "
               "memory_map.txt); tables.cfg loads '{}'\n",
               plan.cfg.regions.size(), plan.cfg.end, plan.cfg.addr_bits, plan.cfg.data_bits, plan.network);
  fmt::print("wrote      {}/ ({} files, {:.1f} MiB) in {:.2f} s\n", out, st.files,
             static_cast<double>(st.bytes) / (1024.0 * 1024.0), sw.seconds());
}

void setup_emit(CLI::App& app) {
  auto o = std::make_shared<EmitOptions>();
  auto* cmd = app.add_subcommand(
      "emit",
      "Generate the accelerator's Verilog from a composed artifact: RNA tiles, NDCAM activation/encoding, buffers, "
      "controller and top (paper section 4), with $readmemh table images. Output is deterministic");
  cmd->add_option("--composed,-c", o->composed, "Artifact directory written by 'rapidnn compose'")->required();
  cmd->add_option("--output,-o", o->output, "RTL directory (default <artifact>-rtl); replaced atomically");
  cmd->add_option("--lanes", o->rtl.lanes,
                  "Taps each RNA accumulates per cycle (clamped to each layer's fan-in; the flow's default, rtl.lanes, "
                  "is 16)")
      ->capture_default_str();
  cmd->add_option("--rna-share", o->rtl.rna_share,
                  "Neurons time-multiplexed on one RNA (paper section 5.6); 1 gives one RNA per neuron (the flow's "
                  "default, rtl.rna_share, is 16)")
      ->capture_default_str();
  cmd->add_option("--features-per-beat", o->rtl.features_per_beat,
                  "Raw features the input port takes per cycle (its width: this x the raw feature bits); with one, "
                  "a 784-feature image takes 784 cycles to enter")
      ->capture_default_str();
  cmd->add_option("--accumulate", o->accumulate,
                  "direct (lookups summed by an adder tree) or count (counters, then count x product by shifts and "
                  "adds, paper section 4.1.1)")
      ->check(words_of(kAccumulateForms))
      ->capture_default_str();
  cmd->add_flag("--fused-am", o->rtl.fused_am, "One fused activation+encoding lookup instead of two blocks");
  cmd->add_flag("--programmable", o->rtl.programmable,
                "Every table (products, weight indices, biases, NDCAMs, input encoder) in memories written through "
                "one configuration port instead of constant images; writes memory_map.txt and tables.cfg "
                "(docs/programmable.md)");
  cmd->add_option("--fit", o->fit,
                  "With --programmable: further artifacts of the same structure the design must run (it takes the "
                  "widest of their table widths)");
  cmd->add_option("--top", o->rtl.top, "Name of the top module")->capture_default_str();
  cmd->callback([o] { run_emit(*o); });
}

}  // namespace rapidnn::cli
