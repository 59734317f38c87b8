// libtorch training: architecture specs, reproducibility, ONNX round trip of a trained model.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "core/error.h"
#include "core/infer.h"
#include "onnxio/onnx_io.h"
#include "support.h"
#include "train/arch.h"
#include "train/torch_module.h"
#include "train/trainer.h"

using namespace rapidnn;

namespace {

// Two noisy Gaussian blobs per class in 6-D: learnable in a few epochs.
Dataset blobs(std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.6f);
  Dataset d;
  d.source = "blobs";
  d.sample_shape = {6};
  d.num_classes = 3;
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 3);
    for (int k = 0; k < 6; ++k) d.x.push_back((k % 3 == c ? 2.0f : 0.0f) + noise(rng));
    d.y.push_back(c);
  }
  return d;
}

}  // namespace

TEST_CASE("architecture specs", "[train]") {
  const Network mlp = parse_arch("mlp:784-512-512-10");
  REQUIRE(mlp.layers.size() == 3);
  CHECK(mlp.layers[0].act == ActKind::ReLU);
  CHECK(mlp.layers[2].act == ActKind::Identity);
  CHECK(mlp.parameter_count() == 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
  const Network cnn = parse_arch("cnn:3x32x32-c32k3-p2-c64k3-c64k3-f512-10");
  const auto s = cnn.infer_shapes();
  CHECK(s[0] == Shape{32, 30, 30});
  CHECK(s[1] == Shape{32, 15, 15});
  CHECK(s.back() == Shape{10});
  CHECK(parse_arch("cnn:1x28x28-c8k5s1p2-a2-10").infer_shapes()[0] == Shape{8, 28, 28});
  CHECK_THROWS_WITH(parse_arch("rnn:1-2"), Catch::Contains("unknown family"));
  CHECK_THROWS_WITH(parse_arch("cnn:1x8x8-q3-10"), Catch::Contains("unknown token 'q3'"));
  CHECK_THROWS_WITH(parse_arch("cnn:1x4x4-c2k9-10"), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(parse_arch("mlp:784"), Catch::Contains("at least one layer"));
}

TEST_CASE("same seed, same weights, and the trained model round-trips through ONNX", "[train]") {
  const Dataset train = blobs(600, 1), val = blobs(150, 2);
  TrainOptions opt;
  opt.epochs = 3;
  opt.batch = 32;
  opt.lr = 0.05;
  opt.seed = 5;
  opt.threads = 1;
  const Network skel = parse_arch("mlp:6-16-16-3");
  const TrainResult a = train_network(skel, train, val, opt);
  const TrainResult b = train_network(skel, train, val, opt);
  REQUIRE(a.epochs.size() == 3);
  CHECK(a.epochs.back().validation_accuracy > 90.0);
  CHECK(a.net.layers[0].weights == b.net.layers[0].weights);
  CHECK(a.net.layers[2].bias == b.net.layers[2].bias);
  opt.seed = 6;
  const TrainResult c = train_network(skel, train, val, opt);
  CHECK(a.net.layers[0].weights != c.net.layers[0].weights);

  const Network back = import_onnx_bytes(export_onnx_bytes(a.net), "trained");
  const auto ours = predict(back, val.x.data(), val.size(), 1);
  const auto theirs = torch_predict(a.net, val, 1);
  CHECK(ours == theirs);
}

TEST_CASE("a small CNN, chained or residual, trains and its torch and float predictions agree", "[train]") {
  // 1x6x6 images whose class is the brighter quadrant row.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 0.3f);
  Dataset d;
  d.sample_shape = {1, 6, 6};
  d.num_classes = 2;
  for (int i = 0; i < 400; ++i) {
    const int c = i % 2;
    for (int y = 0; y < 6; ++y)
      for (int x = 0; x < 6; ++x) d.x.push_back(u(rng) + ((y < 3) == (c == 0) ? 0.7f : 0.0f));
    d.y.push_back(c);
  }
  TrainOptions opt;
  opt.epochs = 2;
  opt.batch = 16;
  opt.threads = 1;
  // A chain, and residual blocks (an identity skip, then one projected by a strided 1x1 conv).
  const std::string arch = GENERATE(as<std::string>{}, "cnn:1x6x6-c4k3p1-p2-f8-2", "cnn:1x6x6-c4k3p1-r4-r8s2-f8-2");
  CAPTURE(arch);
  const TrainResult r = train_network(parse_arch(arch), d, d, opt);
  CHECK(r.epochs.back().validation_accuracy > 90.0);
  CHECK(predict(r.net, d.x.data(), d.size(), 1) == torch_predict(r.net, d, 1));
  const Network back = import_onnx_bytes(export_onnx_bytes(r.net), "trained.onnx");
  CHECK(predict(back, d.x.data(), d.size(), 1) == torch_predict(r.net, d, 1));
}

TEST_CASE("bad training options are errors", "[train][bad-input]") {
  const Dataset d = blobs(30, 1);
  TrainOptions opt;
  opt.batch = 0;
  CHECK_THROWS_WITH(train_network(parse_arch("mlp:6-3"), d, d, opt), Catch::Contains("--batch"));
  opt.batch = 8;
  opt.dropout = 1.0;
  CHECK_THROWS_WITH(train_network(parse_arch("mlp:6-3"), d, d, opt), Catch::Contains("--dropout"));
}

TEST_CASE("the residual block of the architecture string", "[ir]") {
  const Network net = parse_arch("cnn:3x8x8-c4k3p1-r4-r8s2-p2-10");
  CHECK_FALSE(net.is_chain());
  std::size_t weighted = 0, adds = 0;
  for (const auto& l : net.layers) weighted += l.has_weights(), adds += l.kind == LayerKind::Add;
  CHECK(weighted == 1 + 2 + 3 + 1);  // stem, block, projected block, output
  CHECK(adds == 2);
  CHECK(net.infer_shapes()[6] == Shape{8, 4, 4});  // the second block's 1x1 projection, stride 2
  CHECK(net.layers[3].inputs == std::vector<int>{2, 0});
  CHECK(net.layers[7].inputs == std::vector<int>{5, 6});
  const Network back = import_onnx_bytes(export_onnx_bytes(test::random_network(net, 3)), "r.onnx");
  CHECK(back.layers.size() == net.layers.size());
}

TEST_CASE("libtorch is a module loaded only by training: the program does not link it, and a missing or foreign "
          "module is one message naming the file",
          "[train][cli][bad-input]") {
  // The program itself starts without libtorch (about 1 s a run otherwise).
  const auto ldd = test::run_cli_program(std::string("ldd ") + RAPIDNN_BIN);
  REQUIRE(ldd.exit_code == 0);
  CHECK_THAT(ldd.output, !Catch::Contains("libtorch"));
  const std::string dir = test::temp_dir("torch-module");
  std::string rows;
  for (int i = 0; i < 60; ++i) rows += fmt::format("{},{},{}\n", i % 7, (i * 3) % 5, i % 2);
  std::filesystem::create_directories(dir + "/data");
  for (const char* split : {"/data/train.csv", "/data/test.csv"}) std::ofstream(dir + split) << rows;
  const std::string train =
      fmt::format(" {} train --arch mlp:2-4-2 -d {}/data --epochs 1 --validation 10 -j 1 -o {}/m.onnx 2>&1", RAPIDNN_BIN, dir, dir);
  // Through the module it trains.
  auto r = test::run_cli_program(train);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(std::filesystem::exists(dir + "/m.onnx"));
  std::filesystem::remove(dir + "/m.onnx");
  // An error raised inside the module reaches the program as rapidnn::Error, message intact.
  TrainOptions bad;
  bad.batch = 0;
  const Dataset d = blobs(30, 1);
  CHECK_THROWS_AS(torch_module().train_network(parse_arch("mlp:6-3"), d, d, bad, {}, {}), Error);
  CHECK_THROWS_WITH(torch_module().train_network(parse_arch("mlp:6-3"), d, d, bad, {}, {}), Catch::Contains("--batch"));
  // A module that is not there, and a shared library that is not a training module.
  for (const auto& [module, message] : {std::pair<std::string, std::string>{dir + "/none.so", "could not be loaded"},
                                        {"libz.so.1", "is not a rapidnn training module"}}) {
    r = test::run_cli_program("RAPIDNN_TORCH_MODULE=" + module + train);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(module) && Catch::Contains(message));
    CHECK_FALSE(std::filesystem::exists(dir + "/m.onnx"));
  }
}
