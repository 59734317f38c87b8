// Network IR: the float model every stage starts from.
//
// A Network is a chain of layers applied to one input tensor (no batch
// dimension in shapes; CHW for images). Layers: Scale (element-wise affine
// input normalisation), Dense, Conv2D (stride, padding), MaxPool2D,
// AvgPool2D, Flatten and Activation. Dense and Conv2D carry a fused activation
// (`act`), which is how the composer sees a neuron: weighted sum, bias,
// activation. validate() checks every layer and infers all shapes; anything
// inconsistent is an Error naming the layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rapidnn {

using Shape = std::vector<std::int64_t>;

std::int64_t numel(const Shape& s);
std::string to_string(const Shape& s);

enum class LayerKind { Scale, Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Activation };
enum class ActKind { Identity, ReLU, Sigmoid, Tanh, Softsign };

const char* to_string(LayerKind k);
const char* to_string(ActKind a);
float apply_activation(ActKind a, float x);

struct Padding {
  int top = 0, left = 0, bottom = 0, right = 0;
  bool operator==(const Padding&) const = default;
};

struct Layer {
  LayerKind kind = LayerKind::Dense;
  std::string name;
  ActKind act = ActKind::Identity;  // Dense/Conv2D: fused; Activation: the function
  std::int64_t units = 0;           // Dense: outputs; Conv2D: output channels
  int kernel_h = 0, kernel_w = 0;   // Conv2D, pools
  int stride_h = 1, stride_w = 1;   // Conv2D, pools
  Padding pad;                      // Conv2D, pools (zero padding; max pool ignores pads)
  bool count_include_pad = false;   // AvgPool2D
  // Dense: [units][in]; Conv2D: [units][in_ch][kh][kw]; Scale: per-element multiplier.
  std::vector<float> weights;
  // Dense/Conv2D: [units]; Scale: per-element offset.
  std::vector<float> bias;

  bool has_weights() const { return kind == LayerKind::Dense || kind == LayerKind::Conv2D; }
};

struct Network {
  std::string name = "network";
  Shape input_shape;
  std::vector<Layer> layers;
  bool softmax_output = false;  // the source model ended in (Log)Softmax; argmax is unchanged

  // Output shape of each layer (same length as layers); throws Error on any inconsistency.
  std::vector<Shape> infer_shapes(const std::string& source = "") const;
  // validate() == infer_shapes() plus weight/bias size checks; throws Error.
  void validate(const std::string& source = "") const;
  Shape output_shape() const;
  std::int64_t num_classes() const;
  std::int64_t parameter_count() const;
  std::string summary() const;  // one line per layer, for `rapidnn inspect`
};

// Layer constructors used by the importer, the trainer and tests.
Layer make_dense(std::string name, std::int64_t in, std::int64_t out, ActKind act = ActKind::Identity);
Layer make_conv(std::string name, std::int64_t in_ch, std::int64_t out_ch, int k, int stride = 1, int pad = 0,
                ActKind act = ActKind::Identity);
Layer make_pool(LayerKind kind, std::string name, int k, int stride);
Layer make_flatten(std::string name);

}  // namespace rapidnn
