// ONNX graphs beyond chains: residual skips (identity and projected), concatenation, global
// average pooling, BatchNormalization inside a branch, channels-last inputs, legacy opsets, and
// the graphs that are rejected before any work.
#include <catch2/catch.hpp>

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <random>

#include "core/error.h"
#include "core/fileio.h"
#include "core/infer.h"
#include "onnxio/onnx_io.h"
#include "onnx_builder.h"
#include "support.h"

using namespace rapidnn;

namespace {

// input 2x6x6 -> conv 4 + relu -> [conv 4 + relu -> conv 4] + skip -> relu -> [1x1 conv 6 projection
// of the block input] + [conv 6] -> relu -> concat with the block output -> global pool -> dense 3.
Network residual_skeleton() {
  Network net;
  net.input_shape = {2, 6, 6};
  net.layers.push_back(make_conv("stem", 2, 4, 3, 1, 1, ActKind::ReLU));  // 0
  net.layers.push_back(make_conv("a1", 4, 4, 3, 1, 1, ActKind::ReLU));    // 1
  net.layers.push_back(make_conv("a2", 4, 4, 3, 1, 1));                   // 2
  Layer add;
  add.kind = LayerKind::Add;
  add.name = "add_a";
  add.act = ActKind::ReLU;
  add.inputs = {2, 0};
  net.layers.push_back(add);                                              // 3
  net.layers.push_back(make_conv("b1", 4, 6, 3, 1, 1));                   // 4
  Layer proj = make_conv("bp", 4, 6, 1, 1, 0);
  proj.inputs = {3};
  net.layers.push_back(proj);                                             // 5
  add.name = "add_b";
  add.inputs = {4, 5};
  net.layers.push_back(add);                                              // 6
  Layer cat;
  cat.kind = LayerKind::Concat;
  cat.name = "cat";
  cat.inputs = {6, 3};
  net.layers.push_back(cat);                                              // 7: 10x6x6
  net.layers.push_back(make_pool(LayerKind::AvgPool2D, "gap", 6, 1));     // 8
  net.layers.push_back(make_flatten("flat"));                             // 9
  net.layers.push_back(make_dense("fc", 10, 3));                          // 10
  return test::random_network(net, 5);
}

// Float forward, computed directly from the definition of each layer for the residual skeleton.
std::vector<float> reference_output(const Network& net, const std::vector<float>& x) {
  // One sample: run each layer alone as a chain on its producers' outputs.
  const auto shapes = net.infer_shapes();
  std::vector<std::vector<float>> out(net.layers.size());
  const auto value = [&](int p) -> const std::vector<float>& { return p == kInputTensor ? x : out[static_cast<std::size_t>(p)]; };
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const auto src = net.sources(i);
    if (l.kind == LayerKind::Add) {
      out[i] = value(src[0]);
      for (std::size_t k = 1; k < src.size(); ++k)
        for (std::size_t e = 0; e < out[i].size(); ++e) out[i][e] += value(src[k])[e];
    } else if (l.kind == LayerKind::Concat) {
      for (int p : src) out[i].insert(out[i].end(), value(p).begin(), value(p).end());
    } else {
      Network one;
      one.input_shape = net.shape_of(src[0], shapes);
      Layer alone = l;
      alone.inputs.clear();
      alone.act = ActKind::Identity;
      one.layers.push_back(alone);
      const auto in = value(src[0]);
      out[i] = forward(one, in.data(), 1);
    }
    for (auto& v : out[i]) v = l.fuses_activation() ? apply_activation(l.act, v) : v;
  }
  return out.back();
}

std::string shuffled(const std::string& bytes, unsigned seed) {
  onnx::ModelProto m;
  REQUIRE(m.ParseFromString(bytes));
  auto* nodes = m.mutable_graph()->mutable_node();
  std::reverse(nodes->begin(), nodes->end());
  std::mt19937 rng(seed);
  for (int k = 0; k < nodes->size(); ++k) nodes->SwapElements(k, static_cast<int>(rng() % static_cast<unsigned>(nodes->size())));
  std::string out;
  REQUIRE(m.SerializeToString(&out));
  return out;
}

