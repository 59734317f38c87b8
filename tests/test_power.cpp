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

TEST_CASE("the MAC baseline tile powered from its own simulated activity, shadowing the lookup tile on the same images, "
          "its sums checked against the lookup RNAs'",
          "[power]") {
  for (const char* t : {"verilator", "yosys", "sta"})
    if (find_program(t).empty()) SKIP_WITH(std::string(t) + " is not installed");
  Network net;
  net.input_shape = {16};
  net.layers.push_back(make_dense("fc", 16, 8, ActKind::ReLU));
  net.layers.push_back(make_dense("out", 8, 4));
  net = test::random_network(net, 21);
  const Dataset calib = test::random_images(net.input_shape, 100, 4, 22);
  const ComposedNetwork cn = test::compose_case(net, calib, 16, 8, 8, CodebookMethod::Uniform);
  RtlOptions ro;
  ro.lanes = 4;
  ro.rna_share = 2;
  ro.accumulate = GENERATE(AccumulateForm::Direct, AccumulateForm::Shared);
  const RtlPlan plan = plan_rtl(cn, ro, "power-mac");
  REQUIRE(plan.uniform);
  const std::string dir = test::temp_dir("power-mac");
  const std::string rtl = dir + "/rtl";
  emit_rtl(plan, rtl);
  SynthOptions so;
  so.blocks = {BlockKind::Tile, BlockKind::MacTile};
  const auto reports = synth_blocks(plan, rtl, so);
  const Dataset d = test::random_images(net.input_shape, 25, 4, 23);
  const auto p = activity_power(cn, plan, rtl, raw_features(d, cn.input.raw_bits), d.size(), reports, so);
  REQUIRE(p.size() == 2);
  CHECK(p[0].block == "tile");
  CHECK(p[1].block == "mac-tile");
  for (const auto& a : p) {
    INFO(a.block);
    CHECK(a.flops > 0);
    CHECK(a.ports > 0);
    CHECK(a.memories_annotated == a.memories);
    CHECK(a.activity_mw > 0);
    CHECK(a.mean_flop_activity > 0);
  }

  // The MAC tile needs a uniform design (its weights are the design's weight indices).
  const ComposedNetwork km = test::compose_case(net, calib, 16, 8, 8);
  const RtlPlan kp = plan_rtl(km, ro, "power-mac-km");
  const std::string krtl = dir + "/rtl-km";
  emit_rtl(kp, krtl);
  const auto kr = synth_blocks(kp, krtl, so);
  CHECK_THROWS_WITH(activity_power(km, kp, krtl, raw_features(d, km.input.raw_bits), d.size(), kr, so),
                    Catch::Contains("uniform"));
}

TEST_CASE("the MAC shadow's check holds at 8-bit x 8-bit, where Verilator's expression expansion miscomputes signed "
          "products (the activity build turns it off)",
          "[power]") {
  if (find_program("verilator").empty()) SKIP_WITH("verilator is not installed");
  Network net;
  net.input_shape = {16};
  net.layers.push_back(make_dense("fc", 16, 8, ActKind::ReLU));
  net.layers.push_back(make_dense("out", 8, 4));
  net = test::random_network(net, 21);
  const Dataset calib = test::random_images(net.input_shape, 100, 4, 22);
  const ComposedNetwork cn = test::compose_case(net, calib, 256, 256, 8, CodebookMethod::Uniform);
  RtlOptions ro;
  ro.lanes = 4;
  ro.rna_share = 2;
  const RtlPlan plan = plan_rtl(cn, ro, "power-mac8");
  const std::string dir = test::temp_dir("power-mac8");
  emit_rtl(plan, dir + "/rtl");
  const Dataset d = test::random_images(net.input_shape, 10, 4, 23);
  const ActivityRecord rec = record_activity(cn, plan, dir + "/rtl", raw_features(d, cn.input.raw_bits), d.size(),
                                             {"u_mac.g_mac[0].u_mac.acc_o[0]"}, dir + "/build", 2, true);
  CHECK(rec.cycles > 0);
  CHECK(rec.bits.at("u_mac.g_mac[0].u_mac.acc_o[0]").toggles > 0);
}
