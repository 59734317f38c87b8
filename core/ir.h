// Network IR: the float model every stage starts from.
//
// A Network is a list of layers in topological order applied to one input
// tensor (no batch dimension in shapes; CHW for images). Each layer reads the
// previous layer's output unless it names its producers (`inputs`), so a chain
// names none and a residual or branching graph (a DAG) names them where it
// branches or joins. Layers: Scale (element-wise affine input normalisation),
// Dense, Conv2D (stride, padding), MaxPool2D, AvgPool2D, Flatten, Activation,
// Add (the element-wise sum of two or more tensors of one shape: a skip
// connection) and Concat (along the channel axis, the first). Dense, Conv2D and
// Add carry a fused activation (`act`), which is how the composer sees a
// neuron: weighted sum, bias (plus a skipped value), activation. The last
// layer is the output. validate() checks every layer and infers all shapes;
// anything inconsistent is an Error naming the layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rapidnn {

using Shape = std::vector<std::int64_t>;

std::int64_t numel(const Shape& s);
std::string to_string(const Shape& s);

enum class LayerKind { Scale, Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Activation, Add, Concat };
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
  ActKind act = ActKind::Identity;  // Dense/Conv2D/Add: fused; Activation: the function
  // Producers: indices of earlier layers, kInputTensor for the network input. Empty: the previous
  // layer (the network input for the first layer). Add and Concat name two or more.
  std::vector<int> inputs;
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
  // Layers whose `act` applies to their own result (Activation layers are the function itself).
  bool fuses_activation() const { return has_weights() || kind == LayerKind::Add; }
};

inline constexpr int kInputTensor = -1;  // Layer::inputs: the network input

struct Network {
  std::string name = "network";
  Shape input_shape;
  std::vector<Layer> layers;
  bool softmax_output = false;  // the source model ended in (Log)Softmax; argmax is unchanged

  // Output shape of each layer (same length as layers); throws Error on any inconsistency.
  std::vector<Shape> infer_shapes(const std::string& source = "") const;
  // The producers layer i reads (Layer::inputs, or the previous layer / kInputTensor when empty).
  std::vector<int> sources(std::size_t i) const;
  // The shape of producer `p` (kInputTensor: the input shape), given infer_shapes().
  const Shape& shape_of(int p, const std::vector<Shape>& shapes) const;
  // Shape of layer i's (first) input, given infer_shapes().
  const Shape& input_shape_of(std::size_t i, const std::vector<Shape>& shapes) const;
  // True when every layer reads only the previous one (no branch, skip or join).
  bool is_chain() const;
  // The first layer that makes the network not a chain, for messages (is_chain() is false).
  std::size_t first_branch() const;
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
