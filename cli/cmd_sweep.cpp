// rapidnn sweep: delta-e over a (w, u) grid (the paper's Figure 10), as a table and CSV.
#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "flow/size_search.h"
#include "flow/sweep_job.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"

namespace rapidnn::cli {

struct SweepOptions {
  flow::ComposeJobOptions job;
  std::vector<int> w{4, 16, 64}, u{4, 16, 64};
  std::string csv = "sweep.csv";
  std::optional<double> target;  // per-layer size search instead of the grid
  std::int64_t validation = 5000;
  double margin = 1.0;
};

static void run_search(const SweepOptions& o) {
  Stopwatch total;
  check_output_file(o.csv, {o.job.model, o.job.data.dataset});
  const flow::SizeSearchOutcome r = flow::run_size_search(o.job, {o.w, o.u, *o.target, o.margin, o.validation});
  fmt::print("model      {}\ncalibrate  {}\n", o.job.model, r.job.calibration_note);
  std::string csv = "step,w,u,validation_delta_e,standard_error,table_bits\n";
  for (std::size_t i = 0; i < r.steps.size(); ++i)
    csv += fmt::format("{},{},{},{:.2f},{:.2f},{}\n", i, fmt::join(r.steps[i].w, "-"), fmt::join(r.steps[i].u, "-"),
                       r.steps[i].validation_delta_e, r.steps[i].standard_error, r.steps[i].table_bits);
  const auto& best = r.steps.back();
  if (!r.met)
    fail("--target", "even the largest sizes (w={}, u={}) lose {:+.2f} points (standard error {:.2f}) on the validation samples",
         best.w[0], best.u[0], best.validation_delta_e, best.standard_error);
  write_file_atomic(o.csv, csv);
  fmt::print("result     --w {} --u {}: {} table bits, validation delta-e {:+.2f} (standard error {:.2f}), test "
             "delta-e {:+.2f}\n",
             fmt::join(best.w, ","), fmt::join(best.u, ","), best.table_bits, best.validation_delta_e,
             best.standard_error, r.delta_e);
  if (r.uniform_met)
    fmt::print("uniform    smallest meeting the target: (w, u) = ({}, {}), {} table bits ({:.2f}x the result's)\n",
               r.uniform.w[0], r.uniform.u[0], r.uniform.table_bits,
               static_cast<double>(r.uniform.table_bits) / static_cast<double>(best.table_bits));
  fmt::print("csv        {}\ntime       {:.1f} s, {} evaluations on {} validation samples\n", o.csv, total.seconds(),
             r.evaluations, r.job.validation.size());
}

static void run_sweep(const SweepOptions& o) {
  Stopwatch total;
  check_output_file(o.csv, {o.job.model, o.job.data.dataset});
  const flow::SweepOutcome r = flow::run_sweep_job(o.job, o.w, o.u);
  const flow::ComposeJob& job = r.job;
  fmt::print("model      {}\ncalibrate  {}\nfloat      {:.2f}%\n", o.job.model, job.calibration_note, job.float_accuracy);
  std::string csv = "w,u,q,codebook,float_accuracy,rapidnn_accuracy,delta_e,table_bits,wcss_weights,wcss_inputs\n";
  for (const auto& p : r.points)
    csv += fmt::format("{},{},{},{},{:.2f},{:.2f},{:.2f},{},{:.6e},{:.6e}\n", p.w, p.u, o.job.q, o.job.codebook,
                       job.float_accuracy, p.rapidnn_accuracy, p.delta_e, p.table_bits, p.wcss_weights, p.wcss_inputs);
  fmt::print("delta-e (points of accuracy lost; rows w, columns u)\n{:>8}", "w \\ u");
  for (int u : o.u) fmt::print("{:>9}", u);
  fmt::print("\n");
  for (std::size_t i = 0; i < o.w.size(); ++i) {
    fmt::print("{:>8}", o.w[i]);
    for (std::size_t j = 0; j < o.u.size(); ++j) fmt::print("{:>+9.2f}", r.points[i * o.u.size() + j].delta_e);
    fmt::print("\n");
  }
  write_file_atomic(o.csv, csv);
  fmt::print("csv        {}\ntime       {:.1f} s for {} points (clustering {:.1f} s)\n", o.csv, total.seconds(),
             o.w.size() * o.u.size(), job.prepare_seconds);
}

void setup_sweep(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  auto* cmd = app.add_subcommand("sweep",
                                 "delta-e over a grid of (w, u), as in the paper's Figure 10: one clustering, then "
                                 "tables and a golden-model evaluation per point; writes CSV");
  add_compose_options(*cmd, o->job);
  cmd->add_option("--w", o->w, "Weight codebook sizes")->delimiter(',')->capture_default_str();
  cmd->add_option("--u", o->u, "Input codebook sizes")->delimiter(',')->capture_default_str();
  cmd->add_option("--csv", o->csv, "CSV output file")->capture_default_str();
  cmd->add_option("--target", o->target,
                  "Instead of the grid, search per-layer sizes (from --w and --u) for the fewest table bits whose "
                  "delta-e on held-out validation samples is at most this many points");
  cmd->add_option("--margin", o->margin,
                  "Standard errors of the validation delta-e added before comparing it with --target (0: the "
                  "estimate alone)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--validation", o->validation, "Samples held out to steer the --target search")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([o] { o->target ? run_search(*o) : run_sweep(*o); });
}

}  // namespace rapidnn::cli
