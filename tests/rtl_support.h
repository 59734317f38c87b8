// Helpers shared by the RTL and co-simulation tests: random images with raw integer pixels,
// seeded random small networks of every stage kind, composing them.
#pragma once

#include <fmt/format.h>

#include <random>

#include "composer/compose.h"
#include "support.h"

namespace rapidnn::test {

inline Dataset random_images(const Shape& shape, std::int64_t n, int classes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> px(0, 255);
  Dataset d;
  d.source = "random";
  d.sample_shape = shape;
  d.pre_scale = 1.0f / 255.0f;
  for (std::int64_t i = 0; i < n * numel(shape); ++i) d.x.push_back(static_cast<float>(px(rng)) * d.pre_scale);
  for (std::int64_t i = 0; i < n; ++i) d.y.push_back(static_cast<int>(i % classes));
  d.num_classes = classes;
  return d;
}

// A seeded random small network: an MLP, or a CNN with convolutions (stride, padding), max
// and average pooling, then dense layers; activations drawn from ReLU, identity, sigmoid, tanh.
inline Network random_small_network(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const ActKind acts[] = {ActKind::ReLU, ActKind::ReLU, ActKind::Identity, ActKind::Sigmoid, ActKind::Tanh};
  auto act = [&] { return acts[pick(0, 4)]; };
  Network net;
  std::int64_t flat = 0;
  if (pick(0, 1) == 0) {
    net.input_shape = {static_cast<std::int64_t>(pick(6, 20))};
    flat = net.input_shape[0];
  } else {
    const int c = pick(1, 2), h = pick(6, 9);
    net.input_shape = {c, h, h};
    const int oc = pick(2, 4), k = pick(2, 3), s = pick(1, 2), pad = pick(0, 1);
    net.layers.push_back(make_conv("conv1", c, oc, k, s, pad, act()));
    std::int64_t side = (h + 2 * pad - k) / s + 1;
    if (side >= 4 && pick(0, 1)) {
      net.layers.push_back(make_pool(LayerKind::MaxPool2D, "maxpool", 2, 2));
      side /= 2;
    }
    if (side >= 3) {
      const int oc2 = pick(2, 3);
      net.layers.push_back(make_conv("conv2", oc, oc2, 2, 1, pick(0, 1), act()));
      side = net.infer_shapes().back()[1];
      if (side >= 2 && pick(0, 1)) {
        net.layers.push_back(make_pool(LayerKind::AvgPool2D, "avgpool", 2, pick(1, 2)));
      }
    }
    net.layers.push_back(make_flatten("flatten"));
    flat = numel(net.infer_shapes().back());
  }
  const int hidden = pick(0, 2) ? pick(3, 12) : 0;
  if (hidden) {
    net.layers.push_back(make_dense("fc", flat, hidden, act()));
    flat = hidden;
  }
  net.layers.push_back(make_dense("out", flat, pick(2, 5)));
  return random_network(net, seed);
}

// A seeded random small residual CNN: maybe a stem conv (without one, the first block adds the
// network input itself), one or two residual blocks (an identity skip, or one projected by a 1x1
// conv, maybe strided), maybe a max pool between them, maybe a concatenation (two convolutions of
// one tensor side by side, or a tensor beside a convolution of it), then dense layers, maybe with
// a residual dense pair.
inline Network random_residual_network(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Network net;
  const int c = pick(1, 2), h = pick(6, 8);
  net.input_shape = {c, h, h};
  int ch = c;
  if (pick(0, 3) != 0) {
    ch = pick(2, 4);
    net.layers.push_back(make_conv("stem", c, ch, 3, 1, 1, ActKind::ReLU));
  }
  const int blocks = pick(1, 2);
  for (int b = 0; b < blocks; ++b) {
    const int in = static_cast<int>(net.layers.size()) - 1;  // kInputTensor (-1) without a stem
    const bool project = pick(0, 1) == 1;
    const int out_ch = project ? ch + pick(0, 2) : ch, stride = project ? pick(1, 2) : 1;
    net.layers.push_back(make_conv(fmt::format("b{}a", b), ch, out_ch, 3, stride, 1, ActKind::ReLU));
    net.layers.push_back(make_conv(fmt::format("b{}b", b), out_ch, out_ch, 3, 1, 1));
    int skip = in;
    if (project) {
      Layer p = make_conv(fmt::format("b{}p", b), ch, out_ch, 1, stride, 0);
      p.inputs = {in};
      net.layers.push_back(p);
      skip = static_cast<int>(net.layers.size()) - 1;
    }
    Layer add;
    add.kind = LayerKind::Add;
    add.name = fmt::format("b{}sum", b);
    add.act = pick(0, 3) ? ActKind::ReLU : ActKind::Identity;
    add.inputs = {static_cast<int>(net.layers.size()) - (project ? 2 : 1), skip};
    if (project && pick(0, 1)) std::swap(add.inputs[0], add.inputs[1]);
    net.layers.push_back(add);
    ch = out_ch;
    if (b + 1 < blocks && net.infer_shapes().back()[1] >= 4 && pick(0, 1))
      net.layers.push_back(make_pool(LayerKind::MaxPool2D, fmt::format("mp{}", b), 2, 2));
  }
  if (const int concat = pick(0, 2); concat > 0) {
    const int in = static_cast<int>(net.layers.size()) - 1;
    const int c1 = pick(1, 3), c2 = pick(1, 3);
    Layer a = make_conv("cat_a", ch, c2, 3, 1, 1, ActKind::ReLU);
    a.inputs = {in};
    net.layers.push_back(a);
    Layer cat;
    cat.kind = LayerKind::Concat;
    cat.name = "cat";
    if (concat == 1) {  // side by side: a 1x1 convolution and a 3x3 one
      Layer b = make_conv("cat_b", ch, c1, 1, 1, 0, ActKind::ReLU);
      b.inputs = {in};
      net.layers.push_back(b);
      cat.inputs = {in + 2, in + 1};
      ch = c1 + c2;
    } else {  // the tensor beside a convolution of it (DenseNet)
      cat.inputs = {in, in + 1};
      ch += c2;
    }
    net.layers.push_back(cat);
  }
  net.layers.push_back(make_flatten("flatten"));
  const std::int64_t flat = numel(net.infer_shapes().back());
  const int fc = pick(4, 10);
  net.layers.push_back(make_dense("fc", flat, fc, ActKind::ReLU));
  if (pick(0, 1)) {  // a residual dense pair: fc + fc2(fc)
    const int first = static_cast<int>(net.layers.size()) - 1;
    net.layers.push_back(make_dense("fc2", fc, fc, ActKind::Identity));
    Layer add;
    add.kind = LayerKind::Add;
    add.name = "fcsum";
    add.act = ActKind::ReLU;
    add.inputs = {first + 1, first};
    if (pick(0, 1)) std::swap(add.inputs[0], add.inputs[1]);
    net.layers.push_back(add);
  }
  net.layers.push_back(make_dense("out", fc, pick(2, 5)));
  return random_network(net, seed);
}

inline ComposedNetwork compose_case(const Network& net, const Dataset& calib, int w, int u, int q,
                                    CodebookMethod method = CodebookMethod::Optimal,
                                    InputCodebooks inputs = InputCodebooks::Float, bool bias_correction = false,
                                    const std::vector<int>& layer_w = {}, const std::vector<int>& layer_u = {},
                                    bool refit_codebooks = false) {
  ComposeConfig cfg;
  cfg.method = method;
  cfg.q = q;
  cfg.inputs = inputs;
  cfg.bias_correction = bias_correction;
  cfg.refit_codebooks = refit_codebooks;
  const ComposerState st = prepare_composer(net, "random.onnx", calib, cfg, w, u);
  if (!layer_w.empty()) return assemble(st, layer_sizes(st, layer_w, layer_u), q);  // sizes up to (w, u)
  return assemble(st, w, u, q);
}

}  // namespace rapidnn::test
