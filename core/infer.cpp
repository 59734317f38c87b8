// Float reference inference: Dense as GEMM, Conv2D as im2col + GEMM.
#include "core/infer.h"

#include <Eigen/Dense>

#include <algorithm>
#include <atomic>
#include <limits>
#include <thread>

namespace rapidnn {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapConst = Eigen::Map<const RowMat>;
using MapMut = Eigen::Map<RowMat>;

void run_dense(const Layer& l, std::int64_t in, const std::vector<float>& x, std::vector<float>& y, std::int64_t n) {
  y.assign(static_cast<std::size_t>(n * l.units), 0.0f);
  MapConst X(x.data(), n, in);
  MapConst W(l.weights.data(), l.units, in);
  MapMut Y(y.data(), n, l.units);
  Y.noalias() = X * W.transpose();
  Eigen::Map<const Eigen::RowVectorXf> b(l.bias.data(), l.units);
  Y.rowwise() += b;
}

void run_conv(const Layer& l, const Shape& in, const Shape& out, const std::vector<float>& x, std::vector<float>& y,
              std::int64_t n) {
  const std::int64_t ic = in[0], ih = in[1], iw = in[2];
  const std::int64_t oc = out[0], oh = out[1], ow = out[2];
  const std::int64_t kh = l.kernel_h, kw = l.kernel_w;
  const std::int64_t krows = ic * kh * kw, opix = oh * ow;
  y.assign(static_cast<std::size_t>(n * oc * opix), 0.0f);
  std::vector<float> cols(static_cast<std::size_t>(krows * opix));
  MapConst W(l.weights.data(), oc, krows);
  for (std::int64_t s = 0; s < n; ++s) {
    const float* xs = x.data() + s * ic * ih * iw;
    for (std::int64_t c = 0; c < ic; ++c)
      for (std::int64_t ky = 0; ky < kh; ++ky)
        for (std::int64_t kx = 0; kx < kw; ++kx) {
          float* row = cols.data() + ((c * kh + ky) * kw + kx) * opix;
          for (std::int64_t oy = 0; oy < oh; ++oy) {
            const std::int64_t iy = oy * l.stride_h + ky - l.pad.top;
            for (std::int64_t ox = 0; ox < ow; ++ox) {
              const std::int64_t ix = ox * l.stride_w + kx - l.pad.left;
              const bool inside = iy >= 0 && iy < ih && ix >= 0 && ix < iw;
              row[oy * ow + ox] = inside ? xs[(c * ih + iy) * iw + ix] : 0.0f;
            }
          }
        }
    MapConst C(cols.data(), krows, opix);
    MapMut Y(y.data() + s * oc * opix, oc, opix);
    Y.noalias() = W * C;
    for (std::int64_t o = 0; o < oc; ++o) Y.row(o).array() += l.bias[static_cast<std::size_t>(o)];
  }
}

void run_pool(const Layer& l, const Shape& in, const Shape& out, const std::vector<float>& x, std::vector<float>& y,
              std::int64_t n) {
  const std::int64_t c = in[0], ih = in[1], iw = in[2], oh = out[1], ow = out[2];
  y.assign(static_cast<std::size_t>(n * c * oh * ow), 0.0f);
  const bool is_max = l.kind == LayerKind::MaxPool2D;
  for (std::int64_t s = 0; s < n; ++s)
    for (std::int64_t ch = 0; ch < c; ++ch) {
      const float* xp = x.data() + (s * c + ch) * ih * iw;
      float* yp = y.data() + (s * c + ch) * oh * ow;
      for (std::int64_t oy = 0; oy < oh; ++oy)
        for (std::int64_t ox = 0; ox < ow; ++ox) {
          float acc = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
          int count = 0;
          for (int ky = 0; ky < l.kernel_h; ++ky)
            for (int kx = 0; kx < l.kernel_w; ++kx) {
              const std::int64_t iy = oy * l.stride_h + ky - l.pad.top;
              const std::int64_t ix = ox * l.stride_w + kx - l.pad.left;
              if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
              const float v = xp[iy * iw + ix];
              acc = is_max ? std::max(acc, v) : acc + v;
              ++count;
            }
          if (!is_max) acc /= static_cast<float>(l.count_include_pad ? l.kernel_h * l.kernel_w : count);
          yp[oy * ow + ox] = acc;
        }
    }
}

}  // namespace

void pin_gemm_blocking() {
  // Eigen sizes its GEMM blocks from the caches cpuid reports, and the depth of a block decides
  // the order of every float sum: one model gave different activations, codebooks and tables on
  // a 48 KiB-L1 CPU and a 32 KiB-L1 one. Fixed sizes make the result the machine's no longer.
  // Written only when they differ, so workers that find them set only read.
  constexpr std::ptrdiff_t kL1 = 48 * 1024, kL2 = 2 * 1024 * 1024, kL3 = 32 * 1024 * 1024;
  if (Eigen::l1CacheSize() != kL1 || Eigen::l2CacheSize() != kL2 || Eigen::l3CacheSize() != kL3)
    Eigen::setCpuCacheSizes(kL1, kL2, kL3);
}

