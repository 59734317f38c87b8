// rapidnn compose / sweep through the CLI: the accuracy targets of the paper's operating points,
// artifacts, and bad parameters.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/fileio.h"
#include "support.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {
const std::string kModel = std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-512-512-10.onnx";
}

TEST_CASE("Fashion-MNIST MLP: delta-e at most 0.3 points for every w, u in {16, 64}", "[composer][accuracy]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string dir = test::temp_dir("sweep");
  const auto r = test::run_cli("sweep -m " + kModel + " -d fashion-mnist --w 16,64 --u 16,64 --csv " + dir + "/s.csv");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::istringstream csv(read_file(dir + "/s.csv"));
  std::string line;
  std::getline(csv, line);
  CHECK(line == "w,u,q,codebook,float_accuracy,rapidnn_accuracy,delta_e,table_bits,wcss_weights,wcss_inputs");
  int points = 0;
  while (std::getline(csv, line)) {
    ++points;
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    INFO(line);
    REQUIRE(cells.size() == 10);
    CHECK(std::stod(cells[6]) <= 0.3);
  }
  CHECK(points == 4);
}

TEST_CASE("compose writes a valid artifact and reports delta-e", "[composer]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string dir = test::temp_dir("compose");
  const auto r = test::run_cli("compose -m " + kModel + " -d fashion-mnist --w 16 --u 64 -o " + dir + "/a");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("delta-e") && Catch::Contains("tables") && Catch::Contains("float"));
  const auto m = nlohmann::json::parse(read_file(dir + "/a/manifest.json"));
  CHECK(m["format"] == "rapidnn-artifact");
  CHECK(m["metrics"]["delta_e"].get<double>() <= 0.3);
  const auto i = test::run_cli("inspect " + dir + "/a");
  CHECK(i.exit_code == 0);
  CHECK_THAT(i.output, Catch::Contains("(valid)"));
}

TEST_CASE("outside MLP (mnist-net_256x2): delta-e at most 0.3 at (16, 64)", "[composer][accuracy][outside]") {
  const auto model = test::shared_ext("onnx/mnist-net_256x2.onnx");
  const auto data = test::shared_ext("mnist");
  if (!model || !data) SKIP_WITH("../shared/ext is absent");
  const std::string dir = test::temp_dir("outside");
  const auto r = test::run_cli("compose -m " + *model + " -d " + *data + " --w 16 --u 64 -o " + dir + "/a");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("seeded test samples"));
  const auto m = nlohmann::json::parse(read_file(dir + "/a/manifest.json"));
  CHECK(m["metrics"]["delta_e"].get<double>() <= 0.3);
}

TEST_CASE("small codebooks: bias correction keeps the shipped MLP within 3 points at (4, 4) and is recorded",
          "[composer][accuracy]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string dir = test::temp_dir("bias-correction");
  const std::string base = "compose -m " + kModel + " -d fashion-mnist --w 4 --u 4 -o " + dir;
  const auto plain = test::run_cli(base + "/plain");
  const auto fixed = test::run_cli(base + "/fixed --bias-correction");
  INFO(plain.output << fixed.output);
  REQUIRE(plain.exit_code == 0);
  REQUIRE(fixed.exit_code == 0);
  const auto p = nlohmann::json::parse(read_file(dir + "/plain/manifest.json"));
  const auto f = nlohmann::json::parse(read_file(dir + "/fixed/manifest.json"));
  CHECK(f["metrics"]["delta_e"].get<double>() <= 3.0);
  CHECK(f["metrics"]["delta_e"].get<double>() < p["metrics"]["delta_e"].get<double>() - 2.0);
  CHECK(f["config"]["bias_correction"] == true);
  CHECK_FALSE(p["config"].contains("bias_correction"));  // artifacts composed without it are unchanged
  const auto i = test::run_cli("inspect " + dir + "/fixed");
  CHECK(i.exit_code == 0);
  CHECK_THAT(i.output, Catch::Contains("(valid)"));
}

