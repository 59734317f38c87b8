// ONNX -> Network IR.
//
// Checks the whole graph first (onnx_graph.h: supported ops, operands, order), then walks the
// nodes in topological order (sorted: exporters do not all store it so). Every activation value
// names the IR layer that produces it (or the network input); every supported op either adds a
// layer reading the layers its inputs name (a new layer names its producers when they are not the
// previous layer: branches, skips and joins), folds into the layer producing its input when
// nothing else reads that layer (bias adds, constant scales, batch norm, a following
// activation), makes an alias of its input (Identity, Dropout, a Reshape or Flatten that changes
// nothing, Pad until the Conv/AveragePool that takes it), or computes a constant (Constant,
// Reshape/Identity of initializers). A Transpose or Reshape of the graph input itself redefines
// the input's layout (channels-last exporters).
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
#include "onnxio/onnx_graph.h"
#include "onnxio/onnx_io.h"

namespace rapidnn {
namespace {

using onnxgraph::Const;
using onnxgraph::decode_tensor;

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
  // The layer (or kInputTensor) producing activation input `input` of n.
  int source(const onnx::NodeProto& n, int input) const {
    if (input >= n.input_size() || n.input(input).empty()) node_fail(n, fmt::format("input {} is missing", input));
    const auto it = producer_.find(n.input(input));
    if (it == producer_.end()) node_fail(n, fmt::format("input '{}' is not an activation", n.input(input)));
    return it->second;
  }
  int last() const { return static_cast<int>(net_.layers.size()) - 1; }
  Shape shape_of(int p) const {
    return p == kInputTensor ? net_.input_shape : net_.infer_shapes(src_)[static_cast<std::size_t>(p)];
  }
  // True when input `input` of n can fold into the layer producing it: that layer is the latest,
  // nothing else reads it, and no Pad waits on the value.
  bool fusable(const onnx::NodeProto& n, int input) const {
    const int p = source(n, input);
    return p != kInputTensor && p == last() && uses_.at(p) == 1 && !pads_.count(n.input(input));
  }
  // Adds l reading producer p; its index.
  int push(Layer l, int p) {
    if (p != last()) l.inputs = {p};
    net_.layers.push_back(std::move(l));
    return last();
  }
  int readers(const std::string& v) const {
    const auto it = readers_.find(v);
    return it == readers_.end() ? 0 : it->second;
  }
  // n's output names a new layer's result.
  void bind_new(const onnx::NodeProto& n, int layer) {
    if (n.output_size() < 1) node_fail(n, "has no output");
    producer_[n.output(0)] = layer;
    uses_[layer] = readers(n.output(0));
  }
  // n's output names the same value (or the same layer, folded into) as its input `input`.
  void bind_alias(const onnx::NodeProto& n, int input) {
    if (n.output_size() < 1) node_fail(n, "has no output");
    const int p = source(n, input);
    producer_[n.output(0)] = p;
    uses_[p] += readers(n.output(0)) - 1;
    if (const auto pad = pads_.find(n.input(input)); pad != pads_.end()) pads_[n.output(0)] = pad->second;
  }
  std::string layer_name(const onnx::NodeProto& n, const char* kind) {
    return n.name().empty() ? fmt::format("{}{}", kind, net_.layers.size()) : n.name();
  }
  std::vector<double> broadcast(const onnx::NodeProto& n, const Const& c, const Shape& shape) const;
  // y = x*mul + add (per element of activation input `input`), folded into its producer or a Scale.
  void apply_affine(const onnx::NodeProto& n, int input, std::vector<double> mul, std::vector<double> add);
  void read_input();
  void handle(const onnx::NodeProto& n);
  void handle_const_node(const onnx::NodeProto& n);
  void dense(const onnx::NodeProto& n, const Const& w, bool w_is_out_by_in, double alpha);
  void gemm(const onnx::NodeProto& n);
  void conv(const onnx::NodeProto& n);
  void pool(const onnx::NodeProto& n, LayerKind kind);
  void global_pool(const onnx::NodeProto& n);
  void spatial_attrs(const onnx::NodeProto& n, Layer& l, const Shape& in) const;
  void activation(const onnx::NodeProto& n, ActKind a);
  void elementwise(const onnx::NodeProto& n);
  void join(const onnx::NodeProto& n, LayerKind kind);
  void reshape(const onnx::NodeProto& n);
  void flatten(const onnx::NodeProto& n);
  void transpose(const onnx::NodeProto& n);
  void softmax(const onnx::NodeProto& n);
  void batchnorm(const onnx::NodeProto& n);
  void pad(const onnx::NodeProto& n);
  void take_pad(const onnx::NodeProto& n, Layer& l, bool zero_counts);
  void check_ends() const;

