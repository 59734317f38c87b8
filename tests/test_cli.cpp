// The rapidnn program: manual, exit codes, one clear message for bad input, no partial output.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>
#include <nlohmann/json.hpp>

#include <random>

#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"
#include "onnxio/onnx_io.h"
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
  // One codebook for every layer against per-layer calibration choices: refused before any work.
  const auto r = test::run_cli("compose -m " + kShippedModel + " -d fashion-mnist --global-codebook --refit-codebooks "
                               "-o " + test::temp_dir("cli-usage") + "/gc");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("--global-codebook: one codebook for every layer does not combine"));
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

namespace {

// A small trained-looking model (random weights) and a CSV of raw integer features it reads.
struct SmallCase {
  std::string dir, model, csv;
};
SmallCase small_case(const std::string& name) {
  SmallCase c;
  c.dir = test::temp_dir(name);
  Network net = test::small_mlp(6, 5);
  c.model = c.dir + "/model.onnx";
  export_onnx(net, c.model);
  std::mt19937 rng(3);
  std::string csv;
  for (int i = 0; i < 60; ++i) {
    for (int f = 0; f < 16; ++f) csv += std::to_string(rng() % 256) + ",";
    csv += std::to_string(i % 3) + "\n";
  }
  c.csv = c.dir + "/data.csv";
  write_file_atomic(c.csv, csv);
  return c;
}

std::string compose_args(const SmallCase& c, const std::string& out) {
  return "compose -m " + c.model + " -d " + c.csv + " --w 4 --u 4 --q 8 -j 1 -o " + out;
}

}  // namespace

TEST_CASE("real-valued CSV features compose, emit and co-simulate through --input-range", "[cli]") {
  const SmallCase c = small_case("cli-range");
  std::mt19937 rng(4);
  std::string csv;
  for (int i = 0; i < 60; ++i) {
    for (int f = 0; f < 16; ++f) csv += fmt::format("{:.4f},", std::uniform_real_distribution<double>(-1, 1)(rng));
    csv += std::to_string(i % 3) + "\n";
  }
  const std::string real = c.dir + "/real.csv";
  write_file_atomic(real, csv);
  const std::string base = "compose -m " + c.model + " -d " + real + " --w 4 --u 4 --q 8 -j 1 -o " + c.dir + "/art";
  const auto refused = test::run_cli(base);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.output, Catch::Contains("not an integer") && Catch::Contains("real.csv"));
  const auto ok = test::run_cli(base + " --input-range -1,1");
  INFO(ok.output);
  REQUIRE(ok.exit_code == 0);
  REQUIRE(test::run_cli("emit -c " + c.dir + "/art -o " + c.dir + "/rtl --lanes 4").exit_code == 0);
  if (find_program("verilator").empty()) SKIP_WITH("verilator is not installed");
  const auto sim = test::run_cli("cosim -c " + c.dir + "/art -r " + c.dir + "/rtl -d " + real + " --input-range -1,1 -n 0");
  INFO(sim.output);
  CHECK(sim.exit_code == 0);
  CHECK_THAT(sim.output, Catch::Contains("compared   60 images") && Catch::Contains("0 mismatches"));
}

TEST_CASE("output paths never delete or overwrite what rapidnn did not write: refused with exit 2, inputs intact",
          "[cli][bad-input]") {
  const SmallCase c = small_case("cli-outputs");
  const std::string model_bytes = read_file(c.model), csv_bytes = read_file(c.csv);
  fs::create_directories(c.dir + "/mine");
  write_file_atomic(c.dir + "/mine/thesis.tex", "my own work");
  write_file_atomic(c.dir + "/notes.txt", "keep me");
  const auto refused = [&](const std::string& args, const std::string& why) {
    const auto r = test::run_cli(args);
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(why));
  };
  refused(compose_args(c, c.model), "is an existing file");
  refused(compose_args(c, c.dir + "/notes.txt"), "is an existing file");
  refused(compose_args(c, c.dir + "/mine"), "was not written by rapidnn");
  refused(compose_args(c, c.dir), "was not written by rapidnn");  // the dataset's directory
  CHECK(read_file(c.model) == model_bytes);
  CHECK(read_file(c.csv) == csv_bytes);
  CHECK(read_file(c.dir + "/mine/thesis.tex") == "my own work");
  CHECK(read_file(c.dir + "/notes.txt") == "keep me");

  // Its own outputs of the same kind are replaced; one of another kind is not.
  const std::string art = c.dir + "/art";
  REQUIRE(test::run_cli(compose_args(c, art)).exit_code == 0);
  CHECK(read_file(art + "/.rapidnn") == "rapidnn artifact\n");
  CHECK(test::run_cli(compose_args(c, art)).exit_code == 0);
  refused("emit -c " + art + " -o " + art, "is a rapidnn artifact directory, not a rtl one");
  CHECK(fs::exists(art + "/manifest.json"));
  const std::string rtl = c.dir + "/rtl";
  REQUIRE(test::run_cli("emit -c " + art + " -o " + rtl + " --lanes 4").exit_code == 0);
  CHECK(test::run_cli("emit -c " + art + " -o " + rtl + " --lanes 4").exit_code == 0);
  refused("emit -c " + art + " -o " + c.dir + "/mine", "was not written by rapidnn");

  // File outputs: never an input, never a directory.
  refused("sweep -m " + c.model + " -d " + c.csv + " --w 2,4 --u 4 --q 8 --csv " + c.model, "is an input of this command");
  refused("sweep -m " + c.model + " -d " + c.csv + " --w 2,4 --u 4 --q 8 --csv " + c.dir + "/mine", "is a directory");
  refused("golden -c " + art + " -d " + c.csv + " --dump " + c.csv, "is an input of this command");
  refused("eval -m " + c.model + " -d " + c.csv + " --json " + c.model, "is an input of this command");
  CHECK(read_file(c.model) == model_bytes);
  CHECK(read_file(c.csv) == csv_bytes);

  // A co-simulation build directory is rapidnn's own or nothing: not the RTL, not the user's.
  refused("cosim -c " + art + " -r " + rtl + " -d " + c.csv + " --samples 2 --build-dir " + rtl, "a rapidnn rtl directory");
  refused("cosim -c " + art + " -r " + rtl + " -d " + c.csv + " --samples 2 --build-dir " + c.dir + "/mine",
          "was not written by rapidnn");
  CHECK(fs::exists(rtl + "/files.f"));
  CHECK(read_file(c.dir + "/mine/thesis.tex") == "my own work");

  // The flow's work directory too.
  refused("flow --model " + c.model + " --dataset " + c.csv + " --out " + c.dir + "/mine --no-sweep --no-synth --no-cosim",
          "was not written by rapidnn");
  CHECK(read_file(c.dir + "/mine/thesis.tex") == "my own work");
}

