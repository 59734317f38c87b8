// rapidnn flow: every stage on a small configuration, caching by content, the report rendered in
// headless Chromium, and bad configurations rejected before any work.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/fileio.h"
#include "onnxio/onnx_io.h"
#include "core/process.h"
#include "support.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

// A flow a test can afford: a 784-32-10 MLP trained for one epoch, a 2 x 2 sweep, a small design.
const char* kSmallConfig = R"({
  "out": "out",
  "model": "",
  "train": {"arch": "mlp:784-32-10", "epochs": 1},
  "compose": {"w": 4, "u": 8, "q": 16},
  "sweep": {"w": [2, 4], "u": [4, 8], "lanes": 4, "rna_share": 8},
  "rtl": {"lanes": 8, "rna_share": 8},
  "cosim": {"samples": 20},
  "synth": {"blocks": ["rna", "ndcam", "controller", "mac"]}
})";

bool tools_present() {
  return !find_program("verilator").empty() && !find_program("yosys").empty() && !find_program("sta").empty() &&
         fs::exists("/usr/share/qflow/tech/osu018/osu018_stdcells.lib");
}

std::map<std::string, std::string> stage_status(const std::string& output) {
  std::map<std::string, std::string> m;
  const std::regex row(R"((model|compose|sweep|emit|cosim|baselines|synth|sweep-synth|report)\s+(ran|cached)\s+[0-9.]+)");
  for (std::sregex_iterator it(output.begin(), output.end(), row), end; it != end; ++it) m[(*it)[1]] = (*it)[2];
  return m;
}

}  // namespace

