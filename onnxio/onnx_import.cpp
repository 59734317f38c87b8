// ONNX -> Network IR.
//
// Checks every node's op first, then walks the graph in topological order (sorted: exporters
// do not all store it so) keeping one "running
// activation": every supported op either transforms it into a new IR layer,
// folds into the previous layer (bias adds, constant scales, batch norm), or
// computes a constant (Constant, Reshape/Identity of initializers).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "core/error.h"
#include "core/fileio.h"
#include "onnxio/onnx_io.h"

namespace rapidnn {
namespace {

struct Const {
  std::vector<std::int64_t> dims;
  std::vector<double> values;  // all numeric types widen to double (int64 shapes are exact below 2^53)
  std::int64_t count() const {
    std::int64_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
};

// Every op the importer reads (default domain), as the rejection of any other lists them.
constexpr const char* kSupportedOps[] = {"Add",     "AveragePool", "BatchNormalization", "Constant", "Conv",
                                         "Div",     "Dropout",     "Flatten",            "Gemm",     "Identity",
                                         "LogSoftmax", "MatMul",   "MaxPool",            "Mul",      "Pad",
                                         "Relu",    "Reshape",     "Sigmoid",            "Softmax",  "Softsign",
                                         "Sub",     "Tanh"};

bool supported_op(const onnx::NodeProto& n) {
  if (!n.domain().empty() && n.domain() != "ai.onnx") return false;
  return std::find_if(std::begin(kSupportedOps), std::end(kSupportedOps),
                      [&](const char* op) { return n.op_type() == op; }) != std::end(kSupportedOps);
}

// The graph's nodes in an order where each node comes after the nodes producing its inputs (ONNX
// requires it, not every exporter keeps it): Kahn's algorithm, taking ready nodes in stored order,
// so a graph already sorted keeps its order.
std::vector<const onnx::NodeProto*> sorted_nodes(const onnx::GraphProto& g, const std::string& src) {
  std::set<std::string> known;
  for (const auto& t : g.initializer()) known.insert(t.name());
  for (const auto& i : g.input()) known.insert(i.name());
  std::set<std::string> produced;
  for (const auto& n : g.node())
    for (const auto& o : n.output()) produced.insert(o);
  std::vector<const onnx::NodeProto*> out;
  std::vector<bool> done(static_cast<std::size_t>(g.node_size()), false);
  while (out.size() < static_cast<std::size_t>(g.node_size())) {
    bool progress = false;
    for (int k = 0; k < g.node_size(); ++k) {
      if (done[static_cast<std::size_t>(k)]) continue;
      const auto& n = g.node(k);
      const bool ready = std::all_of(n.input().begin(), n.input().end(),
                                     [&](const std::string& in) { return in.empty() || known.count(in) > 0; });
      if (!ready) continue;
      for (const auto& o : n.output()) known.insert(o);
      out.push_back(&n);
      done[static_cast<std::size_t>(k)] = true;
      progress = true;
    }
    if (progress) continue;
    for (int k = 0; k < g.node_size(); ++k) {  // name the first node that can never run, and why
      if (done[static_cast<std::size_t>(k)]) continue;
      const auto& n = g.node(k);
      for (const auto& in : n.input())
        if (!in.empty() && !known.count(in))
          fail(src, "node '{}' ({}): its input '{}' is {}", n.name(), n.op_type(), in,
               produced.count(in) ? "part of a cycle" : "produced by no node, initializer or graph input");
    }
  }
  return out;
}

template <typename T>
std::vector<double> raw_as(const std::string& raw, std::int64_t count, const std::string& src, const std::string& name) {
  if (raw.size() != static_cast<std::size_t>(count) * sizeof(T))
    fail(src, "tensor '{}' raw data has {} bytes, expected {}", name, raw.size(), count * static_cast<std::int64_t>(sizeof(T)));
  std::vector<double> out(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
    out[static_cast<std::size_t>(i)] = static_cast<double>(v);
  }
  return out;
}

Const decode_tensor(const onnx::TensorProto& t, const std::string& src) {
  Const c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  std::int64_t n = 1;
  for (auto d : c.dims)
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > (std::int64_t{1} << 32))
      fail(src, "tensor '{}' has shape [{}]: a negative dimension, or more than 2^32 values", t.name(),
           fmt::join(c.dims, "x"));
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    fail(src, "tensor '{}' stores its data in an external file, which is not supported", t.name());
  const bool raw = t.has_raw_data();
  auto expect = [&](std::int64_t got) {
    if (got != n) fail(src, "tensor '{}' has {} values for shape [{}]", t.name(), got, fmt::join(c.dims, "x"));
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (raw) c.values = raw_as<float>(t.raw_data(), n, src, t.name());
      else { expect(t.float_data_size()); c.values.assign(t.float_data().begin(), t.float_data().end()); }
      break;
    case onnx::TensorProto::DOUBLE:
      if (raw) c.values = raw_as<double>(t.raw_data(), n, src, t.name());
      else { expect(t.double_data_size()); c.values.assign(t.double_data().begin(), t.double_data().end()); }
      break;
    case onnx::TensorProto::INT64:
      if (raw) c.values = raw_as<std::int64_t>(t.raw_data(), n, src, t.name());
      else { expect(t.int64_data_size()); for (auto v : t.int64_data()) c.values.push_back(static_cast<double>(v)); }
      break;
    case onnx::TensorProto::INT32:
      if (raw) c.values = raw_as<std::int32_t>(t.raw_data(), n, src, t.name());
      else { expect(t.int32_data_size()); for (auto v : t.int32_data()) c.values.push_back(v); }
      break;
    default:
      fail(src, "tensor '{}' has element type {}, which is not supported (float, double, int32, int64)", t.name(),
           t.data_type());
  }
  return c;
}

class Importer {
 public:
  Importer(const onnx::ModelProto& m, std::string src) : model_(m), src_(std::move(src)) {}
  Network run();

