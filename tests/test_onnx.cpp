// ONNX import and export: outside models to their reference accuracy, round
// trips, the ops a chain-shaped classifier uses, and bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fileio.h"
#include "core/infer.h"
#include "onnxio/onnx_io.h"
#include "onnx_builder.h"
#include "support.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

double accuracy_on(const Network& net, Dataset d, const std::string& model) {
  fit_to_model(d, net, model);
  const auto p = predict(net, d.x.data(), d.size());
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < p.size(); ++i) ok += p[i] == d.y[i];
  return 100.0 * static_cast<double>(ok) / static_cast<double>(d.size());
}

Network small_cnn() {
  Network net;
  net.input_shape = {1, 8, 8};
  Layer s;
  s.kind = LayerKind::Scale;
  s.name = "norm";
  s.weights.assign(64, 2.0f);
  s.bias.assign(64, -0.5f);
  net.layers.push_back(s);
  net.layers.push_back(make_conv("c1", 1, 4, 3, 1, 1, ActKind::ReLU));
  net.layers.push_back(make_pool(LayerKind::MaxPool2D, "p1", 2, 2));
  net.layers.push_back(make_conv("c2", 4, 6, 3, 1, 0, ActKind::Tanh));
  net.layers.push_back(make_pool(LayerKind::AvgPool2D, "p2", 2, 1));
  net.layers.push_back(make_flatten("f"));
  net.layers.push_back(make_dense("fc1", 6, 7, ActKind::Sigmoid));
  Layer a;
  a.kind = LayerKind::Activation;
  a.name = "soft";
  a.act = ActKind::Softsign;
  net.layers.push_back(a);
  net.layers.push_back(make_dense("fc2", 7, 3));
  net.softmax_output = true;
  return test::random_network(net, 9);
}

}  // namespace

TEST_CASE("mnist-8 (CNTK, opset 8) reaches exactly 98.91% on raw pixels", "[onnx][outside]") {
  const auto model = test::shared_ext("onnx/mnist-8.onnx");
  const auto data = test::shared_ext("mnist");
  if (!model || !data) SKIP_WITH("../shared/ext is absent");
  const Network net = import_onnx(*model);
  const DatasetSplits s = load_dataset(*data, Preprocess{1.0f, 0.0f, {}});
  CHECK(accuracy_on(net, s.test, *model) == Approx(98.91).margin(1e-9));
}

TEST_CASE("mnist-net_256x2 (PyTorch, opset 9) reaches exactly 98.08% on pixels/255", "[onnx][outside]") {
  const auto model = test::shared_ext("onnx/mnist-net_256x2.onnx");
  const auto data = test::shared_ext("mnist");
  if (!model || !data) SKIP_WITH("../shared/ext is absent");
  const Network net = import_onnx(*model);
  const DatasetSplits s = load_dataset(*data);
  CHECK(accuracy_on(net, s.test, *model) == Approx(98.08).margin(1e-9));
}

TEST_CASE("torch.onnx.export fixture evaluates to the accuracy PyTorch reported", "[onnx][outside]") {
  const std::string model = std::string(RAPIDNN_FIXTURES) + "/torch_fmnist_cnn.onnx";
  const auto meta = nlohmann::json::parse(read_file(std::string(RAPIDNN_FIXTURES) + "/torch_fmnist_cnn.json"));
  const auto fm = test::fashion_mnist();
  if (!fm) SKIP_WITH("dataset-fashion-mnist is not installed");
  const Network net = import_onnx(model);
  CHECK(net.layers.front().kind == LayerKind::Scale);  // (x - mean) / std became a Scale layer
  CHECK(net.softmax_output);
  DatasetSplits s = load_dataset(*fm);
  fit_to_model(s.test, net, model);
  const auto p = predict(net, s.test.x.data(), s.test.size());
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < p.size(); ++i) ok += p[i] == s.test.y[i];
  CHECK(ok == meta["correct"].get<std::int64_t>());
}

TEST_CASE("export then import reproduces every layer kind exactly", "[onnx]") {
  const Network net = small_cnn();
  const std::string bytes = export_onnx_bytes(net);
  CHECK_NOTHROW(check_onnx_bytes(bytes, "exported"));
  const Network back = import_onnx_bytes(bytes, "exported");
  REQUIRE(back.layers.size() == net.layers.size());
  const auto x = test::random_inputs(net, 20, 1);
  CHECK(forward(net, x.data(), 20) == forward(back, x.data(), 20));
  CHECK(back.softmax_output);
  CHECK(export_onnx_bytes(back) == bytes);  // deterministic bytes
}