TEST_CASE("flow runs every stage, reuses them all on a second run, reruns only what a change touches, and its "
          "report renders in headless Chromium",
          "[flow]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  if (!tools_present()) SKIP_WITH("verilator, yosys, opensta or qflow-tech-osu018 is not installed");
  const std::string dir = test::temp_dir("flow");
  write_file_atomic(dir + "/flow.json", kSmallConfig);

  auto r = test::run_cli("flow " + dir + "/flow.json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto st = stage_status(r.output);
  REQUIRE(st.size() == 9);
  for (const auto& [name, s] : st) CHECK(s == "ran");
  CHECK_THAT(r.output, Catch::Contains("9 ran, 0 reused"));
  CHECK_THAT(r.output, Catch::Contains("20 test images bit-exact"));

  // The report: the HTML page, Markdown and results.
  const std::string html = read_file(dir + "/out/report/index.html");
  const std::string md = read_file(dir + "/out/report/report.md");
  const auto results = nlohmann::json::parse(read_file(dir + "/out/report/results.json"));
  CHECK(results.at("compose").at("w") == 4);
  CHECK(results.at("sweep").at("delta_e").size() == 2);
  // Whole tiles: 4 sweep points in the shared-row form and both MAC baselines, all synthesized.
  CHECK(results.at("sweep_synth").at("tiles").size() == 4 + 2);
  for (const auto& t : results.at("sweep_synth").at("tiles")) {
    INFO(t.value("label", std::string()));
    CHECK(t.value("area_um2", 0.0) > t.value("memory_um2", 0.0));
    CHECK(t.value("memory_um2", 0.0) > 0);
    CHECK(t.value("energy_nj_per_inference", 0.0) > 0);
  }
  const auto& base = results.at("baselines");
  CHECK(base.at("mac8").at("weight_bits") == 8);
  CHECK(base.at("equal").at("weight_bits").get<int>() <= 8);
  if (base.at("reached").get<bool>())
    CHECK(base.at("equal").at("accuracy").get<double>() >= results.at("compose").at("rapidnn_accuracy").get<double>());
  CHECK(results.at("synth").at("tiles").size() == 2);  // the baselines' tiles (no "tile" block asked for)
  CHECK(results.at("cosim").at("latency_cycles") == results.at("cosim").at("predicted_latency_cycles"));
  CHECK_THAT(md, Catch::Contains("## delta-e over (w, u)") && Catch::Contains("## Synthesized blocks"));
  for (const char* id : {"fig-delta-e", "fig-area", "fig-cycles", "fig-pareto-area", "fig-pareto-energy"})
    CHECK_THAT(html, Catch::Contains(std::string("id=\"") + id + "\""));

  // Second run: every stage reused, and it says so.
  auto again = test::run_cli("flow " + dir + "/flow.json");
  REQUIRE(again.exit_code == 0);
  st = stage_status(again.output);
  REQUIRE(st.size() == 9);
  for (const auto& [name, s] : st) CHECK(s == "cached");
  CHECK_THAT(again.output, Catch::Contains("0 ran, 9 reused"));
  CHECK(read_file(dir + "/out/report/index.html") == html);  // deterministic

  // A flag that changes only the co-simulation reruns it and the report, nothing upstream.
  auto fewer = test::run_cli("flow " + dir + "/flow.json --samples 10");
  REQUIRE(fewer.exit_code == 0);
  st = stage_status(fewer.output);
  CHECK(st["model"] == "cached");
  CHECK(st["compose"] == "cached");
  CHECK(st["emit"] == "cached");
  CHECK(st["synth"] == "cached");
  CHECK(st["cosim"] == "ran");
  CHECK(st["report"] == "ran");

  // An interrupted run resumes: a stage that never finished (only its .partial directory is left)
  // runs again; every finished stage is reused.
  std::string synth_dir;
  for (const auto& e : fs::directory_iterator(dir + "/out/stages"))
    if (e.path().filename().string().rfind("synth-", 0) == 0) synth_dir = e.path().string();
  REQUIRE(!synth_dir.empty());
  fs::remove_all(synth_dir);
  fs::create_directories(synth_dir + ".partial/work");
  write_file_atomic(synth_dir + ".partial/log.txt", "interrupted\n");
  auto resumed = test::run_cli("flow " + dir + "/flow.json --samples 10");
  REQUIRE(resumed.exit_code == 0);
  st = stage_status(resumed.output);
  CHECK(st["synth"] == "ran");
  CHECK(st["cosim"] == "cached");
  CHECK(st["sweep-synth"] == "cached");
  CHECK(fs::exists(synth_dir + "/result.json"));
  CHECK_FALSE(fs::exists(synth_dir + ".partial"));

  // Headless Chromium lays the page out; its render check lists every plot with drawn marks.
  const auto check = test::render_check(dir + "/out/report/index.html");
  if (!check) SKIP_WITH("chromium is not installed (scripts/setup.sh installs it)");
  INFO(*check);
  const std::map<std::string, int> min_marks{
      {"fig-delta-e", 4}, {"fig-area", 4}, {"fig-cycles", 3}, {"fig-pareto-area", 6}, {"fig-pareto-energy", 6}};
  for (const auto& [id, marks] : min_marks) {
    const auto plot = test::plot_render(*check, id);
    REQUIRE(plot);
    CHECK(plot->width >= 300);
    CHECK(plot->height >= 150);
    CHECK(plot->marks >= marks);
    CHECK(plot->drawn);
  }
}

TEST_CASE("flow: a bad configuration is rejected before any work, naming the key and the file", "[flow][bad-input]") {
  const std::string dir = test::temp_dir("flow-bad");
  const auto reject = [&](const std::string& text, const std::string& expected) {
    write_file_atomic(dir + "/bad.json", text);
    auto r = test::run_cli("flow " + dir + "/bad.json --out " + dir + "/out");
    INFO(text << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(dir + "/bad.json") && Catch::Contains(expected));
    CHECK_FALSE(fs::exists(dir + "/out"));
  };
  reject(R"({"compose": {"w": 16, "ww": 4}})", "unknown key 'compose.ww'");
  reject(R"({"flavour": 1})", "unknown key 'flavour'");
  reject(R"({"compose": {"w": "sixteen"}})", "'compose.w' must be an integer from -2147483648 to 2147483647, not a string");
  reject(R"({"sweep": {"u": [4, "x"]}})", "'sweep.u' must be a list of integers");
  reject(R"({"cosim": {"samples": 1.5}})", "'cosim.samples' must be an integer, not a number");
  reject(R"({"model": "missing.onnx"})", "'model': no such file");
  reject(R"({"compose": {"w": 5}})", "compose/sweep");
  reject(R"({"input_range": [1, -1]})", "'input_range' must be [lo, hi] with lo < hi");
  reject(R"({"input_range": [-1, 1]})", "'input_range' applies to CSV datasets");
  reject(R"({"sweep": {"retrain": 1}})", "'sweep.retrain' must be a boolean");
  reject(R"({"rtl": {"accumulate": "fast"}})", "'rtl.accumulate' must be direct, count or shared, not \"fast\"");
  reject(R"({"synth": {"liberty": "none.lib"}})", "'synth.liberty': cannot read");
  // Vocabularies and ranges are the libraries' own, as the commands use them.
  reject(R"({"compose": {"product_bits": 32}})", "'compose.product_bits' must be 4 to 31");
  reject(R"({"compose": {"product_bits": 3}})", "'compose.product_bits' must be 4 to 31");
  reject(R"({"compose": {"codebook": "kmeans"}})", "'compose.codebook' must be optimal, tree, nested or uniform");
  reject(R"({"cosim": {"simulator": "modelsim"}})", "'cosim.simulator' must be verilator or iverilog");
  reject(R"({"synth": {"memories": "ram"}})", "'synth.memories' must be synth or bits");
  reject(R"({"synth": {"blocks": ["rna", "alu"]}})", "'alu' is not rna, ndcam, controller, tile, top, mac or mac-tile");
  reject(R"({"layout": {"blocks": ["rna", "alu"]}})", "'layout.blocks': 'alu' is not rna");
  reject(R"({"layout": {"enabled": true, "density": 2}})", "'layout.enabled' is true, but --density");
  reject(R"({"layout": {"enabled": true, "placement_fast": 0}})", "'layout.enabled' is true, but --placement-fast");
  reject(R"({"layout": {"effort": 3}})", "effort");
  reject(R"({"compose": {"w": 16,)", "not valid JSON");
  reject(R"([1, 2])", "must be an object");
  auto r = test::run_cli("flow " + dir + "/absent.json");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains(dir + "/absent.json: no such flow configuration file"));
}