TEST_CASE("choosing the calibration: a choice at (4, 4) within 3 points of the float network, the plain tables at "
          "(16, 64)",
          "[composer][accuracy]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string dir = test::temp_dir("choose");
  const auto compose = [&](const std::string& wu, const std::string& out, const std::string& extra) {
    const auto r = test::run_cli("compose -m " + kModel + " -d fashion-mnist " + wu + " -o " + dir + "/" + out + " " + extra);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_file(dir + "/" + out + "/manifest.json"));
  };
  const auto small_plain = compose("--w 4 --u 4", "p44", ""), small = compose("--w 4 --u 4", "c44", "--choose-calibration");
  CHECK(small["config"]["choose_calibration"] == true);
  CHECK(small["metrics"]["delta_e"].get<double>() < small_plain["metrics"]["delta_e"].get<double>() - 2.0);
  CHECK(small["metrics"]["delta_e"].get<double>() <= 3.0);  // issue 21's bound for this model
  CHECK(small["config"].contains("bias_correction"));  // what it chose is recorded
  const auto large_plain = compose("--w 16 --u 64", "p1664", ""), large = compose("--w 16 --u 64", "c1664", "--choose-calibration");
  CHECK(large["metrics"]["delta_e"] == large_plain["metrics"]["delta_e"]);
  for (const auto& e : fs::directory_iterator(dir + "/p1664"))  // the same tables, byte for byte
    if (e.path().filename() != "manifest.json")
      CHECK(read_file(e.path().string()) == read_file(dir + "/c1664/" + e.path().filename().string()));
  const auto bad = test::run_cli("compose -m " + kModel + " -d fashion-mnist --w 4 --u 4 --choose-calibration "
                                 "--bias-correction -o " + dir + "/bad");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("--choose-calibration: chooses the weighting"));
  CHECK_FALSE(fs::exists(dir + "/bad"));
}

TEST_CASE("small codebooks: output-weighted codebooks from the composed network keep mnist-net_256x2 within 10 "
          "points at (4, 4)",
          "[composer][accuracy][outside]") {
  const auto model = test::shared_ext("onnx/mnist-net_256x2.onnx");
  const auto data = test::shared_ext("mnist");
  if (!model || !data) SKIP_WITH("../shared/ext is absent");
  const std::string dir = test::temp_dir("weighting");
  const auto r = test::run_cli("compose -m " + *model + " -d " + *data +
                               " --w 4 --u 4 --codebook-weighting output --input-codebooks composed -o " + dir + "/a");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto m = nlohmann::json::parse(read_file(dir + "/a/manifest.json"));
  CHECK(m["metrics"]["delta_e"].get<double>() <= 10.0);
  CHECK(m["config"]["codebook_weighting"] == "output");
  CHECK(m["config"]["input_codebooks"] == "composed");
  // --choose-calibration finds that choice by itself.
  const auto c = test::run_cli("compose -m " + *model + " -d " + *data + " --w 4 --u 4 --choose-calibration -o " + dir + "/c");
  INFO(c.output);
  REQUIRE(c.exit_code == 0);
  const auto mc = nlohmann::json::parse(read_file(dir + "/c/manifest.json"));
  CHECK(mc["metrics"]["delta_e"].get<double>() <= 10.0);
  CHECK(mc["config"]["refit_codebooks"] == true);  // chosen on the held-out part: refit with bias correction
}

