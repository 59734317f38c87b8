// ONNX in and out, through Debian's libonnx protobuf classes.
//
// import_onnx() maps a single-input ONNX graph (opsets 1 to 17; a DAG: chains,
// residual skips, concatenations) onto the Network IR: Gemm, MatMul(+Add),
// Conv, Relu, Sigmoid, Tanh, Softsign, MaxPool, AveragePool,
// GlobalAveragePool, Flatten, Reshape, BatchNormalization (folded), Pad
// (zeros, folded into the next Conv/AveragePool), Softmax/LogSoftmax at the
// output (dropped), Dropout/Identity, Constant, Add/Sum of activations (an Add
// layer), Concat along channels, element-wise Add/Sub/Mul/Div by constants
// (folded into the producing layer where exact, else a Scale layer, e.g. input
// normalisation; legacy broadcast/axis attributes before opset 7), and a
// Transpose or Reshape of the graph input (channels-last exporters). Anything
// else is an Error naming the op, the node and the file, before any work.
//
// export_onnx() writes opset-13 ONNX that other tools open (checked with
// onnx::checker).
#pragma once

#include <string>

#include "core/ir.h"

namespace rapidnn {

Network import_onnx(const std::string& path);
// A model file by its extension (ONNX only), with a clear error for any other format.
Network load_model(const std::string& path);
Network import_onnx_bytes(const std::string& bytes, const std::string& source);

std::string export_onnx_bytes(const Network& net);
void export_onnx(const Network& net, const std::string& path);

// Runs the ONNX checker over a serialized model; throws Error(source, ...) on failure.
void check_onnx_bytes(const std::string& bytes, const std::string& source);

}  // namespace rapidnn