TEST_CASE("flow: the printed configuration is the documented schema and reads back unchanged", "[flow]") {
  const std::string dir = test::temp_dir("flow-config");
  auto r = test::run_cli("flow --print-config --w 4 --samples 7");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output);
  CHECK(j.at("compose").at("w") == 4);
  CHECK(j.at("cosim").at("samples") == 7);
  write_file_atomic(dir + "/c.json", r.output);
  auto back = test::run_cli("flow " + dir + "/c.json --print-config");
  REQUIRE(back.exit_code == 0);
  // Relative paths are resolved against the file's directory; everything else is unchanged.
  auto a = nlohmann::json::parse(back.output), b = j;
  CHECK(a.at("out") == (fs::path(dir) / "out/flow").lexically_normal().string());
  a.erase("out");
  b.erase("out");
  CHECK(a == b);
  // Every key of the schema is documented.
  const std::string doc = read_file(std::string(RAPIDNN_SOURCE_DIR) + "/docs/flow-config.md");
  for (const auto& [section, v] : j.items()) {
    CHECK_THAT(doc, Catch::Contains("`" + section + "`"));
    if (v.is_object())
      for (const auto& [key, x] : v.items()) CHECK_THAT(doc, Catch::Contains("`" + section + "." + key + "`"));
  }
}

namespace {

// A model with random weights and a CSV of raw integer features, for flows that need no training.
std::pair<std::string, std::string> small_model_and_data(const std::string& dir) {
  Network net = test::small_mlp(6, 5);
  export_onnx(net, dir + "/model.onnx");
  std::string csv;
  for (int i = 0; i < 60; ++i) {
    for (int f = 0; f < 16; ++f) csv += std::to_string((i * 37 + f * 11) % 256) + ",";
    csv += std::to_string(i % 3) + "\n";
  }
  write_file_atomic(dir + "/data.csv", csv);
  return {dir + "/model.onnx", dir + "/data.csv"};
}

}  // namespace

TEST_CASE("flow: a second flow on the same directory is refused while the first runs, and the cache notices "
          "changed or missing stage contents",
          "[flow][bad-input]") {
  const std::string dir = test::temp_dir("flow-cache");
  const auto [model, data] = small_model_and_data(dir);
  const std::string args = "flow --model " + model + " --dataset " + data + " --out " + dir +
                           "/out --w 4 --u 4 --lanes 4 --rna-share 2 --no-sweep --no-synth --no-cosim";
  auto r = test::run_cli(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("4 ran, 0 reused"));

  // Another flow holds the directory: refused at once, nothing touched.
  {
    const DirectoryLock held(dir + "/out", "test");
    auto busy = test::run_cli(args);
    INFO(busy.output);
    CHECK(busy.exit_code == 2);
    CHECK_THAT(busy.output, Catch::Contains("another rapidnn flow is running on this directory"));
  }

  // A table deleted from the cached artifact, an RTL image corrupted: those stages run again.
  std::string compose_dir, emit_dir;
  for (const auto& e : fs::directory_iterator(dir + "/out/stages")) {
    const std::string n = e.path().filename().string();
    if (n.rfind("compose-", 0) == 0) compose_dir = e.path().string();
    if (n.rfind("emit-", 0) == 0) emit_dir = e.path().string();
  }
  REQUIRE(fs::remove(compose_dir + "/artifact/s0_bias.hex"));
  r = test::run_cli(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("artifact/s0_bias.hex is missing: running it again"));
  CHECK(fs::exists(compose_dir + "/artifact/s0_bias.hex"));
  std::string image = read_file(emit_dir + "/rtl/input_lut.hex");
  image.back() = image.back() == '0' ? '1' : '0';
  write_file_atomic(emit_dir + "/rtl/input_lut.hex", image);
  r = test::run_cli(args);
  CHECK_THAT(r.output, Catch::Contains("rtl/input_lut.hex was changed: running it again"));
  // A stage directory left holding only its record is run again, not trusted.
  fs::remove(emit_dir + "/contents.json");
  r = test::run_cli(args);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("its record of contents is missing"));
  r = test::run_cli(args);
  CHECK_THAT(r.output, Catch::Contains("0 ran, 4 reused"));
}

