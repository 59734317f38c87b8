// The flow: validate the configuration, run the stages in order, publish the report, summarize.
#include "flow/flow.h"

#include <fmt/format.h>

#include "core/fileio.h"
#include "core/progress.h"
#include "flow/stages.h"

namespace rapidnn::flow {
namespace {

constexpr int kStages = 11;

// Copies the report stage's pages to their stable place, <out>/report/.
void publish_report(const fs::path& out, const StageInfo& report, FlowOutcome& outcome) {
  AtomicDirectory final_dir(out / "report", "flow-report");
  for (const char* f : {"index.html", "report.md", "results.json"}) final_dir.write(f, read_file(report.dir / f));
  final_dir.commit();
  outcome.report_html = (out / "report" / "index.html").string();
  outcome.report_md = (out / "report" / "report.md").string();
  outcome.results_json = (out / "report" / "results.json").string();
}

void print_summary(FILE* t, const FlowContext& ctx, const Runner& run, const FlowOutcome& outcome, double seconds) {
  const FlowConfig& c = ctx.config;
  fmt::print(t, "\n{:<12} {:<8} {:>9}\n", "stage", "status", "seconds");
  for (const auto& s : run.stages())
    fmt::print(t, "{:<12} {:<8} {:>9.1f}\n", s.name, s.cached ? "cached" : "ran", s.cached ? 0.0 : s.seconds);
  const ComposeOut& cr = ctx.compose->result;
  fmt::print(t, "\naccuracy   float {:.2f}%, rapidnn {:.2f}% at (w, u) = ({}, {}): delta-e {:+.2f}\n", cr.float_accuracy,
             cr.rapidnn_accuracy, c.w, c.u, cr.delta_e);
  fmt::print(t, "cycles     {} per inference, one result every {:.0f} cycles\n", ctx.emit->result.latency_cycles,
             ctx.emit->result.interval_cycles);
  if (ctx.cosim) fmt::print(t, "cosim      {} test images bit-exact\n", ctx.cosim->result.samples);
  fmt::print(t, "stages     {} ran, {} reused from {}/stages\n", outcome.stages_run, outcome.stages_cached, c.out);
  fmt::print(t, "report     {}\n           {}\n", outcome.report_html, outcome.report_md);
  fmt::print(t, "time       {:.1f} s\n", seconds);
  std::fflush(t);
}

// Runs stage S when `enabled`, else says why it is skipped.
template <typename S, typename R>
void run_if(Runner& run, FlowContext& ctx, bool enabled, const char* why, std::optional<Done<R>>& into) {
  if (enabled) into = run.run<S>(ctx);
  else run.skip(S::kName, why);
}

}  // namespace

FlowOutcome run_flow(const FlowConfig& c, const FlowRunOptions& ro) {
  validate_flow_config(c);
  Stopwatch total;
  const fs::path out = c.out;
  claim_output_dir(out, "flow");  // never a directory of the user's files
  const DirectoryLock lock(out, "rapidnn flow");  // two flows on one directory: the second is refused
  Runner run(out, kStages, ro.force);
  FlowOutcome outcome;
  fmt::print(run.term(), "rapidnn flow: {} -> {}/\n", c.source, out.string());
  std::fflush(run.term());
  FlowContext ctx{c, dataset_key(c)};
  ctx.finished = &run.stages();
  ctx.jobs = ro.jobs;

  ctx.model = run.run<ModelStage>(ctx);
  ctx.compose = run.run<ComposeStage>(ctx);
  run_if<SweepStage>(run, ctx, c.sweep, "(sweep.enabled is false)", ctx.sweep);
  run_if<SweepRetrainStage>(run, ctx, c.sweep && c.sweep_retrain,
                            c.sweep ? "(sweep.retrain is false)" : "(sweep.enabled is false)", ctx.sweep_retrain);
  ctx.emit = run.run<EmitStage>(ctx);
  try {
    run_if<CosimStage>(run, ctx, c.cosim, "(cosim.enabled is false)", ctx.cosim);
  } catch (const CheckFailed& f) {
    fmt::print(stderr, "rapidnn flow: co-simulation FAILED: {}\n", f.message);
    outcome.ok = false;
    return outcome;
  }
  run_if<BaselinesStage>(run, ctx, c.synth || (c.sweep && c.sweep_synth), "(no synthesis)", ctx.baselines);
  run_if<SynthStage>(run, ctx, c.synth, "(synth.enabled is false)", ctx.synth);
  run_if<SweepSynthStage>(run, ctx, c.sweep && c.sweep_synth,
                          c.sweep ? "(sweep.synth is false)" : "(sweep.enabled is false)", ctx.sweep_synth);
  run_if<LayoutStage>(run, ctx, c.layout, "(layout.enabled is false)", ctx.layout);
  const Done<ReportOut> report = run.run<ReportStage>(ctx);

  publish_report(out, report.info, outcome);
  for (const auto& s : run.stages()) (s.cached ? outcome.stages_cached : outcome.stages_run)++;
  print_summary(run.term(), ctx, run, outcome, total.seconds());
  return outcome;
}

}  // namespace rapidnn::flow