  const onnx::ModelProto& model_;
  std::string src_;
  Network net_;
  std::map<std::string, Const> consts_;
  std::map<std::string, int> producer_;  // activation value -> layer (kInputTensor: the network input)
  std::map<std::string, int> readers_;   // value -> node inputs and graph outputs reading it
  std::map<int, int> uses_;              // layer -> readers of all the values naming it
  std::map<std::string, Padding> pads_;  // value -> zero padding waiting for the Conv/AveragePool reading it
  std::string graph_output_;
  bool ended_ = false;  // a Softmax/LogSoftmax produced the output
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
  producer_[in.name()] = kInputTensor;
  uses_[kInputTensor] = readers(in.name());
}

std::vector<double> Importer::broadcast(const onnx::NodeProto& n, const Const& c, const Shape& shape) const {
  // numpy-style broadcast of c against [1] + shape; one value per activation element. Opsets
  // before 7 broadcast only with broadcast=1, aligning c at `axis` when given, else at the end.
  Shape full = shape;
  full.insert(full.begin(), 1);
  const auto mismatch = [&] {
    node_fail(n, fmt::format("constant of shape [{}] does not broadcast to {}", fmt::join(c.dims, "x"), to_string(full)));
  };
  if (c.dims.size() > full.size()) mismatch();
  std::size_t off = full.size() - c.dims.size();
  if (opset_ < 7 && c.count() != numel(full)) {
    if (attr_int(n, "broadcast", 0) == 0) node_fail(n, "legacy broadcasting needs broadcast=1");
    if (const auto* axis = attr(n, "axis")) {
      std::int64_t a = axis->i() < 0 ? axis->i() + static_cast<std::int64_t>(full.size()) : axis->i();
      if (a < 0 || static_cast<std::size_t>(a) + c.dims.size() > full.size()) mismatch();
      off = static_cast<std::size_t>(a);
    }
  }
  for (std::size_t k = 0; k < c.dims.size(); ++k)
    if (c.dims[k] != 1 && c.dims[k] != full[off + k]) mismatch();
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

void Importer::apply_affine(const onnx::NodeProto& n, int input, std::vector<double> mul, std::vector<double> add) {
  const int p = source(n, input);
  const Shape shape = shape_of(p);
  Layer* producer = fusable(n, input) ? &net_.layers.back() : nullptr;
  if (producer && producer->has_weights() && producer->act == ActKind::Identity) {
    // Fold into weights and bias if the affine map is constant per output channel.
    const std::int64_t units = producer->units;
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
      const std::size_t fan = producer->weights.size() / static_cast<std::size_t>(units);
      for (std::int64_t u = 0; u < units; ++u) {
        const double m = mul[static_cast<std::size_t>(u * per)], a = add[static_cast<std::size_t>(u * per)];
        for (std::size_t k = 0; k < fan; ++k) {
          float& w = producer->weights[static_cast<std::size_t>(u) * fan + k];
          w = static_cast<float>(w * m);
        }
        float& b = producer->bias[static_cast<std::size_t>(u)];
        b = static_cast<float>(b * m + a);
      }
      return bind_alias(n, input);
    }
  }
  if (producer && producer->kind == LayerKind::Scale) {
    for (std::size_t k = 0; k < mul.size(); ++k) {
      producer->weights[k] = static_cast<float>(producer->weights[k] * mul[k]);
      producer->bias[k] = static_cast<float>(producer->bias[k] * mul[k] + add[k]);
    }
    return bind_alias(n, input);
  }
  Layer s;
  s.kind = LayerKind::Scale;
  s.name = layer_name(n, "scale");
  s.weights.assign(mul.begin(), mul.end());
  s.bias.assign(add.begin(), add.end());
  bind_new(n, push(std::move(s), p));
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
  if (!c0 && !c1) {
    if (op == "Add") return join(n, LayerKind::Add);
    node_fail(n, "both inputs are activations, which only Add supports");  // check_supported() said so first
  }
  const int ai = c0 ? 1 : 0;
  const std::vector<double> c = broadcast(n, consts_.at(n.input(c0 ? 0 : 1)), shape_of(source(n, ai)));
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
  apply_affine(n, ai, std::move(mul), std::move(add));
}

void Importer::join(const onnx::NodeProto& n, LayerKind kind) {
  if (n.input_size() < 1) node_fail(n, "has no inputs");
  if (kind == LayerKind::Concat) {
    const std::int64_t rank = static_cast<std::int64_t>(shape_of(source(n, 0)).size()) + 1;
    std::int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (axis != 1) node_fail(n, fmt::format("concatenation along axis {} is not supported (only channels, axis 1)", axis));
  }
  if (n.input_size() == 1) return bind_alias(n, 0);  // a one-input Sum or Concat changes nothing
  Layer l;
  l.kind = kind;
  l.name = layer_name(n, kind == LayerKind::Add ? "add" : "concat");
  for (int k = 0; k < n.input_size(); ++k) {
    if (is_const(n.input(k))) node_fail(n, fmt::format("input '{}' is a constant; only activations join", n.input(k)));
    if (pads_.count(n.input(k))) node_fail(n, "follows a Pad; padding is only supported before Conv or AveragePool");
    l.inputs.push_back(source(n, k));
  }
  net_.layers.push_back(std::move(l));
  net_.infer_shapes(src_);  // the joined shapes must fit
  bind_new(n, last());
}

void Importer::batchnorm(const onnx::NodeProto& n) {
  const Shape s = shape_of(source(n, 0));
  if (opset_ < 9 && attr_int(n, "spatial", 1) == 0) node_fail(n, "spatial=0 (per-element statistics) is not supported");
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
  apply_affine(n, 0, std::move(mul), std::move(add));
}

void Importer::dense(const onnx::NodeProto& n, const Const& w, bool w_is_out_by_in, double alpha) {
  const int p = source(n, 0);
  const Shape s = shape_of(p);
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
  bind_new(n, push(std::move(l), p));
}

void Importer::gemm(const onnx::NodeProto& n) {
  if (attr_int(n, "transA", 0) != 0) node_fail(n, "transA=1 is not supported");
  dense(n, constant(n, 1), attr_int(n, "transB", 0) != 0, attr_float(n, "alpha", 1.0f));
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const Const& c = constant(n, 2);
    const double beta = attr_float(n, "beta", 1.0f);
    auto add = broadcast(n, c, shape_of(last()));
    for (auto& v : add) v *= beta;
    Layer& d = net_.layers.back();
    for (std::size_t k = 0; k < d.bias.size(); ++k) d.bias[k] = static_cast<float>(d.bias[k] + add[k]);
  }
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
  const int p = source(n, 0);
  const Shape s = shape_of(p);
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
  take_pad(n, l, true);
  l.weights.assign(w.values.begin(), w.values.end());
  l.bias.assign(static_cast<std::size_t>(w.dims[0]), 0.0f);
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const Const& b = constant(n, 2);
    if (b.count() != w.dims[0]) node_fail(n, "bias size does not match the output channels");
    l.bias.assign(b.values.begin(), b.values.end());
  }
  bind_new(n, push(std::move(l), p));
}

