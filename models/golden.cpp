// Golden model: integer-only inference of a composed network.
#include "models/golden.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace rapidnn {

int am_two_block(const Stage& s, std::int64_t acc) {
  if (!s.act_table) {
    const std::int64_t z = s.act == ActKind::ReLU ? std::max<std::int64_t>(acc, 0) : acc;  // comparator
    return nearest_int(s.enc, z);
  }
  const int row = nearest_int(s.act_y, acc);                  // activation NDCAM
  return nearest_int(s.enc, s.act_z[static_cast<std::size_t>(row)]);  // encoding NDCAM
}

int am_fused(const Stage& s, std::int64_t acc) {
  if (!s.act_table) {
    // ReLU folds away when every encoding entry is >= 0: the entry nearest to a negative value
    // is then the one nearest to 0.
    if (s.act == ActKind::ReLU && !s.enc.empty() && s.enc.front() < 0) acc = std::max<std::int64_t>(acc, 0);
    return nearest_int(s.enc, acc);
  }
  return s.fused_idx[static_cast<std::size_t>(nearest_int(s.act_y, acc))];
}

std::int64_t count_times_product(std::uint64_t count, std::int64_t p) {
  std::int64_t sum = 0;
  int bit = 0;
  while (count) {
    if (!(count & 1u)) {
      ++bit;
      count >>= 1;
      continue;
    }
    int run = 0;
    while (count & 1u) {
      ++run;
      count >>= 1;
    }
    if (run == 1) sum += p << bit;
    else sum += (p << (bit + run)) - (p << bit);  // 2^bit * (2^run - 1)
    bit += run;
  }
  return sum;
}

GoldenModel::GoldenModel(const ComposedNetwork& net, GoldenOptions opt) : net_(net), opt_(opt) {}

void GoldenModel::run_weighted(const Stage& s, const std::vector<std::uint16_t>& x, std::vector<std::int64_t>& acc) const {
  const auto u = static_cast<std::size_t>(s.u);
  const auto w = static_cast<std::size_t>(s.w);
  std::vector<std::uint32_t> counts;
  const bool count_form = opt_.accumulate == AccumulateForm::Count;
  // Accumulates one neuron over its taps; tap(k) gives (weight index, input index) or skips padding.
  auto finish_counts = [&](std::size_t table, std::int64_t bias) {
    std::int64_t a = bias;
    const std::int32_t* P = s.product.data() + table * w * u;
    for (std::size_t r = 0; r < w * u; ++r)
      if (counts[r]) a += count_times_product(counts[r], P[r]);
    return a;
  };
  if (count_form) counts.assign(w * u, 0);
  // Shared form: the product rows the tile reads, one per (table, input index): rows[(t*u + x)*w + wi].
  const bool shared_form = opt_.accumulate == AccumulateForm::Shared;
  std::vector<std::int32_t> rows;
  if (shared_form) {
    rows.resize(s.product.size());
    for (std::size_t t = 0; t < static_cast<std::size_t>(s.tables); ++t)
      for (std::size_t wi = 0; wi < w; ++wi)
        for (std::size_t xi = 0; xi < u; ++xi) rows[(t * u + xi) * w + wi] = s.product[(t * w + wi) * u + xi];
  }
  switch (s.kind) {
    case StageKind::Dense: {
      acc.assign(static_cast<std::size_t>(s.units), 0);
      const auto fan = static_cast<std::size_t>(s.fan_in);
      for (std::size_t n = 0; n < static_cast<std::size_t>(s.units); ++n) {
        const std::uint16_t* wi = s.weight_idx.data() + n * fan;
        if (count_form) {
          std::fill(counts.begin(), counts.end(), 0u);
          for (std::size_t k = 0; k < fan; ++k) ++counts[wi[k] * u + x[k]];
          acc[n] = finish_counts(0, s.bias[n]);
        } else if (shared_form) {
          std::int64_t a = s.bias[n];
          for (std::size_t k = 0; k < fan; ++k) a += rows[x[k] * w + wi[k]];  // the row of x[k], entry wi[k]
          acc[n] = a;
        } else {
          std::int64_t a = s.bias[n];
          const std::int32_t* P = s.product.data();
          for (std::size_t k = 0; k < fan; ++k) a += P[wi[k] * u + x[k]];
          acc[n] = a;
        }
      }
      break;
    }
    case StageKind::Conv:
    case StageKind::AvgPool: {
      const bool conv = s.kind == StageKind::Conv;
      const std::int64_t ic = s.in_shape[0], ih = s.in_shape[1], iw = s.in_shape[2];
      const std::int64_t oc = s.out_shape[0], oh = s.out_shape[1], ow = s.out_shape[2];
      acc.assign(static_cast<std::size_t>(oc * oh * ow), 0);
      for (std::int64_t o = 0; o < oc; ++o) {
        const std::size_t table = conv ? static_cast<std::size_t>(o) : 0;
        const std::int32_t* P = s.product.data() + table * w * u;
        const std::int64_t c_lo = conv ? 0 : o, c_hi = conv ? ic : o + 1;  // avg pool: its own channel
        for (std::int64_t oy = 0; oy < oh; ++oy)
          for (std::int64_t ox = 0; ox < ow; ++ox) {
            std::int64_t a = s.bias[static_cast<std::size_t>(o)];
            if (count_form) std::fill(counts.begin(), counts.end(), 0u);
            for (std::int64_t c = c_lo; c < c_hi; ++c)
              for (int ky = 0; ky < s.kernel_h; ++ky) {
                const std::int64_t iy = oy * s.stride_h + ky - s.pad.top;
                if (iy < 0 || iy >= ih) continue;  // padded taps add nothing
                for (int kx = 0; kx < s.kernel_w; ++kx) {
                  const std::int64_t ix = ox * s.stride_w + kx - s.pad.left;
                  if (ix < 0 || ix >= iw) continue;
                  const std::size_t widx =
                      conv ? s.weight_idx[static_cast<std::size_t>(((o * ic + c) * s.kernel_h + ky) * s.kernel_w + kx)] : 0;
                  const std::size_t xi = x[static_cast<std::size_t>((c * ih + iy) * iw + ix)];
                  if (count_form) ++counts[widx * u + xi];
                  else if (shared_form) a += rows[(table * u + xi) * w + widx];
                  else a += P[widx * u + xi];
                }
              }
            if (count_form) a = finish_counts(table, s.bias[static_cast<std::size_t>(o)]);
            acc[static_cast<std::size_t>((o * oh + oy) * ow + ox)] = a;
          }
      }
      break;
    }
    default: break;
  }
}

