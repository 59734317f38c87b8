// Float reference inference for the Network IR.
//
// Batched: `x` holds n samples back to back, each numel(input_shape) floats
// in the IR layout (CHW for images). Dense layers run as one GEMM per batch;
// convolutions as im2col + GEMM. This is the "float model" every later
// accuracy figure (delta-e) is measured against.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/ir.h"

namespace rapidnn {

// Called after each layer with its output for the whole batch (n x numel(shape)).
using LayerObserver = std::function<void(std::size_t layer, const std::vector<float>& out, std::int64_t n)>;

// Output of the last layer for n samples (n x num_classes). Single-threaded. `observe` sees each
// layer's output; `pre_activation` sees Dense/Conv2D outputs before their fused activation.
std::vector<float> forward(const Network& net, const float* x, std::int64_t n, const LayerObserver& observe = {},
                           const LayerObserver& pre_activation = {});

// argmax of each output row; lowest index wins ties.
// Fixes the cache sizes Eigen plans its GEMM blocks by (and so the order of float sums), so that
// forward() gives the same bits on every CPU. forward() and predict() call it; it is exposed for tests.
void pin_gemm_blocking();

std::vector<int> argmax_rows(const std::vector<float>& out, std::int64_t n, std::int64_t classes);

// Predicted class of each of n samples, batched and spread over `threads` workers (0: all cores).
std::vector<int> predict(const Network& net, const float* x, std::int64_t n, int threads = 0);

}  // namespace rapidnn
