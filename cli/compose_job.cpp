// Composer job shared by compose and sweep.
#include "cli/compose_job.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/progress.h"

namespace rapidnn::cli {

void add_compose_options(CLI::App& cmd, ComposeJobOptions& o) {
  cmd.add_option("--model,-m", o.model, "Trained model (.onnx)")->required();
  add_dataset_options(cmd, o.data, true);
  cmd.add_option("--q", o.q, "Rows of each activation table (sigmoid, tanh, softsign; ReLU is a comparator)")
      ->capture_default_str();
  cmd.add_option("--codebook", o.codebook,
                 "Clustering: optimal (exact flat k-means per level; the default, best measured delta-e), tree (the "
                 "paper's recursive 2-means; fewer bits = a coarser level of one tree), nested (optimal at the "
                 "finest level, merged upward into a tree)")
      ->capture_default_str();
  cmd.add_option("--sample", o.sample, "Fraction of the training split sampled for input codebooks")->capture_default_str();
  cmd.add_option("--calibration", o.calibration,
                 "For datasets with only a test split: seeded test samples held out for calibration (default 10%); "
                 "accuracy is measured on the rest");
  cmd.add_option("--seed", o.seed, "Seed for the calibration sample")->capture_default_str();
  cmd.add_option("--product-bits", o.product_bits, "Signed width of product-table entries")->capture_default_str();
  cmd.add_option("--threads,-j", o.threads, "Threads for evaluation (0: all cores)");
}

ComposeJob prepare_compose_job(const ComposeJobOptions& o, int max_w, int max_u) {
  ComposeConfig cfg;
  cfg.q = o.q;
  cfg.method = parse_codebook_method(o.codebook);
  cfg.sample_fraction = o.sample;
  cfg.seed = o.seed;
  cfg.product_bits = o.product_bits;
  check_compose_params(max_w, max_u, o.q);
  if (o.product_bits < 4 || o.product_bits > 31) fail("--product-bits", "{} is out of range (4 to 31)", o.product_bits);
  if (!(o.sample > 0.0 && o.sample <= 1.0)) fail("--sample", "{} is not in (0, 1]", o.sample);
  ComposeJob job;
  job.net = load_model(o.model);
  DatasetSplits splits = load_dataset(o.data.dataset, o.data.preprocess());
  fit_to_model(splits.test, job.net, o.model);
  Dataset calib;
  if (o.validation > 0 && !splits.train)
    fail(o.data.dataset, "retraining needs a dataset with a train split; this one has only test samples");
  if (splits.train) {
    fit_to_model(*splits.train, job.net, o.model);
    Dataset train = std::move(*splits.train);
    if (o.validation > 0) {
      if (o.validation >= train.size())
        fail("--validation", "{} leaves no training samples ({} in all)", o.validation, train.size());
      auto [rest, val] = split_validation(train, o.validation, o.seed);
      train = std::move(rest);
      job.validation = std::move(val);
      job.float_validation_accuracy = evaluate(job.net, job.validation, o.threads).accuracy();
    }
    const auto n = std::max<std::int64_t>(1, static_cast<std::int64_t>(o.sample * static_cast<double>(train.size())));
    calib = train.subset(sample_indices(train.size(), n, o.seed));
    job.eval = std::move(splits.test);
    job.calibration_note = fmt::format("{} training samples ({:.1f}%, seed {}); accuracy on all {} test samples", n,
                                       100.0 * o.sample, o.seed, job.eval.size());
    if (o.validation > 0) {
      job.calibration_note += fmt::format("; {} training samples held out for validation", o.validation);
      job.train = std::move(train);
    }
  } else {
    const std::int64_t total = splits.test.size();
    const std::int64_t n = o.calibration > 0 ? o.calibration : std::max<std::int64_t>(1, total / 10);
    if (n >= total) fail("--calibration", "{} leaves no test samples to measure accuracy on ({} in all)", n, total);
    const auto held = sample_indices(total, n, o.seed);
    std::vector<std::int64_t> rest;
    std::size_t k = 0;
    for (std::int64_t i = 0; i < total; ++i) {
      if (k < held.size() && held[k] == i) ++k;
      else rest.push_back(i);
    }
    calib = splits.test.subset(held);
    job.eval = splits.test.subset(rest);
    job.calibration_note = fmt::format(
        "{} seeded test samples (seed {}; the dataset has no train split); accuracy on the other {}", n, o.seed,
        job.eval.size());
  }
  const EvalReport fr = evaluate(job.net, job.eval, o.threads);
  job.float_accuracy = fr.accuracy();
  Stopwatch sw;
  job.state = prepare_composer(job.net, o.model, calib, cfg, max_w, max_u);
  job.calibration = std::move(calib);
  job.prepare_seconds = sw.seconds();
  job.eval_raw = raw_features(job.eval, job.state.raw_bits);
  for (const auto& note : job.state.notes) fmt::print("note       {}\n", note);
  return job;
}

GoldenEval evaluate_golden(const ComposedNetwork& cn, const ComposeJob& job, int threads) {
  Stopwatch sw;
  const GoldenModel g(cn);
  const auto pred = g.classify_all(job.eval_raw, job.eval.size(), threads);
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) ok += pred[i] == job.eval.y[i];
  return {100.0 * static_cast<double>(ok) / static_cast<double>(job.eval.size()), sw.seconds()};
}

}  // namespace rapidnn::cli
