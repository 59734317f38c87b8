// rapidnn sweep: delta-e over a (w, u) grid (the paper's Figure 10), as a table and CSV.
#include <fmt/format.h>

#include <sstream>

#include "cli/commands.h"
#include "cli/compose_job.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"

namespace rapidnn::cli {

struct SweepOptions {
  ComposeJobOptions job;
  std::vector<int> w{4, 16, 64}, u{4, 16, 64};
  std::string csv = "sweep.csv";
};

static void run_sweep(const SweepOptions& o) {
  Stopwatch total;
  for (int w : o.w) check_compose_params(w, 2, o.job.q);
  for (int u : o.u) check_compose_params(2, u, o.job.q);
  const int max_w = *std::max_element(o.w.begin(), o.w.end()), max_u = *std::max_element(o.u.begin(), o.u.end());
  const ComposeJob job = prepare_compose_job(o.job, max_w, max_u);
  fmt::print("model      {}\ncalibrate  {}\nfloat      {:.2f}%\n", o.job.model, job.calibration_note, job.float_accuracy);
  std::string csv = "w,u,q,codebook,float_accuracy,rapidnn_accuracy,delta_e,table_bits,wcss_weights,wcss_inputs\n";
  std::vector<std::vector<double>> grid(o.w.size(), std::vector<double>(o.u.size()));
  Progress bar("sweep", static_cast<std::int64_t>(o.w.size() * o.u.size()));
  for (std::size_t i = 0; i < o.w.size(); ++i)
    for (std::size_t j = 0; j < o.u.size(); ++j) {
      const ComposedNetwork cn = assemble(job.state, o.w[i], o.u[j], o.job.q);
      const GoldenEval g = evaluate_golden(cn, job, o.job.threads);
      grid[i][j] = job.float_accuracy - g.accuracy;
      double wsum = 0.0, usum = 0.0;
      for (const auto& x : codebook_wcss(job.state, o.w[i], o.u[j])) wsum += x.weights, usum += x.inputs;
      csv += fmt::format("{},{},{},{},{:.2f},{:.2f},{:.2f},{},{:.6e},{:.6e}\n", o.w[i], o.u[j], o.job.q, o.job.codebook,
                         job.float_accuracy, g.accuracy, grid[i][j], cn.table_bits().total(), wsum, usum);
      bar.advance();
    }
  bar.finish();
  fmt::print("delta-e (points of accuracy lost; rows w, columns u)\n{:>8}", "w \\ u");
  for (int u : o.u) fmt::print("{:>9}", u);
  fmt::print("\n");
  for (std::size_t i = 0; i < o.w.size(); ++i) {
    fmt::print("{:>8}", o.w[i]);
    for (double d : grid[i]) fmt::print("{:>+9.2f}", d);
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
  cmd->callback([o] { run_sweep(*o); });
}

}  // namespace rapidnn::cli
