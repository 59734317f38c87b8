// rapidnn paper: the RAPIDNN paper's evaluation on its own benchmarks (flow/paper.h), one command.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "core/error.h"
#include "flow/paper.h"

namespace rapidnn::cli {

struct PaperCliOptions {
  flow::PaperOptions paper;
};

static void run_paper_cmd(const PaperCliOptions& o) {
  const flow::PaperOutcome r = flow::run_paper(o.paper);
  if (!r.ok) {
    exit_status() = kExitFailure;
    return;
  }
  fmt::print("\nbenchmarks {}{}\n", fmt::join(r.ran, ", "),
             r.skipped.empty() ? "" : fmt::format(" (skipped: {})", fmt::join(r.skipped, ", ")));
  fmt::print("report     {}\n           {}\n", r.report_html, r.report_md);
  fmt::print("wall time  {:.1f} s (every stage's own time, ran now or reused: {:.0f} s)\npeak mem   {:.0f} MiB (the largest "
             "of rapidnn and the tools it ran)\n",
             r.seconds, r.stage_seconds, r.peak_rss_mb);
}

void setup_paper(CLI::App& app) {
  auto o = std::make_shared<PaperCliOptions>();
  auto* cmd = app.add_subcommand(
      "paper",
      "The RAPIDNN paper's evaluation on its benchmarks (MNIST's topology on Fashion-MNIST, ISOLET, CIFAR-10's CNN): per "
      "benchmark a flow (bench/paper/<name>.json: train with the paper's recipe, compose, the (w, u) sweep without and "
      "with retraining, emit, co-simulate, synthesize), every stage cached; then one report (HTML and Markdown) of "
      "Tables 2 and 3 and Figures 10, 11/12 and 14 beside the paper's numbers. Benchmarks whose dataset is absent are "
      "skipped.");
  cmd->add_option("--out", o->paper.out, "Work and report directory (<out>/<benchmark>/, <out>/report/)")
      ->capture_default_str();
  cmd->add_option("--configs", o->paper.configs,
                  "Directory of the benchmarks' flow configurations, <name>.json (default: the source tree's bench/paper)");
  cmd->add_option("--only", o->paper.only, "Run only these benchmarks: mnist, isolet, cifar10")->delimiter(',');
  cmd->add_flag("--force", o->paper.force, "Rerun every stage, even those whose inputs have not changed");
  cmd->callback([o] { run_paper_cmd(*o); });
}

}  // namespace rapidnn::cli
