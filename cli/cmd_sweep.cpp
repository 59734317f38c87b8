// rapidnn sweep: delta-e over a (w, u) grid (the paper's Figure 10), as a table and CSV.
#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "flow/shard.h"
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
  std::string steer = "train";
  std::int64_t confirm = 0;
  std::string shard;  // "I/N"; empty: the job array's task from the environment, or one process
  std::string shard_dir = "sweep-shards";
  std::string artifacts;  // each point's artifact under it (w<W>-u<U>), empty: none
};

static void run_search(const SweepOptions& o) {
  Stopwatch total;
  check_output_file(o.csv, {o.job.model, o.job.data.dataset});
  const flow::SizeSearchOutcome r = flow::run_size_search(o.job, {o.w, o.u, *o.target, o.margin, o.validation, o.steer == "test", o.confirm});
  fmt::print("model      {}\ncalibrate  {}\n", o.job.model, r.job.calibration_note);
  std::string csv = "step,w,u,validation_delta_e,standard_error,table_bits,confirm_delta_e,confirm_standard_error\n";
  const auto opt = [](const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : std::string(); };
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const auto& s = r.steps[i];
    csv += fmt::format("{},{},{},{:.2f},{:.2f},{},{},{}\n", i, fmt::join(s.w, "-"), fmt::join(s.u, "-"),
                       s.validation_delta_e, s.standard_error, s.table_bits, opt(s.confirm_delta_e),
                       opt(s.confirm_standard_error));
  }
  const auto& best = r.steps.back();
  if (!r.met && best.confirm_delta_e)
    fail("--target", "even the largest sizes (w={}, u={}) lose {:+.2f} points (standard error {:.2f}) on the {} "
         "confirmation samples", best.w[0], best.u[0], *best.confirm_delta_e, *best.confirm_standard_error, o.confirm);
  if (!r.met)
    fail("--target", "even the largest sizes (w={}, u={}) lose {:+.2f} points (standard error {:.2f}) on the validation samples",
         best.w[0], best.u[0], best.validation_delta_e, best.standard_error);
  write_file_atomic(o.csv, csv);
  fmt::print("result     --w {} --u {}: {} table bits, validation delta-e {:+.2f} (standard error "
             "{:.2f}){}, test delta-e {:+.2f}\n",
             fmt::join(best.w, ","), fmt::join(best.u, ","), best.table_bits,
             best.validation_delta_e, best.standard_error,
             best.confirm_delta_e ? fmt::format(", confirmed at {:+.2f}", *best.confirm_delta_e) : std::string(),
             r.delta_e);
  if (r.uniform_met)
    fmt::print("uniform    smallest meeting the target: (w, u) = ({}, {}), {} table bits ({:.2f}x the result's)\n",
               r.uniform.w[0], r.uniform.u[0], r.uniform.table_bits,
               static_cast<double>(r.uniform.table_bits) / static_cast<double>(best.table_bits));
  fmt::print("csv        {}\ntime       {:.1f} s, {} evaluations on {} validation samples\n", o.csv, total.seconds(),
             r.evaluations, r.job.validation.size());
}

// Shard I of N: its points and a manifest in <shard_dir>/I-of-N, for rapidnn merge.
static void run_sweep_shard(const SweepOptions& o, const flow::Shard& shard) {
  Stopwatch total;
  const flow::SweepOutcome r = flow::run_sweep_job(o.job, o.w, o.u, o.artifacts, &shard);
  const auto dir = flow::write_sweep_shard(r, o.job, o.w, o.u, shard, o.shard_dir);
  fmt::print("shard      {} of {}: {} of {} points\nwritten    {}\ntime       {:.1f} s\n", shard.index, shard.count,
             r.points.size(), o.w.size() * o.u.size(), dir.string(), total.seconds());
}

static void run_sweep(const SweepOptions& o) {
  if (const auto shard = flow::resolve_shard(o.shard, "--shard")) return run_sweep_shard(o, *shard);
  Stopwatch total;
  check_output_file(o.csv, {o.job.model, o.job.data.dataset});
  const flow::SweepOutcome r = flow::run_sweep_job(o.job, o.w, o.u, o.artifacts);
  const flow::ComposeJob& job = r.job;
  fmt::print("model      {}\ncalibrate  {}\nfloat      {:.2f}%\n", o.job.model, job.calibration_note, job.float_accuracy);
  std::string csv = flow::kSweepCsvHeader;
  for (const auto& p : r.points) csv += flow::sweep_csv_row(p, o.job, job.float_accuracy);
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
      ->capture_default_str();
  cmd->add_option("--validation", o->validation, "Samples held out to steer the --target search")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--steer-on", o->steer,
                  "Where the --target search's validation samples come from: train (held out of the training split) "
                  "or test (a seeded part of the test split; the result is measured on the rest). A model trained on "
                  "the whole training split has seen its held-out part, which then understates delta-e")
      ->check(CLI::IsMember({"train", "test"}))
      ->capture_default_str();
  cmd->add_option("--confirm", o->confirm,
                  "Seeded test samples that must accept each step of the --target search too (delta-e on them plus "
                  "--margin standard errors at most the target); accuracy is then measured on the other test samples "
                  "only (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--shard", o->shard,
                  "Evaluate only shard I of N (I/N, I from 0): the points k of the w-major grid with k % N == I, "
                  "written with a manifest to --shard-dir/I-of-N for rapidnn merge. Without it, a Slurm, SGE or LSF "
                  "array task's index and count are used when set");
  cmd->add_option("--shard-dir", o->shard_dir, "Where a shard writes its directory")->capture_default_str();
  cmd->add_option("--artifacts", o->artifacts, "Write each point's artifact to this directory's w<W>-u<U>");
  cmd->callback([o] { o->target ? run_search(*o) : run_sweep(*o); });
}

}  // namespace rapidnn::cli
