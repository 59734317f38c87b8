// Sequential calibration: the calibration sample through a float emulation of the composed
// network, stage by stage -> each stage's input codebook and corrected float biases.
#include "composer/sequential.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>

#include "core/bits.h"
#include "core/infer.h"

namespace rapidnn {

namespace {

// One layer as a network of its own, so that forward() runs it.
std::vector<float> run_layer(const Layer& l, const Shape& in_shape, const std::vector<float>& x, std::int64_t n) {
  Network one;
  one.input_shape = in_shape;
  one.layers = {l};
  return forward(one, x.data(), n);
}

// The stage's input codebook: clustered from what it receives, or the float network's.
std::vector<double> input_codebook(const ComposeConfig& c, const ComposerState::StagePrep& sp, bool first,
                                   const std::vector<float>& x, int u) {
  if (first || c.inputs != InputCodebooks::Composed) return sp.input_book.at(u);
  return build_codebook(input_points(sp, x, c), clog2(u), c.method).at(u);
}

void quantize(std::vector<float>& x, const std::vector<double>& book) {
  for (auto& v : x) v = static_cast<float>(book[static_cast<std::size_t>(nearest_index(book, v))]);
}

void activate(std::vector<float>& y, ActKind act) {
  if (act != ActKind::Identity)
    for (auto& v : y) v = apply_activation(act, v);
}

// Refits a Dense/Conv layer's weight codebook entries and its biases (see the header): `x` the
// quantized inputs of n samples, `target` the float network's pre-activations of the same
// samples. Returns the entries per table, in the order of `books` (an entry no weight uses keeps
// its value), and sets `bias` to the fitted biases.
std::vector<std::vector<double>> refit_codebooks(const Layer& l, const Shape& in_shape, const std::vector<float>& x,
                                                 const std::vector<float>& target, std::int64_t n,
                                                 const std::vector<std::vector<double>>& books,
                                                 std::vector<float>& bias) {
  const std::size_t tables = books.size(), w = books[0].size();
  const std::size_t units = static_cast<std::size_t>(l.units), per = l.weights.size() / tables;
  std::vector<std::vector<std::uint16_t>> idx(tables);
  for (std::size_t t = 0; t < tables; ++t)
    for (std::size_t j = t * per; j < (t + 1) * per; ++j)
      idx[t].push_back(static_cast<std::uint16_t>(nearest_index(books[t], l.weights[j])));
  std::vector<Eigen::MatrixXd> A(tables, Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(w), static_cast<Eigen::Index>(w)));
  std::vector<Eigen::VectorXd> r(tables, Eigen::VectorXd::Zero(static_cast<Eigen::Index>(w)));
  const std::size_t in_size = x.size() / static_cast<std::size_t>(n);
  const std::size_t out_size = target.size() / static_cast<std::size_t>(n), positions = out_size / units;
  std::vector<Eigen::VectorXd> sf(units, Eigen::VectorXd::Zero(static_cast<Eigen::Index>(w)));
  std::vector<double> sy(units, 0.0);
  constexpr std::int64_t kChunk = 64;
  for (std::int64_t s0 = 0; s0 < n; s0 += kChunk) {
    const std::int64_t m = std::min(kChunk, n - s0);
    const std::vector<float> xs(x.begin() + s0 * static_cast<std::int64_t>(in_size),
                                x.begin() + (s0 + m) * static_cast<std::int64_t>(in_size));
    // F[k]: the layer with indicator weights (1 where a weight's index is k), no bias.
    std::vector<std::vector<float>> F(w);
    for (std::size_t k = 0; k < w; ++k) {
      Layer ind = l;
      ind.act = ActKind::Identity;
      std::fill(ind.bias.begin(), ind.bias.end(), 0.0f);
      for (std::size_t t = 0; t < tables; ++t)
        for (std::size_t j = 0; j < per; ++j) ind.weights[t * per + j] = idx[t][j] == k ? 1.0f : 0.0f;
      F[k] = run_layer(ind, in_shape, xs, m);
    }
    Eigen::VectorXd f(static_cast<Eigen::Index>(w));
    for (std::int64_t s = 0; s < m; ++s)
      for (std::size_t o = 0; o < units; ++o) {
        const std::size_t t = tables == 1 ? 0 : o;
        for (std::size_t p = 0; p < positions; ++p) {
          const std::size_t e = (static_cast<std::size_t>(s) * units + o) * positions + p;
          for (std::size_t k = 0; k < w; ++k) f[static_cast<Eigen::Index>(k)] = F[k][e];
          const double y = static_cast<double>(target[static_cast<std::size_t>(s0) * out_size + e]) - l.bias[o];
          A[t].selfadjointView<Eigen::Lower>().rankUpdate(f);
          r[t] += y * f;
          sf[o] += f, sy[o] += y;
        }
      }
  }
  const double cnt = static_cast<double>(n) * static_cast<double>(positions);
  // Each unit's bias is fitted with the entries: eliminating it leaves the centred problem.
  for (std::size_t o = 0; o < units; ++o) {
    const std::size_t t = tables == 1 ? 0 : o;
    A[t].noalias() -= sf[o] * sf[o].transpose() / cnt;
    r[t] -= sf[o] * (sy[o] / cnt);
  }
  std::vector<std::vector<double>> out(tables);
  for (std::size_t t = 0; t < tables; ++t) {
    Eigen::MatrixXd M = A[t].selfadjointView<Eigen::Lower>();
    Eigen::VectorXd c0(static_cast<Eigen::Index>(w));
    for (std::size_t k = 0; k < w; ++k) c0[static_cast<Eigen::Index>(k)] = books[t][k];
    // A little ridge towards the clustered entries keeps unused entries (and ill-posed ones) put.
    const double ridge = 1e-9 * (M.trace() / static_cast<double>(w)) + 1e-12;
    M.diagonal().array() += ridge;
    const Eigen::VectorXd c = M.ldlt().solve(r[t] + ridge * c0);
    out[t].assign(c.data(), c.data() + c.size());
    for (std::size_t k = 0; k < w; ++k)
      if (A[t](static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k)) == 0.0 || !std::isfinite(out[t][k]))
        out[t][k] = books[t][k];
  }
  for (std::size_t o = 0; o < units; ++o) {  // the mean residual of each unit
    const std::size_t t = tables == 1 ? 0 : o;
    double fc = 0.0;
    for (std::size_t k = 0; k < w; ++k) fc += sf[o][static_cast<Eigen::Index>(k)] * out[t][k];
    bias[o] = static_cast<float>(l.bias[o] + (sy[o] - fc) / cnt);
  }
  return out;
}

