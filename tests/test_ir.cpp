// Network IR: shape inference, validation errors, float inference against naive loops.
#include <catch2/catch.hpp>

#include <Eigen/Core>

#include <cmath>

#include "core/error.h"
#include "core/infer.h"
#include "support.h"

using namespace rapidnn;

namespace {

// Direct-loop convolution, the definition the GEMM path must match.
std::vector<float> naive_conv(const Layer& l, const Shape& in, const std::vector<float>& x) {
  const std::int64_t oh = (in[1] + l.pad.top + l.pad.bottom - l.kernel_h) / l.stride_h + 1;
  const std::int64_t ow = (in[2] + l.pad.left + l.pad.right - l.kernel_w) / l.stride_w + 1;
  std::vector<float> y(static_cast<std::size_t>(l.units * oh * ow));
  for (std::int64_t o = 0; o < l.units; ++o)
    for (std::int64_t oy = 0; oy < oh; ++oy)
      for (std::int64_t ox = 0; ox < ow; ++ox) {
        double acc = l.bias[static_cast<std::size_t>(o)];
        for (std::int64_t c = 0; c < in[0]; ++c)
          for (int ky = 0; ky < l.kernel_h; ++ky)
            for (int kx = 0; kx < l.kernel_w; ++kx) {
              const std::int64_t iy = oy * l.stride_h + ky - l.pad.top, ix = ox * l.stride_w + kx - l.pad.left;
              if (iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
              acc += static_cast<double>(l.weights[static_cast<std::size_t>(((o * in[0] + c) * l.kernel_h + ky) * l.kernel_w + kx)]) *
                     x[static_cast<std::size_t>((c * in[1] + iy) * in[2] + ix)];
            }
        y[static_cast<std::size_t>((o * oh + oy) * ow + ox)] = apply_activation(l.act, static_cast<float>(acc));
      }
  return y;
}

}  // namespace

TEST_CASE("shapes of the paper's CIFAR-style CNN", "[ir]") {
  Network net;
  net.input_shape = {3, 32, 32};
  net.layers.push_back(make_conv("c1", 3, 32, 3, 1, 1, ActKind::ReLU));
  net.layers.push_back(make_pool(LayerKind::MaxPool2D, "p1", 2, 2));
  net.layers.push_back(make_conv("c2", 32, 64, 3));
  net.layers.push_back(make_flatten("f"));
  net.layers.push_back(make_dense("fc", 64 * 14 * 14, 10));
  const auto s = net.infer_shapes();
  CHECK(s[0] == Shape{32, 32, 32});
  CHECK(s[1] == Shape{32, 16, 16});
  CHECK(s[2] == Shape{64, 14, 14});
  CHECK(s[3] == Shape{64 * 14 * 14});
  CHECK(net.num_classes() == 10);
  CHECK_NOTHROW(net.validate());
}

TEST_CASE("validation names the bad layer", "[ir]") {
  Network net;
  net.input_shape = {1, 8, 8};
  net.layers.push_back(make_dense("fc", 64, 10));
  CHECK_THROWS_WITH(net.validate("m.onnx"), Catch::Contains("layer 0 'fc'") && Catch::Contains("Flatten"));
  net.layers.front() = make_pool(LayerKind::MaxPool2D, "p", 9, 1);
  CHECK_THROWS_WITH(net.validate(), Catch::Contains("does not fit"));
  net.layers.front() = make_conv("c", 1, 2, 3);
  net.layers.front().weights.pop_back();
  CHECK_THROWS_WITH(net.validate(), Catch::Contains("weights has 17 values, expected 18"));
  net.layers.front() = make_conv("c", 1, 2, 3);
  net.layers.front().bias[0] = std::nanf("");
  CHECK_THROWS_WITH(net.validate(), Catch::Contains("NaN"));
}

TEST_CASE("convolution matches direct loops for every stride and padding", "[ir]") {
  const int stride = GENERATE(1, 2);
  const int pad = GENERATE(0, 1, 2);
  const int k = GENERATE(3, 5);
  if (pad >= k) return;
  Network net;
  net.input_shape = {2, 9, 7};
  net.layers.push_back(make_conv("c", 2, 3, k, stride, pad, ActKind::Tanh));
  net.layers.back().pad.bottom = 0;  // asymmetric padding too
  net = test::random_network(net, 11u + static_cast<unsigned>(stride * 10 + pad));
  const auto x = test::random_inputs(net, 1, 5);
  const auto got = forward(net, x.data(), 1);
  const auto want = naive_conv(net.layers[0], net.input_shape, x);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-5));
}

