// Cluster-aware retraining loop: ComposerState -> retrained network and its composition.
#include "train/retrain.h"

#include "core/error.h"
#include "core/progress.h"
#include "models/golden.h"

namespace rapidnn {
namespace {

// The same samples expressed in the folded network's input domain (raw * raw_scale + raw_offset),
// which is what state.net takes once leading Scale layers are folded away.
Dataset to_state_domain(const Dataset& d, const ComposerState& st) {
  const auto raw = raw_features(d, st.raw_bits);
  Dataset out = d;
  for (std::size_t i = 0; i < raw.size(); ++i)
    out.x[i] = static_cast<float>(static_cast<double>(raw[i]) * st.raw_scale + st.raw_offset);
  out.pre_scale = st.raw_scale;
  out.pre_offset = st.raw_offset;
  return out;
}

double golden_accuracy(const ComposedNetwork& cn, const std::vector<std::uint16_t>& raw, const Dataset& d,
                       int threads) {
  const GoldenModel g(cn);
  const auto pred = g.classify_all(raw, d.size(), threads);
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) ok += pred[i] == d.y[i];
  return d.size() > 0 ? 100.0 * static_cast<double>(ok) / static_cast<double>(d.size()) : 0.0;
}

std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// `cn` with its codebooks replaced by those of a quantization spec (trained ones).
ComposedNetwork with_codebooks(ComposedNetwork cn, const ComposerState& state, const QuantSpec& q) {
  const auto to_double = [](const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); };
  for (std::size_t k = 0; k < state.stages.size(); ++k) {
    Stage& s = cn.stages[k];
    if (!s.weighted()) continue;
    const LayerQuant& lq = q.layers[static_cast<std::size_t>(state.stages[k].layer)];
    if (!lq.input_codebook.empty()) s.input_codebook = to_double(lq.input_codebook);
    for (std::size_t t = 0; t < lq.weight_codebooks.size() && t < s.weight_codebooks.size(); ++t)
      s.weight_codebooks[t] = to_double(lq.weight_codebooks[t]);
  }
  return cn;
}

// Weight codebooks re-clustered around the weights that use them (Lloyd's iterations from the
// current entries); input codebooks as they are.
QuantSpec recluster(QuantSpec q, const Network& net) {
  for (std::size_t i = 0; i < q.layers.size(); ++i) {
    auto& books = q.layers[i].weight_codebooks;
    if (books.empty()) continue;
    const auto& w = net.layers[i].weights;
    const std::size_t per = w.size() / books.size();
    for (std::size_t t = 0; t < books.size(); ++t) {
      const WeightedPoints p = weighted_points(std::span<const float>(w.data() + t * per, per));
      const auto c = lloyd_refine(p, std::vector<double>(books[t].begin(), books[t].end()));
      books[t].assign(c.begin(), c.end());
    }
  }
  return q;
}

}  // namespace

QuantSpec quant_spec(const ComposerState& state, const ComposedNetwork& cn) {
  QuantSpec q;
  q.layers.resize(state.net.layers.size());
  for (std::size_t k = 0; k < state.stages.size(); ++k) {
    const Stage& s = cn.stages[k];
    if (!s.weighted()) continue;
    LayerQuant& lq = q.layers[static_cast<std::size_t>(state.stages[k].layer)];
    lq.input_codebook = to_float(s.input_codebook);
    if (s.skip != kNoSkip) {  // the skipped values exactly as the accelerator adds them
      LayerQuant& join = q.layers[static_cast<std::size_t>(state.stages[k].join_layer)];
      for (std::int64_t v : s.skip_lut) join.skip_codebook.push_back(static_cast<float>(static_cast<double>(v) * s.scale));
      join.skip_input = state.stages[k].skip_input;
    }
    if (s.kind != StageKind::AvgPool)
      for (const auto& c : s.weight_codebooks) lq.weight_codebooks.push_back(to_float(c));
  }
  return q;
}

