// Golden model: integer-only inference of a composed network.
#include "models/golden.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace rapidnn {

// The direct form of a Dense stage as T-MAC computes table lookups: with w <= 16 entries per
// product row, a row fits one 16-byte shuffle table per byte of its 16-bit products, so one AVX2
// byte shuffle looks up 32 neurons' products for one input at once. Weight indices are stored as
// bytes, 32 neurons by 32 neurons, input by input (idx[(block * fan + k) * 32 + lane]); each input
// index's product row (P[wi][x] over wi) is split into its low and high bytes. Taken only where it
// is exact: direct form, w <= 16, every product a signed 16-bit value and every sum (bias plus
// fan-in products) within 32 bits; x86-64 with AVX2 at run time. The sums are the plain loop's.
struct GoldenModel::PackedDense {
  std::int64_t units = 0, fan = 0, blocks = 0;
  std::vector<std::uint8_t> idx;    // [blocks][fan][32]
  std::vector<std::uint8_t> lo, hi;  // [u][16]
  std::vector<std::int32_t> bias;    // [blocks * 32]
};

namespace {

bool have_avx2() {
#if defined(__x86_64__)
  static const bool yes = __builtin_cpu_supports("avx2") && !std::getenv("RAPIDNN_GOLDEN_NO_SIMD");
  return yes;
#else
  return false;
#endif
}

std::shared_ptr<const GoldenModel::PackedDense> pack_dense(const Stage& s) {
  if (s.kind != StageKind::Dense || s.w > 16 || s.tables != 1 || !have_avx2()) return nullptr;
  std::int64_t most = 0;
  for (std::int32_t p : s.product) {
    if (p < -32768 || p > 32767) return nullptr;
    most = std::max<std::int64_t>(most, std::abs(static_cast<std::int64_t>(p)));
  }
  for (std::int32_t b : s.bias)
    if (std::abs(static_cast<std::int64_t>(b)) + s.fan_in * most > std::int64_t{2147483647}) return nullptr;
  auto p = std::make_shared<GoldenModel::PackedDense>();
  p->units = s.units, p->fan = s.fan_in, p->blocks = (s.units + 31) / 32;
  p->idx.assign(static_cast<std::size_t>(p->blocks * p->fan * 32), 0);
  for (std::int64_t n = 0; n < s.units; ++n)
    for (std::int64_t k = 0; k < s.fan_in; ++k)
      p->idx[static_cast<std::size_t>(((n / 32) * p->fan + k) * 32 + n % 32)] =
          static_cast<std::uint8_t>(s.weight_idx[static_cast<std::size_t>(n * s.fan_in + k)]);
  p->lo.assign(static_cast<std::size_t>(s.u) * 16, 0);
  p->hi.assign(static_cast<std::size_t>(s.u) * 16, 0);
  for (int x = 0; x < s.u; ++x)
    for (int wi = 0; wi < s.w; ++wi) {
      const auto v = static_cast<std::uint16_t>(static_cast<std::int16_t>(s.product[static_cast<std::size_t>(wi * s.u + x)]));
      p->lo[static_cast<std::size_t>(x * 16 + wi)] = static_cast<std::uint8_t>(v & 0xff);
      p->hi[static_cast<std::size_t>(x * 16 + wi)] = static_cast<std::uint8_t>(v >> 8);
    }
  p->bias.assign(static_cast<std::size_t>(p->blocks * 32), 0);
  std::copy(s.bias.begin(), s.bias.end(), p->bias.begin());
  return p;
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void dense_avx2(const GoldenModel::PackedDense& p, const std::uint16_t* x,
                                                std::int32_t* out) {
  for (std::int64_t b = 0; b < p.blocks; ++b) {
    const std::int32_t* bias = p.bias.data() + b * 32;
    // Accumulators of neurons 0-7, 8-15, 16-23 and 24-31 of the block.
    __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias));
    __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8));
    __m256i a2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 16));
    __m256i a3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 24));
    const std::uint8_t* idx = p.idx.data() + b * p.fan * 32;
    for (std::int64_t k = 0; k < p.fan; ++k) {
      const std::size_t row = static_cast<std::size_t>(x[k]) * 16;
      const __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.lo.data() + row)));
      const __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.hi.data() + row)));
      const __m256i id = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(idx + k * 32));
      const __m256i l = _mm256_shuffle_epi8(lo, id), h = _mm256_shuffle_epi8(hi, id);
      const __m256i p_lo = _mm256_unpacklo_epi8(l, h);  // 16-bit products: neurons 0-7 | 16-23
      const __m256i p_hi = _mm256_unpackhi_epi8(l, h);  // neurons 8-15 | 24-31
      a0 = _mm256_add_epi32(a0, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(p_lo)));
      a2 = _mm256_add_epi32(a2, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(p_lo, 1)));
      a1 = _mm256_add_epi32(a1, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(p_hi)));
      a3 = _mm256_add_epi32(a3, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(p_hi, 1)));
    }
    std::int32_t* o = out + b * 32;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), a0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 8), a1);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 16), a2);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 24), a3);
  }
}
#endif

}  // namespace

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