 private:
  [[noreturn]] void node_fail(const onnx::NodeProto& n, const std::string& why) const {
    fail(src_, "node '{}' ({}): {}", n.name(), n.op_type(), why);
  }
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  std::int64_t attr_int(const onnx::NodeProto& n, const std::string& name, std::int64_t def) const {
    const auto* a = attr(n, name);
    return a ? a->i() : def;
  }
  float attr_float(const onnx::NodeProto& n, const std::string& name, float def) const {
    const auto* a = attr(n, name);
    return a ? a->f() : def;
  }
  std::vector<std::int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name) const {
    const auto* a = attr(n, name);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : std::vector<std::int64_t>{};
  }
  std::string attr_string(const onnx::NodeProto& n, const std::string& name, const std::string& def) const {
    const auto* a = attr(n, name);
    return a ? a->s() : def;
  }
  bool is_const(const std::string& v) const { return consts_.count(v) != 0; }
  const Const& constant(const onnx::NodeProto& n, int input) const {
    if (input >= n.input_size() || n.input(input).empty()) node_fail(n, fmt::format("input {} is missing", input));
    auto it = consts_.find(n.input(input));
    if (it == consts_.end()) node_fail(n, fmt::format("input '{}' must be a constant (an initializer)", n.input(input)));
    return it->second;
  }
  void expect_activation(const onnx::NodeProto& n, int input) const {
    if (input >= n.input_size() || n.input(input) != act_)
      node_fail(n, fmt::format("input '{}' is not the running activation '{}': only chain-shaped graphs are "
                               "supported (no branches or residual connections)",
                               input < n.input_size() ? n.input(input) : "", act_));
  }
  void set_output(const onnx::NodeProto& n) {
    if (n.output_size() < 1) node_fail(n, "has no output");
    act_ = n.output(0);
  }
  std::string layer_name(const onnx::NodeProto& n, const char* kind) {
    return n.name().empty() ? fmt::format("{}{}", kind, net_.layers.size()) : n.name();
  }
  Shape cur_shape() const { return net_.layers.empty() ? net_.input_shape : net_.infer_shapes(src_).back(); }
  std::vector<double> broadcast(const onnx::NodeProto& n, const Const& c) const;
  // Folds y = x*mul + add (per element of the current activation) into the net.
  void apply_affine(const onnx::NodeProto& n, std::vector<double> mul, std::vector<double> add);
  void read_input();
  void handle(const onnx::NodeProto& n);
  void handle_const_node(const onnx::NodeProto& n);
  void dense(const onnx::NodeProto& n, const Const& w, bool w_is_out_by_in, double alpha);
  void conv(const onnx::NodeProto& n);
  void pool(const onnx::NodeProto& n, LayerKind kind);
  void spatial_attrs(const onnx::NodeProto& n, Layer& l, const Shape& in) const;
  void activation(const onnx::NodeProto& n, ActKind a);
  void elementwise(const onnx::NodeProto& n);
  void reshape(const onnx::NodeProto& n);
  void batchnorm(const onnx::NodeProto& n);
  void pad(const onnx::NodeProto& n);
  void take_pending_pad(const onnx::NodeProto& n, Layer& l, bool zero_counts);

