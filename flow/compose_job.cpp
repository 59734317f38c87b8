// The compose job: options -> loaded model, calibration split, prepared composer, accuracies.
#include "flow/compose_job.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/progress.h"
#include "data/evaluate.h"
#include "models/golden.h"
#include "onnxio/onnx_io.h"

namespace rapidnn::flow {

ComposeJob prepare_compose_job(const ComposeJobOptions& o, int max_w, int max_u) {
  ComposeConfig cfg;
  cfg.q = o.q;
  cfg.method = parse_codebook_method(o.codebook);
  cfg.inputs = kInputCodebooks.parse(o.input_codebooks, "--input-codebooks");
  cfg.bias_correction = o.bias_correction;
  cfg.refit_codebooks = o.refit_codebooks;
  cfg.global_codebook = o.global_codebook;
  if (o.global_codebook && (cfg.inputs != InputCodebooks::Float || o.refit_codebooks || o.choose_calibration))
    fail("--global-codebook", "one codebook for every layer does not combine with per-layer composed input "
         "codebooks, refit weight codebooks or --choose-calibration");
  cfg.weighting = kCodebookWeightings.parse(o.weighting, "--codebook-weighting");
  cfg.choose_calibration = o.choose_calibration;
  if (o.choose_calibration && (cfg.weighting != CodebookWeighting::Plain || cfg.inputs != InputCodebooks::Float ||
                               o.bias_correction || o.refit_codebooks))
    fail("--choose-calibration", "chooses the weighting, input codebooks, bias correction and refit itself; give none of them");
  cfg.sample_fraction = o.sample;
  cfg.seed = o.seed;
  cfg.product_bits = o.product_bits;
  check_compose_params(max_w, max_u, o.q);
  kProductBitsRange.check(o.product_bits, "--product-bits", "the product width");
  ComposeJob job;
  job.net = load_model(o.model);
  DatasetSplits splits = load_dataset(o.data.dataset, o.data.preprocess());
  fit_to_model(splits.test, job.net, o.model);
  if (splits.train) fit_to_model(*splits.train, job.net, o.model);
  CalibrationSplit split =
      split_for_calibration(std::move(splits),
                            {o.sample, o.calibration, o.validation, o.choose_calibration ? kChoiceSamples : 0, o.seed},
                            o.data.dataset);
  job.eval = std::move(split.eval);
  job.calibration_note = split.note;
  if (o.validation > 0) {
    job.train = std::move(split.train);
    job.validation = std::move(split.validation);
    job.float_validation_accuracy = evaluate(job.net, job.validation, o.threads).accuracy();
  }
  job.float_accuracy = evaluate(job.net, job.eval, o.threads).accuracy();
  Stopwatch sw;
  job.state = prepare_composer(job.net, o.model, split.calibration, cfg, max_w, max_u);
  job.calibration = std::move(split.calibration);
  if (o.choose_calibration) {
    auto raw = std::make_shared<const std::vector<std::uint16_t>>(raw_features(split.choice, job.state.raw_bits));
    const std::int64_t n = split.choice.size();
    const int threads = o.threads;
    job.state.choice = std::make_shared<const ComposerState::ChoiceSample>(ComposerState::ChoiceSample{
        split.choice.y, [raw, n, threads](const ComposedNetwork& cn) { return GoldenModel(cn).classify_all(*raw, n, threads); }});
  }
  job.prepare_seconds = sw.seconds();
  job.eval_raw = raw_features(job.eval, job.state.raw_bits);
  for (const auto& note : job.state.notes) fmt::print("note       {}\n", note);
  return job;
}

GoldenEval evaluate_golden(const ComposedNetwork& cn, const ComposeJob& job, int threads) {
  Stopwatch sw;
  const double acc = golden_accuracy(cn, job.eval_raw, job.eval.y, threads);
  return {acc, sw.seconds()};
}

}  // namespace rapidnn::flow
