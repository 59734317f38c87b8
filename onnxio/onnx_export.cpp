// Network IR -> ONNX (opset 13), checked by onnx::checker before it is written.
#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "core/error.h"
#include "core/fileio.h"
#include "onnxio/onnx_io.h"

namespace rapidnn {
namespace {

constexpr std::int64_t kOpset = 13;

class Exporter {
 public:
  explicit Exporter(const Network& net) : net_(net) {}
  onnx::ModelProto run();

 private:
  std::string add_init(const std::string& name, const std::vector<std::int64_t>& dims, const std::vector<float>& v) {
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return name;
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> inputs) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& i : inputs) n->add_input(i);
    cur_ = name + "_out";
    n->add_output(cur_);
    return n;
  }
  static void ints(onnx::NodeProto* n, const std::string& name, std::vector<std::int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto* n, const std::string& name, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void set_shape(onnx::ValueInfoProto* v, const std::string& name, const Shape& s) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tt->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (auto d : s) shape->add_dim()->set_dim_value(d);
  }
  void spatial(onnx::NodeProto* n, const Layer& l) {
    ints(n, "kernel_shape", {l.kernel_h, l.kernel_w});
    ints(n, "strides", {l.stride_h, l.stride_w});
    ints(n, "pads", {l.pad.top, l.pad.left, l.pad.bottom, l.pad.right});
  }
  void activation(const std::string& name, ActKind a) {
    switch (a) {
      case ActKind::Identity: return;
      case ActKind::ReLU: node("Relu", name, {cur_}); return;
      case ActKind::Sigmoid: node("Sigmoid", name, {cur_}); return;
      case ActKind::Tanh: node("Tanh", name, {cur_}); return;
      case ActKind::Softsign: node("Softsign", name, {cur_}); return;
    }
  }

  const Network& net_;
  onnx::GraphProto* graph_ = nullptr;
  std::string cur_;
};

onnx::ModelProto Exporter::run() {
  net_.validate();
  const auto shapes = net_.infer_shapes();
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("rapidnn");
  m.set_producer_version(RAPIDNN_VERSION);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(kOpset);
  graph_ = m.mutable_graph();
  graph_->set_name(net_.name);
  set_shape(graph_->add_input(), "input", net_.input_shape);
  std::vector<std::string> out_name(net_.layers.size());  // each layer's output value
  const auto value_of = [&](int p) { return p == kInputTensor ? std::string("input") : out_name[static_cast<std::size_t>(p)]; };
  for (std::size_t i = 0; i < net_.layers.size(); ++i) {
    const Layer& l = net_.layers[i];
    const std::vector<int> src = net_.sources(i);
    cur_ = value_of(src[0]);
    const Shape& in = net_.shape_of(src[0], shapes);
    const std::string base = fmt::format("l{}_{}", i, l.kind == LayerKind::Activation ? "act" : to_string(l.kind));
    std::vector<std::int64_t> bdims{1};
    bdims.insert(bdims.end(), in.begin(), in.end());
    switch (l.kind) {
      case LayerKind::Scale:
        node("Mul", base + "_mul", {cur_, add_init(base + "_m", bdims, l.weights)});
        node("Add", base + "_add", {cur_, add_init(base + "_b", bdims, l.bias)});
        break;
      case LayerKind::Dense: {
        auto* n = node("Gemm", base, {cur_, add_init(base + "_W", {l.units, in[0]}, l.weights),
                                      add_init(base + "_B", {l.units}, l.bias)});
        integer(n, "transB", 1);
        break;
      }
      case LayerKind::Conv2D: {
        auto* n = node("Conv", base, {cur_, add_init(base + "_W", {l.units, in[0], l.kernel_h, l.kernel_w}, l.weights),
                                      add_init(base + "_B", {l.units}, l.bias)});
        spatial(n, l);
        break;
      }
      case LayerKind::MaxPool2D: spatial(node("MaxPool", base, {cur_}), l); break;
      case LayerKind::AvgPool2D: {
        auto* n = node("AveragePool", base, {cur_});
        spatial(n, l);
        integer(n, "count_include_pad", l.count_include_pad ? 1 : 0);
        break;
      }
      case LayerKind::Flatten: integer(node("Flatten", base, {cur_}), "axis", 1); break;
      case LayerKind::Activation: activation(base, l.act); break;
      case LayerKind::Add:
      case LayerKind::Concat: {
        std::vector<std::string> from;
        for (int p : src) from.push_back(value_of(p));
        auto* n = node(l.kind == LayerKind::Concat ? "Concat" : from.size() == 2 ? "Add" : "Sum", base, from);
        if (l.kind == LayerKind::Concat) integer(n, "axis", 1);
        break;
      }
    }
    if (l.fuses_activation()) activation(base + "_act", l.act);
    if (cur_ == value_of(src[0]) && i + 1 == net_.layers.size())  // a last layer without a node
      node("Identity", base + "_id", {cur_});
    out_name[i] = cur_;
  }
  if (net_.softmax_output) integer(node("Softmax", "output_softmax", {cur_}), "axis", 1);
  // Rename the last value to "output".
  graph_->mutable_node(graph_->node_size() - 1)->set_output(0, "output");
  set_shape(graph_->add_output(), "output", shapes.back());
  return m;
}

}  // namespace

void check_onnx_bytes(const std::string& bytes, const std::string& source) {
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) fail(source, "not a valid ONNX protobuf");
  try {
    onnx::checker::check_model(m);
  } catch (const std::exception& e) {
    fail(source, "ONNX checker rejects the model: {}", e.what());
  }
}

std::string export_onnx_bytes(const Network& net) {
  const onnx::ModelProto m = Exporter(net).run();
  std::string bytes;
  if (!m.SerializeToString(&bytes)) fail("", "cannot serialize the ONNX model");
  check_onnx_bytes(bytes, "exported model");
  return bytes;
}

void export_onnx(const Network& net, const std::string& path) { write_file_atomic(path, export_onnx_bytes(net)); }

}  // namespace rapidnn