onnx::NodeProto* conv_node(test::OnnxBuilder& b, const std::string& in, const std::string& out, int cin, int cout,
                           std::uint64_t seed) {
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  std::vector<float> w(static_cast<std::size_t>(cout * cin * 9)), bias(static_cast<std::size_t>(cout));
  for (auto& v : w) v = u(rng);
  for (auto& v : bias) v = u(rng);
  b.init(out + "_w", {cout, cin, 3, 3}, w);
  b.init(out + "_b", {cout}, bias);
  auto* n = b.node("Conv", {in, out + "_w", out + "_b"}, out);
  b.ints(n, "pads", {1, 1, 1, 1});
  return n;
}

}  // namespace

TEST_CASE("residual, projected and concatenated layers compute what they define", "[ir]") {
  const Network net = residual_skeleton();
  CHECK_FALSE(net.is_chain());
  CHECK(net.first_branch() == 3);
  CHECK(net.output_shape() == Shape{3});
  CHECK(net.infer_shapes()[7] == Shape{10, 6, 6});
  const auto x = test::random_inputs(net, 6, 2);
  const auto batch = forward(net, x.data(), 6);
  for (std::int64_t s = 0; s < 6; ++s) {
    const std::vector<float> one(x.begin() + s * 72, x.begin() + (s + 1) * 72);
    const auto want = reference_output(net, one);
    for (std::size_t c = 0; c < 3; ++c) CHECK(batch[static_cast<std::size_t>(s) * 3 + c] == Approx(want[c]).margin(1e-5));
  }
}

TEST_CASE("joins that do not fit, and reads of later layers, name the layer", "[ir][bad-input]") {
  Network net = residual_skeleton();
  SECTION("an Add of different shapes") {
    net.layers[3].inputs = {2, kInputTensor};
    CHECK_THROWS_WITH(net.validate("m.onnx"), Catch::Contains("m.onnx") && Catch::Contains("'add_a'") &&
                                                  Catch::Contains("different shapes"));
  }
  SECTION("a read of a later layer") {
    net.layers[1].inputs = {4};
    CHECK_THROWS_WITH(net.validate("m.onnx"), Catch::Contains("'a1'") && Catch::Contains("not an earlier layer"));
  }
  SECTION("a Concat whose spatial sizes differ") {
    Network small;
    small.input_shape = {2, 6, 6};
    small.layers.push_back(make_pool(LayerKind::MaxPool2D, "mp", 2, 2));
    Layer cat;
    cat.kind = LayerKind::Concat;
    cat.name = "cat";
    cat.inputs = {0, kInputTensor};
    small.layers.push_back(cat);
    CHECK_THROWS_WITH(small.validate("m.onnx"), Catch::Contains("'cat'") &&
                                                    Catch::Contains("only the channel (first) axis may differ"));
  }
  SECTION("a Dense reading two tensors") {
    net.layers[10].inputs = {9, 9};
    CHECK_THROWS_WITH(net.validate("m.onnx"), Catch::Contains("only Add and Concat join"));
  }
}

TEST_CASE("a residual graph exports, re-imports exactly, and imports the same with its nodes shuffled", "[onnx]") {
  const Network net = residual_skeleton();
  const std::string bytes = export_onnx_bytes(net);
  CHECK_NOTHROW(check_onnx_bytes(bytes, "exported"));
  const Network back = import_onnx_bytes(bytes, "res.onnx");
  REQUIRE(back.layers.size() == net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    CHECK(back.sources(i) == net.sources(i));
    CHECK(back.layers[i].act == net.layers[i].act);
  }
  const auto x = test::random_inputs(net, 16, 3);
  const auto y = forward(net, x.data(), 16);
  CHECK(forward(back, x.data(), 16) == y);
  CHECK(export_onnx_bytes(back) == bytes);
  for (unsigned seed : {1u, 2u, 3u}) {
    const Network s = import_onnx_bytes(shuffled(bytes, seed), "shuffled.onnx");
    CHECK(forward(s, x.data(), 16) == y);
    CHECK(predict(s, x.data(), 16) == predict(net, x.data(), 16));
  }
}

