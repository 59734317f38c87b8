// Network IR: shape inference and validation.
#include "core/ir.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "core/error.h"

namespace rapidnn {

std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string to_string(const Shape& s) { return fmt::format("[{}]", fmt::join(s, "x")); }

const char* to_string(LayerKind k) {
  switch (k) {
    case LayerKind::Scale: return "Scale";
    case LayerKind::Dense: return "Dense";
    case LayerKind::Conv2D: return "Conv2D";
    case LayerKind::MaxPool2D: return "MaxPool2D";
    case LayerKind::AvgPool2D: return "AvgPool2D";
    case LayerKind::Flatten: return "Flatten";
    case LayerKind::Activation: return "Activation";
    case LayerKind::Add: return "Add";
    case LayerKind::Concat: return "Concat";
  }
  return "?";
}

const char* to_string(ActKind a) {
  switch (a) {
    case ActKind::Identity: return "identity";
    case ActKind::ReLU: return "relu";
    case ActKind::Sigmoid: return "sigmoid";
    case ActKind::Tanh: return "tanh";
    case ActKind::Softsign: return "softsign";
  }
  return "?";
}

float apply_activation(ActKind a, float x) {
  switch (a) {
    case ActKind::Identity: return x;
    case ActKind::ReLU: return x > 0.0f ? x : 0.0f;
    case ActKind::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case ActKind::Tanh: return std::tanh(x);
    case ActKind::Softsign: return x / (1.0f + std::fabs(x));
  }
  return x;
}

static std::int64_t pooled_extent(std::int64_t in, int k, int stride, int pad_a, int pad_b) {
  return (in + pad_a + pad_b - k) / stride + 1;
}

std::vector<int> Network::sources(std::size_t i) const {
  const Layer& l = layers.at(i);
  if (!l.inputs.empty()) return l.inputs;
  return {static_cast<int>(i) - 1};  // the previous layer; kInputTensor (-1) for the first
}

const Shape& Network::shape_of(int p, const std::vector<Shape>& shapes) const {
  return p == kInputTensor ? input_shape : shapes.at(static_cast<std::size_t>(p));
}

const Shape& Network::input_shape_of(std::size_t i, const std::vector<Shape>& shapes) const {
  return shape_of(sources(i).front(), shapes);
}

std::size_t Network::first_branch() const {
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (sources(i) != std::vector<int>{static_cast<int>(i) - 1}) return i;
  return layers.size();
}

bool Network::is_chain() const { return first_branch() == layers.size(); }

namespace {

// The shape an Add or Concat produces from its producers' shapes; `bad` reports what does not fit.
template <class Bad>
Shape joined_shape(const Layer& l, const std::vector<Shape>& in, const Bad& bad) {
  if (in.size() < 2) bad(fmt::format("{} needs two or more inputs", to_string(l.kind)));
  Shape out = in[0];
  for (std::size_t k = 1; k < in.size(); ++k) {
    if (l.kind == LayerKind::Add) {
      if (in[k] != in[0])
        bad(fmt::format("Add of tensors of different shapes {} and {} (no broadcasting)", to_string(in[0]),
                        to_string(in[k])));
      continue;
    }
    if (in[k].size() != in[0].size() || !std::equal(in[k].begin() + 1, in[k].end(), in[0].begin() + 1))
      bad(fmt::format("Concat of {} and {}: only the channel (first) axis may differ", to_string(in[0]),
                      to_string(in[k])));
    out[0] += in[k][0];
  }
  return out;
}

}  // namespace

std::vector<Shape> Network::infer_shapes(const std::string& source) const {
  if (input_shape.empty()) fail(source, "network '{}' has no input shape", name);
  for (auto d : input_shape)
    if (d <= 0) fail(source, "input shape {} has a non-positive dimension", to_string(input_shape));
  if (layers.empty()) fail(source, "network '{}' has no layers", name);
  std::vector<Shape> shapes;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    for (int p : l.inputs)
      if (p < kInputTensor || p >= static_cast<int>(i))
        fail(source, "layer {} '{}' ({}) reads {}, which is not an earlier layer or the input", i, l.name,
             to_string(l.kind), p);
    std::vector<Shape> in;
    for (int p : sources(i)) in.push_back(shape_of(p, shapes));
    Shape cur = in[0];
    auto bad = [&](const std::string& why) {
      fail(source, "layer {} '{}' ({}) with input {}: {}", i, l.name, to_string(l.kind), to_string(cur), why);
    };
    const bool joins = l.kind == LayerKind::Add || l.kind == LayerKind::Concat;
    if (!joins && in.size() != 1) bad(fmt::format("reads {} tensors; only Add and Concat join", in.size()));
    if (l.act != ActKind::Identity && !l.fuses_activation() && l.kind != LayerKind::Activation)
      bad("only Dense, Conv2D and Add fuse an activation");
    switch (l.kind) {
      case LayerKind::Scale:
      case LayerKind::Activation: break;
      case LayerKind::Add:
      case LayerKind::Concat: cur = joined_shape(l, in, bad); break;
      case LayerKind::Flatten: cur = Shape{numel(cur)}; break;
      case LayerKind::Dense:
        if (cur.size() != 1) bad("Dense needs a flat input; insert a Flatten");
        if (l.units <= 0) bad("Dense needs at least one output");
        cur = Shape{l.units};
        break;
      case LayerKind::Conv2D:
      case LayerKind::MaxPool2D:
      case LayerKind::AvgPool2D: {
        if (cur.size() != 3) bad("needs a CHW input");
        if (l.kernel_h <= 0 || l.kernel_w <= 0) bad("kernel size must be positive");
        if (l.stride_h <= 0 || l.stride_w <= 0) bad("stride must be positive");
        if (l.pad.top < 0 || l.pad.left < 0 || l.pad.bottom < 0 || l.pad.right < 0) bad("padding must be non-negative");
        if (l.pad.top >= l.kernel_h || l.pad.bottom >= l.kernel_h || l.pad.left >= l.kernel_w ||
            l.pad.right >= l.kernel_w)
          bad("padding must be smaller than the kernel");
        const std::int64_t oh = pooled_extent(cur[1], l.kernel_h, l.stride_h, l.pad.top, l.pad.bottom);
        const std::int64_t ow = pooled_extent(cur[2], l.kernel_w, l.stride_w, l.pad.left, l.pad.right);
        if (oh <= 0 || ow <= 0) bad(fmt::format("kernel {}x{} does not fit", l.kernel_h, l.kernel_w));
        const std::int64_t ch = l.kind == LayerKind::Conv2D ? l.units : cur[0];
        if (l.kind == LayerKind::Conv2D && l.units <= 0) bad("Conv2D needs at least one output channel");
        cur = Shape{ch, oh, ow};
        break;
      }
    }
    shapes.push_back(cur);
  }
  return shapes;
}