void Importer::pool(const onnx::NodeProto& n, LayerKind kind) {
  if (n.output_size() > 1 && !n.output(1).empty()) node_fail(n, "the Indices output is not supported");
  const int p = source(n, 0);
  const Shape s = shape_of(p);
  if (s.size() != 3) node_fail(n, fmt::format("input {} is not CHW", to_string(s)));
  const auto ks = attr_ints(n, "kernel_shape");
  if (ks.size() != 2) node_fail(n, "needs a 2-D kernel_shape");
  if (attr_int(n, "ceil_mode", 0) != 0) node_fail(n, "ceil_mode=1 is not supported");
  Layer l = make_pool(kind, layer_name(n, kind == LayerKind::MaxPool2D ? "maxpool" : "avgpool"), 1, 1);
  l.kernel_h = static_cast<int>(ks[0]);
  l.kernel_w = static_cast<int>(ks[1]);
  spatial_attrs(n, l, s);
  l.count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
  if (pads_.count(n.input(0))) {
    const bool own_pads = l.pad.top || l.pad.left || l.pad.bottom || l.pad.right;
    // A padded tensor pooled without pads: every window sees real or padded values alike.
    take_pad(n, l, kind == LayerKind::AvgPool2D && (l.count_include_pad || !own_pads));
    l.count_include_pad = true;
  }
  bind_new(n, push(std::move(l), p));
}

