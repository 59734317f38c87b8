// The flow report on its own: which plots a results file yields, escaping, determinism.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <tuple>
#include <vector>

#include "report/flow_report.h"
#include "synth/efficiency.h"
#include "report/svg_plot.h"

using namespace rapidnn;
using nlohmann::json;

namespace {

json block(const std::string& name, double area, double fmax, json memories = json::array()) {
  return {{"block", name},          {"area_um2", area},  {"cells", 10},        {"transistors", 100},
          {"table_bits", 64},       {"crossbar_model_um2", 0.2}, {"critical_path_ns", 1000.0 / fmax},
          {"fmax_mhz", fmax},       {"power_mw", 1.0},   {"energy_pj_per_cycle", 100.0}, {"memories", memories}};
}

json results() {
  json r;
  r["config"] = {{"dataset", "fashion-mnist"}};
  r["config_source"] = "flow.json";
  r["version"] = "test";
  r["model"] = {{"trained", true}, {"arch", "mlp:784-32-10"}, {"float_accuracy", 85.0}};
  r["compose"] = {{"w", 4}, {"u", 8}, {"float_accuracy", 85.0}, {"rapidnn_accuracy", 80.0}, {"delta_e", 5.0}};
  r["emit"] = {{"latency_cycles", 1600},
               {"interval_cycles", 800.0},
               {"input_cycles", 784},
               {"stages", json::array({{{"name", "fc<1>"}, {"kind", "dense"}, {"units", 32}, {"rnas", 4}, {"lanes", 8},
                                        {"beats", 98}, {"cycles", 800}}})}};
  r["sweep"] = {{"w", {2, 4}}, {"u", {4, 8}}, {"delta_e", {{30.0, 20.0}, {8.0, 5.0}}}};
  r["synth"] = {{"blocks", json::array({block("rna", 50000, 300), block("ndcam", 4000, 900), block("controller", 70000, 350),
                                        block("mac", 120000, 200)})},
                {"first_tile", {{"name", "fc"}, {"rnas", 4}, {"weight_index_bits", 1000}, {"bias_bits", 100}, {"weights", 500},
                                {"memory_crossbar_um2", 3.3}, {"mac_memory_crossbar_um2", 12.3}}},
                {"liberty", "osu018"}, {"period_ns", 100.0}, {"activity", 0.1}};
  json points = json::array();
  for (int w : {2, 4})
    for (int u : {4, 8})
      points.push_back({{"w", w}, {"u", u}, {"delta_e", 1.0 * w}, {"rna", block("rna", 1000.0 * w * u, 300)},
                        {"mac", block("mac", 20000, 200)}, {"latency_cycles", 1600}, {"interval_cycles", 800.0}});
  r["sweep_synth"] = {{"lanes", 4}, {"points", points}};
  json tiles = json::array();
  for (const auto& [name, form, d, area] : std::vector<std::tuple<std::string, std::string, double, double>>{
           {"mac8", "mac", 0.0, 9e6}, {"mac-equal", "mac", 0.4, 6e6}, {"w4-u8-shared", "shared", 0.5, 3e6}})
    tiles.push_back({{"name", name}, {"label", name}, {"form", form}, {"delta_e", d}, {"area_um2", area},
                     {"memory_um2", area / 2}, {"logic_um2", area / 2}, {"energy_nj_per_inference", area / 1e5},
                     {"fmax_mhz", 100.0}, {"cycles", 800}});
  r["sweep_synth"]["tiles"] = tiles;
  r["cosim"] = {{"samples", 20}, {"simulator", "verilator"}, {"latency_cycles", 1600}, {"predicted_latency_cycles", 1600},
                {"interval_cycles", 800.0}, {"predicted_interval_cycles", 800.0}};
  r["stages"] = json::array({{{"name", "model"}, {"key", "abc"}, {"seconds", 1.0}}});
  return r;
}

}  // namespace