  const onnx::ModelProto& model_;
  std::string src_;
  Network net_;
  std::map<std::string, Const> consts_;
  std::string act_;
  std::string graph_output_;
  bool ended_ = false;  // a Softmax/LogSoftmax produced the output
  Padding pending_pad_;   // zero padding from a Pad node, folded into the next Conv/AveragePool
  bool has_pending_pad_ = false;
  std::int64_t opset_ = 0;
};

void Importer::read_input() {
  const auto& g = model_.graph();
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& in : g.input())
    if (!is_const(in.name())) inputs.push_back(&in);
  if (inputs.size() != 1)
    fail(src_, "the graph has {} non-constant inputs; rapidnn supports exactly one", inputs.size());
  const auto& in = *inputs[0];
  if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
    fail(src_, "input '{}' has no tensor shape: unresolved dynamic shape", in.name());
  const auto& dims = in.type().tensor_type().shape().dim();
  if (dims.size() < 2) fail(src_, "input '{}' has rank {}; expected a batch dimension and at least one more", in.name(), dims.size());
  const auto& batch = dims.Get(0);
  if (batch.has_dim_value() && batch.dim_value() > 1)
    fail(src_, "input '{}' has a fixed batch of {}; rapidnn needs batch 1 or a symbolic batch", in.name(),
         batch.dim_value());
  for (int i = 1; i < dims.size(); ++i) {
    const auto& d = dims.Get(i);
    if (!d.has_dim_value() || d.dim_value() <= 0)
      fail(src_, "input '{}' has an unresolved dynamic dimension '{}' at axis {}; export the model with a fixed "
                 "input shape",
           in.name(), d.has_dim_param() ? d.dim_param() : std::string("?"), i);
    net_.input_shape.push_back(d.dim_value());
  }
  act_ = in.name();
}

std::vector<double> Importer::broadcast(const onnx::NodeProto& n, const Const& c) const {
  // numpy-style broadcast of c against [1] + current shape; result has one value per activation element.
  Shape full = cur_shape();
  full.insert(full.begin(), 1);
  if (c.dims.size() > full.size())
    node_fail(n, fmt::format("constant of shape [{}] does not broadcast to {}", fmt::join(c.dims, "x"), to_string(full)));
  const std::size_t off = full.size() - c.dims.size();
  for (std::size_t k = 0; k < c.dims.size(); ++k)
    if (c.dims[k] != 1 && c.dims[k] != full[off + k])
      node_fail(n, fmt::format("constant of shape [{}] does not broadcast to {}", fmt::join(c.dims, "x"), to_string(full)));
  const std::int64_t total = numel(full);
  std::vector<double> out(static_cast<std::size_t>(total));
  std::vector<std::int64_t> idx(full.size(), 0);
  for (std::int64_t flat = 0; flat < total; ++flat) {
    std::int64_t rem = flat;
    for (std::size_t k = full.size(); k-- > 0;) {
      idx[k] = rem % full[k];
      rem /= full[k];
    }
    std::int64_t ci = 0;
    for (std::size_t k = 0; k < c.dims.size(); ++k) ci = ci * c.dims[k] + (c.dims[k] == 1 ? 0 : idx[off + k]);
    out[static_cast<std::size_t>(flat)] = c.values[static_cast<std::size_t>(ci)];
  }
  return out;
}

