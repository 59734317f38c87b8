// The per-layer size search: greedy halving by allowed sizes, steered by validation delta-e.
#include "flow/size_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/infer.h"
#include "models/golden.h"

namespace rapidnn::flow {

namespace {

// Validation delta-e of a step and its standard error: the mean and the standard error of the
// per-sample difference d = float hit - composed hit (each 0 or 1), in points.
struct Evaluator {
  const ComposeJob& job;
  std::vector<std::uint16_t> raw;
  std::vector<int> float_pred;
  int q, threads;
  int count = 0;
  SizeStep operator()(const std::vector<int>& w, const std::vector<int>& u) {
    const ComposedNetwork cn = assemble(job.state, layer_sizes(job.state, w, u), q);
    ++count;
    const auto pred = GoldenModel(cn).classify_all(raw, job.validation.size(), threads);
    const auto& y = job.validation.y;
    double sum = 0.0, sq = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double d = static_cast<double>(float_pred[i] == y[i]) - static_cast<double>(pred[i] == y[i]);
      sum += d, sq += d * d;
    }
    const double n = static_cast<double>(y.size()), mean = sum / n;
    const double var = n > 1 ? (sq - n * mean * mean) / (n - 1) : 0.0;
    return {w, u, 100.0 * mean, 100.0 * std::sqrt(std::max(0.0, var) / n), cn.table_bits().total()};
  }
};

// The next allowed size below v, or 0.
int smaller(const std::vector<int>& sizes, int v) {
  int best = 0;
  for (int s : sizes)
    if (s < v) best = std::max(best, s);
  return best;
}

}  // namespace

SizeSearchOutcome run_size_search(const ComposeJobOptions& o, const SizeSearchOptions& so) {
  const std::vector<int>&w_sizes = so.w_sizes, &u_sizes = so.u_sizes;
  if (!(so.target >= 0.0)) fail("--target", "must be a delta-e of zero or more points, not {}", so.target);
  if (!(so.margin >= 0.0)) fail("--margin", "must be zero or more standard errors, not {}", so.margin);
  for (int x : w_sizes) check_compose_params(x, 2, o.q);
  for (int x : u_sizes) check_compose_params(2, x, o.q);
  ComposeJobOptions jo = o;
  jo.validation = so.validation;
  const int max_w = *std::max_element(w_sizes.begin(), w_sizes.end());
  const int max_u = *std::max_element(u_sizes.begin(), u_sizes.end());
  SizeSearchOutcome out{prepare_compose_job(jo, max_w, max_u), {}, false, 0.0, {}, false, 0};
  const Dataset& va = out.job.validation;
  Evaluator eval{out.job, raw_features(va, out.job.state.raw_bits), predict(out.job.net, va.x.data(), va.size(), o.threads),
                 o.q, o.threads};
  const auto meets = [&](const SizeStep& s) { return s.validation_delta_e + so.margin * s.standard_error <= so.target; };
  std::vector<bool> pooling;
  for (const auto& sp : out.job.state.stages)
    if (sp.skeleton.weighted()) pooling.push_back(sp.skeleton.kind == StageKind::AvgPool);
  const std::size_t layers = pooling.size();
  SizeStep cur = eval(std::vector<int>(layers, max_w), std::vector<int>(layers, max_u));
  out.steps.push_back(cur);
  out.met = meets(cur);
  while (out.met) {
    std::optional<SizeStep> best;
    for (std::size_t j = 0; j < layers; ++j)
      for (int axis = 0; axis < 2; ++axis) {
        if (axis == 0 && pooling[j]) continue;  // a pooling has no weight codebook
        std::vector<int> w = cur.w, u = cur.u;
        int& v = axis == 0 ? w[j] : u[j];
        v = smaller(axis == 0 ? w_sizes : u_sizes, v);
        if (v == 0) continue;
        const SizeStep s = eval(w, u);
        if (meets(s) && (!best || s.table_bits < best->table_bits)) best = s;
      }
    if (!best) break;
    cur = *best;
    out.steps.push_back(cur);
    fmt::print("step {:>2}  w {}  u {}  validation delta-e {:+.2f} (standard error {:.2f})  {} bits\n",
               out.steps.size() - 1, fmt::join(cur.w, ","), fmt::join(cur.u, ","), cur.validation_delta_e,
               cur.standard_error, cur.table_bits);
  }
  const ComposedNetwork result = assemble(out.job.state, layer_sizes(out.job.state, cur.w, cur.u), o.q);
  out.delta_e = out.job.float_accuracy - evaluate_golden(result, out.job, o.threads).accuracy;
  for (int w : w_sizes)
    for (int u : u_sizes) {
      const SizeStep s = eval({w}, {u});
      if (meets(s) && (!out.uniform_met || s.table_bits < out.uniform.table_bits))
        out.uniform = s, out.uniform_met = true;
    }
  out.evaluations = eval.count;
  return out;
}

}  // namespace rapidnn::flow
