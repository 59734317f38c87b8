// rapidnn paper: the paper benchmark on a small configuration (one benchmark, trained for one
// epoch, a 2-point sweep with retraining, small tiles), its report beside the paper's numbers
// rendered in headless Chromium, a benchmark without its dataset skipped, a rerun reusing every
// stage, and a bad benchmark name rejected.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/fileio.h"
#include "core/process.h"
#include "support.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

// The MNIST benchmark cut down to what a test can afford.
const char* kSmallMnist = R"({
  "dataset": "fashion-mnist",
  "model": "",
  "train": {"arch": "mlp:784-32-10", "epochs": 1},
  "compose": {"w": 4, "u": 8, "q": 16, "retrain": {"enabled": true, "iterations": 1, "epochs": 1, "validation": 1000}},
  "sweep": {"w": [4, 64], "u": [64], "retrain": true, "retrain_above": -100, "lanes": 4, "rna_share": 8},
  "rtl": {"lanes": 8, "rna_share": 8},
  "cosim": {"samples": 20},
  "synth": {"enabled": false}
})";

}  // namespace

TEST_CASE("paper: one benchmark end to end, its report beside the paper's numbers renders in headless Chromium, a "
          "rerun reuses every stage, a benchmark without its dataset is skipped",
          "[paper]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  if (find_program("verilator").empty() || find_program("yosys").empty() || find_program("sta").empty() ||
      !fs::exists("/usr/share/qflow/tech/osu018/osu018_stdcells.lib"))
    SKIP_WITH("verilator, yosys, opensta or qflow-tech-osu018 is not installed");
  const std::string dir = test::temp_dir("paper");
  fs::create_directories(dir + "/configs");
  write_file_atomic(dir + "/configs/mnist.json", kSmallMnist);
  write_file_atomic(dir + "/configs/isolet.json", R"({"dataset": "no-such-isolet", "model": ""})");

  auto r = test::run_cli("paper --configs " + dir + "/configs --out " + dir + "/out");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("skipping isolet: dataset") && Catch::Contains("no-such-isolet is absent"));
  CHECK_THAT(r.output, Catch::Contains("skipping cifar10: no configuration"));
  CHECK_THAT(r.output, Catch::Contains("wall time") && Catch::Contains("peak mem"));

  const auto res = nlohmann::json::parse(read_file(dir + "/out/report/results.json"));
  REQUIRE(res.at("benchmarks").size() == 1);
  const auto& b = res.at("benchmarks").at(0);
  CHECK(b.at("name") == "mnist");
  const auto& fr = b.at("results");
  // Figure 10 with retraining: both points retrained (retrain_above is below any delta-e).
  REQUIRE(fr.at("sweep_retrain").at("points").size() == 2);
  for (const auto& p : fr.at("sweep_retrain").at("points")) CHECK(p.at("retrained") == true);
  // Table 3: the compose stage retrained for its one epoch.
  CHECK(fr.at("compose").at("retrain").at("epochs") == 1);
  CHECK(fr.at("compose").at("seconds").get<double>() > 0);
  // Figure 14: the (64, 64) lookup tile's area by function adds up to the tile.
  bool breakdown = false;
  for (const auto& t : fr.at("sweep_synth").at("tiles")) {
    if (t.value("form", std::string()) == "mac" || t.at("w") != 64) continue;
    const auto& a = t.at("area_breakdown");
    REQUIRE_FALSE(a.is_null());
    CHECK(a.at("weight_accumulation_logic_um2").get<double>() > 0);
    CHECK(a.at("activation_encoding_um2").get<double>() > 0);
    CHECK(a.at("controller_um2").get<double>() > 0);
    const double parts = a.at("weight_accumulation_logic_um2").get<double>() +
                         a.at("weight_accumulation_memory_um2").get<double>() +
                         a.at("activation_encoding_um2").get<double>() + a.at("controller_um2").get<double>() +
                         a.at("other_um2").get<double>();
    CHECK(parts == Approx(t.at("area_um2").get<double>()));
    CHECK(a.at("other_um2").get<double>() >= 0);
    breakdown = true;
  }
  CHECK(breakdown);
  CHECK(fr.at("cosim").at("samples") == 20);

  const std::string md = read_file(dir + "/out/report/report.md");
  for (const char* s : {"## Table 2: float error rates", "1.5%", "## Figure 10", "## Table 3: composer time", "51 s",
                        "## Figures 11 and 12", "## Figure 14: area breakdown", "56.7%", "## Co-simulation",
                        "## Not like for like", "Fashion-MNIST, not MNIST"})
    CHECK_THAT(md, Catch::Contains(s));

  // A rerun reuses every stage of every benchmark.
  auto again = test::run_cli("paper --configs " + dir + "/configs --out " + dir + "/out --only mnist");
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("0 ran,"));

  // A benchmark the command does not know is an error before any work.
  auto bad = test::run_cli("paper --configs " + dir + "/configs --out " + dir + "/out2 --only imagenet");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("no benchmark 'imagenet'"));
  CHECK_FALSE(fs::exists(dir + "/out2"));

  const auto check = test::render_check(dir + "/out/report/index.html");
  if (!check) SKIP_WITH("chromium is not installed (scripts/setup.sh installs it)");
  INFO(*check);
  for (const char* id : {"fig10-mnist", "fig10-mnist-retrained", "fig12-mnist", "fig14"}) {
    const auto plot = test::plot_render(*check, id);
    REQUIRE(plot);
    CHECK(plot->marks >= 2);
    CHECK(plot->drawn);
  }
}