void Importer::apply_affine(const onnx::NodeProto& n, std::vector<double> mul, std::vector<double> add) {
  const Shape shape = cur_shape();
  Layer* last = net_.layers.empty() ? nullptr : &net_.layers.back();
  if (last && last->has_weights() && last->act == ActKind::Identity) {
    // Fold into weights and bias if the affine map is constant per output channel.
    const std::int64_t units = last->units;
    const std::int64_t per = numel(shape) / units;
    bool per_channel = true;
    for (std::int64_t u = 0; u < units && per_channel; ++u)
      for (std::int64_t k = 1; k < per; ++k)
        if (mul[static_cast<std::size_t>(u * per + k)] != mul[static_cast<std::size_t>(u * per)] ||
            add[static_cast<std::size_t>(u * per + k)] != add[static_cast<std::size_t>(u * per)]) {
          per_channel = false;
          break;
        }
    if (per_channel) {
      const std::size_t fan = last->weights.size() / static_cast<std::size_t>(units);
      for (std::int64_t u = 0; u < units; ++u) {
        const double m = mul[static_cast<std::size_t>(u * per)], a = add[static_cast<std::size_t>(u * per)];
        for (std::size_t k = 0; k < fan; ++k) {
          float& w = last->weights[static_cast<std::size_t>(u) * fan + k];
          w = static_cast<float>(w * m);
        }
        float& b = last->bias[static_cast<std::size_t>(u)];
        b = static_cast<float>(b * m + a);
      }
      return;
    }
  }
  if (last && last->kind == LayerKind::Scale) {
    for (std::size_t k = 0; k < mul.size(); ++k) {
      last->weights[k] = static_cast<float>(last->weights[k] * mul[k]);
      last->bias[k] = static_cast<float>(last->bias[k] * mul[k] + add[k]);
    }
    return;
  }
  Layer s;
  s.kind = LayerKind::Scale;
  s.name = layer_name(n, "scale");
  s.weights.assign(mul.begin(), mul.end());
  s.bias.assign(add.begin(), add.end());
  net_.layers.push_back(std::move(s));
}

void Importer::elementwise(const onnx::NodeProto& n) {
  if (n.input_size() != 2) node_fail(n, "expects two inputs");
  const bool c0 = is_const(n.input(0)), c1 = is_const(n.input(1));
  const std::string& op = n.op_type();
  if (c0 && c1) {  // constant folding
    const Const& a = consts_.at(n.input(0));
    const Const& b = consts_.at(n.input(1));
    if (a.dims != b.dims && b.count() != 1 && a.count() != 1)
      node_fail(n, "broadcasting between two constants of different shapes is not supported");
    Const r = a.count() >= b.count() ? a : b;
    for (std::size_t k = 0; k < r.values.size(); ++k) {
      const double x = a.values[a.count() == 1 ? 0 : k], y = b.values[b.count() == 1 ? 0 : k];
      r.values[k] = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
    }
    consts_[n.output(0)] = std::move(r);
    return;
  }
  if (!c0 && !c1)
    node_fail(n, "both inputs are activations (a residual or element-wise product), which is not supported");
  const int ai = c0 ? 1 : 0;
  expect_activation(n, ai);
  const std::vector<double> c = broadcast(n, consts_.at(n.input(c0 ? 0 : 1)));
  std::vector<double> mul(c.size(), 1.0), add(c.size(), 0.0);
  if (op == "Add") add = c;
  else if (op == "Sub") {
    if (ai == 0) for (std::size_t k = 0; k < c.size(); ++k) add[k] = -c[k];
    else { mul.assign(c.size(), -1.0); add = c; }
  } else if (op == "Mul") mul = c;
  else {  // Div
    if (ai == 1) node_fail(n, "division of a constant by the activation is not supported");
    for (std::size_t k = 0; k < c.size(); ++k) {
      if (c[k] == 0.0) node_fail(n, "division by zero");
      mul[k] = 1.0 / c[k];
    }
  }
  apply_affine(n, std::move(mul), std::move(add));
  set_output(n);
}

void Importer::batchnorm(const onnx::NodeProto& n) {
  expect_activation(n, 0);
  const Shape s = cur_shape();
  const Const &g = constant(n, 1), &b = constant(n, 2), &mean = constant(n, 3), &var = constant(n, 4);
  const double eps = attr_float(n, "epsilon", 1e-5f);
  const std::int64_t ch = s[0], per = numel(s) / ch;
  if (g.count() != ch || b.count() != ch || mean.count() != ch || var.count() != ch)
    node_fail(n, fmt::format("parameters do not have {} channels", ch));
  std::vector<double> mul(static_cast<std::size_t>(numel(s))), add(mul.size());
  for (std::int64_t c = 0; c < ch; ++c) {
    const auto ci = static_cast<std::size_t>(c);
    const double m = g.values[ci] / std::sqrt(var.values[ci] + eps);
    for (std::int64_t k = 0; k < per; ++k) {
      mul[static_cast<std::size_t>(c * per + k)] = m;
      add[static_cast<std::size_t>(c * per + k)] = b.values[ci] - mean.values[ci] * m;
    }
  }
  apply_affine(n, std::move(mul), std::move(add));
  set_output(n);
}

