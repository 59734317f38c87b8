// Power from simulated switching activity: the RTL's measured toggles and duty annotated on the
// mapped tile and top for OpenSTA, beside the vectorless figure.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <regex>

#include "composer/compose.h"
#include "core/fileio.h"
#include "core/process.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"
#include "rtl_support.h"
#include "support.h"
#include "synth/activity.h"
#include "synth/synth.h"

using namespace rapidnn;
namespace fs = std::filesystem;

TEST_CASE("tile and top powered from the RTL's simulated activity: every port, flip-flop and memory pin annotated, "
          "quiet images cost less than busy ones",
          "[power]") {
  for (const char* t : {"verilator", "yosys", "sta"})
    if (find_program(t).empty()) SKIP_WITH(std::string(t) + " is not installed");
  Network net;
  net.input_shape = {12};
  net.layers.push_back(make_dense("fc", 12, 6, ActKind::ReLU));
  net.layers.push_back(make_dense("out", 6, 3));
  net = test::random_network(net, 11);
  const Dataset calib = test::random_images(net.input_shape, 100, 3, 12);
  const ComposedNetwork cn = test::compose_case(net, calib, 4, 4, 8);
  RtlOptions ro;
  ro.lanes = 4;
  const RtlPlan plan = plan_rtl(cn, ro, "power");
  const std::string dir = test::temp_dir("power");
  const std::string rtl = dir + "/rtl";
  emit_rtl(plan, rtl);
  SynthOptions so;
  so.blocks = {BlockKind::Tile, BlockKind::Top};
  const auto reports = synth_blocks(plan, rtl, so);

  const Dataset busy = test::random_images(net.input_shape, 20, 3, 13);
  ActivityRecord rec;
  const auto p = activity_power(cn, plan, rtl, raw_features(busy, cn.input.raw_bits), busy.size(), reports, so, &rec);
  REQUIRE(p.size() == 2);
  CHECK(rec.cycles > 20 * 12);
  for (const auto& a : p) {
    INFO(a.block);
    CHECK(a.ports > 0);
    CHECK(a.flops > 0);
    CHECK(a.memory_pins > 0);
    CHECK(a.memories > 0);
    CHECK(a.memories_annotated == a.memories);
    CHECK(a.activity_mw > 0);
    CHECK(a.vectorless_mw > 0);
    CHECK(a.activity_mw != Approx(a.vectorless_mw));
    CHECK(a.activity_mw == Approx(a.logic_activity_mw + a.memories_activity_mw));
    CHECK(a.mean_flop_activity > 0);
    CHECK(a.mean_flop_activity < 1);
    const std::string tcl = read_file(fs::path(rtl + ".synth") / a.block / "activity.tcl");
    CHECK_THAT(tcl, Catch::Contains("set_power_pin_activity [get_pins c") && Catch::Contains("/Q]") && Catch::Contains("-duty"));
    CHECK_THAT(read_file(fs::path(rtl + ".synth") / a.block / "sta_activity.log"), !Catch::Contains("Error"));
  }
  const auto json = activity_power_json(p[0], so.period_ns, 100);
  CHECK(json["activity_uj_per_inference"].get<double>() == Approx(p[0].activity_mw * so.period_ns * 100 * 1e-6));

  // The same number of images, every feature 0: the tile's data path hardly toggles.
  Dataset quiet = busy;
  std::fill(quiet.x.begin(), quiet.x.end(), 0.0f);
  const auto q = activity_power(cn, plan, rtl, raw_features(quiet, cn.input.raw_bits), quiet.size(), reports, so);
  CHECK(q[0].activity_mw < p[0].activity_mw);
  CHECK(q[0].mean_flop_activity < p[0].mean_flop_activity);
}