void Importer::global_pool(const onnx::NodeProto& n) {
  const int p = source(n, 0);
  const Shape s = shape_of(p);
  if (s.size() != 3) node_fail(n, fmt::format("input {} is not CHW", to_string(s)));
  Layer l = make_pool(LayerKind::AvgPool2D, layer_name(n, "globalpool"), 1, 1);
  l.kernel_h = static_cast<int>(s[1]);
  l.kernel_w = static_cast<int>(s[2]);
  bind_new(n, push(std::move(l), p));
}

void Importer::activation(const onnx::NodeProto& n, ActKind a) {
  if (fusable(n, 0) && net_.layers.back().fuses_activation() && net_.layers.back().act == ActKind::Identity) {
    net_.layers.back().act = a;
    return bind_alias(n, 0);
  }
  Layer l;
  l.kind = LayerKind::Activation;
  l.name = layer_name(n, "act");
  l.act = a;
  bind_new(n, push(std::move(l), source(n, 0)));
}

// The dimensions a Reshape asks for ([batch] + shape of `from`), 0 copying and -1 inferring.
static std::vector<std::int64_t> reshape_dims(const std::vector<double>& shape, const Shape& from) {
  std::vector<std::int64_t> dims;
  std::int64_t known = 1, infer = -1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    std::int64_t d = static_cast<std::int64_t>(shape[k]);
    if (d == 0) d = k < from.size() ? from[k] : 0;
    if (d == -1) infer = static_cast<std::int64_t>(k);
    else known *= d;
    dims.push_back(d);
  }
  if (infer >= 0 && known > 0) dims[static_cast<std::size_t>(infer)] = numel(from) / known;
  return dims;
}

void Importer::reshape(const onnx::NodeProto& n) {
  // Opsets before 5 give the shape as an attribute.
  std::vector<double> shape;
  if (n.input_size() > 1) shape = constant(n, 1).values;
  else for (auto d : attr_ints(n, "shape")) shape.push_back(static_cast<double>(d));
  if (shape.empty()) node_fail(n, "has no target shape");
  if (is_const(n.input(0))) {
    Const c = consts_.at(n.input(0));
    c.dims = reshape_dims(shape, Shape(c.dims));
    if (c.count() != static_cast<std::int64_t>(c.values.size())) node_fail(n, "reshape changes the element count");
    consts_[n.output(0)] = std::move(c);
    return;
  }
  const int p = source(n, 0);
  Shape full = shape_of(p);
  full.insert(full.begin(), 1);
  const std::vector<std::int64_t> dims = reshape_dims(shape, full);
  if (numel(Shape(dims)) != numel(full)) node_fail(n, "reshape changes the element count");
  if (dims == full) return bind_alias(n, 0);
  if (p == kInputTensor && net_.layers.empty() && uses_.at(p) == 1 && dims.size() >= 2 && dims[0] == 1) {
    net_.input_shape.assign(dims.begin() + 1, dims.end());  // the input's own layout, redefined
    return bind_alias(n, 0);
  }
  if (dims.size() == 2 && dims[0] == 1) {
    if (full.size() == 2) return bind_alias(n, 0);
    return bind_new(n, push(make_flatten(layer_name(n, "flatten")), p));
  }
  node_fail(n, fmt::format("reshape from {} to [{}] is not supported (only flattening, or reshaping the graph input)",
                           to_string(full), fmt::join(dims, "x")));
}

void Importer::flatten(const onnx::NodeProto& n) {
  const int p = source(n, 0);
  const Shape s = shape_of(p);
  const std::int64_t rank = static_cast<std::int64_t>(s.size()) + 1;
  std::int64_t axis = attr_int(n, "axis", 1);
  if (axis < 0) axis += rank;
  if (axis != 1 && axis != 0)  // batch is 1, so axis 0 flattens the same way
    node_fail(n, fmt::format("axis {} is not supported (only flattening after the batch axis)", axis));
  if (s.size() == 1) return bind_alias(n, 0);
  bind_new(n, push(make_flatten(layer_name(n, "flatten")), p));
}