GoldenModel::GoldenModel(const ComposedNetwork& net, GoldenOptions opt) : net_(net), opt_(opt) {
  packed_.resize(net.stages.size());
  if (opt_.accumulate == AccumulateForm::Direct)
    for (std::size_t si = 0; si < net.stages.size(); ++si) packed_[si] = pack_dense(net.stages[si]);
}

int GoldenModel::packed_stages() const {
  return static_cast<int>(std::count_if(packed_.begin(), packed_.end(), [](const auto& p) { return p != nullptr; }));
}

void GoldenModel::run_weighted(std::size_t si, const std::vector<std::uint16_t>& x, std::vector<std::int64_t>& acc) const {
  const Stage& s = net_.stages[si];
#if defined(__x86_64__)
  if (const PackedDense* p = packed_[si].get()) {
    std::int32_t sums[4096];
    std::vector<std::int32_t> big;
    std::int32_t* out = sums;
    if (p->blocks * 32 > 4096) big.resize(static_cast<std::size_t>(p->blocks * 32)), out = big.data();
    dense_avx2(*p, x.data(), out);
    acc.assign(out, out + p->units);
    return;
  }
#endif
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
  std::vector<std::uint16_t> input(static_cast<std::size_t>(n_in));
  for (std::int64_t e = 0; e < n_in; ++e) input[static_cast<std::size_t>(e)] = net_.input.lut[raw[e]];
  if (trace) {
    trace->input = input;
    trace->encoded.assign(net_.stages.size(), {});
    trace->acc.assign(net_.stages.size(), {});
  }
  // Each stage's encoded output, kept for the stages that read it (the next, or a later skip).
  std::vector<std::vector<std::uint16_t>> out(net_.stages.size());
  const auto value = [&](int k) -> const std::vector<std::uint16_t>& {
    return k == kFromInput ? input : out[static_cast<std::size_t>(k)];
  };
  std::vector<std::int64_t> acc;
  int label = 0;
  for (std::size_t si = 0; si < net_.stages.size(); ++si) {
    const Stage& s = net_.stages[si];
    const std::vector<std::uint16_t>& x = value(net_.source_of(si));
    std::vector<std::uint16_t>& y = out[si];
    switch (s.kind) {
      case StageKind::Flatten: y = x; break;
      case StageKind::Concat: {  // along channels: the first input's indices, then the second's
        const std::vector<std::uint16_t>& second = value(s.skip);
        y = x;
        y.insert(y.end(), second.begin(), second.end());
        break;
      }
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
        break;
      }
      case StageKind::Dense:
      case StageKind::Conv:
      case StageKind::AvgPool: {
        run_weighted(si, x, acc);
        if (s.skip != kNoSkip) {  // the residual join: the skipped value, decoded, joins each sum
          const std::vector<std::uint16_t>& skipped = value(s.skip);
          for (std::size_t k = 0; k < acc.size(); ++k) acc[k] += s.skip_lut[skipped[k]];
        }
        if (trace) trace->acc[si] = acc;
        if (s.is_output) {
          if (s.act == ActKind::ReLU)
            for (auto& a : acc) a = std::max<std::int64_t>(a, 0);
          label = static_cast<int>(std::max_element(acc.begin(), acc.end()) - acc.begin());  // first maximum
          if (trace) trace->scores = acc;
        } else {
          y.resize(acc.size());
          for (std::size_t k = 0; k < acc.size(); ++k)
            y[k] = static_cast<std::uint16_t>(opt_.am == AmForm::Fused ? am_fused(s, acc[k]) : am_two_block(s, acc[k]));
        }
        break;
      }
    }
    if (trace && !s.is_output) trace->encoded[si] = y;
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