TEST_CASE("nodes stored out of topological order import as the sorted graph does", "[onnx]") {
  const Network net = small_cnn();
  onnx::ModelProto m;
  REQUIRE(m.ParseFromString(export_onnx_bytes(net)));
  REQUIRE(m.graph().node_size() > 3);
  // Reverse the nodes, then swap a few more (seeded): no node comes after its inputs' producers.
  auto* nodes = m.mutable_graph()->mutable_node();
  std::reverse(nodes->begin(), nodes->end());
  std::mt19937 rng(7);
  for (int k = 0; k < nodes->size(); ++k) nodes->SwapElements(k, static_cast<int>(rng() % static_cast<unsigned>(nodes->size())));
  std::string shuffled;
  REQUIRE(m.SerializeToString(&shuffled));
  const Network back = import_onnx_bytes(shuffled, "shuffled.onnx");
  REQUIRE(back.layers.size() == net.layers.size());
  const auto x = test::random_inputs(net, 20, 1);
  CHECK(forward(net, x.data(), 20) == forward(back, x.data(), 20));
  CHECK(export_onnx_bytes(back) == export_onnx_bytes(net));
}

TEST_CASE("export writes atomically and the file re-imports", "[onnx]") {
  const std::string dir = test::temp_dir("export");
  const Network net = small_cnn();
  export_onnx(net, dir + "/m.onnx");
  CHECK(import_onnx(dir + "/m.onnx").parameter_count() == net.parameter_count());
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  CHECK(files == 1);  // no temporary left behind
}

TEST_CASE("MatMul + Add, Gemm alpha/beta, input Sub/Div and BatchNormalization fold exactly", "[onnx]") {
  test::OnnxBuilder b(11, {1, 2});
  b.init("mean", {2}, {1.0f, 2.0f});
  b.init("std", {}, {4.0f});
  b.init("W", {2, 3}, {1, 2, 3, 4, 5, 6});  // MatMul: [in][out]
  b.init("B", {3}, {0.5f, -0.5f, 1.0f});
  b.init("W2", {3, 2}, {1, 0, 0, 1, 1, 1});  // Gemm with transB: [out][in]... here [2][3] after transB
  b.init("C", {2}, {1, 1});
  b.init("g", {2}, {2, 1});
  b.init("bb", {2}, {0, 1});
  b.init("mu", {2}, {1, 0});
  b.init("var", {2}, {3, 0});
  b.node("Sub", {"x", "mean"}, "s");
  b.node("Div", {"s", "std"}, "d");
  b.node("MatMul", {"d", "W"}, "mm");
  b.node("Add", {"mm", "B"}, "a");
  b.node("Relu", {"a"}, "r");
  auto* gemm = b.node("Gemm", {"r", "W2", "C"}, "y");
  auto* alpha = gemm->add_attribute();
  alpha->set_name("alpha");
  alpha->set_type(onnx::AttributeProto::FLOAT);
  alpha->set_f(2.0f);
  auto* beta = gemm->add_attribute();
  beta->set_name("beta");
  beta->set_type(onnx::AttributeProto::FLOAT);
  beta->set_f(3.0f);
  // Gemm B is [K=3][N=2] without transB.
  auto* bn = b.node("BatchNormalization", {"y", "g", "bb", "mu", "var"}, "out");
  auto* eps = bn->add_attribute();
  eps->set_name("epsilon");
  eps->set_type(onnx::AttributeProto::FLOAT);
  eps->set_f(1.0f);
  const Network net = import_onnx_bytes(b.bytes("out"), "hand.onnx");
  REQUIRE(net.layers.size() == 3);  // Scale, Dense(+bias, relu), Dense(+alpha, beta, batch norm)
  const std::vector<float> x{5.0f, 10.0f};
  // By hand: d = (5-1)/4, (10-2)/4 = 1, 2; mm = [1*1+2*4, 1*2+2*5, 1*3+2*6] = 9, 12, 15; +B, relu = 9.5, 11.5, 16
  // gemm: 2*[9.5+16, 11.5+16] + 3 = 54, 58; bn: (54-1)*2/2 + 0 = 53, (58-0)*1/1 + 1 = 59
  const auto y = forward(net, x.data(), 1);
  CHECK(y[0] == Approx(53.0f));
  CHECK(y[1] == Approx(59.0f));
}

