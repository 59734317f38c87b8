// The rapidnn program: manual, exit codes, one clear message for bad input, no partial output.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/fileio.h"
#include "support.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {
const std::string kShippedModel = std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-512-512-10.onnx";
}

TEST_CASE("help reads like a manual and version prints", "[cli]") {
  auto r = test::run_cli("--help");
  CHECK(r.exit_code == 0);
  for (const char* sub : {"inspect", "eval", "train", "flow"}) CHECK_THAT(r.output, Catch::Contains(sub));
  r = test::run_cli("train --help");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("--arch") && Catch::Contains("--seed") && Catch::Contains("dropout"));
  r = test::run_cli("--version");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::StartsWith("rapidnn "));
}

TEST_CASE("usage errors exit 2", "[cli][bad-input]") {
  CHECK(test::run_cli("").exit_code == 2);
  CHECK(test::run_cli("frobnicate").exit_code == 2);
  CHECK(test::run_cli("eval --model").exit_code == 2);
}

TEST_CASE("bad files: one message naming the file, exit 2", "[cli][bad-input]") {
  const std::string dir = test::temp_dir("cli-bad");
  SECTION("missing model") {
    auto r = test::run_cli("eval -m " + dir + "/none.onnx -d " + dir);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("rapidnn: error: " + dir + "/none.onnx: no such file"));
  }
  SECTION("unknown model format") {
    write_file_atomic(dir + "/m.h5", "x");
    auto r = test::run_cli("inspect " + dir + "/m.h5");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("unknown model format '.h5'"));
  }
  SECTION("truncated model") {
    const std::string bytes = read_file(kShippedModel);
    write_file_atomic(dir + "/cut.onnx", bytes.substr(0, 1000));
    auto r = test::run_cli("inspect " + dir + "/cut.onnx");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(dir + "/cut.onnx: "));
  }
  SECTION("dataset shape does not fit the model") {
    write_file_atomic(dir + "/d.csv", "1,2,3,0\n");
    auto r = test::run_cli("eval -m " + kShippedModel + " -d " + dir + "/d.csv");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("do not fit the input [784]"));
  }
  SECTION("corrupt IDX") {
    write_file_atomic(dir + "/t10k-images-idx3-ubyte", std::string("\x00\x00\x08\x03\x00\x00\x00\x05", 8));
    write_file_atomic(dir + "/t10k-labels-idx1-ubyte", std::string("\x00\x00\x08\x01\x00\x00\x00\x05", 8));
    auto r = test::run_cli("eval -m " + kShippedModel + " -d " + dir);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("t10k-images-idx3-ubyte: truncated IDX header"));
  }
  SECTION("training without a train split writes nothing") {
    write_file_atomic(dir + "/d.csv", "1,2,3,0\n4,5,6,1\n");
    auto r = test::run_cli("train --arch mlp:3-4-2 -d " + dir + "/d.csv -o " + dir + "/out.onnx");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("has no training split"));
    CHECK_FALSE(fs::exists(dir + "/out.onnx"));
  }
  SECTION("bad architecture") {
    auto r = test::run_cli("train --arch mlp:784-x-10 -o " + dir + "/o.onnx");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("--arch: 'mlp:784-x-10'"));
  }
}

TEST_CASE("the shipped Fashion-MNIST MLP reaches at least 89.0% through rapidnn eval", "[cli][models]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string dir = test::temp_dir("cli-eval");
  auto r = test::run_cli("eval -m " + kShippedModel + " -d fashion-mnist --json " + dir + "/r.json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("confusion matrix"));
  const auto j = nlohmann::json::parse(read_file(dir + "/r.json"));
  CHECK(j["samples"] == 10000);
  CHECK(j["accuracy"].get<double>() >= 89.0);
}
