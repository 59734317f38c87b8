// Architecture spec strings -> untrained Network skeletons.
//
//   mlp:784-512-512-10                  input 784, hidden Dense+ReLU layers, output Dense
//   cnn:1x28x28-c32k3-p2-c64k3-c64k3-f512-10
//       cNkK[sS][pP]  Conv2D, N channels, KxK kernel, stride S (1), padding P (0), ReLU
//       rN[sS]        residual block: 3x3 conv (stride S) + ReLU, 3x3 conv, plus the block input
//                     (through a 1x1 conv when N or S change its shape), then ReLU
//       pK            MaxPool2D KxK, stride K;   aK  AvgPool2D KxK, stride K
//       fN            Dense N + ReLU (a Flatten is inserted before the first Dense)
//       N (last)      output Dense with N classes (no activation; softmax in the loss)
//
// Does not need libtorch: weights are zero until the trainer initialises them.
#pragma once

#include <string>

#include "core/ir.h"

namespace rapidnn {

Network parse_arch(const std::string& spec);

}  // namespace rapidnn