TEST_CASE("bad ONNX input: one clear error naming the file", "[onnx][bad-input]") {
  const std::string good = export_onnx_bytes(small_cnn());
  SECTION("truncated") {
    CHECK_THROWS_WITH(import_onnx_bytes(good.substr(0, good.size() / 3), "cut.onnx"),
                      Catch::StartsWith("cut.onnx: ") && (Catch::Contains("corrupt") || Catch::Contains("truncated") ||
                                                          Catch::Contains("has")));
  }
  SECTION("garbage and empty") {
    CHECK_THROWS_WITH(import_onnx_bytes(std::string(64, '\xff'), "junk.onnx"), Catch::Contains("junk.onnx"));
    CHECK_THROWS_WITH(import_onnx_bytes("", "empty.onnx"), Catch::Contains("empty file"));
  }
  SECTION("missing file") { CHECK_THROWS_WITH(import_onnx("/nonexistent/m.onnx"), Catch::Contains("no such file")); }
  SECTION("unsupported op names op and node") {
    test::OnnxBuilder b;
    b.node("LSTM", {"x"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "lstm.onnx"),
                      Catch::Contains("lstm.onnx") && Catch::Contains("unsupported op 'LSTM'") &&
                          Catch::Contains("LSTM_y"));
  }
  SECTION("unresolved dynamic shape") {
    test::OnnxBuilder b(13, {1});
    auto* dim = b.g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim();
    dim->set_dim_param("features");
    b.node("Relu", {"x"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "dyn.onnx"),
                      Catch::Contains("unresolved dynamic dimension 'features'"));
  }
  SECTION("opset out of range") {
    test::OnnxBuilder b(18);
    b.node("Relu", {"x"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "new.onnx"), Catch::Contains("opset 18"));
  }
  SECTION("weight dimensions whose product overflows: a message, not bad_alloc") {
    test::OnnxBuilder b;
    b.init("w", {std::int64_t{1} << 40, std::int64_t{1} << 40}, {});
    b.node("MatMul", {"x", "w"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "huge.onnx"),
                      Catch::Contains("huge.onnx") && Catch::Contains("more than 2^32 values"));
    test::OnnxBuilder n;
    n.init("w", {4, -3}, {});
    n.node("MatMul", {"x", "w"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(n.bytes("y"), "neg.onnx"), Catch::Contains("a negative dimension"));
  }
  SECTION("an unsupported op anywhere is the first error, with the list of supported ops") {
    test::OnnxBuilder b;
    b.node("Relu", {"x"}, "r");
    b.node("Mul", {"r", "r"}, "m");
    b.node("Erf", {"m"}, "y");  // after the Mul of two activations: still reported first
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "erf.onnx"),
                      Catch::StartsWith("erf.onnx: ") && Catch::Contains("unsupported op 'Erf'") &&
                          Catch::Contains("Erf_y") && Catch::Contains("rapidnn imports Add, AveragePool"));
  }
  SECTION("a node input nobody produces, and a cycle") {
    test::OnnxBuilder b;
    b.node("Relu", {"ghost"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "ghost.onnx"),
                      Catch::Contains("input 'ghost' is produced by no node, initializer or graph input"));
    test::OnnxBuilder c;
    c.node("Relu", {"b"}, "a");
    c.node("Relu", {"a"}, "b");
    c.node("Relu", {"b"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(c.bytes("y"), "cycle.onnx"), Catch::Contains("is part of a cycle"));
  }
  SECTION("softmax in the middle") {
    test::OnnxBuilder b;
    b.node("Softmax", {"x"}, "s");
    b.node("Relu", {"s"}, "y");
    CHECK_THROWS_WITH(import_onnx_bytes(b.bytes("y"), "sm.onnx"), Catch::Contains("only as the last op"));
  }
}

TEST_CASE("zero Pad folds into the following AveragePool and Conv", "[onnx]") {
  test::OnnxBuilder b(13, {1, 1, 2, 2});
  auto* t = b.g->add_initializer();
  t->set_name("pads");
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(8);
  for (std::int64_t v : {0, 0, 1, 1, 0, 0, 1, 1}) t->add_int64_data(v);
  b.node("Pad", {"x", "pads"}, "p");
  auto* pool = b.node("AveragePool", {"p"}, "y");
  auto* ks = pool->add_attribute();
  ks->set_name("kernel_shape");
  ks->set_type(onnx::AttributeProto::INTS);
  ks->add_ints(2);
  ks->add_ints(2);
  auto* st = pool->add_attribute();
  st->set_name("strides");
  st->set_type(onnx::AttributeProto::INTS);
  st->add_ints(2);
  st->add_ints(2);
  const Network net = import_onnx_bytes(b.bytes("y"), "pad.onnx");
  const std::vector<float> x{4, 8, 12, 16};
  REQUIRE(net.layers.size() == 2);  // AvgPool with pads 1 and count_include_pad, then the output Flatten
  CHECK(net.layers[0].pad == Padding{1, 1, 1, 1});
  CHECK(net.layers[0].count_include_pad);
  const auto y = forward(net, x.data(), 1);
  REQUIRE(y.size() == 4);
  CHECK(y == std::vector<float>{1, 2, 3, 4});  // each window: one real pixel and three padded zeros
}
