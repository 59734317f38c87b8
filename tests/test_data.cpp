// Datasets: IDX (gzip and raw), CSV, corrupt files, splits, fitting to a model.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "data/dataset.h"
#include "support.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

std::string idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data) {
  std::string s{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (auto d : dims) {
    s.push_back(static_cast<char>(d >> 24));
    s.push_back(static_cast<char>(d >> 16));
    s.push_back(static_cast<char>(d >> 8));
    s.push_back(static_cast<char>(d));
  }
  s.append(data.begin(), data.end());
  return s;
}

void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

// 3 images of 2x2 and labels 0, 2, 1.
void write_tiny_mnist(const std::string& dir, bool gz, const std::string& prefix = "t10k") {
  const std::vector<std::uint8_t> pix{0, 255, 51, 102, 1, 2, 3, 4, 10, 20, 30, 40};
  auto w = gz ? write_gz : write_raw;
  const std::string ext = gz ? ".gz" : "";
  w(dir + "/" + prefix + "-images-idx3-ubyte" + ext, idx_bytes(8, {3, 2, 2}, pix));
  w(dir + "/" + prefix + "-labels-idx1-ubyte" + ext, idx_bytes(8, {3}, {0, 2, 1}));
}

}  // namespace

TEST_CASE("IDX reads the same from gzip and raw files", "[data]") {
  const bool gz = GENERATE(true, false);
  const std::string dir = test::temp_dir(gz ? "idx-gz" : "idx-raw");
  write_tiny_mnist(dir, gz);
  const DatasetSplits s = load_dataset(dir);
  CHECK_FALSE(s.train.has_value());
  REQUIRE(s.test.size() == 3);
  CHECK(s.test.sample_shape == Shape{1, 2, 2});
  CHECK(s.test.y == std::vector<int>{0, 2, 1});
  CHECK(s.test.num_classes == 3);
  CHECK(s.test.x[1] == Approx(1.0f));     // 255/255: documented default pixels/255
  CHECK(s.test.x[2] == Approx(0.2f));
  const DatasetSplits raw = load_dataset(dir, Preprocess{1.0f, -1.0f, {}});
  CHECK(raw.test.x[1] == 254.0f);
}

TEST_CASE("IDX finds the train split beside the test split", "[data]") {
  const std::string dir = test::temp_dir("idx-both");
  write_tiny_mnist(dir, true);
  write_tiny_mnist(dir, true, "train");
  const DatasetSplits s = load_dataset(dir);
  REQUIRE(s.train.has_value());
  CHECK(s.train->size() == 3);
}