// The layer with every weight replaced by its entry of `books`, at the index of its nearest entry
// of `index_books` (the clustered codebooks, as assemble() indexes them).
Layer with_entries(const Layer& l, const std::vector<std::vector<double>>& index_books,
                   const std::vector<std::vector<double>>& books) {
  Layer q = l;
  const std::size_t per = q.weights.size() / books.size();
  for (std::size_t t = 0; t < books.size(); ++t)
    for (std::size_t k = t * per; k < (t + 1) * per; ++k)
      q.weights[k] = static_cast<float>(books[t][static_cast<std::size_t>(nearest_index(index_books[t], l.weights[k]))]);
  return q;
}

// The per-unit layout of a stage's outputs: n samples x units x positions.
struct UnitView {
  std::size_t units, positions;
  std::size_t unit(std::size_t e) const { return (e / positions) % units; }
};

// Moves each unit's bias, and its pre-activations y with it, so that the mean of the unit's
// activation act(y) over the sample equals `target` (the float network's mean output of that
// unit): by bisection, since act is monotone. Identity: the pre-activation means are matched.
void correct_bias(std::vector<float>& y, std::vector<float>& bias, ActKind act, const std::vector<double>& target,
                  std::int64_t n) {
  const UnitView v{bias.size(), y.size() / (static_cast<std::size_t>(n) * bias.size())};
  const double count = static_cast<double>(static_cast<std::size_t>(n) * v.positions);
  std::vector<std::vector<float>> by_unit(v.units);
  for (std::size_t e = 0; e < y.size(); ++e) by_unit[v.unit(e)].push_back(y[e]);
  std::vector<float> shift(v.units, 0.0f);
  for (std::size_t c = 0; c < v.units; ++c) {
    const auto& ys = by_unit[c];
    const auto mean_out = [&](double d) {
      double a = 0.0;
      for (float x : ys) a += apply_activation(act, static_cast<float>(x + d));
      return a / count;
    };
    double lo = 0.0, hi = 0.0;
    if (act == ActKind::Identity) {
      lo = hi = target[c] - mean_out(0.0);
    } else {
      // Bracket the shift, then halve: the range of the unit's pre-activations bounds it.
      const auto [mn, mx] = std::minmax_element(ys.begin(), ys.end());
      const double span = std::max(1e-6, static_cast<double>(*mx - *mn)) + std::fabs(target[c]);
      lo = -span - std::fabs(*mx), hi = span + std::fabs(*mn);
      for (int it = 0; it < 40; ++it) {
        const double mid = 0.5 * (lo + hi);
        (mean_out(mid) < target[c] ? lo : hi) = mid;
      }
    }
    shift[c] = static_cast<float>(0.5 * (lo + hi));
    bias[c] += shift[c];
  }
  for (std::size_t e = 0; e < y.size(); ++e) y[e] += shift[v.unit(e)];
}

}  // namespace