TEST_CASE("per-layer codebook sizes: compose takes lists, records them, and the search finds smaller tables",
          "[composer][sizes]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string small = std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-32-10.onnx";
  const std::string dir = test::temp_dir("sizes");
  const auto r = test::run_cli("compose -m " + small + " -d fashion-mnist --w 8,4 --u 16,4 -o " + dir + "/a");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto m = nlohmann::json::parse(read_file(dir + "/a/manifest.json"));
  CHECK(m["config"]["layer_w"] == nlohmann::json({8, 4}));
  CHECK(m["config"]["layer_u"] == nlohmann::json({16, 4}));
  CHECK(m["stages"][0]["w"] == 8);
  CHECK(m["stages"][1]["u"] == 4);
  CHECK(test::run_cli("inspect " + dir + "/a").exit_code == 0);
  SECTION("a list of the wrong length is refused, nothing written") {
    const auto b = test::run_cli("compose -m " + small + " -d fashion-mnist --w 8,4,4 --u 16 -o " + dir + "/b");
    CHECK(b.exit_code == 2);
    CHECK_THAT(b.output, Catch::Contains("--w: gives 3 sizes; the network has 2 weighted layers"));
    CHECK_FALSE(fs::exists(dir + "/b"));
  }
  SECTION("the search meets its target on validation samples with fewer bits than the largest sizes, and test "
          "samples confirm it") {
    const auto s = test::run_cli("sweep -m " + small + " -d fashion-mnist --w 4,16,64 --u 4,16,64 --target 1 --validation 2000 "
                                 "--confirm 2000 --csv " + dir + "/s.csv");
    INFO(s.output);
    REQUIRE(s.exit_code == 0);
    CHECK_THAT(s.output, Catch::Contains("result     --w "));
    CHECK_THAT(s.output, Catch::Contains("then 2000 of the test samples (seeded) confirm the search's path; the "
                                         "result's "
                                         "accuracy only on the remaining 8000"));
    std::istringstream csv(read_file(dir + "/s.csv"));
    std::string line, last;
    std::getline(csv, line);
    CHECK(line == "step,w,u,validation_delta_e,standard_error,table_bits,confirm_delta_e,confirm_standard_error");
    std::vector<long long> bits;
    while (std::getline(csv, line)) {
      std::vector<std::string> f;
      std::istringstream fields(line);
      for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
      REQUIRE(f.size() == 8);
      bits.push_back(std::stoll(f[5]));
      CHECK(std::stod(f[4]) > 0.0);
      CHECK(std::stod(f[3]) + std::stod(f[4]) <= 1.0);  // the default margin: one standard error
      CHECK(std::stod(f[6]) + std::stod(f[7]) <= 1.0);  // and the same on the confirmation samples
    }
    REQUIRE(bits.size() >= 2);
    for (std::size_t i = 1; i < bits.size(); ++i) CHECK(bits[i] < bits[i - 1]);
  }
}

TEST_CASE("bad composer parameters: clear message, exit 2, nothing written", "[composer][bad-input]") {
  const std::string dir = test::temp_dir("compose-bad");
  for (const std::string args : {"--w 12 --u 64", "--w 1 --u 64", "--w 512 --u 64", "--w 16 --u 3", "--w 16 --u 64 --q 1"}) {
    const auto r = test::run_cli("compose -m " + kModel + " -d fashion-mnist " + args + " -o " + dir + "/out");
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("rapidnn: error: --"));
    CHECK_FALSE(fs::exists(dir + "/out"));
  }
  const auto s = test::run_cli("sweep -m " + kModel + " -d fashion-mnist --w 4,6 --u 4 --csv " + dir + "/s.csv");
  CHECK(s.exit_code == 2);
  CHECK_FALSE(fs::exists(dir + "/s.csv"));
  const std::string small = std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-32-10.onnx";
  const auto t = test::run_cli("sweep -m " + small + " -d fashion-mnist --w 4,16 --u 4,16 --target 1 --steer-on test "
                               "--validation 6000 --confirm 4000 --csv " + dir + "/t.csv");
  CHECK(t.exit_code == 2);
  CHECK_THAT(t.output, Catch::Contains("--confirm: 4000 leaves none of the 4000 test samples of fashion-mnist"));
  CHECK_FALSE(fs::exists(dir + "/t.csv"));
}

TEST_CASE("a corrupt artifact is rejected by inspect with exit 2", "[composer][bad-input]") {
  const std::string dir = test::temp_dir("art-bad");
  fs::create_directories(dir + "/a");
  write_file_atomic(dir + "/a/manifest.json", "{\"format\": \"rapidnn-artifact\", \"version\": 1}");
  const auto r = test::run_cli("inspect " + dir + "/a");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains(dir + "/a/manifest.json: missing or mistyped field"));
}

TEST_CASE("golden runs an artifact, dumps traces, and rejects data that does not fit", "[composer]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string dir = test::temp_dir("golden-cli");
  REQUIRE(test::run_cli("compose -m " + kModel + " -d fashion-mnist --w 4 --u 4 --codebook tree -o " + dir + "/a").exit_code == 0);
  const auto r = test::run_cli("golden -c " + dir + "/a -d fashion-mnist -n 20 --accumulate count --am fused --dump " + dir +
                               "/t.jsonl");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(read_file(dir + "/t.jsonl"));
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    const auto j = nlohmann::json::parse(line);
    CHECK(j["stages"].size() == 3);
    CHECK(j["stages"][0]["encoded"].size() == 512);
  }
  CHECK(n == 20);
  write_file_atomic(dir + "/d.csv", "1,2,3,0\n");
  const auto bad = test::run_cli("golden -c " + dir + "/a -d " + dir + "/d.csv");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("do not fit the artifact's input"));
}