void Importer::dense(const onnx::NodeProto& n, const Const& w, bool w_is_out_by_in, double alpha) {
  const Shape s = cur_shape();
  if (s.size() != 1)
    node_fail(n, fmt::format("input of shape {} is not flat; a Flatten or Reshape must come first", to_string(s)));
  if (w.dims.size() != 2) node_fail(n, fmt::format("weight has rank {}, expected 2", w.dims.size()));
  const std::int64_t in = w_is_out_by_in ? w.dims[1] : w.dims[0];
  const std::int64_t out = w_is_out_by_in ? w.dims[0] : w.dims[1];
  if (in != s[0]) node_fail(n, fmt::format("weight expects {} inputs but the activation has {}", in, s[0]));
  Layer l = make_dense(layer_name(n, "dense"), in, out);
  for (std::int64_t o = 0; o < out; ++o)
    for (std::int64_t i = 0; i < in; ++i) {
      const std::int64_t src = w_is_out_by_in ? o * in + i : i * out + o;
      l.weights[static_cast<std::size_t>(o * in + i)] = static_cast<float>(alpha * w.values[static_cast<std::size_t>(src)]);
    }
  net_.layers.push_back(std::move(l));
}

void Importer::spatial_attrs(const onnx::NodeProto& n, Layer& l, const Shape& in) const {
  const auto strides = attr_ints(n, "strides");
  if (!strides.empty()) {
    if (strides.size() != 2) node_fail(n, "only 2-D strides are supported");
    l.stride_h = static_cast<int>(strides[0]);
    l.stride_w = static_cast<int>(strides[1]);
  }
  const auto dil = attr_ints(n, "dilations");
  for (auto d : dil)
    if (d != 1) node_fail(n, "dilations other than 1 are not supported");
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  const auto pads = attr_ints(n, "pads");
  if (auto_pad == "NOTSET") {
    if (!pads.empty()) {
      if (pads.size() != 4) node_fail(n, "only 2-D pads are supported");
      l.pad = Padding{static_cast<int>(pads[0]), static_cast<int>(pads[1]), static_cast<int>(pads[2]),
                      static_cast<int>(pads[3])};
    }
  } else if (auto_pad == "VALID") {
    l.pad = Padding{};
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    auto same = [&](std::int64_t size, int k, int s, int& a, int& b) {
      const std::int64_t out = (size + s - 1) / s;
      const int total = static_cast<int>(std::max<std::int64_t>(0, (out - 1) * s + k - size));
      a = auto_pad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
      b = total - a;
    };
    same(in[1], l.kernel_h, l.stride_h, l.pad.top, l.pad.bottom);
    same(in[2], l.kernel_w, l.stride_w, l.pad.left, l.pad.right);
  } else {
    node_fail(n, fmt::format("auto_pad '{}' is not supported", auto_pad));
  }
}

void Importer::conv(const onnx::NodeProto& n) {
  expect_activation(n, 0);
  const Shape s = cur_shape();
  if (s.size() != 3) node_fail(n, fmt::format("input {} is not CHW", to_string(s)));
  const Const& w = constant(n, 1);
  if (w.dims.size() != 4) node_fail(n, "only 2-D convolutions are supported");
  if (attr_int(n, "group", 1) != 1) node_fail(n, "grouped convolutions are not supported");
  if (w.dims[1] != s[0]) node_fail(n, fmt::format("weight expects {} input channels, activation has {}", w.dims[1], s[0]));
  Layer l = make_conv(layer_name(n, "conv"), s[0], w.dims[0], 1);
  l.kernel_h = static_cast<int>(w.dims[2]);
  l.kernel_w = static_cast<int>(w.dims[3]);
  const auto ks = attr_ints(n, "kernel_shape");
  if (!ks.empty() && (ks.size() != 2 || ks[0] != l.kernel_h || ks[1] != l.kernel_w))
    node_fail(n, "kernel_shape does not match the weight");
  spatial_attrs(n, l, s);
  take_pending_pad(n, l, true);
  l.weights.assign(w.values.begin(), w.values.end());
  l.bias.assign(static_cast<std::size_t>(w.dims[0]), 0.0f);
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const Const& b = constant(n, 2);
    if (b.count() != w.dims[0]) node_fail(n, "bias size does not match the output channels");
    l.bias.assign(b.values.begin(), b.values.end());
  }
  net_.layers.push_back(std::move(l));
  set_output(n);
}