TEST_CASE("a PyTorch-style block: Conv, BatchNormalization, Relu, Conv, BatchNormalization, Add, Relu", "[onnx]") {
  test::OnnxBuilder b(13, {1, 2, 4, 4});
  conv_node(b, "x", "c1", 2, 2, 1);
  const auto bn = [&](const std::string& in, const std::string& out) {
    b.init(out + "_g", {2}, {1.5f, 0.5f});
    b.init(out + "_be", {2}, {0.1f, -0.2f});
    b.init(out + "_m", {2}, {0.3f, -0.1f});
    b.init(out + "_v", {2}, {2.0f, 0.25f});
    b.node("BatchNormalization", {in, out + "_g", out + "_be", out + "_m", out + "_v"}, out);
  };
  bn("c1", "n1");
  b.node("Relu", {"n1"}, "r1");
  conv_node(b, "r1", "c2", 2, 2, 2);
  bn("c2", "n2");
  bn("x", "nx");  // a BatchNormalization on the skip path: read by the Add only, on the input
  b.node("Add", {"n2", "nx"}, "s");
  b.node("Relu", {"s"}, "r");
  b.node("GlobalAveragePool", {"r"}, "g");
  b.node("Flatten", {"g"}, "y");
  const Network net = import_onnx_bytes(b.bytes("y"), "block.onnx");
  // conv(+bn folded, relu), conv(+bn folded), Scale (the skip's bn), Add(+relu), pool, flatten.
  REQUIRE(net.layers.size() == 6);
  CHECK(net.layers[0].act == ActKind::ReLU);
  CHECK(net.layers[2].kind == LayerKind::Scale);
  CHECK(net.layers[2].inputs == std::vector<int>{kInputTensor});
  CHECK(net.layers[3].kind == LayerKind::Add);
  CHECK(net.layers[3].act == ActKind::ReLU);
  CHECK(net.layers[3].inputs == std::vector<int>{1, 2});
  CHECK(net.layers[4].kernel_h == 4);
  CHECK(net.output_shape() == Shape{2});
}

TEST_CASE("an activation read twice is not folded into: the second reader sees it unchanged", "[onnx]") {
  test::OnnxBuilder b(13, {1, 3});
  b.init("w", {3, 3}, {1, -2, 0.5f, 0.25f, 1, -1, 2, 0, 1});
  b.node("MatMul", {"x", "w"}, "h");
  b.node("Relu", {"h"}, "r");  // h is also read by the Add: the Relu cannot fuse into the MatMul
  b.node("Add", {"r", "h"}, "y");
  const Network net = import_onnx_bytes(b.bytes("y"), "twice.onnx");
  REQUIRE(net.layers.size() == 3);
  CHECK(net.layers[0].act == ActKind::Identity);
  CHECK(net.layers[1].kind == LayerKind::Activation);
  const std::vector<float> x{1, 1, 1};
  const auto y = forward(net, x.data(), 1);  // h = (3.25, -1, 0.5); relu(h) + h
  CHECK(y == std::vector<float>{6.5f, -1.0f, 1.0f});
}

TEST_CASE("channels-last inputs: a Transpose or Reshape of the graph input redefines its layout", "[onnx]") {
  SECTION("NHWC input transposed to NCHW") {
    test::OnnxBuilder b(13, {1, 4, 4, 2});
    auto* t = b.node("Transpose", {"x"}, "t");
    b.ints(t, "perm", {0, 3, 1, 2});
    conv_node(b, "t", "c", 2, 3, 4);
    b.node("Flatten", {"c"}, "y");
    const Network net = import_onnx_bytes(b.bytes("y"), "nhwc.onnx");
    CHECK(net.input_shape == Shape{2, 4, 4});
    CHECK(net.layers[0].kind == LayerKind::Conv2D);
  }
  SECTION("a flat input reshaped to an image") {
    test::OnnxBuilder b(13, {1, 32});
    b.g->add_initializer()->CopyFrom([] {
      onnx::TensorProto s;
      s.set_name("shape");
      s.set_data_type(onnx::TensorProto::INT64);
      s.add_dims(4);
      for (std::int64_t v : {-1, 2, 4, 4}) s.add_int64_data(v);
      return s;
    }());
    b.node("Reshape", {"x", "shape"}, "img");
    conv_node(b, "img", "c", 2, 1, 5);
    b.node("Flatten", {"c"}, "y");
    CHECK(import_onnx_bytes(b.bytes("y"), "flat.onnx").input_shape == Shape{2, 4, 4});
  }
  SECTION("a Transpose inside the network is rejected") {
    test::OnnxBuilder b(13, {1, 2, 4, 4});
    b.node("Relu", {"x"}, "r");
    auto* t = b.node("Transpose", {"r"}, "y");
    b.ints(t, "perm", {0, 2, 3, 1});
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "tr.onnx"),
                      Catch::Contains("tr.onnx") && Catch::Contains("Transpose_y") &&
                          Catch::Contains("only supported on the graph input"));
  }
}