void Importer::transpose(const onnx::NodeProto& n) {
  // Only of the graph input, read by nothing else: the input's layout is redefined (a
  // channels-last exporter's NHWC -> NCHW), so the network reads the permuted tensor directly.
  const int p = source(n, 0);
  Shape full = shape_of(p);
  full.insert(full.begin(), 1);
  std::vector<std::int64_t> perm = attr_ints(n, "perm");
  if (perm.empty())
    for (std::size_t k = full.size(); k-- > 0;) perm.push_back(static_cast<std::int64_t>(k));
  if (perm.size() != full.size()) node_fail(n, fmt::format("perm has {} axes, the input {}", perm.size(), full.size()));
  if (perm[0] != 0) node_fail(n, "a transpose that moves the batch axis is not supported");
  Shape out;
  for (std::size_t k = 1; k < perm.size(); ++k) {
    if (perm[k] < 1 || perm[k] >= static_cast<std::int64_t>(full.size())) node_fail(n, "perm is not a permutation");
    out.push_back(full[static_cast<std::size_t>(perm[k])]);
  }
  bool identity = true;
  for (std::size_t k = 0; k < perm.size(); ++k) identity &= perm[k] == static_cast<std::int64_t>(k);
  if (identity) return bind_alias(n, 0);
  if (p != kInputTensor || !net_.layers.empty() || uses_.at(p) != 1)
    node_fail(n, "a Transpose is only supported on the graph input, read by nothing else (a channels-last input)");
  net_.input_shape = out;
  bind_alias(n, 0);
}

void Importer::softmax(const onnx::NodeProto& n) {
  if (n.output(0) != graph_output_)
    node_fail(n, "Softmax/LogSoftmax is supported only as the last op, producing the graph output");
  if (shape_of(source(n, 0)).size() != 1) node_fail(n, "softmax over a non-flat tensor is not supported");
  net_.softmax_output = true;
  bind_alias(n, 0);
  ended_ = true;
}

void Importer::pad(const onnx::NodeProto& n) {
  if (attr_string(n, "mode", "constant") != "constant") node_fail(n, "only constant padding is supported");
  std::vector<std::int64_t> pads = attr_ints(n, "pads");  // opset < 11
  if (pads.empty()) pads = attr_ints(n, "paddings");        // opset 1
  double value = attr_float(n, "value", 0.0f);
  if (n.input_size() > 1 && !n.input(1).empty()) {
    const Const& p = constant(n, 1);
    pads.clear();
    for (double v : p.values) pads.push_back(static_cast<std::int64_t>(v));
  }
  if (n.input_size() > 2 && !n.input(2).empty()) value = constant(n, 2).values.at(0);
  if (n.input_size() > 3 && !n.input(3).empty()) node_fail(n, "the axes input is not supported");
  const Shape s = shape_of(source(n, 0));
  const std::size_t rank = s.size() + 1;
  if (pads.size() != 2 * rank) node_fail(n, fmt::format("expected {} pad values, got {}", 2 * rank, pads.size()));
  for (std::size_t k = 0; k < rank; ++k) {
    if (pads[k] < 0 || pads[k + rank] < 0) node_fail(n, "negative padding (cropping) is not supported");
    if (k + 2 < rank && (pads[k] != 0 || pads[k + rank] != 0))
      node_fail(n, "padding of the batch or channel axes is not supported");
  }
  if (pads_.count(n.input(0))) node_fail(n, "two Pad nodes in a row are not supported");
  bind_alias(n, 0);
  if (std::all_of(pads.begin(), pads.end(), [](std::int64_t v) { return v == 0; })) return;  // no-op
  if (rank != 4) node_fail(n, "only spatial padding of CHW tensors is supported");
  if (value != 0.0) node_fail(n, "only zero padding is supported");
  pads_[n.output(0)] = Padding{static_cast<int>(pads[2]), static_cast<int>(pads[3]), static_cast<int>(pads[6]),
                               static_cast<int>(pads[7])};
}

void Importer::take_pad(const onnx::NodeProto& n, Layer& l, bool zero_counts) {
  const auto it = pads_.find(n.input(0));
  if (it == pads_.end()) return;
  // Zero padding before a convolution, or before an average pool that counts padded zeros, is the
  // same as the layer's own zero padding.
  if (!zero_counts) node_fail(n, "a preceding Pad is only supported before Conv or AveragePool(count_include_pad=1)");
  l.pad.top += it->second.top;
  l.pad.left += it->second.left;
  l.pad.bottom += it->second.bottom;
  l.pad.right += it->second.right;
}

void Importer::handle_const_node(const onnx::NodeProto& n) {
  const auto* v = attr(n, "value");
  if (!v || !v->has_t()) node_fail(n, "only tensor-valued Constant nodes are supported");
  consts_[n.output(0)] = decode_tensor(v->t(), src_);
}