int GoldenModel::classify(const std::uint16_t* raw, GoldenTrace* trace) const {
  const std::int64_t n_in = numel(net_.input_shape);
  std::vector<std::uint16_t> x(static_cast<std::size_t>(n_in)), y;
  for (std::int64_t e = 0; e < n_in; ++e) x[static_cast<std::size_t>(e)] = net_.input.lut[raw[e]];
  if (trace) {
    trace->input = x;
    trace->encoded.assign(net_.stages.size(), {});
    trace->acc.assign(net_.stages.size(), {});
  }
  std::vector<std::int64_t> acc;
  int label = 0;
  for (std::size_t si = 0; si < net_.stages.size(); ++si) {
    const Stage& s = net_.stages[si];
    switch (s.kind) {
      case StageKind::Flatten: break;
      case StageKind::MaxPool: {
        const std::int64_t c = s.in_shape[0], ih = s.in_shape[1], iw = s.in_shape[2], oh = s.out_shape[1], ow = s.out_shape[2];
        y.assign(static_cast<std::size_t>(c * oh * ow), 0);
        for (std::int64_t ch = 0; ch < c; ++ch)
          for (std::int64_t oy = 0; oy < oh; ++oy)
            for (std::int64_t ox = 0; ox < ow; ++ox) {
              std::uint16_t m = 0;
              for (int ky = 0; ky < s.kernel_h; ++ky)
                for (int kx = 0; kx < s.kernel_w; ++kx) {
                  const std::int64_t iy = oy * s.stride_h + ky - s.pad.top, ix = ox * s.stride_w + kx - s.pad.left;
                  if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
                  m = std::max(m, x[static_cast<std::size_t>((ch * ih + iy) * iw + ix)]);
                }
              y[static_cast<std::size_t>((ch * oh + oy) * ow + ox)] = m;
            }
        x.swap(y);
        break;
      }
      case StageKind::Dense:
      case StageKind::Conv:
      case StageKind::AvgPool: {
        run_weighted(s, x, acc);
        if (trace) trace->acc[si] = acc;
        if (s.is_output) {
          if (s.act == ActKind::ReLU)
            for (auto& a : acc) a = std::max<std::int64_t>(a, 0);
          label = static_cast<int>(std::max_element(acc.begin(), acc.end()) - acc.begin());  // first maximum
          if (trace) trace->scores = acc;
          x.clear();
        } else {
          y.resize(acc.size());
          for (std::size_t k = 0; k < acc.size(); ++k)
            y[k] = static_cast<std::uint16_t>(opt_.am == AmForm::Fused ? am_fused(s, acc[k]) : am_two_block(s, acc[k]));
          x.swap(y);
        }
        break;
      }
    }
    if (trace && !s.is_output) trace->encoded[si] = x;
  }
  if (trace) trace->label = label;
  return label;
}

std::vector<int> GoldenModel::classify_all(const std::vector<std::uint16_t>& raw, std::int64_t n, int threads) const {
  const std::int64_t per = numel(net_.input_shape);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> out(static_cast<std::size_t>(n));
  std::atomic<std::int64_t> next{0};
  auto worker = [&] {
    for (std::int64_t i; (i = next.fetch_add(1)) < n;)
      out[static_cast<std::size_t>(i)] = classify(raw.data() + i * per);
  };
  std::vector<std::jthread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  return out;
}

}  // namespace rapidnn

namespace rapidnn {

double golden_accuracy(const ComposedNetwork& net, const std::vector<std::uint16_t>& raw, const std::vector<int>& labels,
                       int threads) {
  const GoldenModel g(net);
  const auto pred = g.classify_all(raw, static_cast<std::int64_t>(labels.size()), threads);
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) ok += pred[i] == labels[i];
  return labels.empty() ? 0.0 : 100.0 * static_cast<double>(ok) / static_cast<double>(labels.size());
}

}  // namespace rapidnn