TEST_CASE("an output file that cannot be moved into place says why (not 'Success')", "[cli][bad-input]") {
  const std::string dir = test::temp_dir("cli-errno");
  fs::create_directories(dir + "/target/inner");
  try {
    write_file_atomic(dir + "/target", "x");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), !Catch::Contains("Success"));
    CHECK_THAT(e.message(), Catch::Contains("cannot move the finished file into place"));
  }
  CHECK(fs::is_directory(dir + "/target/inner"));
}

TEST_CASE("emit's help states where its defaults differ from the flow's", "[cli]") {
  const auto r = test::run_cli("emit --help");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("the flow's default, rtl.lanes, is 16"));
  CHECK_THAT(r.output, Catch::Contains("rtl.rna_share, is 16"));
}

TEST_CASE("the content fingerprint is FNV-1a's algorithm from the documented offset basis", "[cli]") {
  // docs/artifact.md: basis 1469598103934665603, FNV prime 1099511628211, 16 lower-case hex digits.
  CHECK(fingerprint("") == "14650fb0739d0383");
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : std::string("rapidnn")) h = (h ^ c) * 1099511628211ULL;
  char want[17];
  std::snprintf(want, sizeof want, "%016llx", static_cast<unsigned long long>(h));
  CHECK(fingerprint("rapidnn") == want);
}

// A library fork handler that takes a lock, as OpenBLAS's does (libtorch links it into rapidnn).
namespace {
std::mutex g_handler_lock;
void handler_takes_a_lock() {
  const std::lock_guard<std::mutex> lock(g_handler_lock);
  std::this_thread::sleep_for(std::chrono::microseconds(200));
}
// Kills the process group of every child of this process (each run's watcher leads one).
void kill_child_groups() {
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    std::ifstream stat(it->path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    char state = 0;
    pid_t parent = 0;
    if (fields >> state >> parent && parent == ::getpid()) ::kill(-std::stoi(it->path().filename().string()), SIGKILL);
  }
}
}  // namespace

TEST_CASE("tools run from two threads at once never hang in a library's fork handler", "[cli]") {
  static const bool registered = ::pthread_atfork(handler_takes_a_lock, nullptr, nullptr) == 0;
  REQUIRE(registered);
  // `synth` runs Yosys and OpenSTA from two threads. A run that forked while the other thread was
  // inside the handler used to copy the lock held, and its watcher's own fork then waited forever.
  auto runs = std::async(std::launch::async, [] {
    std::atomic<int> ok{0};
    const auto worker = [&] {
      for (int i = 0; i < 150; ++i) ok += run_process({"true"}).exit_code == 0;
    };
    std::thread second(worker);
    worker();
    second.join();
    return ok.load();
  });
  if (runs.wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
    fmt::print(stderr, "run_process hung: 300 runs of 'true' from two threads did not finish in 120 s\n");
    kill_child_groups();  // the watchers that hung: they would hold ctest's output open
    std::_Exit(1);        // the hung thread cannot be joined
  }
  CHECK(runs.get() == 300);
  // A tool's stdin is /dev/null: one that reads it sees end-of-file at once.
  const ProcessResult r = run_process({"cat"});
  CHECK(r.exit_code == 0);
  CHECK(r.output.empty());
}