void Importer::handle(const onnx::NodeProto& n) {
  if (ended_) node_fail(n, "comes after the output Softmax; only a final Softmax/LogSoftmax is supported");
  const std::string& op = n.op_type();
  if (op == "Constant") return handle_const_node(n);
  if (op == "Identity" || op == "Dropout") {
    if (is_const(n.input(0))) consts_[n.output(0)] = consts_.at(n.input(0));
    else bind_alias(n, 0);
    return;
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return elementwise(n);
  if (op == "Reshape") return reshape(n);
  if (op == "Pad") return pad(n);
  for (const auto& in : n.input())
    if (pads_.count(in) && op != "Conv" && op != "AveragePool")
      node_fail(n, "follows a Pad; padding is only supported before Conv or AveragePool");
  if (op == "Gemm") return gemm(n);
  if (op == "MatMul") return dense(n, constant(n, 1), false, 1.0);
  if (op == "Conv") return conv(n);
  if (op == "MaxPool") return pool(n, LayerKind::MaxPool2D);
  if (op == "AveragePool") return pool(n, LayerKind::AvgPool2D);
  if (op == "GlobalAveragePool") return global_pool(n);
  if (op == "Relu") return activation(n, ActKind::ReLU);
  if (op == "Sigmoid") return activation(n, ActKind::Sigmoid);
  if (op == "Tanh") return activation(n, ActKind::Tanh);
  if (op == "Softsign") return activation(n, ActKind::Softsign);
  if (op == "BatchNormalization") return batchnorm(n);
  if (op == "Sum") return join(n, LayerKind::Add);
  if (op == "Concat") return join(n, LayerKind::Concat);
  if (op == "Flatten") return flatten(n);
  if (op == "Transpose") return transpose(n);
  if (op == "Softmax" || op == "LogSoftmax") return softmax(n);
  node_fail(n, fmt::format("unsupported op '{}'", op));  // supported_ops() listed it, handle() does not
}

// The graph output is the last layer's, and every other layer is read by a later one.
void Importer::check_ends() const {
  const auto out = producer_.find(graph_output_);
  if (out == producer_.end() || out->second == kInputTensor)
    fail(src_, "the graph output '{}' is not computed from the input by any layer", graph_output_);
  if (out->second != last())
    fail(src_, "the graph output '{}' is layer {} '{}', but layer {} '{}' comes after it and nothing reads it",
         graph_output_, out->second, net_.layers[static_cast<std::size_t>(out->second)].name, last(),
         net_.layers.back().name);
  std::vector<bool> read(net_.layers.size(), false);
  for (std::size_t i = 0; i < net_.layers.size(); ++i)
    for (int p : net_.sources(i))
      if (p != kInputTensor) read[static_cast<std::size_t>(p)] = true;
  for (std::size_t i = 0; i + 1 < net_.layers.size(); ++i)
    if (!read[i])
      fail(src_, "layer {} '{}' computes a value that neither the graph output nor any other node reads", i,
           net_.layers[i].name);
}

Network Importer::run() {
  if (!model_.has_graph()) fail(src_, "not an ONNX model: no graph (corrupt, truncated or not ONNX)");
  for (const auto& o : model_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  if (opset_ == 0) fail(src_, "no default-domain opset_import; not a valid ONNX model");
  if (opset_ < 1 || opset_ > 17) fail(src_, "opset {} is outside the supported range 1 to 17", opset_);
  const auto& g = model_.graph();
  if (g.output_size() != 1) fail(src_, "the graph has {} outputs; rapidnn supports exactly one", g.output_size());
  graph_output_ = g.output(0).name();
  // Every node is checked before any is imported: an unsupported op is the first error.
  onnxgraph::check_supported(g, onnxgraph::constant_values(g), src_);
  const auto order = onnxgraph::sorted_nodes(g, src_);
  readers_ = onnxgraph::reader_counts(g);
  for (const auto& t : g.initializer()) consts_[t.name()] = decode_tensor(t, src_);
  read_input();
  net_.name = g.name().empty() ? "model" : g.name();
  for (const auto* n : order) handle(*n);
  if (pads_.count(graph_output_)) fail(src_, "a trailing Pad is not supported");
  if (net_.layers.empty()) fail(src_, "the graph computes nothing");
  check_ends();
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