void Importer::pool(const onnx::NodeProto& n, LayerKind kind) {
  expect_activation(n, 0);
  if (n.output_size() > 1 && !n.output(1).empty()) node_fail(n, "the Indices output is not supported");
  const Shape s = cur_shape();
  if (s.size() != 3) node_fail(n, fmt::format("input {} is not CHW", to_string(s)));
  const auto ks = attr_ints(n, "kernel_shape");
  if (ks.size() != 2) node_fail(n, "needs a 2-D kernel_shape");
  if (attr_int(n, "ceil_mode", 0) != 0) node_fail(n, "ceil_mode=1 is not supported");
  Layer l = make_pool(kind, layer_name(n, kind == LayerKind::MaxPool2D ? "maxpool" : "avgpool"), 1, 1);
  l.kernel_h = static_cast<int>(ks[0]);
  l.kernel_w = static_cast<int>(ks[1]);
  spatial_attrs(n, l, s);
  l.count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
  if (has_pending_pad_) {
    const bool own_pads = l.pad.top || l.pad.left || l.pad.bottom || l.pad.right;
    // A padded tensor pooled without pads: every window sees real or padded values alike.
    take_pending_pad(n, l, kind == LayerKind::AvgPool2D && (l.count_include_pad || !own_pads));
    l.count_include_pad = true;
  }
  net_.layers.push_back(std::move(l));
  set_output(n);
}

void Importer::activation(const onnx::NodeProto& n, ActKind a) {
  expect_activation(n, 0);
  if (!net_.layers.empty() && net_.layers.back().has_weights() && net_.layers.back().act == ActKind::Identity) {
    net_.layers.back().act = a;
  } else {
    Layer l;
    l.kind = LayerKind::Activation;
    l.name = layer_name(n, "act");
    l.act = a;
    net_.layers.push_back(std::move(l));
  }
  set_output(n);
}

void Importer::reshape(const onnx::NodeProto& n) {
  const Const& shape = constant(n, 1);
  if (is_const(n.input(0))) {
    Const c = consts_.at(n.input(0));
    std::vector<std::int64_t> dims;
    std::int64_t known = 1, infer = -1;
    for (std::size_t k = 0; k < shape.values.size(); ++k) {
      std::int64_t d = static_cast<std::int64_t>(shape.values[k]);
      if (d == 0) d = c.dims.at(k);
      if (d == -1) infer = static_cast<std::int64_t>(k);
      else known *= d;
      dims.push_back(d);
    }
    if (infer >= 0) dims[static_cast<std::size_t>(infer)] = c.count() / known;
    c.dims = dims;
    if (c.count() != static_cast<std::int64_t>(c.values.size())) node_fail(n, "reshape changes the element count");
    consts_[n.output(0)] = std::move(c);
    return;
  }
  expect_activation(n, 0);
  Shape full = cur_shape();
  full.insert(full.begin(), 1);
  std::vector<std::int64_t> dims;
  std::int64_t known = 1, infer = -1;
  for (std::size_t k = 0; k < shape.values.size(); ++k) {
    std::int64_t d = static_cast<std::int64_t>(shape.values[k]);
    if (d == 0) {
      if (k >= full.size()) node_fail(n, "shape copies a dimension that does not exist");
      d = full[k];
    }
    if (d == -1) infer = static_cast<std::int64_t>(k);
    else known *= d;
    dims.push_back(d);
  }
  if (infer >= 0) dims[static_cast<std::size_t>(infer)] = numel(full) / known;
  if (numel(Shape(dims)) != numel(full)) node_fail(n, "reshape changes the element count");
  if (dims == full) {
    set_output(n);
    return;
  }
  if (dims.size() == 2 && dims[0] == 1) {
    if (cur_shape().size() != 1) net_.layers.push_back(make_flatten(layer_name(n, "flatten")));
    set_output(n);
    return;
  }
  node_fail(n, fmt::format("reshape from {} to [{}] is not supported (only flattening)", to_string(full),
                           fmt::join(dims, "x")));
}

