// ONNX graph-level facts: tensor decoding, the supported ops, topological order, constants and
// reader counts (see onnx_graph.h).
#include "onnxio/onnx_graph.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace rapidnn::onnxgraph {

const std::vector<std::string>& supported_ops() {
  static const std::vector<std::string> ops{
      "Add",  "AveragePool", "BatchNormalization", "Concat",    "Constant", "Conv",    "Div",
      "Dropout", "Flatten", "Gemm",   "GlobalAveragePool", "Identity", "LogSoftmax", "MatMul",
      "MaxPool", "Mul",     "Pad",    "Relu",  "Reshape",  "Sigmoid",  "Softmax",  "Softsign",
      "Sub",  "Sum",        "Tanh",   "Transpose"};
  return ops;
}

namespace {

bool default_domain(const onnx::NodeProto& n) { return n.domain().empty() || n.domain() == "ai.onnx"; }

}  // namespace

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

namespace {

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

}  // namespace

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

std::set<std::string> constant_values(const onnx::GraphProto& g) {
  std::set<std::string> c;
  for (const auto& t : g.initializer()) c.insert(t.name());
  for (bool grew = true; grew;) {  // to a fixed point: nodes need not be stored in order
    grew = false;
    for (const auto& n : g.node()) {
      const bool all_const = std::all_of(n.input().begin(), n.input().end(),
                                         [&](const std::string& in) { return in.empty() || c.count(in) > 0; });
      if (all_const || n.op_type() == "Constant")
        for (const auto& o : n.output()) grew |= c.insert(o).second;
    }
  }
  return c;
}

std::map<std::string, int> reader_counts(const onnx::GraphProto& g) {
  std::map<std::string, int> r;
  for (const auto& n : g.node())
    for (const auto& in : n.input())
      if (!in.empty()) ++r[in];
  for (const auto& o : g.output()) ++r[o.name()];
  return r;
}

void check_supported(const onnx::GraphProto& g, const std::set<std::string>& constants, const std::string& src) {
  const auto& ops = supported_ops();
  const auto reject = [&](const onnx::NodeProto& n, const std::string& why) {
    fail(src, "node '{}' ({}): {}; rapidnn imports {}, and Sub, Mul and Div only with a constant operand", n.name(),
         n.op_type(), why, fmt::join(ops, ", "));
  };
  for (const auto& n : g.node()) {
    if (!default_domain(n)) reject(n, fmt::format("unsupported op '{}' from domain '{}'", n.op_type(), n.domain()));
    if (std::find(ops.begin(), ops.end(), n.op_type()) == ops.end())
      reject(n, fmt::format("unsupported op '{}'", n.op_type()));
  }
  for (const auto& n : g.node()) {
    const bool arithmetic = n.op_type() == "Sub" || n.op_type() == "Mul" || n.op_type() == "Div";
    if (arithmetic && n.input_size() == 2 && !constants.count(n.input(0)) && !constants.count(n.input(1)))
      reject(n, fmt::format("a {} of two activations ('{}' and '{}') has no form in rapidnn's network", n.op_type(),
                            n.input(0), n.input(1)));
  }
}

}  // namespace rapidnn::onnxgraph