TEST_CASE("the report draws every plot its results support, escapes names and is deterministic", "[report]") {
  const json r = results();
  const auto rep = report::render_flow_report(r);
  CHECK(rep.plots == std::vector<std::string>{"fig-delta-e", "fig-area", "fig-cycles", "fig-pareto-area",
                                              "fig-pareto-energy", "fig-lut-mac", "fig-edp"});
  for (const auto& id : rep.plots) CHECK_THAT(rep.html, Catch::Contains("<svg class=\"plot\" id=\"" + id + "\""));
  CHECK_THAT(rep.html, Catch::Contains("fc&lt;1&gt;"));  // a layer name with markup is escaped
  CHECK_THAT(rep.html, !Catch::Contains("fc<1>"));
  CHECK_THAT(rep.html, Catch::Contains("id=\"render-check\""));
  CHECK_THAT(rep.markdown, Catch::Contains("| w \\ u | 4 | 8 |") && Catch::Contains("| 4 | +8.00 | +5.00 |"));
  CHECK(report::render_flow_report(r).html == rep.html);

  SECTION("the synth stage's whole tiles: area and energy against the 8-bit MAC, and when each was done") {
    json s = r;
    json tiles = json::array();
    for (const auto& [name, area, done] : std::vector<std::tuple<std::string, double, double>>{
             {"lookup", 4e6, 151.4}, {"mac8", 8e6, 152.6}, {"mac-equal", 5e6, 204.4}})
      tiles.push_back({{"name", name}, {"label", name}, {"delta_e", 0.1}, {"area_um2", area}, {"memory_um2", area / 4},
                       {"logic_um2", area * 3 / 4}, {"energy_nj_per_inference", area / 1e3}, {"fmax_mhz", 100.0},
                       {"cycles", 800}, {"done_after_s", done}});
    s["synth"]["tiles"] = tiles;
    const auto md = report::render_flow_report(s).markdown;
    CHECK_THAT(md, Catch::Contains("## Whole first-layer tiles"));
    CHECK_THAT(md, Catch::Contains("| lookup | +0.10 | 4000000 |"));
    CHECK_THAT(md, Catch::Contains("| 0.50 |") && Catch::Contains("| 100 | 800 | 151 |") &&
                       Catch::Contains("| 100 | 800 | 204 |"));
  }

  SECTION("memory technology: each tile's rows as built, scaled and as the crossbar, beside the paper's figures") {
    json s = r;
    TechEfficiency e;
    e.technology = "standard-cell ROM (built)";
    e.area_mm2 = 2.5;
    e.fmax_mhz = 150;
    e.gops = 12.5;
    e.gops_per_mm2 = 5.0;
    e.gops_per_w = 21.75;
    TechEfficiency x = e;
    x.technology = "non-volatile crossbar (paper's model)";
    x.modelled = true;
    x.basis = "model: the bits as the paper's crossbar";
    json tile{{"name", "lookup"}, {"label", "lookup (16, 64)"}, {"area_um2", 2.5e6}, {"memory_um2", 1e6},
              {"logic_um2", 1.5e6}, {"energy_nj_per_inference", 10.0}, {"fmax_mhz", 150.0}, {"cycles", 800},
              {"efficiency", tech_efficiency_json({e, x}, TechScaling{}, "vectorless (0.1)")}};
    s["synth"]["tiles"] = json::array({tile});
    const auto rep = report::render_flow_report(s);
    CHECK_THAT(rep.markdown, Catch::Contains("## Memory technology (GOPS/s/mm2, GOPS/s/W)"));
    CHECK_THAT(rep.markdown, Catch::Contains("| lookup (16, 64) | standard-cell ROM (built) | 2.5000 | 150 |"));
    CHECK_THAT(rep.markdown, Catch::Contains("| 5.0 | 21.8 |") && Catch::Contains("| 1904.6 | 839.1 |"));
    CHECK_THAT(rep.markdown, Catch::Contains("x1/16") && Catch::Contains("model: the bits as the paper's crossbar") &&
                                 Catch::Contains("vectorless (0.1)"));
    CHECK_THAT(rep.html, Catch::Contains("Memory technology: GOPS/s per mm2 and per watt"));
  }

  SECTION("without a sweep or synthesis only the cycles plot remains") {
    json s = r;
    s.erase("sweep");
    s.erase("synth");
    s.erase("sweep_synth");
    CHECK(report::render_flow_report(s).plots == std::vector<std::string>{"fig-cycles"});
  }
  SECTION("whole tiles: the area section shows them with ratios to the 8-bit MAC tile") {
    json s = r;
    s["synth"]["tiles"] = r["sweep_synth"]["tiles"];
    const auto t = report::render_flow_report(s);
    CHECK_THAT(t.html, Catch::Contains("Area: whole first-layer tiles"));
    CHECK_THAT(t.markdown, Catch::Contains("| w4-u8-shared | +0.50 | 3000000 | 1500000 | 1500000 | 0.33 | 30.0 | 0.33 |"));
  }
  SECTION("synthesized tiles replace the block-built area estimate") {
    json s = r;
    s["synth"]["blocks"].push_back(block("tile", 300000, 150,
                                         json::array({{{"name", "s0.widx"}, {"bits", 1000}, {"area_um2", 100000.0},
                                                       {"synthesized", true}, {"crossbar_model_um2", 3.0}}})));
    s["synth"]["blocks"].push_back(block("mac-tile", 400000, 140,
                                         json::array({{{"name", "weights"}, {"bits", 4000}, {"area_um2", 0.0},
                                                       {"synthesized", false}, {"crossbar_model_um2", 12.0}}})));
    const auto t = report::render_flow_report(s);
    CHECK_THAT(t.html, Catch::Contains("Area: lookup tile and multiply-accumulate tile"));
    CHECK_THAT(t.html, Catch::Contains("memories (ROM logic)") && Catch::Contains("memories (crossbar)"));
    // The lookup tile's logic is its area without the synthesized memory.
    CHECK_THAT(t.html, Catch::Contains("<title>logic: 200k um2</title>"));
  }
}

TEST_CASE("plot axes: nice ticks and compact numbers", "[report]") {
  const std::string bars = report::svg_bars("b", "t", "c", {"x", "y"}, {{"s", {1.5e6, 0.7e6}}}, "um2");
  CHECK_THAT(bars, Catch::Contains(">1.5M<") && Catch::Contains(">500k<"));
  const std::string sc = report::svg_scatter("s", "t", "c", {{0.5, 0.2, "a"}, {2.0, 3.0, "b"}}, "x", "y", true);
  CHECK_THAT(sc, Catch::Contains(">0.1<") && Catch::Contains(">10<"));
  CHECK(report::escape_xml("a<b & \"c\">") == "a&lt;b &amp; &quot;c&quot;&gt;");
}