void Importer::pad(const onnx::NodeProto& n) {
  expect_activation(n, 0);
  if (attr_string(n, "mode", "constant") != "constant") node_fail(n, "only constant padding is supported");
  std::vector<std::int64_t> pads = attr_ints(n, "pads");  // opset < 11
  double value = attr_float(n, "value", 0.0f);
  if (n.input_size() > 1 && !n.input(1).empty()) {
    const Const& p = constant(n, 1);
    pads.clear();
    for (double v : p.values) pads.push_back(static_cast<std::int64_t>(v));
  }
  if (n.input_size() > 2 && !n.input(2).empty()) value = constant(n, 2).values.at(0);
  if (n.input_size() > 3 && !n.input(3).empty()) node_fail(n, "the axes input is not supported");
  const Shape s = cur_shape();
  const std::size_t rank = s.size() + 1;
  if (pads.size() != 2 * rank) node_fail(n, fmt::format("expected {} pad values, got {}", 2 * rank, pads.size()));
  for (std::size_t k = 0; k < rank; ++k) {
    if (pads[k] < 0 || pads[k + rank] < 0) node_fail(n, "negative padding (cropping) is not supported");
    if (k + 2 < rank && (pads[k] != 0 || pads[k + rank] != 0))
      node_fail(n, "padding of the batch or channel axes is not supported");
  }
  set_output(n);
  if (std::all_of(pads.begin(), pads.end(), [](std::int64_t v) { return v == 0; })) return;  // no-op
  if (rank != 4) node_fail(n, "only spatial padding of CHW tensors is supported");
  if (value != 0.0) node_fail(n, "only zero padding is supported");
  if (has_pending_pad_) node_fail(n, "two Pad nodes in a row are not supported");
  pending_pad_ = Padding{static_cast<int>(pads[2]), static_cast<int>(pads[3]), static_cast<int>(pads[6]),
                         static_cast<int>(pads[7])};
  has_pending_pad_ = true;
}

void Importer::take_pending_pad(const onnx::NodeProto& n, Layer& l, bool zero_counts) {
  if (!has_pending_pad_) return;
  // Zero padding before a convolution, or before an average pool that counts padded zeros, is the
  // same as the layer's own zero padding.
  if (!zero_counts) node_fail(n, "a preceding Pad is only supported before Conv or AveragePool(count_include_pad=1)");
  l.pad.top += pending_pad_.top;
  l.pad.left += pending_pad_.left;
  l.pad.bottom += pending_pad_.bottom;
  l.pad.right += pending_pad_.right;
  has_pending_pad_ = false;
}

void Importer::handle_const_node(const onnx::NodeProto& n) {
  const auto* v = attr(n, "value");
  if (!v || !v->has_t()) node_fail(n, "only tensor-valued Constant nodes are supported");
  consts_[n.output(0)] = decode_tensor(v->t(), src_);
}

