// The retraining job and compose-to-artifact: a ComposeJob -> (retrained) composition -> artifact.
#include "flow/retrain_job.h"

#include <algorithm>

#include <fmt/format.h>

#include <memory>

#include "composer/artifact.h"
#include "composer/levels.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#ifdef RAPIDNN_HAVE_TORCH
#include "train/torch_module.h"
#endif

namespace rapidnn::flow {

void check_retrain_available() {
#ifndef RAPIDNN_HAVE_TORCH
  fail("--retrain", "this rapidnn was built without libtorch (RAPIDNN_WITH_TORCH=OFF); retraining needs it");
#endif
}

RetrainJobResult run_retrain_job(const ComposeJob& job, const ComposeJobOptions& co, const RetrainJobOptions& ro,
                                 const std::vector<int>& w, const std::vector<int>& u) {
  check_retrain_available();
  RetrainJobResult out;
#ifdef RAPIDNN_HAVE_TORCH
  RetrainOptions opt;
  opt.w = *std::max_element(w.begin(), w.end());
  opt.u = *std::max_element(u.begin(), u.end());
  if (w.size() > 1) opt.layer_w = w;
  if (u.size() > 1) opt.layer_u = u;
  opt.q = co.q;
  opt.iterations = ro.iterations;
  opt.epochs = ro.epochs;
  opt.epsilon = ro.epsilon;
  opt.lr = ro.lr;
  opt.dropout = ro.dropout;
  opt.seed = co.seed;
  opt.threads = co.threads;
  fmt::print("retrain    w={} u={}: up to {} rounds of {} epochs, lr {}, stop at validation delta-e <= {:+.2f} "
             "({} validation samples, float {:.2f}%)\n",
             fmt::join(w, ","), fmt::join(u, ","), ro.iterations, ro.epochs, ro.lr, ro.epsilon, job.validation.size(),
             job.float_validation_accuracy);
  std::unique_ptr<Progress> bar;
  int round = 0;
  auto on_batch = [&](int epoch, std::int64_t b, std::int64_t batches) {
    if (!bar) bar = std::make_unique<Progress>(fmt::format("round {}", round + 1), batches * ro.epochs);
    bar->set((epoch - 1) * batches + b);
  };
  auto on_step = [&](const RetrainStep& s) {
    if (bar) bar->finish();
    bar.reset();
    round = s.iteration;
    if (s.iteration == 0)
      fmt::print("  iter 0   validation {:6.2f}%  delta-e {:+6.2f}   (before retraining; compose {:.1f} s)\n",
                 s.validation_accuracy, s.delta_e, s.compose_seconds);
    else
      fmt::print("  iter {}   validation {:6.2f}%  delta-e {:+6.2f}   train {:.1f} s, re-cluster {:.1f} s, "
                 "elapsed {:.1f} s\n",
                 s.iteration, s.validation_accuracy, s.delta_e, s.train_seconds, s.compose_seconds, s.seconds);
    std::fflush(stdout);
  };
  auto on_epoch = [&](const EpochStats& e) {
    if (bar) bar->set_note(fmt::format("epoch {} loss {:.4f}, quantized validation {:.2f}%", e.epoch, e.loss,
                                       e.validation_accuracy));
  };
  const RetrainResult r = torch_module().retrain(job.state, job.train, job.validation, job.calibration, job.float_validation_accuracy,
                                  opt, on_step, on_epoch, on_batch);
  out.state = r.state;
  out.composed = r.composed;
  out.best_iteration = r.best;
  out.iterations_run = static_cast<int>(r.steps.size()) - 1;
  out.seconds = r.seconds;
  for (const auto& s : r.steps) out.train_seconds += s.train_seconds;
  out.epochs_run = out.iterations_run * ro.epochs;
  fmt::print("retrain    best iteration {} of {}; {:.1f} s in all, {} epochs in {:.1f} s ({:.1f} s per epoch)\n",
             r.best, out.iterations_run, r.seconds, out.epochs_run, out.train_seconds,
             out.epochs_run > 0 ? out.train_seconds / out.epochs_run : 0.0);
#else
  (void)job, (void)co, (void)ro, (void)w, (void)u;
#endif
  return out;
}

void compose_to_artifact(const ComposeJobOptions& co, const RetrainJobOptions& ro, const std::vector<int>& w,
                         const std::vector<int>& u, const std::string& output, ComposeOutcome& out) {
  if (w.empty() || u.empty()) fail(w.empty() ? "--w" : "--u", "needs at least one codebook size");
  const int max_w = *std::max_element(w.begin(), w.end()), max_u = *std::max_element(u.begin(), u.end());
  for (int x : w) check_compose_params(x, 2, co.q);
  for (int x : u) check_compose_params(2, x, co.q);
  check_replaceable(output, "artifact");  // before minutes of work, not after
  ComposeJobOptions jo = co;
  if (ro.enabled) {
    check_retrain_available();
    if (co.choose_calibration)
      fail("--choose-calibration", "does not combine with --retrain yet (retraining starts from one set of codebooks)");
    jo.validation = ro.validation;
    if (co.lowest_level > 0) fail("--levels", "does not combine with --retrain yet (retraining trains one level)");
  }
  out.job = prepare_compose_job(jo, max_w, max_u);
  const CodebookSizes sizes = layer_sizes(out.job.state, w, u);
  Stopwatch sw;
  out.composed = assemble(out.job.state, sizes, co.q);
  out.assemble_seconds = sw.seconds();
  out.state = &out.job.state;
  nlohmann::json retrain_metrics;
  if (ro.enabled) {
    out.retrain = run_retrain_job(out.job, jo, ro, w, u);
    out.composed = out.retrain.composed;
    out.state = &out.retrain.state;
    retrain_metrics = {{"best_iteration", out.retrain.best_iteration},
                       {"iterations", out.retrain.iterations_run},
                       {"epochs", out.retrain.epochs_run}};  // no wall time: same seed, same bytes
  }
  if (co.lowest_level > 0) {
    add_coarser_levels(out.composed, out.job.state, sizes, co.q, co.lowest_level, "--levels");
    out.assemble_seconds = sw.seconds();
  }
  out.golden = evaluate_golden(out.composed, out.job, co.threads);
  out.delta_e = out.job.float_accuracy - out.golden.accuracy;
  nlohmann::json levels = nlohmann::json::array();
  for (const ComposedNetwork& c : out.composed.coarser) {
    out.levels.emplace_back(network_level(c), evaluate_golden(c, out.job, co.threads));
    levels.push_back({{"level", out.levels.back().first}, {"rapidnn_accuracy", out.levels.back().second.accuracy}});
  }
  out.metrics = {{"float_accuracy", out.job.float_accuracy}, {"rapidnn_accuracy", out.golden.accuracy},
                 {"delta_e", out.delta_e},                   {"evaluated_on", out.job.eval.size()},
                 {"calibration", out.job.calibration_note},  {"table_bits", out.composed.table_bits().total()}};
  double wsum = 0.0, usum = 0.0;
  for (const auto& x : codebook_wcss(*out.state, sizes)) wsum += x.weights, usum += x.inputs;
  out.metrics["wcss_weights"] = wsum;
  out.metrics["wcss_inputs"] = usum;
  if (ro.enabled) out.metrics["retrain"] = retrain_metrics;
  if (!levels.empty()) out.metrics["levels"] = levels;
  write_artifact(out.composed, output, out.metrics);
}

}  // namespace rapidnn::flow