namespace {

// y = the element-wise sum of the producers' outputs (Add), or their channel-wise concatenation
// (Concat: per sample, each producer's block in turn).
void run_join(const Layer& l, const std::vector<const std::vector<float>*>& in, const std::vector<Shape>& shapes,
              std::vector<float>& y, std::int64_t n) {
  if (l.kind == LayerKind::Add) {
    y = *in[0];
    for (std::size_t k = 1; k < in.size(); ++k)
      for (std::size_t e = 0; e < y.size(); ++e) y[e] += (*in[k])[e];
    return;
  }
  y.clear();
  for (std::int64_t s = 0; s < n; ++s)
    for (std::size_t k = 0; k < in.size(); ++k) {
      const std::int64_t per = numel(shapes[k]);
      y.insert(y.end(), in[k]->begin() + s * per, in[k]->begin() + (s + 1) * per);
    }
}

}  // namespace

std::vector<float> forward(const Network& net, const float* x, std::int64_t n, const LayerObserver& observe,
                           const LayerObserver& pre_activation) {
  pin_gemm_blocking();
  const auto shapes = net.infer_shapes();
  // Every tensor (slot 0: the input, slot i + 1: layer i's output) is kept until its last reader.
  const std::size_t layers = net.layers.size();
  std::vector<std::size_t> last_read(layers + 1, 0);
  for (std::size_t i = 0; i < layers; ++i)
    for (int p : net.sources(i)) last_read[static_cast<std::size_t>(p + 1)] = i;
  std::vector<std::vector<float>> value(layers + 1);
  value[0].assign(x, x + n * numel(net.input_shape));
  std::vector<float> next;
  for (std::size_t i = 0; i < layers; ++i) {
    const Layer& l = net.layers[i];
    const std::vector<int> src = net.sources(i);
    const Shape& in_shape = net.shape_of(src[0], shapes);
    const Shape& out_shape = shapes[i];
    const auto slot = [&](int p) { return static_cast<std::size_t>(p + 1); };
    // The first input, moved when this layer is its last reader.
    std::vector<float> cur = last_read[slot(src[0])] == i && src.size() == 1 ? std::move(value[slot(src[0])])
                                                                               : value[slot(src[0])];
    switch (l.kind) {
      case LayerKind::Flatten: break;
      case LayerKind::Scale: {
        const std::size_t per = l.weights.size();
        for (std::size_t k = 0; k < cur.size(); ++k) cur[k] = cur[k] * l.weights[k % per] + l.bias[k % per];
        break;
      }
      case LayerKind::Activation:
        for (auto& v : cur) v = apply_activation(l.act, v);
        break;
      case LayerKind::Dense:
        run_dense(l, in_shape[0], cur, next, n);
        cur.swap(next);
        break;
      case LayerKind::Conv2D:
        run_conv(l, in_shape, out_shape, cur, next, n);
        cur.swap(next);
        break;
      case LayerKind::MaxPool2D:
      case LayerKind::AvgPool2D:
        run_pool(l, in_shape, out_shape, cur, next, n);
        cur.swap(next);
        break;
      case LayerKind::Add:
      case LayerKind::Concat: {
        std::vector<const std::vector<float>*> in;
        std::vector<Shape> in_shapes;
        for (int p : src) in.push_back(&value[slot(p)]), in_shapes.push_back(net.shape_of(p, shapes));
        run_join(l, in, in_shapes, cur, n);
        break;
      }
    }
    for (int p : src)
      if (last_read[slot(p)] == i) std::vector<float>().swap(value[slot(p)]);
    if (l.has_weights() && pre_activation) pre_activation(i, cur, n);
    if (l.fuses_activation() && l.act != ActKind::Identity)
      for (auto& v : cur) v = apply_activation(l.act, v);
    if (observe) observe(i, cur, n);
    if (i + 1 == layers) return cur;
    value[i + 1] = std::move(cur);
  }
  return {};
}

std::vector<int> argmax_rows(const std::vector<float>& out, std::int64_t n, std::int64_t classes) {
  std::vector<int> pred(static_cast<std::size_t>(n));
  for (std::int64_t s = 0; s < n; ++s) {
    const float* row = out.data() + s * classes;
    int best = 0;
    for (std::int64_t c = 1; c < classes; ++c)
      if (row[c] > row[best]) best = static_cast<int>(c);
    pred[static_cast<std::size_t>(s)] = best;
  }
  return pred;
}

std::vector<int> predict(const Network& net, const float* x, std::int64_t n, int threads) {
  const std::int64_t in = numel(net.input_shape), classes = net.num_classes();
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  constexpr std::int64_t kBatch = 256;
  pin_gemm_blocking();  // before the workers start, so that they only read it
  std::vector<int> pred(static_cast<std::size_t>(n));
  std::atomic<std::int64_t> next{0};
  auto worker = [&] {
    for (;;) {
      const std::int64_t start = next.fetch_add(kBatch);
      if (start >= n) return;
      const std::int64_t m = std::min(kBatch, n - start);
      const auto out = forward(net, x + start * in, m);
      const auto p = argmax_rows(out, m, classes);
      std::copy(p.begin(), p.end(), pred.begin() + start);
    }
  };
  std::vector<std::jthread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  return pred;
}

}  // namespace rapidnn