TEST_CASE("flow --jobs 2 runs the sweep and cosim stages as shards through GNU parallel, with one process's results",
          "[flow][shard]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  if (find_program("verilator").empty()) SKIP_WITH("verilator is not installed");
  const std::string dir = test::temp_dir("flow-jobs");
  write_file_atomic(dir + "/flow.json", std::string(R"({"model": ")") + RAPIDNN_SOURCE_DIR +
                                            R"(/models/fmnist-mlp-784-32-10.onnx", "compose": {"w": 4, "u": 8, "q": 16},
    "sweep": {"w": [2, 4], "u": [4, 8]}, "rtl": {"lanes": 8, "rna_share": 8}, "cosim": {"samples": 30}})");
  const auto result = [&](const std::string& out, const std::string& stage) {
    for (const auto& e : fs::directory_iterator(dir + "/" + out + "/stages"))
      if (e.path().filename().string().rfind(stage + "-", 0) == 0) {
        CHECK(fs::exists(e.path() / "contents.json"));
        CHECK_FALSE(fs::exists(e.path() / "shards"));  // merged and removed
        return nlohmann::json::parse(read_file(e.path() / "result.json"));
      }
    FAIL("no " << stage << " stage in " << out);
    return nlohmann::json();
  };
  const auto one = test::run_cli("flow " + dir + "/flow.json --no-synth --out " + dir + "/one");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  const auto two = test::run_cli("flow " + dir + "/flow.json --no-synth --jobs 2 --out " + dir + "/two");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  auto s1 = result("one", "sweep"), s2 = result("two", "sweep");
  s1.erase("seconds"), s2.erase("seconds");
  CHECK(s1 == s2);  // every point's delta-e and table bits, the float accuracy
  const auto c1 = result("one", "cosim"), c2 = result("two", "cosim");
  for (const char* k : {"samples", "mismatches", "latency_cycles", "interval_cycles", "predicted_latency_cycles"})
    CHECK(c1.at(k) == c2.at(k));
  CHECK(c2.at("shards") == 2);
  // Sharded or not, a stage's key is the same: a second run with --jobs 2 reuses the first's.
  const auto again = test::run_cli("flow " + dir + "/flow.json --no-synth --jobs 2 --out " + dir + "/one");
  CHECK_THAT(again.output, Catch::Contains("0 ran, 6 reused"));
}

TEST_CASE("flow with compose.levels: one design, its images co-simulated bit-exact at every codebook level, and the "
          "report's table of levels",
          "[flow][levels]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  if (find_program("verilator").empty()) SKIP_WITH("verilator is not installed");
  const std::string dir = test::temp_dir("flow-levels");
  // Level 3 at (8, 8): the largest level a 2-bit level port holds (no upper clamp is built).
  const std::string config = std::string(R"({"out": "out", "model": ")") + RAPIDNN_SOURCE_DIR +
                             R"(/models/fmnist-mlp-784-32-10.onnx",
    "compose": {"w": 8, "u": 8, "q": 16, "codebook": "tree", "levels": 2},
    "sweep": {"enabled": false}, "synth": {"enabled": false},
    "rtl": {"lanes": 8, "rna_share": 8, "accumulate": "%s"}, "cosim": {"samples": 10}})";
  auto with = [&](const std::string& form) {
    std::string c = config;
    c.replace(c.find("%s"), 2, form);
    return c;
  };
  write_file_atomic(dir + "/shared.json", with("shared"));
  auto bad = test::run_cli("flow " + dir + "/shared.json");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("'compose.levels'") && Catch::Contains("direct"));
  std::string optimal = with("direct");
  optimal.replace(optimal.find("\"tree\""), 6, "\"optimal\"");
  write_file_atomic(dir + "/optimal.json", optimal);
  bad = test::run_cli("flow " + dir + "/optimal.json");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("'compose.codebook'") && Catch::Contains("nested"));
  write_file_atomic(dir + "/flow.json", with("direct"));
  auto r = test::run_cli("flow " + dir + "/flow.json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("10 images bit-exact at each of 2 codebook levels"));
  const auto results = nlohmann::json::parse(read_file(dir + "/out/report/results.json"));
  const auto& levels = results.at("cosim").at("levels");
  REQUIRE(levels.size() == 2);
  CHECK(levels[0].at("level") == 3);
  CHECK(levels[1].at("level") == 2);
  CHECK(levels[1].at("latency_cycles") == levels[0].at("latency_cycles"));
  CHECK(results.at("compose").at("levels").size() == 1);
  const std::string md = read_file(dir + "/out/report/report.md");
  CHECK_THAT(md, Catch::Contains("## Codebook levels on one design") && Catch::Contains("| 2 | (4, 4) |"));
}
