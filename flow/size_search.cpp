// The per-layer size search: greedy halving by allowed sizes, steered by validation delta-e.
#include "flow/size_search.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "models/golden.h"

namespace rapidnn::flow {

namespace {

struct Evaluator {
  const ComposeJob& job;
  std::vector<std::uint16_t> raw;
  int q, threads;
  int count = 0;
  SizeStep operator()(const std::vector<int>& w, const std::vector<int>& u) {
    const ComposedNetwork cn = assemble(job.state, layer_sizes(job.state, w, u), q);
    ++count;
    return {w, u, job.float_validation_accuracy - golden_accuracy(cn, raw, job.validation.y, threads),
            cn.table_bits().total()};
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

SizeSearchOutcome run_size_search(const ComposeJobOptions& o, const std::vector<int>& w_sizes,
                                  const std::vector<int>& u_sizes, double target, std::int64_t validation) {
  if (!(target >= 0.0)) fail("--target", "must be a delta-e of zero or more points, not {}", target);
  for (int x : w_sizes) check_compose_params(x, 2, o.q);
  for (int x : u_sizes) check_compose_params(2, x, o.q);
  ComposeJobOptions jo = o;
  jo.validation = validation;
  const int max_w = *std::max_element(w_sizes.begin(), w_sizes.end());
  const int max_u = *std::max_element(u_sizes.begin(), u_sizes.end());
  SizeSearchOutcome out{prepare_compose_job(jo, max_w, max_u), {}, false, 0.0, {}, false, 0};
  Evaluator eval{out.job, raw_features(out.job.validation, out.job.state.raw_bits), o.q, o.threads};
  std::vector<bool> pooling;
  for (const auto& sp : out.job.state.stages)
    if (sp.skeleton.weighted()) pooling.push_back(sp.skeleton.kind == StageKind::AvgPool);
  const std::size_t layers = pooling.size();
  SizeStep cur = eval(std::vector<int>(layers, max_w), std::vector<int>(layers, max_u));
  out.steps.push_back(cur);
  out.met = cur.validation_delta_e <= target;
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
        if (s.validation_delta_e <= target && (!best || s.table_bits < best->table_bits)) best = s;
      }
    if (!best) break;
    cur = *best;
    out.steps.push_back(cur);
    fmt::print("step {:>2}  w {}  u {}  validation delta-e {:+.2f}  {} bits\n", out.steps.size() - 1,
               fmt::join(cur.w, ","), fmt::join(cur.u, ","), cur.validation_delta_e, cur.table_bits);
  }
  const ComposedNetwork result = assemble(out.job.state, layer_sizes(out.job.state, cur.w, cur.u), o.q);
  out.delta_e = out.job.float_accuracy - evaluate_golden(result, out.job, o.threads).accuracy;
  for (int w : w_sizes)
    for (int u : u_sizes) {
      const SizeStep s = eval({w}, {u});
      if (s.validation_delta_e <= target && (!out.uniform_met || s.table_bits < out.uniform.table_bits))
        out.uniform = s, out.uniform_met = true;
    }
  out.evaluations = eval.count;
  return out;
}

}  // namespace rapidnn::flow