TEST_CASE("corrupt IDX files are rejected with the file and the problem", "[data]") {
  const std::string dir = test::temp_dir("idx-bad");
  const std::string f = dir + "/x-idx3-ubyte";
  write_raw(f, idx_bytes(8, {3, 2, 2}, {1, 2, 3}));
  CHECK_THROWS_WITH(read_idx(f), Catch::Contains(f) && Catch::Contains("short data"));
  write_raw(f, "\x12\x34\x08\x01");
  CHECK_THROWS_WITH(read_idx(f), Catch::Contains("bad magic"));
  write_raw(f, idx_bytes(0x0D, {1}, {0, 0, 0, 0}));
  CHECK_THROWS_WITH(read_idx(f), Catch::Contains("not supported"));
  write_raw(f, "");
  CHECK_THROWS_WITH(read_idx(f), Catch::Contains("shorter than the 4-byte header"));
  CHECK_THROWS_WITH(read_idx(dir + "/missing"), Catch::Contains("no such file"));
  // A gzip file cut in half.
  const std::string g = dir + "/y.gz";
  write_gz(g, idx_bytes(8, {100, 28, 28}, std::vector<std::uint8_t>(78400, 7)));
  std::string bytes;
  {
    std::ifstream in(g, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  write_raw(g, bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH(read_idx(g), Catch::Contains(g));
}

TEST_CASE("images and labels must agree in count", "[data]") {
  const std::string dir = test::temp_dir("idx-count");
  write_raw(dir + "/t10k-images-idx3-ubyte", idx_bytes(8, {2, 1, 1}, {1, 2}));
  write_raw(dir + "/t10k-labels-idx1-ubyte", idx_bytes(8, {3}, {0, 1, 2}));
  CHECK_THROWS_WITH(load_dataset(dir), Catch::Contains("3 labels for 2 images"));
}

TEST_CASE("CSV: header, features, label, and errors that name the line", "[data]") {
  const std::string dir = test::temp_dir("csv");
  write_raw(dir + "/d.csv", "a,b,label\n0.5,1.5,1\n2,3,0\n\n");
  const DatasetSplits s = load_dataset(dir + "/d.csv");
  REQUIRE(s.test.size() == 2);
  CHECK(s.test.sample_shape == Shape{2});
  CHECK(s.test.x == std::vector<float>{0.5f, 1.5f, 2.0f, 3.0f});  // CSV default scale is 1
  write_raw(dir + "/e.csv", "1,2,0\n1,2,3,0\n");
  CHECK_THROWS_WITH(load_dataset(dir + "/e.csv"), Catch::Contains("line 2") && Catch::Contains("3 features"));
  write_raw(dir + "/f.csv", "1,2,0\n1,x,0\n");
  CHECK_THROWS_WITH(load_dataset(dir + "/f.csv"), Catch::Contains("line 2: not a number"));
  write_raw(dir + "/g.csv", "1,2,0.5\n");
  CHECK_THROWS_WITH(load_dataset(dir + "/g.csv"), Catch::Contains("not a non-negative integer"));
}

TEST_CASE("unknown dataset names and empty directories", "[data]") {
  CHECK_THROWS_WITH(load_dataset("/nonexistent/set"), Catch::Contains("no such dataset"));
  const std::string dir = test::temp_dir("empty");
  CHECK_THROWS_WITH(load_dataset(dir), Catch::Contains("no test split"));
}

TEST_CASE("seeded validation split is reproducible and disjoint", "[data]") {
  Dataset d;
  d.sample_shape = {1};
  for (int i = 0; i < 100; ++i) {
    d.x.push_back(static_cast<float>(i));
    d.y.push_back(i % 10);
  }
  d.num_classes = 10;
  auto [a1, v1] = split_validation(d, 20, 42);
  auto [a2, v2] = split_validation(d, 20, 42);
  auto [a3, v3] = split_validation(d, 20, 43);
  CHECK(v1.x == v2.x);
  CHECK(v1.x != v3.x);
  CHECK(a1.size() == 80);
  CHECK(v1.size() == 20);
  std::vector<float> all = a1.x;
  all.insert(all.end(), v1.x.begin(), v1.x.end());
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  CHECK_THROWS(split_validation(d, 100, 1));
}

TEST_CASE("a dataset that does not fit the model is an error naming both", "[data]") {
  Dataset d;
  d.source = "data.csv";
  d.sample_shape = {3};
  d.x = {1, 2, 3};
  d.y = {0};
  d.num_classes = 1;
  Network net;
  net.input_shape = {4};
  net.layers.push_back(make_dense("fc", 4, 2));
  CHECK_THROWS_WITH(fit_to_model(d, net, "m.onnx"), Catch::Contains("data.csv") && Catch::Contains("m.onnx"));
  net.input_shape = {3};
  net.layers[0] = make_dense("fc", 3, 2);
  CHECK_NOTHROW(fit_to_model(d, net, "m.onnx"));
}

TEST_CASE("real MNIST test set from ../shared/ext", "[data]") {
  const auto dir = test::shared_ext("mnist");
  if (!dir) SKIP_WITH("../shared/ext/mnist is absent");
  const DatasetSplits s = load_dataset(*dir);
  CHECK(s.test.size() == 10000);
  CHECK(s.test.sample_shape == Shape{1, 28, 28});
  CHECK(s.test.num_classes == 10);
}

TEST_CASE("a label beyond the model's classes names the labels file, not the images", "[data][bad-input]") {
  Dataset d;
  d.source = "images-idx3-ubyte";
  d.labels_source = "labels-idx1-ubyte";
  d.sample_shape = {4};
  d.x.assign(8, 0.0f);
  d.y = {0, 11};
  d.num_classes = 12;
  Network net;
  net.input_shape = {4};
  net.layers.push_back(make_dense("out", 4, 10));
  CHECK_THROWS_WITH(fit_to_model(d, net, "m.onnx"),
                    Catch::StartsWith("labels-idx1-ubyte: labels go up to 11") && Catch::Contains("m.onnx"));
}

TEST_CASE("non-finite preprocessing and CSV values are rejected", "[data][bad-input]") {
  const std::string dir = test::temp_dir("data-nonfinite");
  {
    std::ofstream(dir + "/ok.csv") << "1,2,0\n3,4,1\n";
    std::ofstream(dir + "/nan.csv") << "1,nan,0\n3,4,1\n";
  }
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), 0.0f})
    CHECK_THROWS_WITH(load_dataset(dir + "/ok.csv", Preprocess{bad, 0.0f, {}}), Catch::StartsWith("--scale: "));
  CHECK_THROWS_WITH(load_dataset(dir + "/ok.csv", Preprocess{1.0f, std::numeric_limits<float>::infinity(), {}}),
                    Catch::StartsWith("--offset: "));
  CHECK_THROWS_WITH(load_dataset(dir + "/nan.csv"), Catch::Contains("nan.csv") && Catch::Contains("not a finite number"));
}

