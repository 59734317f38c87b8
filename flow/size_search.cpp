// The per-layer size search: greedy halving by allowed sizes, steered by validation delta-e.
#include "flow/size_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/infer.h"
#include "data/evaluate.h"
#include "models/golden.h"

namespace rapidnn::flow {

namespace {

// Delta-e of a composition on one sample and its standard error: the mean and the standard error
// of the per-sample difference d = float hit - composed hit (each 0 or 1), in points.
struct Sample {
  const Dataset* data = nullptr;
  std::vector<std::uint16_t> raw;
  std::vector<int> float_pred;
};

Sample make_sample(const ComposeJob& job, const Dataset& d, int threads) {
  return {&d, raw_features(d, job.state.raw_bits), predict(job.net, d.x.data(), d.size(), threads)};
}

std::pair<double, double> delta_e_on(const Sample& s, const ComposedNetwork& cn, int threads) {
  const auto pred = GoldenModel(cn).classify_all(s.raw, s.data->size(), threads);
  const auto& y = s.data->y;
  double sum = 0.0, sq = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double d = static_cast<double>(s.float_pred[i] == y[i]) - static_cast<double>(pred[i] == y[i]);
    sum += d, sq += d * d;
  }
  const double n = static_cast<double>(y.size()), mean = sum / n;
  const double var = n > 1 ? (sq - n * mean * mean) / (n - 1) : 0.0;
  return {100.0 * mean, 100.0 * std::sqrt(std::max(0.0, var) / n)};
}

struct Evaluator {
  const ComposeJob& job;
  const Sample& validation;
  int q, threads;
  int count = 0;
  ComposedNetwork compose(const std::vector<int>& w, const std::vector<int>& u) const {
    return assemble(job.state, layer_sizes(job.state, w, u), q);
  }
  SizeStep operator()(const std::vector<int>& w, const std::vector<int>& u) {
    const ComposedNetwork cn = compose(w, u);
    ++count;
    const auto [de, se] = delta_e_on(validation, cn, threads);
    return {w, u, de, se, cn.table_bits().total(), {}, {}};
  }
  void confirm(SizeStep& s, const Sample& c) const {
    const auto [de, se] = delta_e_on(c, compose(s.w, s.u), threads);
    s.confirm_delta_e = de, s.confirm_standard_error = se;
  }
};

// Moves a seeded `n` of the job's evaluation (test) samples into `to`; accuracy is then measured
// on the rest only.
void take_test_part(ComposeJob& job, std::int64_t n, std::uint64_t seed, Dataset& to, const ComposeJobOptions& o,
                    const char* option) {
  if (n >= job.eval.size())
    fail(option, "{} leaves none of the {} test samples of {} to measure the result on", n, job.eval.size(),
         o.data.dataset);
  auto [rest, part] = split_validation(job.eval, n, seed);
  job.eval = std::move(rest);
  to = std::move(part);
}

// The next allowed size below v, or 0.
int smaller(const std::vector<int>& sizes, int v) {
  int best = 0;
  for (int s : sizes)
    if (s < v) best = std::max(best, s);
  return best;
}

// Moves the test parts that steer (steer_on_test) and confirm the search out of the job's
// evaluation set, and says so in its note; accuracy is then measured on the rest only.
void take_test_parts(ComposeJob& job, const SizeSearchOptions& so, const ComposeJobOptions& o, Dataset& confirm_set) {
  if (so.steer_on_test) {
    take_test_part(job, so.validation, o.seed + 1, job.validation, o, "--validation");
    job.float_validation_accuracy = evaluate(job.net, job.validation, o.threads).accuracy();
    job.calibration_note += fmt::format("; then {} of the test samples (seeded) steer the search",
                                        job.validation.size());
  }
  if (so.confirm > 0) {
    take_test_part(job, so.confirm, o.seed + 2, confirm_set, o, "--confirm");
    job.calibration_note += fmt::format("; then {} {} test samples (seeded) confirm the search's path",
                                        confirm_set.size(), so.steer_on_test ? "other" : "of the");
  }
  if (so.steer_on_test || so.confirm > 0) {
    job.eval_raw = raw_features(job.eval, job.state.raw_bits);
    job.float_accuracy = evaluate(job.net, job.eval, o.threads).accuracy();
    job.calibration_note += fmt::format("; the result's accuracy only on the remaining {}", job.eval.size());
  }
}

// The steps one allowed size smaller in one layer's w or u than `cur` that meet the target on
// validation (`meets`).
template <class Meets>
std::vector<SizeStep> smaller_steps(const SizeStep& cur, const std::vector<bool>& pooling, const SizeSearchOptions& so,
                                    Evaluator& eval, const Meets& meets) {
  std::vector<SizeStep> cands;
  for (std::size_t j = 0; j < pooling.size(); ++j)
    for (int axis = 0; axis < 2; ++axis) {
      if (axis == 0 && pooling[j]) continue;  // a pooling has no weight codebook
      std::vector<int> w = cur.w, u = cur.u;
      int& v = axis == 0 ? w[j] : u[j];
      v = smaller(axis == 0 ? so.w_sizes : so.u_sizes, v);
      if (v == 0) continue;
      SizeStep s = eval(w, u);
      if (meets(s)) cands.push_back(std::move(s));
    }
  return cands;
}

}  // namespace

