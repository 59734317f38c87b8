// Place and route through qflow: the DEF/LEF readers on known text, a small design's RNA and tile
// placed and routed with no failed routes, LVS clean and a picture, and missing tools named.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "composer/artifact.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"
#include "rtl_support.h"
#include "support.h"
#include "synth/layout.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

const char* missing_layout_tool() {
  for (const char* t : {"qflow", "graywolf", "qrouter", "magic", "netgen-lvs", "klayout", "yosys", "sta", "tcsh"})
    if (find_program(t).empty()) return t;
  if (!fs::exists("/usr/share/qflow/tech/osu018/osu018_stdcells.lef")) return "qflow-tech-osu018";
  return nullptr;
}

}  // namespace

TEST_CASE("the DEF reader measures die, core, cells, wire and vias of known text", "[layout]") {
  const std::map<std::string, std::pair<double, double>> lef =
      read_lef_macro_sizes("MACRO INVX1\n  CLASS CORE ;\n  SIZE 2.4 BY 10.0 ;\nEND INVX1\nMACRO FILL\n  SIZE 0.8 BY 10 ;\nEND FILL\n");
  REQUIRE(lef.size() == 2);
  CHECK(lef.at("INVX1").first == Approx(2.4));
  const std::string def = R"(VERSION 5.6 ;
UNITS DISTANCE MICRONS 100 ;
DIEAREA ( -100 -200 ) ( 900 1800 ) ;
COMPONENTS 3 ;
- INVX1_1 INVX1 + PLACED ( 0 0 ) N ;
- INVX1_2 INVX1 + PLACED ( 240 1000 ) FS ;
- FILL_1 FILL + PLACED ( 480 1000 ) FS ;
END COMPONENTS
NETS 2 ;
- a
  ( INVX1_1 Y ) ( INVX1_2 A )
+ ROUTED metal2 ( 100 500 ) ( * 900 ) M3_M2
  NEW metal3 ( 100 900 ) ( 300 * ) ;
- b
  ( INVX1_2 Y ) ( PIN b )
+ ROUTED metal1 ( 300 1500 ) ( 600 1600 ) ;
END NETS
END DESIGN
)";
  const DefFigures f = read_def_figures(def, lef, "FILL", "t.def");
  CHECK(f.die_w_um == Approx(10.0));
  CHECK(f.die_h_um == Approx(20.0));
  CHECK(f.cells == 2);
  CHECK(f.fill_cells == 1);
  CHECK(f.cell_um2 == Approx(48.0));
  CHECK(f.core_w_um == Approx(5.6));   // 0 .. 4.8 + 0.8
  CHECK(f.core_h_um == Approx(20.0));  // 0 .. 10 + 10
  CHECK(f.nets == 2);
  CHECK(f.wire_um == Approx(4.0 + 2.0 + 4.0));  // 400 + 200 + (300 + 100) units
  CHECK(f.vias == 1);
  CHECK_THROWS_WITH(read_def_figures("UNITS DISTANCE MICRONS 100 ;\n", lef, "FILL", "t.def"),
                    Catch::Contains("t.def") && Catch::Contains("DIEAREA"));
  CHECK_THROWS_WITH(read_def_figures("DIEAREA ( 0 0 ) ( 1 1 ) ;\nCOMPONENTS 1 ;\n- x NAND9 + PLACED ( 0 0 ) N ;\nEND COMPONENTS\n",
                                     lef, "FILL", "t.def"),
                    Catch::Contains("NAND9"));
}

TEST_CASE("a small design's RNA is placed and routed with no failed routes, LVS clean, with a picture", "[layout]") {
  if (const char* t = missing_layout_tool()) SKIP_WITH(std::string(t) + " is not installed");
  Network net;
  net.input_shape = {12};
  net.layers.push_back(make_dense("fc", 12, 6, ActKind::ReLU));
  net.layers.push_back(make_dense("out", 6, 3));
  net = test::random_network(net, 7);
  const Dataset calib = test::random_images(net.input_shape, 100, 3, 8);
  const ComposedNetwork cn = test::compose_case(net, calib, 4, 4, 8);
  RtlOptions ro;
  ro.lanes = 4;
  const RtlPlan plan = plan_rtl(cn, ro, "layout-small");
  const std::string dir = test::temp_dir("layout-small");
  const std::string rtl = dir + "/rtl";
  emit_rtl(plan, rtl);
  {
    LayoutOptions opt;
    opt.block = BlockKind::Rna;
    opt.image_width = 400;
    const LayoutReport r = run_layout(plan, rtl, opt);
    INFO(layout_report_json(r).dump(2));
    CHECK(r.failed_routes == 0);
    CHECK(r.lvs_match);
    CHECK(r.cells > 50);
    CHECK(r.cell_um2 >= r.synth_area_um2 * 0.9);  // the netlist synth measured, plus qflow's buffers
    CHECK(r.die_um2 > r.core_um2);
    CHECK(r.core_um2 >= r.cell_um2);
    CHECK((r.utilization > 0.2 && r.utilization <= 1.0));
    CHECK(r.wire_mm > 0.1);
    CHECK(r.vias > r.nets / 2);
    CHECK(r.post_route_fmax_mhz > 10.0);
    CHECK(r.pre_route_fmax_mhz > 10.0);
    CHECK(r.drc_errors >= 0);
    CHECK(r.drc_reasons.size() <= static_cast<std::size_t>(r.drc_errors));
    REQUIRE(fs::exists(r.picture));
    CHECK(read_file(r.picture).substr(1, 3) == "PNG");
    CHECK(fs::exists(fs::path(r.dir) / "layout.json"));
  }
  // The figures on record are the report's.
  const auto j = nlohmann::json::parse(read_file(fs::path(rtl + ".layout") / "rna" / "layout.json"));
  CHECK(j.at("failed_routes").get<std::int64_t>() == 0);
  CHECK(j.at("lvs_match").get<bool>());
}

TEST_CASE("layout names the Debian package of a missing tool and exits 2 before any work", "[layout]") {
  const std::string dir = test::temp_dir("layout-tools");
  // Nothing in PATH: qflow is the first tool asked for.
  auto r = test::run_cli_program(fmt::format("env PATH={0}/none {1} layout -c {0}/a -r {0}/r 2>&1", dir, RAPIDNN_BIN));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("qflow") && Catch::Contains("Debian package qflow"));
  // Every tool but klayout.
  if (const char* t = missing_layout_tool()) SKIP_WITH(std::string(t) + " is not installed");
  fs::create_directories(dir + "/bin");
  for (const char* t : {"qflow", "graywolf", "qrouter", "magic", "netgen-lvs", "yosys", "tcsh"})
    fs::create_symlink(find_program(t), dir + "/bin/" + t);
  r = test::run_cli_program(fmt::format("env PATH={0}/bin {1} layout -c {0}/a -r {0}/r 2>&1", dir, RAPIDNN_BIN));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("klayout") && Catch::Contains("Debian package klayout"));
  CHECK(!fs::exists(dir + "/r.layout"));
}
