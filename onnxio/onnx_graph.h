// ONNX graph-level facts the importer needs before it maps any node: tensors decoded to numbers,
// the supported ops, the nodes in topological order, which values are constants, and how many
// readers each value has.
//
// The importer checks the whole graph with these first, so an unsupported op, an operation on two
// activations that has no IR form (a Mul of two activations), a missing input or a cycle is the
// first error, before any layer is built.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace rapidnn::onnxgraph {

struct Const {
  std::vector<std::int64_t> dims;
  std::vector<double> values;  // all numeric types widen to double (int64 shapes are exact below 2^53)
  std::int64_t count() const {
    std::int64_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
};

// A tensor's values; Error(src) for unsupported element types, external data or size mismatches.
Const decode_tensor(const onnx::TensorProto& t, const std::string& src);

// The ops the importer reads (default domain), as a rejection lists them.
const std::vector<std::string>& supported_ops();

// The graph's nodes in an order where each comes after the nodes producing its inputs (Kahn's
// algorithm, ready nodes in stored order, so a sorted graph keeps its order). Error(src) names a
// node whose input nothing produces, or that is part of a cycle.
std::vector<const onnx::NodeProto*> sorted_nodes(const onnx::GraphProto& g, const std::string& src);

// The values computed from initializers and Constant nodes alone (constant folding).
std::set<std::string> constant_values(const onnx::GraphProto& g);

// How many node inputs (and graph outputs) read each value.
std::map<std::string, int> reader_counts(const onnx::GraphProto& g);

// Error(src) naming the first node (in stored order) whose op is not supported, else the first
// that applies Sub, Mul or Div to two activations, with the list of what is supported. `constants` as
// constant_values().
void check_supported(const onnx::GraphProto& g, const std::set<std::string>& constants, const std::string& src);

}  // namespace rapidnn::onnxgraph