void Network::validate(const std::string& source) const {
  const auto shapes = infer_shapes(source);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const Shape& in = input_shape_of(i, shapes);
    auto expect = [&](const char* what, std::size_t got, std::int64_t want) {
      if (static_cast<std::int64_t>(got) != want)
        fail(source, "layer {} '{}' ({}): {} has {} values, expected {}", i, l.name, to_string(l.kind), what, got,
             want);
    };
    switch (l.kind) {
      case LayerKind::Dense:
        expect("weights", l.weights.size(), l.units * in[0]);
        expect("bias", l.bias.size(), l.units);
        break;
      case LayerKind::Conv2D:
        expect("weights", l.weights.size(), l.units * in[0] * l.kernel_h * l.kernel_w);
        expect("bias", l.bias.size(), l.units);
        break;
      case LayerKind::Scale:
        expect("multiplier", l.weights.size(), numel(in));
        expect("offset", l.bias.size(), numel(in));
        break;
      default: break;
    }
    for (float v : l.weights)
      if (!std::isfinite(v)) fail(source, "layer {} '{}': weights contain NaN or infinity", i, l.name);
    for (float v : l.bias)
      if (!std::isfinite(v)) fail(source, "layer {} '{}': bias contains NaN or infinity", i, l.name);
  }
}

Shape Network::output_shape() const { return infer_shapes().back(); }

std::int64_t Network::num_classes() const { return numel(output_shape()); }

std::int64_t Network::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& l : layers)
    if (l.has_weights()) n += static_cast<std::int64_t>(l.weights.size() + l.bias.size());
  return n;
}

std::string Network::summary() const {
  const auto shapes = infer_shapes();
  std::string out = fmt::format("network '{}': input {}, {} parameters\n", name, to_string(input_shape),
                                parameter_count());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    std::string detail;
    switch (l.kind) {
      case LayerKind::Dense: detail = fmt::format("units={} act={}", l.units, to_string(l.act)); break;
      case LayerKind::Conv2D:
        detail = fmt::format("out={} k={}x{} s={}x{} pad={},{},{},{} act={}", l.units, l.kernel_h, l.kernel_w,
                             l.stride_h, l.stride_w, l.pad.top, l.pad.left, l.pad.bottom, l.pad.right,
                             to_string(l.act));
        break;
      case LayerKind::MaxPool2D:
      case LayerKind::AvgPool2D:
        detail = fmt::format("k={}x{} s={}x{} pad={},{},{},{}", l.kernel_h, l.kernel_w, l.stride_h, l.stride_w,
                             l.pad.top, l.pad.left, l.pad.bottom, l.pad.right);
        break;
      case LayerKind::Activation: detail = to_string(l.act); break;
      case LayerKind::Add: detail = fmt::format("act={}", to_string(l.act)); break;
      default: break;
    }
    if (!l.inputs.empty()) {
      std::vector<std::string> from;
      for (int p : l.inputs) from.push_back(p == kInputTensor ? "input" : std::to_string(p));
      detail += fmt::format("{}from {}", detail.empty() ? "" : " ", fmt::join(from, ","));
    }
    out += fmt::format("  {:2} {:<10} {:<16} -> {:<12} {}\n", i, to_string(l.kind), l.name, to_string(shapes[i]),
                       detail);
  }
  if (softmax_output) out += "  (softmax at the output: dropped, argmax is unchanged)\n";
  return out;
}

Layer make_dense(std::string name, std::int64_t in, std::int64_t out, ActKind act) {
  Layer l;
  l.kind = LayerKind::Dense;
  l.name = std::move(name);
  l.units = out;
  l.act = act;
  l.weights.assign(static_cast<std::size_t>(in * out), 0.0f);
  l.bias.assign(static_cast<std::size_t>(out), 0.0f);
  return l;
}

Layer make_conv(std::string name, std::int64_t in_ch, std::int64_t out_ch, int k, int stride, int pad, ActKind act) {
  Layer l;
  l.kind = LayerKind::Conv2D;
  l.name = std::move(name);
  l.units = out_ch;
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  l.pad = Padding{pad, pad, pad, pad};
  l.act = act;
  l.weights.assign(static_cast<std::size_t>(out_ch * in_ch * k * k), 0.0f);
  l.bias.assign(static_cast<std::size_t>(out_ch), 0.0f);
  return l;
}

Layer make_pool(LayerKind kind, std::string name, int k, int stride) {
  Layer l;
  l.kind = kind;
  l.name = std::move(name);
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  return l;
}

Layer make_flatten(std::string name) {
  Layer l;
  l.kind = LayerKind::Flatten;
  l.name = std::move(name);
  return l;
}

}  // namespace rapidnn