bool sequential_calibration(const ComposerState& st, const ComposeConfig& c) {
  return !st.pinned && (c.inputs == InputCodebooks::Composed || c.bias_correction || c.refit_codebooks);
}

std::vector<CalibratedStage> calibrate_stages(const ComposerState& st, const ComposeConfig& c, const CodebookSizes& sizes,
                                              std::vector<float>* output) {
  std::vector<CalibratedStage> out(st.stages.size());
  const std::int64_t n = st.calibration_samples;
  std::vector<int> stage_of_layer(st.net.layers.size(), -1);
  for (std::size_t k = 0; k < st.stages.size(); ++k) stage_of_layer[static_cast<std::size_t>(st.stages[k].layer)] = static_cast<int>(k);
  const auto shapes = st.net.infer_shapes(st.model_file);
  std::vector<float> x = st.calibration_x;
  std::vector<float> xf;  // the float network's activations, for the codebook refit
  if (c.refit_codebooks) xf = st.calibration_x;
  const auto advance_float = [&](const Layer& l, const Shape& in) {
    if (c.refit_codebooks) xf = run_layer(l, in, xf, n);
  };
  Shape in_shape = st.net.input_shape;
  bool first = true;
  for (std::size_t i = 0; i < st.net.layers.size(); ++i) {
    const Layer& l = st.net.layers[i];
    const int k = stage_of_layer[i];
    if (k < 0) {  // an identity activation: nothing to do
      in_shape = shapes[i];
      continue;
    }
    const auto& sp = st.stages[static_cast<std::size_t>(k)];
    if (!sp.skeleton.weighted()) {
      x = run_layer(l, in_shape, x, n);
      advance_float(l, in_shape);
      in_shape = shapes[i];
      continue;
    }
    CalibratedStage& cs = out[static_cast<std::size_t>(k)];
    const int w = sizes.w[static_cast<std::size_t>(k)], u = sizes.u[static_cast<std::size_t>(k)];
    cs.input_codebook = input_codebook(c, sp, first, x, u);
    first = false;
    quantize(x, cs.input_codebook);
    if (sp.weight_books.empty()) {  // average pooling: exact weights, no bias
      x = run_layer(l, in_shape, x, n);
      advance_float(l, in_shape);
    } else {
      std::vector<std::vector<double>> books;
      for (const auto& b : sp.weight_books) books.push_back(b.at(w));
      cs.bias = sp.bias;
      cs.bias.resize(static_cast<std::size_t>(sp.skeleton.units), 0.0f);
      Layer lin = l;  // the pre-activation
      lin.act = ActKind::Identity;
      lin.bias = cs.bias;
      Layer q = with_entries(lin, books, books);
      if (c.refit_codebooks) {
        std::vector<float> target = run_layer(lin, in_shape, xf, n);
        cs.weight_codebooks = refit_codebooks(lin, in_shape, x, target, n, books, cs.bias);
        q = with_entries(lin, books, cs.weight_codebooks);
        q.bias = cs.bias;
        activate(target, l.act);
        xf = std::move(target);
      }
      std::vector<float> y = run_layer(q, in_shape, x, n);
      // The output stage keeps its trained biases: correcting them measured worse (README).
      if (c.bias_correction && !sp.skeleton.is_output) correct_bias(y, cs.bias, l.act, sp.out_mean, n);
      activate(y, l.act);
      x = std::move(y);
    }
    in_shape = shapes[i];
  }
  if (output) *output = std::move(x);
  return out;
}

}  // namespace rapidnn