TEST_CASE("real-valued CSV features: an input range quantizes them to the accelerator's 256 raw levels", "[data]") {
  const std::string dir = test::temp_dir("data-range");
  write_raw(dir + "/real.csv", "-1,0.0142,1,0\n-0.5,0.75,2.5,1\n");
  Preprocess pre;
  pre.input_range = std::pair{-1.0f, 1.0f};
  const Dataset d = load_dataset(dir + "/real.csv", pre).test;
  const float step = 2.0f / 255.0f;
  CHECK(d.pre_scale == Approx(step));
  CHECK(d.pre_offset == -1.0f);
  const std::vector<double> want_raw{0, 129, 255, 64, 223, 255};  // 2.5 is beyond the range: clamped to 255
  REQUIRE(d.x.size() == want_raw.size());
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double raw = (static_cast<double>(d.x[i]) - d.pre_offset) / d.pre_scale;
    CHECK(raw == Approx(want_raw[i]).margin(1e-4));  // every value an exact level
    if (i != 5) CHECK(std::fabs(d.x[i] - std::vector<float>{-1, 0.0142f, 1, -0.5f, 0.75f}[i]) <= step / 2 + 1e-6);
  }
  // Bad ranges and mixed preprocessing are refused by name; IDX files need no range.
  pre.input_range = std::pair{1.0f, -1.0f};
  CHECK_THROWS_WITH(load_dataset(dir + "/real.csv", pre), Catch::StartsWith("--input-range: ") && Catch::Contains("low before high"));
  pre.input_range = std::pair{-1.0f, 1.0f};
  pre.scale = 0.5f;
  CHECK_THROWS_WITH(load_dataset(dir + "/real.csv", pre), Catch::Contains("replaces --scale and --offset"));
  pre.scale.reset();
  write_tiny_mnist(dir, false);
  CHECK_THROWS_WITH(load_dataset(dir, pre), Catch::Contains("t10k-images") && Catch::Contains("raw integers already"));
  DatasetOptions o;
  o.input_range = {1.0f};
  CHECK_THROWS_WITH(o.preprocess(), Catch::Contains("two numbers"));
}