Network centroid_network(const ComposerState& state, const ComposedNetwork& cn) {
  Network net = state.net;
  for (std::size_t k = 0; k < state.stages.size(); ++k) {
    const Stage& s = cn.stages[k];
    if (s.kind != StageKind::Dense && s.kind != StageKind::Conv) continue;
    Layer& l = net.layers[static_cast<std::size_t>(state.stages[k].layer)];
    if (l.weights.size() != s.weight_idx.size())
      fail(state.model_file, "layer '{}': {} weights but {} weight indices", l.name, l.weights.size(),
           s.weight_idx.size());
    for (std::size_t j = 0; j < l.weights.size(); ++j) {
      const std::size_t table = s.tables == 1 ? 0 : j / static_cast<std::size_t>(s.fan_in);
      l.weights[j] = static_cast<float>(s.weight_codebooks[table][s.weight_idx[j]]);
    }
  }
  return net;
}

RetrainResult retrain(const ComposerState& initial, const Dataset& train, const Dataset& validation,
                      const Dataset& calibration, double float_validation_accuracy, const RetrainOptions& opt,
                      const RetrainStepCallback& on_step, const EpochCallback& on_epoch,
                      const BatchCallback& on_batch) {
  if (opt.iterations < 0) fail("--iterations", "must be zero or more, got {}", opt.iterations);
  if (opt.epochs < 1) fail("--epochs", "must be at least 1, got {}", opt.epochs);
  check_compose_params(opt.w, opt.u, opt.q);
  const CodebookSizes sizes = opt.layer_w.empty() && opt.layer_u.empty()
                                  ? uniform_sizes(initial, opt.w, opt.u)
                                  : layer_sizes(initial, opt.layer_w.empty() ? std::vector<int>{opt.w} : opt.layer_w,
                                                opt.layer_u.empty() ? std::vector<int>{opt.u} : opt.layer_u);
  Stopwatch total;
  const Dataset tr = to_state_domain(train, initial);
  const Dataset va = to_state_domain(validation, initial);
  const Dataset ca = to_state_domain(calibration, initial);
  const auto va_raw = raw_features(va, initial.raw_bits);
  const int max_w = 1 << initial.max_w_level, max_u = 1 << initial.max_u_level;

  RetrainResult best;
  Stopwatch sw0;
  // Round 1 starts from the centroids of the float model's codebooks. Every round trains the
  // weights and the codebook entries with the hardware's forward pass, is measured with exactly
  // the codebooks it ended with, and hands the next round its weights and those codebooks (when
  // they are not trained: re-clustered around the retrained weights by Lloyd's iterations). One
  // cosine learning-rate schedule spans all rounds.
  ComposedNetwork cn = assemble(initial, sizes, opt.q);
  ComposerState state = initial;
  Network weights = centroid_network(initial, cn);
  QuantSpec books = quant_spec(initial, cn);
  for (int it = 0;; ++it) {
    RetrainStep step;
    step.iteration = it;
    if (it > 0) {
      TrainOptions to;
      to.epochs = opt.epochs;
      to.batch = opt.batch;
      to.lr = opt.lr;
      to.momentum = opt.momentum;
      to.dropout = opt.dropout;
      to.seed = opt.seed + static_cast<std::uint64_t>(it);
      to.threads = opt.threads;
      to.init_weights = false;
      to.quant = books;
      to.learn_codebooks = opt.learn_codebooks;
      to.schedule_epochs = opt.epochs * opt.iterations;
      to.schedule_offset = opt.epochs * (it - 1);
      Stopwatch st;
      const TrainResult r = train_network(weights, tr, va, to, on_epoch, on_batch);
      step.train_seconds = st.seconds();
      Stopwatch sc;
      weights = r.net;
      state = prepare_composer(weights, initial.model_file, ca, initial.base, max_w, max_u);
      pin_codebooks(state, with_codebooks(cn, state, r.quant));
      cn = assemble(state, sizes, opt.q);
      books = opt.learn_codebooks ? r.quant : recluster(r.quant, weights);
      step.compose_seconds = sc.seconds();
    } else {
      step.compose_seconds = sw0.seconds();
    }
    step.validation_accuracy = golden_accuracy(cn, va_raw, va, opt.threads);
    step.delta_e = float_validation_accuracy - step.validation_accuracy;
    step.seconds = total.seconds();
    best.steps.push_back(step);
    if (on_step) on_step(step);
    if (it == 0 || step.delta_e < best.steps[static_cast<std::size_t>(best.best)].delta_e) {
      best.best = it;
      best.state = state;
      best.composed = cn;
    }
    if (step.delta_e <= opt.epsilon || it >= opt.iterations) break;
  }
  best.seconds = total.seconds();
  return best;
}

}  // namespace rapidnn