TEST_CASE("pooling: max ignores padding, average counts per flag", "[ir]") {
  Network net;
  net.input_shape = {1, 2, 2};
  Layer p = make_pool(LayerKind::AvgPool2D, "a", 2, 2);
  p.pad = Padding{1, 1, 1, 1};
  net.layers.push_back(p);
  const std::vector<float> x{1, 2, 3, 4};
  auto y = forward(net, x.data(), 1);
  REQUIRE(y.size() == 4);
  CHECK(y[0] == 1.0f);  // only the one real pixel counts
  net.layers[0].count_include_pad = true;
  y = forward(net, x.data(), 1);
  CHECK(y[0] == 0.25f);
  net.layers[0].kind = LayerKind::MaxPool2D;
  const std::vector<float> neg{-1, -2, -3, -4};
  y = forward(net, neg.data(), 1);
  CHECK(y[0] == -1.0f);  // padding is not a zero candidate
  CHECK(y[3] == -4.0f);
}

TEST_CASE("activations", "[ir]") {
  CHECK(apply_activation(ActKind::ReLU, -2.0f) == 0.0f);
  CHECK(apply_activation(ActKind::Sigmoid, 0.0f) == 0.5f);
  CHECK(apply_activation(ActKind::Tanh, 1.0f) == Approx(std::tanh(1.0f)));
  CHECK(apply_activation(ActKind::Softsign, 3.0f) == 0.75f);
  CHECK(apply_activation(ActKind::Identity, -7.0f) == -7.0f);
}

TEST_CASE("batched and threaded prediction equal one-at-a-time", "[ir]") {
  Network net;
  net.input_shape = {20};
  net.layers.push_back(make_dense("a", 20, 16, ActKind::ReLU));
  net.layers.push_back(make_dense("b", 16, 5));
  net = test::random_network(net, 3);
  const std::int64_t n = 600;
  const auto x = test::random_inputs(net, n, 4);
  const auto all = predict(net, x.data(), n, 2);
  for (std::int64_t i = 0; i < n; i += 37) {
    const auto one = argmax_rows(forward(net, x.data() + i * 20, 1), 1, 5);
    CHECK(one[0] == all[static_cast<std::size_t>(i)]);
  }
}

TEST_CASE("argmax picks the lowest index on ties", "[ir]") {
  const std::vector<float> out{1, 3, 3, 0, 2, 2};
  const auto p = argmax_rows(out, 2, 3);
  CHECK(p[0] == 1);
  CHECK(p[1] == 1);
}

TEST_CASE("float inference gives the same bits whatever cache sizes the CPU reports", "[ir]") {
  // Eigen blocks a GEMM by the cache sizes cpuid reports, which reorders float sums: long enough
  // dot products (784 here, as in the shipped MLP) then round differently on different CPUs.
  Network net;
  net.input_shape = {784};
  net.layers.push_back(make_dense("a", 784, 64, ActKind::ReLU));
  net.layers.push_back(make_dense("b", 64, 10));
  net = test::random_network(net, 5);
  const std::int64_t n = 64;
  const auto x = test::random_inputs(net, n, 6);
  const auto reference = forward(net, x.data(), n);
  for (const std::ptrdiff_t l1 : {16 * 1024, 32 * 1024, 64 * 1024}) {
    Eigen::setCpuCacheSizes(l1, 512 * 1024, 256 * 1024 * 1024);  // as a CPU with this L1 would
    CAPTURE(l1);
    CHECK(forward(net, x.data(), n) == reference);
    CHECK(predict(net, x.data(), n, 2) == argmax_rows(reference, n, 10));
  }
}
