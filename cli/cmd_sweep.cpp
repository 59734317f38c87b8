// rapidnn sweep: delta-e over a (w, u) grid (the paper's Figure 10), as a table and CSV.
#include <fmt/format.h>

#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "flow/sweep_job.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"

namespace rapidnn::cli {

struct SweepOptions {
  flow::ComposeJobOptions job;
  std::vector<int> w{4, 16, 64}, u{4, 16, 64};
  std::string csv = "sweep.csv";
};

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
  cmd->callback([o] { run_sweep(*o); });
}

}  // namespace rapidnn::cli