TEST_CASE("legacy opset 6: Constant weights, Add with broadcast and axis, Reshape by attribute", "[onnx]") {
  test::OnnxBuilder b(6, {1, 2, 2, 2});
  auto* w = b.node("Constant", {}, "w");
  auto* wa = w->add_attribute();
  wa->set_name("value");
  wa->set_type(onnx::AttributeProto::TENSOR);
  wa->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  for (std::int64_t d : {8, 2}) wa->mutable_t()->add_dims(d);
  for (int k = 0; k < 16; ++k) wa->mutable_t()->add_float_data(static_cast<float>(k % 5) - 2.0f);
  b.init("chan", {2}, {10.0f, -10.0f});
  auto* add = b.node("Add", {"x", "chan"}, "shifted");  // per channel: broadcast=1 at axis 1
  b.integer(add, "broadcast", 1);
  b.integer(add, "axis", 1);
  auto* r = b.node("Reshape", {"shifted"}, "flat");
  b.ints(r, "shape", {1, 8});
  b.node("MatMul", {"flat", "w"}, "y");
  const Network net = import_onnx_bytes(b.bytes("y"), "legacy.onnx");
  REQUIRE(net.layers.front().kind == LayerKind::Scale);
  const std::vector<float> x(8, 1.0f);
  const auto y = forward(net, x.data(), 1);
  // shifted = 11 on channel 0 (4 values), -9 on channel 1; y_j = sum_i shifted_i w[i][j].
  float y0 = 0, y1 = 0;
  for (int i = 0; i < 8; ++i) {
    const float v = i < 4 ? 11.0f : -9.0f;
    y0 += v * (static_cast<float>((2 * i) % 5) - 2.0f);
    y1 += v * (static_cast<float>((2 * i + 1) % 5) - 2.0f);
  }
  CHECK(y == std::vector<float>{y0, y1});
  SECTION("without broadcast=1 a legacy Add of different shapes is an error") {
    test::OnnxBuilder c(6, {1, 2, 2, 2});
    c.init("chan", {2}, {1.0f, 2.0f});
    c.node("Add", {"x", "chan"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(c.bytes("y"), "old.onnx"), Catch::Contains("broadcast=1"));
  }
}

TEST_CASE("graphs rejected before any work name the op, the node and the file", "[onnx][bad-input]") {
  SECTION("a Mul of two activations") {
    test::OnnxBuilder b(13, {1, 4});
    b.node("Relu", {"x"}, "r");
    b.node("Mul", {"r", "x"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "mul.onnx"),
                      Catch::StartsWith("mul.onnx: node 'Mul_y' (Mul)") && Catch::Contains("two activations") &&
                          Catch::Contains("rapidnn imports Add"));
  }
  SECTION("from the command line: exit 2, no other output file") {
    test::OnnxBuilder b(13, {1, 4});
    b.node("Relu", {"x"}, "r");
    b.node("Mul", {"r", "x"}, "y");
    const std::string dir = test::temp_dir("mul-cli");
    write_file_atomic(dir + "/mul.onnx", b.bytes("y"));
    const auto r = test::run_cli("eval -m " + dir + "/mul.onnx -d " + dir + "/none.csv");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(dir + "/mul.onnx: node 'Mul_y' (Mul)") && Catch::Contains("two activations"));
  }
  SECTION("a branch nothing reads") {
    test::OnnxBuilder b(13, {1, 4});
    b.node("Relu", {"x"}, "y");
    b.node("Sigmoid", {"x"}, "dead");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "dead.onnx"), Catch::Contains("nothing reads it"));
  }
  SECTION("Concat along a spatial axis") {
    test::OnnxBuilder b(13, {1, 2, 4, 4});
    b.node("Relu", {"x"}, "r");
    b.integer(b.node("Concat", {"r", "x"}, "y"), "axis", 2);
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "cat.onnx"), Catch::Contains("only channels, axis 1"));
  }
}