SizeSearchOutcome run_size_search(const ComposeJobOptions& o, const SizeSearchOptions& so) {
  const std::vector<int>&w_sizes = so.w_sizes, &u_sizes = so.u_sizes;
  if (!(so.target >= 0.0)) fail("--target", "must be a delta-e of zero or more points, not {}", so.target);
  if (!(so.margin >= 0.0)) fail("--margin", "must be zero or more standard errors, not {}", so.margin);
  if (so.confirm < 0) fail("--confirm", "must be zero or more test samples, not {}", so.confirm);
  for (int x : w_sizes) check_compose_params(x, 2, o.q);
  for (int x : u_sizes) check_compose_params(2, x, o.q);
  ComposeJobOptions jo = o;
  jo.validation = so.steer_on_test ? 0 : so.validation;
  const int max_w = *std::max_element(w_sizes.begin(), w_sizes.end());
  const int max_u = *std::max_element(u_sizes.begin(), u_sizes.end());
  SizeSearchOutcome out{prepare_compose_job(jo, max_w, max_u), {}, false, 0.0, {}, false, 0};
  ComposeJob& job = out.job;
  Dataset confirm_set;
  take_test_parts(job, so, o, confirm_set);
  const Sample validation = make_sample(job, job.validation, o.threads);
  const Sample confirmation = so.confirm > 0 ? make_sample(job, confirm_set, o.threads) : Sample{};
  Evaluator eval{job, validation, o.q, o.threads};
  const auto meets = [&](const SizeStep& s) { return s.validation_delta_e + so.margin * s.standard_error <= so.target; };
  const auto confirmed = [&](SizeStep& s) {
    if (so.confirm == 0) return true;
    eval.confirm(s, confirmation);
    return *s.confirm_delta_e + so.margin * *s.confirm_standard_error <= so.target;
  };
  std::vector<bool> pooling;
  for (const auto& sp : job.state.stages)
    if (sp.skeleton.weighted()) pooling.push_back(sp.skeleton.kind == StageKind::AvgPool);
  const std::size_t layers = pooling.size();
  SizeStep cur = eval(std::vector<int>(layers, max_w), std::vector<int>(layers, max_u));
  out.met = meets(cur) && confirmed(cur);
  out.steps.push_back(cur);
  while (out.met) {
    std::vector<SizeStep> cands = smaller_steps(cur, pooling, so, eval, meets);
    std::stable_sort(cands.begin(), cands.end(),
                     [](const SizeStep& a, const SizeStep& b) { return a.table_bits < b.table_bits; });
    std::optional<SizeStep> best;
    for (auto& s : cands)  // the fewest bits that the confirmation samples also accept
      if (confirmed(s)) {
        best = s;
        break;
      } else {
        fmt::print("reject   w {}  u {}  validation delta-e {:+.2f}, but {:+.2f} (standard error {:.2f}) on the "
                   "confirmation samples\n",
                   fmt::join(s.w, ","), fmt::join(s.u, ","), s.validation_delta_e, *s.confirm_delta_e,
                   *s.confirm_standard_error);
      }
    if (!best) break;
    cur = *best;
    out.steps.push_back(cur);
    fmt::print("step {:>2}  w {}  u {}  validation delta-e {:+.2f} (standard error {:.2f}){}  {} bits\n",
               out.steps.size() - 1, fmt::join(cur.w, ","), fmt::join(cur.u, ","), cur.validation_delta_e,
               cur.standard_error,
               cur.confirm_delta_e ? fmt::format(", confirmed at {:+.2f} ({:.2f})", *cur.confirm_delta_e,
                                                 *cur.confirm_standard_error)
                                   : std::string(),
               cur.table_bits);
  }
  const SizeStep& r = out.steps.back();
  const ComposedNetwork result = eval.compose(r.w, r.u);
  out.delta_e = job.float_accuracy - evaluate_golden(result, job, o.threads).accuracy;
  for (int w : w_sizes)
    for (int u : u_sizes) {
      SizeStep s = eval({w}, {u});
      if (meets(s) && (!out.uniform_met || s.table_bits < out.uniform.table_bits) && confirmed(s))
        out.uniform = s, out.uniform_met = true;
    }
  out.evaluations = eval.count;
  return out;
}

}  // namespace rapidnn::flow