void Importer::handle(const onnx::NodeProto& n) {
  if (ended_) node_fail(n, "comes after the output Softmax; only a final Softmax/LogSoftmax is supported");
  const std::string& op = n.op_type();
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    node_fail(n, fmt::format("unsupported op '{}' from domain '{}'", op, n.domain()));
  if (op == "Constant") return handle_const_node(n);
  if (op == "Identity" || op == "Dropout") {
    if (is_const(n.input(0))) consts_[n.output(0)] = consts_.at(n.input(0));
    else {
      expect_activation(n, 0);
      set_output(n);
    }
    return;
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return elementwise(n);
  if (op == "Reshape") return reshape(n);
  if (op == "Gemm") {
    expect_activation(n, 0);
    if (attr_int(n, "transA", 0) != 0) node_fail(n, "transA=1 is not supported");
    const Const& w = constant(n, 1);
    dense(n, w, attr_int(n, "transB", 0) != 0, attr_float(n, "alpha", 1.0f));
    if (n.input_size() > 2 && !n.input(2).empty()) {
      const Const& c = constant(n, 2);
      const double beta = attr_float(n, "beta", 1.0f);
      auto add = broadcast(n, c);
      for (auto& v : add) v *= beta;
      std::vector<double> mul(add.size(), 1.0);
      apply_affine(n, std::move(mul), std::move(add));
    }
    set_output(n);
    return;
  }
  if (op == "MatMul") {
    expect_activation(n, 0);
    dense(n, constant(n, 1), false, 1.0);
    set_output(n);
    return;
  }
  if (op == "Conv") return conv(n);
  if (op == "MaxPool") return pool(n, LayerKind::MaxPool2D);
  if (op == "AveragePool") return pool(n, LayerKind::AvgPool2D);
  if (op == "Relu") return activation(n, ActKind::ReLU);
  if (op == "Sigmoid") return activation(n, ActKind::Sigmoid);
  if (op == "Tanh") return activation(n, ActKind::Tanh);
  if (op == "Softsign") return activation(n, ActKind::Softsign);
  if (op == "BatchNormalization") return batchnorm(n);
  if (op == "Pad") return pad(n);
  if (has_pending_pad_ && op != "Conv" && op != "AveragePool")
    node_fail(n, "follows a Pad; padding is only supported before Conv or AveragePool");
  if (op == "Flatten") {
    expect_activation(n, 0);
    const std::int64_t rank = static_cast<std::int64_t>(cur_shape().size()) + 1;
    std::int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (axis != 1 && axis != 0)  // batch is 1, so axis 0 flattens the same way
      node_fail(n, fmt::format("axis {} is not supported (only flattening after the batch axis)", axis));
    if (cur_shape().size() != 1) net_.layers.push_back(make_flatten(layer_name(n, "flatten")));
    set_output(n);
    return;
  }
  if (op == "Softmax" || op == "LogSoftmax") {
    expect_activation(n, 0);
    if (n.output(0) != graph_output_)
      node_fail(n, "Softmax/LogSoftmax is supported only as the last op, producing the graph output");
    if (cur_shape().size() != 1) node_fail(n, "softmax over a non-flat tensor is not supported");
    net_.softmax_output = true;
    set_output(n);
    ended_ = true;
    return;
  }
  node_fail(n, fmt::format("unsupported op '{}'", op));  // supported_op() listed it, handle() does not
}

Network Importer::run() {
  if (!model_.has_graph()) fail(src_, "not an ONNX model: no graph (corrupt, truncated or not ONNX)");
  for (const auto& o : model_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  if (opset_ == 0) fail(src_, "no default-domain opset_import; not a valid ONNX model");
  if (opset_ < 7 || opset_ > 17) fail(src_, "opset {} is outside the supported range 7 to 17", opset_);
  const auto& g = model_.graph();
  if (g.output_size() != 1) fail(src_, "the graph has {} outputs; rapidnn supports exactly one", g.output_size());
  graph_output_ = g.output(0).name();
  for (const auto& t : g.initializer()) consts_[t.name()] = decode_tensor(t, src_);
  read_input();
  net_.name = g.name().empty() ? "model" : g.name();
  // Every node is checked before any is imported: an unsupported op is the first error.
  for (const auto& n : g.node())
    if (!supported_op(n))
      node_fail(n, fmt::format("unsupported op '{}'{}; rapidnn imports {}", n.op_type(),
                               n.domain().empty() || n.domain() == "ai.onnx" ? "" : " from domain '" + n.domain() + "'",
                               fmt::join(kSupportedOps, ", ")));
  for (const auto* n : sorted_nodes(g, src_)) handle(*n);
  if (has_pending_pad_) fail(src_, "a trailing Pad is not supported");
  if (act_ != graph_output_)
    fail(src_, "the graph output '{}' is not the end of the layer chain (ended at '{}')", graph_output_, act_);
  if (net_.layers.empty()) fail(src_, "the graph computes nothing");
  net_.validate(src_);
  if (net_.output_shape().size() != 1) {
    // Classifiers end flat; a CHW output is flattened so argmax is defined.
    net_.layers.push_back(make_flatten("output_flatten"));
  }
  return net_;
}

}  // namespace

Network import_onnx_bytes(const std::string& bytes, const std::string& source) {
  if (bytes.empty()) fail(source, "empty file; not an ONNX model");
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) fail(source, "not a valid ONNX protobuf (corrupt or truncated file)");
  return Importer(m, source).run();
}

Network import_onnx(const std::string& path) { return import_onnx_bytes(read_file(path), path); }

}  // namespace rapidnn

namespace rapidnn {

Network load_model(const std::string& path) {
  const auto dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : path.substr(dot);
  if (ext != ".onnx") fail(path, "unknown model format '{}': rapidnn reads ONNX (.onnx)", ext);
  return import_onnx(path);
}

}  // namespace rapidnn
