// Composed network: validation, widths, integer nearest-distance search.
#include "composer/composed.h"

#include <cmath>

#include <algorithm>

#include "core/error.h"

namespace rapidnn {

const char* to_string(StageKind k) {
  switch (k) {
    case StageKind::Dense: return "dense";
    case StageKind::Conv: return "conv";
    case StageKind::AvgPool: return "avgpool";
    case StageKind::MaxPool: return "maxpool";
    case StageKind::Flatten: return "flatten";
    case StageKind::Concat: return "concat";
  }
  return "?";
}

int nearest_int(const std::vector<std::int64_t>& c, std::int64_t v) { return nearest_sorted(c, v); }

int signed_bits_for(std::int64_t lo, std::int64_t hi) {
  int b = 1;
  while (b < 63 && (lo < -(std::int64_t{1} << (b - 1)) || hi > (std::int64_t{1} << (b - 1)) - 1)) ++b;
  return b;
}

std::pair<std::int64_t, std::int64_t> accumulator_range(const Stage& s) {
  const bool padded = s.pad.top || s.pad.left || s.pad.bottom || s.pad.right;
  std::vector<std::int64_t> row_min(static_cast<std::size_t>(s.tables * s.w)), row_max(row_min.size());
  for (std::size_t r = 0; r < row_min.size(); ++r) {
    const auto* p = s.product.data() + r * static_cast<std::size_t>(s.u);
    row_min[r] = *std::min_element(p, p + s.u);
    row_max[r] = *std::max_element(p, p + s.u);
    if (padded) {
      row_min[r] = std::min<std::int64_t>(row_min[r], 0);
      row_max[r] = std::max<std::int64_t>(row_max[r], 0);
    }
  }
  std::int64_t lo = 0, hi = 0;
  for (std::int64_t n = 0; n < s.units; ++n) {
    std::int64_t nlo = s.bias[static_cast<std::size_t>(n)], nhi = nlo;
    const std::size_t table = s.kind == StageKind::Conv ? static_cast<std::size_t>(n) : 0;
    for (std::int64_t k = 0; k < s.fan_in; ++k) {
      const std::size_t widx = s.kind == StageKind::AvgPool ? 0 : s.weight_idx[static_cast<std::size_t>(n * s.fan_in + k)];
      nlo += row_min[table * static_cast<std::size_t>(s.w) + widx];
      nhi += row_max[table * static_cast<std::size_t>(s.w) + widx];
    }
    if (!s.skip_lut.empty()) {  // the skipped value joins every sum
      // (added after the last product: the sum before it must fit as well, hence the zero)
      nlo += std::min<std::int64_t>(0, *std::min_element(s.skip_lut.begin(), s.skip_lut.end()));
      nhi += std::max<std::int64_t>(0, *std::max_element(s.skip_lut.begin(), s.skip_lut.end()));
    }
    // The bias itself is the accumulator's first value, so it must fit too (a bias beyond every
    // sum happens when all of a neuron's products share a sign).
    const std::int64_t b = s.bias[static_cast<std::size_t>(n)];
    lo = std::min({lo, nlo, b});
    hi = std::max({hi, nhi, b});
  }
  return {lo, hi};
}

int accumulator_bits(const Stage& s) {
  const auto [lo, hi] = accumulator_range(s);
  return signed_bits_for(lo, hi);
}

bool ComposedNetwork::is_chain() const {
  for (std::size_t k = 0; k < stages.size(); ++k)
    if (source_of(k) != static_cast<int>(k) - 1 || stages[k].skip != kNoSkip) return false;
  return true;
}

void ComposedNetwork::validate(const std::string& src) const {
  auto check = [&](bool ok, const std::string& where, const std::string& what) {
    if (!ok) fail(src, "{}: {}", where, what);
  };
  check(!stages.empty(), "network", "no stages");
  check(classes > 0, "network", "no classes");
  check(input.raw_bits >= 1 && input.raw_bits <= 16, "input", "raw_bits must be 1 to 16");
  check(static_cast<std::int64_t>(input.lut.size()) == (std::int64_t{1} << input.raw_bits), "input",
        "lookup table size is not 2^raw_bits");
  for (auto v : input.lut) check(v < input.u, "input", "lookup table entry out of the codebook range");
  int outputs = 0;
  Shape cur = input_shape;
  // The number of codes in each stage's output (0: the output stage's scores).
  std::vector<int> codes(stages.size(), 0);
  const auto codes_of = [&](int k) { return k == kFromInput ? input.u : codes[static_cast<std::size_t>(k)]; };
  const auto shape_of = [&](int k) { return k == kFromInput ? input_shape : stages[static_cast<std::size_t>(k)].out_shape; };
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Stage& s = stages[i];
    const std::string where = fmt::format("stage {} '{}' ({})", i, s.name, to_string(s.kind));
    const int src = source_of(i);
    check(src >= kFromInput && src < static_cast<int>(i), where, "reads a stage that does not come before it");
    check(s.in_shape == shape_of(src), where, "input shape does not follow from the stage it reads");
    check(s.kind == StageKind::Flatten || codes_of(src) > 0, where, "reads the output stage's scores");
    codes[i] = s.weighted() ? (s.is_output ? 0 : s.out_u) : codes_of(src);
    cur = s.out_shape;
    if (s.kind == StageKind::Concat) {
      check(s.skip >= kFromInput && s.skip < static_cast<int>(i), where, "its second input does not come before it");
      const Shape &a = shape_of(src), &b = shape_of(s.skip);
      check(a.size() == b.size() && std::equal(a.begin() + 1, a.end(), b.begin() + 1) && s.out_shape.size() == a.size() &&
                s.out_shape[0] == a[0] + b[0] && std::equal(a.begin() + 1, a.end(), s.out_shape.begin() + 1),
            where, "the output shape is not its inputs' concatenated along channels");
      check(codes_of(s.skip) == codes_of(src), where, "its inputs carry codebooks of different sizes");
      check(s.skip_lut.empty(), where, "a skip decoding table on a concatenation");
    } else if (s.skip != kNoSkip) {
      check(s.weighted() && s.kind != StageKind::AvgPool, where, "only a Dense or Conv stage adds a skipped value");
      check(s.skip >= kFromInput && s.skip < static_cast<int>(i), where, "skips from a stage that does not come before it");
      check(s.skip == kFromInput || codes_of(s.skip) > 0, where, "skips from the output stage's scores");
      check(shape_of(s.skip) == s.out_shape, where, "the skipped tensor's shape differs from the output's");
      check(static_cast<int>(s.skip_lut.size()) == codes_of(s.skip), where,
            "skip decoding table size != codes of the skipped tensor");
    } else {
      check(s.skip_lut.empty(), where, "a skip decoding table without a skip");
    }
    if (!s.weighted()) continue;
    check(s.u == codes_of(src), where, "input codebook size != codes of the tensor it reads");
    check(s.w >= 1 && s.u >= 2 && s.tables >= 1, where, "bad codebook sizes");
    check(static_cast<int>(s.weight_codebooks.size()) == s.tables, where, "weight codebook count != tables");
    for (const auto& c : s.weight_codebooks) {
      check(static_cast<int>(c.size()) == s.w, where, "weight codebook size != w");
      check(std::is_sorted(c.begin(), c.end()), where, "weight codebook is not sorted");
    }
    check(static_cast<int>(s.input_codebook.size()) == s.u, where, "input codebook size != u");
    check(std::is_sorted(s.input_codebook.begin(), s.input_codebook.end()), where, "input codebook is not sorted");
    check(s.product.size() == static_cast<std::size_t>(s.tables) * s.w * s.u, where, "product table size != tables*w*u");
    check(s.bias.size() == static_cast<std::size_t>(s.units), where, "bias size != units");
    if (s.kind != StageKind::AvgPool) {
      check(s.weight_idx.size() == static_cast<std::size_t>(s.units * s.fan_in), where, "weight index count != units*fan_in");
      for (auto v : s.weight_idx) check(v < s.w, where, "weight index out of range");
    }
    const std::int64_t pmax = (std::int64_t{1} << (s.product_bits - 1)) - 1;
    for (auto p : s.product) check(p >= -pmax - 1 && p <= pmax, where, "product entry does not fit product_bits");
    for (auto b : s.bias) check(signed_bits_for(b, b) <= s.bias_bits, where, "bias does not fit bias_bits");
    check(s.acc_bits >= 2 && s.acc_bits <= 48, where, "accumulator width out of range");
    check(s.kind != StageKind::Conv || s.tables >= s.units, where, "a convolution needs a product table per channel");
    const int need = accumulator_bits(s);
    check(s.acc_bits >= need, where,
          fmt::format("acc_bits {} is too narrow for the worst-case sum of its products and bias ({} bits)", s.acc_bits,
                      need));
    check(std::isfinite(s.scale) && s.scale > 0, where, "scale must be a positive number");
    check((s.w & (s.w - 1)) == 0 && (s.u & (s.u - 1)) == 0, where, "w and u must be powers of two");
    if (s.is_output) {
      ++outputs;
      check(i + 1 == stages.size() || std::all_of(stages.begin() + static_cast<std::ptrdiff_t>(i) + 1, stages.end(),
                                                  [](const Stage& t) { return t.kind == StageKind::Flatten; }),
            where, "the output stage must be last");
      continue;
    }
    check(static_cast<int>(s.enc.size()) == s.out_u && s.out_u >= 2, where, "encoding table size != consumer u");
    check(std::is_sorted(s.enc.begin(), s.enc.end()), where, "encoding table is not sorted");
    if (s.act_table) {
      check(s.act_y.size() >= 2 && s.act_y.size() == s.act_z.size() && s.fused_idx.size() == s.act_y.size(), where,
            "activation table sizes differ");
      check(std::adjacent_find(s.act_y.begin(), s.act_y.end(), std::greater_equal<>()) == s.act_y.end(), where,
            "activation rows are not strictly increasing");
      for (std::size_t k = 0; k < s.act_z.size(); ++k)
        check(s.fused_idx[k] == nearest_int(s.enc, s.act_z[k]), where, "fused table disagrees with the two blocks");
    } else {
      check(s.act == ActKind::ReLU || s.act == ActKind::Identity, where, "comparator form needs ReLU or identity");
    }
  }
  check(outputs == 1, "network", "exactly one output stage is required");
  check(numel(cur) == classes, "network", "output size != classes");
}

ComposedNetwork::Bits ComposedNetwork::table_bits() const {
  Bits b;
  b.input_lut = static_cast<std::int64_t>(input.lut.size()) * clog2(input.u);
  for (const auto& s : stages) {
    if (!s.weighted()) continue;
    b.weight_idx += static_cast<std::int64_t>(s.weight_idx.size()) * (s.w > 1 ? clog2(s.w) : 0);
    b.product += static_cast<std::int64_t>(s.product.size()) * s.product_bits;
    b.bias += static_cast<std::int64_t>(s.bias.size()) * s.bias_bits;
    b.am += static_cast<std::int64_t>(s.enc.size() + s.act_y.size() + s.act_z.size()) * s.am_bits +
            static_cast<std::int64_t>(s.skip_lut.size()) * s.acc_bits;
  }
  return b;
}

}  // namespace rapidnn
