// Synthesis estimates: Yosys and OpenSTA figures per block, the lookup neuron against the
// multiply-accumulate baseline, and missing tools or liberty files rejected clearly.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <nlohmann/json.hpp>

#include "composer/artifact.h"
#include "generator/design_record.h"
#include "core/fileio.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"
#include "rtl_support.h"
#include "core/process.h"
#include "synth/efficiency.h"
#include "synth/synth.h"
#include "synth/synth_netlist.h"
#include "synth/synth_rom.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

bool tools_present() {
  return !find_program("yosys").empty() && !find_program("sta").empty() && fs::exists(SynthOptions{}.liberty);
}

struct Small {
  std::string dir;
  ComposedNetwork cn;
  RtlPlan plan;
};

Small small_design(int w, int u, int lanes, CodebookMethod method = CodebookMethod::Optimal,
                   AccumulateForm form = AccumulateForm::Direct) {
  Network net = test::small_mlp(6, 4);
  Small s;
  s.dir = test::temp_dir(fmt::format("synth-{}-{}-{}-{}", w, u, to_string(method), to_string(form)));
  s.cn = test::compose_case(net, test::random_images(net.input_shape, 40, 3, 4), w, u, 8, method);
  RtlOptions opt;
  opt.lanes = lanes;
  opt.accumulate = form;
  s.plan = plan_rtl(s.cn, opt, "small");
  write_artifact(s.cn, s.dir + "/art");
  emit_rtl(s.plan, s.dir + "/rtl");
  return s;
}

}  // namespace

TEST_CASE("every block synthesizes, maps to osu018 and is timed, and the (4, 4) lookup neuron is smaller than the "
          "multiply-accumulate neuron",
          "[synth]") {
  if (!tools_present()) SKIP_WITH("yosys, opensta or qflow-tech-osu018 is not installed");
  const Small s = small_design(4, 4, 4);
  SynthOptions opt;
  opt.blocks = parse_blocks({"rna", "mac", "ndcam", "controller", "tile", "top", "mac-tile"}, "test");
  const auto reports = synth_blocks(s.plan, s.dir + "/rtl", opt);
  REQUIRE(reports.size() == 7);
  for (const auto& r : reports) {
    INFO(r.block);
    CHECK(r.area_um2 > 0);
    CHECK(r.cells > 0);
    CHECK(r.transistors > 0);
    CHECK(r.critical_ns > 0);
    CHECK(r.fmax_mhz == Approx(1000.0 / r.critical_ns));
  }
  CHECK(reports[0].memory_bits == 4 * 4 * 16);  // one 4 x 4 table of 16-bit products
  CHECK(reports[0].crossbar_model_um2 == Approx(256 * kCrossbarUm2PerBit));
  CHECK(reports[1].memory_bits == 0);
  CHECK(reports[0].area_um2 < reports[1].area_um2);
  CHECK(reports[0].transistors < reports[1].transistors);
  CHECK(reports[4].area_um2 > reports[0].area_um2);  // a tile holds RNAs
  // The tile's memories are synthesized apart and add up to its table memories; the top holds
  // every tile's memories and the input encoder's.
  const auto& tile = reports[4];
  REQUIRE(tile.memories.size() == 3);
  const RtlStage& t0 = s.plan.stages[0];
  CHECK(tile.memories[0].name == "s0.widx");
  CHECK(tile.memories[0].bits == static_cast<std::int64_t>(t0.groups) * t0.beats * t0.widx.width);
  double mem_area = 0;
  for (const auto& m : tile.memories) {
    INFO(m.name);
    CHECK(m.area_um2 >= 0);
    CHECK(m.bits == m.depth * m.width);
    mem_area += m.area_um2;
  }
  CHECK(tile.area_um2 > mem_area);
  CHECK(reports[5].memories.size() == 1 + 3 * 2);  // input encoder + two weighted layers
  for (const auto& r : reports) {
    INFO(r.block);
    CHECK(r.power_mw > 0);
    CHECK(r.energy_pj_per_cycle == Approx(r.power_mw * opt.period_ns));
  }
  // The baseline tile: the same controller with MAC neurons; its 8-bit weight memory is reported
  // by bits (8 per weight against the lookup tile's index bits), not synthesized.
  const auto& mt = reports[6];
  CHECK(mt.block == "mac-tile");
  REQUIRE(mt.memories.size() == 3);
  CHECK(mt.memories[0].name == "s0.taps");
  CHECK(mt.memories[1].name == "weights");
  CHECK_FALSE(mt.memories[1].synthesized);
  CHECK(mt.memories[1].bits == static_cast<std::int64_t>(t0.groups) * t0.beats * t0.rnas * t0.lanes * 8);
  CHECK(mt.memories[1].bits * t0.wiw == tile.memories[0].bits * 8);  // 8-bit weights against wiw-bit indices
  // Vectorless power grows with the input activity.
  SynthOptions busy = opt;
  busy.blocks = {BlockKind::Mac};
  busy.input_activity = 0.4;
  busy.work_dir = s.dir + "/busy";
  CHECK(synth_blocks(s.plan, s.dir + "/rtl", busy)[0].power_mw > reports[1].power_mw);
}

TEST_CASE("synth: a missing tool or an unreadable liberty is named, exit 2", "[synth][cli]") {
  const Small s = small_design(4, 4, 2);
  auto r = test::run_cli("synth -c " + s.dir + "/art -r " + s.dir + "/rtl --liberty " + s.dir + "/none.lib");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("none.lib: cannot read a liberty library"));
  write_file_atomic(s.dir + "/garbage.lib", "this is not a liberty file\n");
  r = test::run_cli("synth -c " + s.dir + "/art -r " + s.dir + "/rtl --liberty " + s.dir + "/garbage.lib");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("garbage.lib"));
  const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", (s.dir + "/empty-bin").c_str(), 1);
  r = test::run_cli("synth -c " + s.dir + "/art -r " + s.dir + "/rtl");
  ::setenv("PATH", path.c_str(), 1);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("install the Debian package yosys"));
}

TEST_CASE("synth --stage picks a layer's tile, and a stage without one is named with the tiles there are, exit 2",
          "[synth][cli]") {
  const Small s = small_design(4, 4, 2);
  const RtlStage& last = s.plan.stages.back();
  REQUIRE(last.stage != first_tile(s.plan).stage);
  const BlockSet set = plan_blocks(s.plan, {BlockKind::Rna, BlockKind::Tile}, {}, last.stage);
  REQUIRE(set.blocks.size() == 2);
  CHECK_THAT(set.blocks[0].description, Catch::Contains("'" + last.name + "'"));
  CHECK_THAT(set.blocks[1].description, Catch::Contains("'" + last.name + "'"));
  for (const auto& m : set.memories) CHECK(m.name.rfind(fmt::format("tile.s{}.", last.stage), 0) == 0);
  CHECK_THROWS_WITH(tile_of(s.plan, 99), Catch::Contains("--stage") && Catch::Contains("99 is not a stage with a tile") &&
                                             Catch::Contains(fmt::format("{} '{}'", last.stage, last.name)));
  if (!tools_present()) SKIP_WITH("yosys, opensta or qflow-tech-osu018 is not installed");
  const auto r = test::run_cli("synth -c " + s.dir + "/art -r " + s.dir + "/rtl --block rna --stage 99");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("--stage: 99 is not a stage with a tile"));
}

TEST_CASE("synth: the report's total is the sum of the lookup blocks, the baseline apart", "[synth][cli]") {
  if (!tools_present()) SKIP_WITH("yosys, opensta or qflow-tech-osu018 is not installed");
  const Small s = small_design(4, 4, 2);
  auto r = test::run_cli("synth -c " + s.dir + "/art -r " + s.dir + "/rtl --block rna,ndcam,mac --json " + s.dir +
                         "/report.json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(read_file(s.dir + "/report.json"));
  std::map<std::string, nlohmann::json> b;
  for (const auto& x : j.at("blocks")) b[x.at("block").get<std::string>()] = x;
  REQUIRE(b.count("total"));
  CHECK(b["total"].at("area_um2").get<double>() ==
        Approx(b["rna"].at("area_um2").get<double>() + b["ndcam"].at("area_um2").get<double>()));
  CHECK(b["total"].at("cells") == b["rna"].at("cells").get<std::int64_t>() + b["ndcam"].at("cells").get<std::int64_t>());
  CHECK(j.at("lut_vs_mac").at("area_ratio").get<double>() ==
        Approx(b["rna"].at("area_um2").get<double>() / b["mac"].at("area_um2").get<double>()));
}

TEST_CASE("an RTL directory and the artifact it was emitted from are matched by fingerprint, and cosim and synth "
          "reject a mismatched pair with exit 2, naming both",
          "[synth][cosim][cli]") {
  const Small a = small_design(4, 4, 2), b = small_design(8, 8, 2);
  // The fingerprint survives writing and loading the artifact, and differs between artifacts.
  CHECK(artifact_fingerprint(load_artifact(a.dir + "/art")) == a.plan.artifact_fingerprint);
  CHECK(a.plan.artifact_fingerprint != b.plan.artifact_fingerprint);
  const auto design = nlohmann::json::parse(read_file(a.dir + "/rtl/design.json"));
  CHECK(design.at("artifact").at("fingerprint") == a.plan.artifact_fingerprint);
  CHECK(design.at("plan").at("lanes") == 2);
  CHECK_NOTHROW(load_design(a.cn, a.dir + "/art", a.dir + "/rtl"));
  CHECK_THROWS_WITH(load_design(a.cn, a.dir + "/art", b.dir + "/rtl"),
                    Catch::Contains(b.dir + "/rtl") && Catch::Contains(a.dir + "/art"));
  const std::vector<std::string> cmds{"cosim -d " + a.dir + "/none.csv", "synth --block mac"};
  for (const auto& cmd : cmds) {
    const auto r = test::run_cli(cmd + " -c " + a.dir + "/art -r " + b.dir + "/rtl");
    INFO(cmd << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("emitted from another artifact") && Catch::Contains(a.dir + "/art") &&
                             Catch::Contains(b.dir + "/rtl"));
  }
  CHECK_FALSE(fs::exists(b.dir + "/rtl.synth"));
}

// Evaluates the compiler's BLIF (2:1 multiplexer nodes, constants, output buffers) at one address.
std::vector<int> eval_rom_blif(const std::string& blif, int addr_bits, std::int64_t addr, std::int64_t outputs) {
  std::map<std::string, int> v;
  for (int a = 0; a < addr_bits; ++a) v[fmt::format("a{}", a)] = static_cast<int>((addr >> a) & 1);
  v["n0"] = 0;
  v["n1"] = 1;
  std::istringstream in(blif);
  std::vector<int> out(static_cast<std::size_t>(outputs), -1);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string kw;
    ls >> kw;
    if (kw != ".names") continue;
    std::vector<std::string> n;
    for (std::string t; ls >> t;) n.push_back(t);
    if (n.size() == 4) v[n[3]] = v.at(n[0]) ? v.at(n[2]) : v.at(n[1]);  // "01- 1", "1-1 1": sel ? hi : lo
    else if (n.size() == 2) out[static_cast<std::size_t>(std::stoll(n[1].substr(1)))] = v.at(n[0]);
  }
  return out;
}

TEST_CASE("the ROM compiler's decision diagram is the image, bit for bit, at every address", "[synth]") {
  std::mt19937_64 rng(5);
  for (const auto& [depth, width] : {std::pair<std::int64_t, std::int64_t>{1, 3}, {5, 7}, {16, 4}, {37, 70}}) {
    std::vector<std::vector<std::uint8_t>> words(static_cast<std::size_t>(depth));
    for (auto& wd : words) {
      wd.resize(static_cast<std::size_t>(width));
      for (auto& b : wd) b = static_cast<std::uint8_t>(rng() & 1);
    }
    const int ab = clog2(depth);
    std::int64_t nodes = 0;
    for (const auto& [lo, hi] : {std::pair<std::int64_t, std::int64_t>{0, width}, {width / 2, width}}) {
      const std::string blif = rom_blif(words, ab, lo, hi, "m", &nodes);
      INFO("depth " << depth << " width " << width << " columns " << lo << ".." << hi);
      CHECK(nodes <= depth * (hi - lo));
      for (std::int64_t a = 0; a < depth; ++a) {
        const auto got = eval_rom_blif(blif, ab, a, hi - lo);
        for (std::int64_t c = lo; c < hi; ++c) REQUIRE(got[static_cast<std::size_t>(c - lo)] == words[static_cast<std::size_t>(a)][static_cast<std::size_t>(c)]);
      }
    }
  }
  // Identical columns share every node: a second copy of a column adds no multiplexer.
  std::vector<std::vector<std::uint8_t>> twins(64, std::vector<std::uint8_t>(2));
  for (auto& wd : twins) wd[0] = wd[1] = static_cast<std::uint8_t>(rng() & 1);
  std::int64_t one = 0, two = 0;
  rom_blif(twins, 6, 0, 1, "m", &one);
  rom_blif(twins, 6, 0, 2, "m", &two);
  CHECK(one == two);
}

TEST_CASE("a hierarchical mapped netlist flattened for OpenSTA is the same circuit, its fanout buffered", "[synth]") {
  if (!tools_present()) SKIP_WITH("yosys, opensta or qflow-tech-osu018 is not installed");
  // A module used 24 times, one net (s) driving all of them, feedthroughs inside and at the top,
  // a constant output, two instances with an input tied to 0 or 1: mapped module by module,
  // flattened by write_flat_netlist, then proved equivalent to the RTL by Yosys (equiv_simple on
  // the liberty cells' functions), with the tie ports made the constants they stand for.
  const fs::path dir = test::temp_dir("flat-netlist");
  write_file_atomic(dir / "gold.v", R"(module sub (input wire [1:0] x_i, input wire s_i, output wire o_i, output wire [1:0] pass_o);
  assign o_i = (x_i[0] & s_i) | (x_i[1] ^ s_i);
  assign pass_o = x_i;
endmodule
module top (input wire [7:0] a_i, input wire [7:0] b_i, output wire [23:0] y_o, output wire [1:0] p_o,
            output wire feed_o, output wire zero_o);
  wire s = a_i[0] ^ b_i[0];
  genvar k;
  generate for (k = 0; k < 24; k = k + 1) begin : g
    wire [1:0] pass;
    sub u (.x_i({a_i[k % 8], k == 7 ? 1'b0 : k == 9 ? 1'b1 : b_i[(k + 3) % 8]}), .s_i(s), .o_i(y_o[k]), .pass_o(pass));
    if (k == 5) begin : g_p
      assign p_o = pass;
    end
  end endgenerate
  assign feed_o = a_i[3];
  assign zero_o = 1'b0;
endmodule
)");
  const std::string lib = SynthOptions{}.liberty;
  const auto yosys = [&](const std::string& script) {
    const ProcessResult r = run_process({"yosys", "-q", "-p", script}, dir.string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
  };
  yosys(fmt::format("read_verilog gold.v; synth -noabc -top top; dfflibmap -liberty {0}; abc -liberty {0}; opt_clean -purge; "
                    "write_json net.json",
                    lib));
  FanoutRepair repair;
  repair.liberty = lib;
  repair.max_fanout = 4;
  const FlatNetlistStats st = write_flat_netlist(dir / "net.json", "top", dir / "flat.v", repair);
  CHECK(st.black_boxes == 0);
  CHECK(st.buffers >= 6);  // s drives 24 instances: at least 6 buffers of 4 loads
  CHECK(st.buffer_area_um2 > 0);
  const std::string flat = read_file(dir / "flat.v");
  CHECK(flat.find("DO NOT EDIT") != std::string::npos);
  CHECK(flat.find("module top (") != std::string::npos);
  // Constant cell pins come through tie ports (the Debian OpenSTA's power analysis crashes on them).
  CHECK(flat.find("input rnn_tie0;") != std::string::npos);
  CHECK(flat.find("input rnn_tie1;") != std::string::npos);
  CHECK(flat.find("(1'b") == std::string::npos);
  // Deterministic: the same JSON, the same bytes.
  write_flat_netlist(dir / "net.json", "top", dir / "flat2.v", repair);
  CHECK(read_file(dir / "flat2.v") == flat);
  std::string gate = flat;
  for (const char* v : {"0", "1"}) {
    const std::string port = fmt::format("rnn_tie{}", v);
    gate.replace(gate.find(", " + port), port.size() + 2, "");
    const std::string decl = fmt::format("  input {};", port);
    gate.replace(gate.find(decl), decl.size(), fmt::format("  wire {} = 1'b{};", port, v));
  }
  write_file_atomic(dir / "gate.v", gate);
  yosys(fmt::format("read_verilog gold.v; synth -flatten -top top; rename top gold; design -stash gold; "
                    "read_liberty {}; read_verilog gate.v; hierarchy -top top; flatten; rename top gate; design -stash gate; "
                    "design -copy-from gold -as gold gold; design -copy-from gate -as gate gate; "
                    "equiv_make gold gate equiv; hierarchy -top equiv; equiv_simple; equiv_status -assert",
                    lib));
  // A netlist that is not one is named.
  write_file_atomic(dir / "bad.json", "{\"modules\": ");
  CHECK_THROWS_WITH(write_flat_netlist(dir / "bad.json", "top", dir / "bad.v", repair),
                    Catch::Contains("bad.json") && Catch::Contains("not a Yosys JSON netlist"));
  CHECK_FALSE(fs::exists(dir / "bad.v"));
  CHECK_THROWS_WITH(write_flat_netlist(dir / "net.json", "nope", dir / "bad.v", repair), Catch::Contains("no module 'nope'"));
}

TEST_CASE("uniform codebooks: evenly spaced levels, integer products, and a MAC tile on the design's own memories",
          "[synth]") {
  const auto lv = uniform_levels(-0.5, 0.3, 3);  // signed: k = -4..3, delta = 0.5 / 3
  REQUIRE(lv.size() == 8);
  CHECK(lv.front() == Approx(-4 * 0.5 / 3));
  CHECK(lv.back() == Approx(3 * 0.5 / 3));
  const auto lu = uniform_levels(0.0, 2.0, 2);  // unsigned: k = 0..3, delta = 2 / 3
  CHECK(lu == std::vector<double>{0.0, 2.0 / 3, 4.0 / 3, 2.0});
  if (!tools_present()) SKIP_WITH("yosys, opensta or qflow-tech-osu018 is not installed");
  const Small s = small_design(16, 8, 4, CodebookMethod::Uniform);
  REQUIRE(s.plan.uniform);
  // Every product of the first (Dense) layer is k_w * k_x: the weight level times the input level.
  const Stage& st = s.cn.stages[1].weighted() ? s.cn.stages[1] : s.cn.stages[0];
  for (int wi = 0; wi < st.w; ++wi)
    for (int xi = 0; xi < st.u; ++xi)
      CHECK(st.product[static_cast<std::size_t>(wi * st.u + xi)] == (wi - st.w / 2) * (xi - (st.input_codebook.front() < 0 ? st.u / 2 : 0)));
  SynthOptions opt;
  opt.blocks = {BlockKind::Tile, BlockKind::MacTile};
  const auto r = synth_blocks(s.plan, s.dir + "/rtl", opt);
  REQUIRE(r.size() == 2);
  const auto& mt = r[1];
  REQUIRE(mt.memories.size() == 3);  // weights (the weight indices), biases, taps: all synthesized
  for (const auto& m : mt.memories) {
    INFO(m.name);
    CHECK(m.synthesized);
    CHECK(m.area_um2 >= 0);  // a one-word memory is constants: no cells
  }
  CHECK(mt.memories[0].area_um2 > 0);
  CHECK(mt.memories[0].bits == r[0].memories[0].bits);  // the same weight memory as the lookup tile
  CHECK_THAT(mt.description, Catch::Contains("4-bit x 3-bit"));
}

TEST_CASE("synth prints and records each tile's efficiency per memory technology, and refuses activity on a MAC tile of a "
          "non-uniform design is refused before any synthesis", "[synth][cli]") {
  if (!tools_present()) SKIP_WITH("yosys, opensta or qflow-tech-osu018 is not installed");
  const Small s = small_design(4, 4, 2);
  const std::string args = "synth -c " + s.dir + "/art -r " + s.dir + "/rtl";
  auto r = test::run_cli(args + " --block tile,mac-tile --activity-images 3 --json " + s.dir + "/refused.json");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("--block") && Catch::Contains("uniform"));
  CHECK(!fs::exists(s.dir + "/rtl.synth"));
  r = test::run_cli(args + " --block tile,mac-tile --json " + s.dir + "/eff.json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("GOPS/s/mm2") && Catch::Contains("non-volatile crossbar (paper's model)") &&
                           Catch::Contains("1904.6"));
  const auto j = nlohmann::json::parse(read_file(s.dir + "/eff.json"));
  for (const char* b : {"tile", "mac-tile"}) {
    INFO(b);
    const auto& e = j.at("efficiency").at(b);
    REQUIRE(e.at("rows").size() == 3);
    double area = 0;
    for (const auto& x : j.at("blocks"))
      if (x.at("block") == b) area = x.at("area_um2").get<double>();
    CHECK(e.at("rows")[0].at("area_mm2").get<double>() == Approx(area / 1e6));
    CHECK(e.at("rows")[1].at("scaled").get<bool>());
    CHECK(e.at("rows")[2].at("modelled").get<bool>());
    CHECK(e.at("rows")[0].at("gops_per_mm2").get<double>() > 0);
    CHECK(e.at("rows")[0].at("ops_per_inference").get<double>() == Approx(2.0 * 6 * 16));  // 2 x units x fan-in
  }
}

TEST_CASE("efficiency per memory technology: operations, GOPS/s per mm2 and per watt, the 45 nm scaling stated", "[synth]") {
  RtlStage t;
  t.name = "fc";
  t.units = 32;
  t.fan_in = 784;
  t.positions = 1;
  t.cycles = 1000;
  BlockReport b;
  b.block = "tile";
  b.area_um2 = 2.0e6;  // 2 mm2, of which 1.5 mm2 memories
  b.fmax_mhz = 100.0;
  b.critical_ns = 10.0;
  b.logic_critical_ns = 5.0;  // the memories set the built clock
  b.energy_pj_per_cycle = 50.0;
  MemoryReport m;
  m.bits = 1024 * 1024;
  m.area_um2 = 1.5e6;
  m.power_mw = 0.3;  // x 100 ns = 30 pJ per cycle of the 50
  b.memories.push_back(m);
  const TilePower p = vectorless_power(b, 0.1, 100.0);
  CHECK(p.memories_pj_per_cycle == Approx(30.0));
  CHECK(p.logic_pj_per_cycle == Approx(20.0));
  CHECK(tile_ops_per_inference(t) == Approx(2.0 * 32 * 784));
  const TechScaling s;
  CHECK(1.0 / s.area() == Approx(16.0));
  CHECK(s.energy() == Approx(0.25 * (1.1 / 1.8) * (1.1 / 1.8)));
  CHECK_THAT(s.describe(), Catch::Contains("180 nm -> 45 nm") && Catch::Contains("x1/16"));
  const auto rows = memory_technologies(b, t, p, s);
  REQUIRE(rows.size() == 3);
  // Built: 50,176 ops in 1000 cycles at 100 MHz (10 us): 5.0176 GOPS/s over 2 mm2; 50 nJ per inference.
  CHECK(rows[0].gops == Approx(5.0176));
  CHECK(rows[0].gops_per_mm2 == Approx(5.0176 / 2.0));
  CHECK(rows[0].energy_nj_per_inference == Approx(50.0));
  CHECK(rows[0].gops_per_w == Approx(50176.0 / 50.0));
  CHECK(rows[0].power_mw == Approx(5.0));  // 50 nJ in 10 us
  CHECK_FALSE(rows[0].scaled);
  // Scaled: x4 clock over 1/16 the area = x64 per mm2; energy x1/10.7.
  CHECK(rows[1].scaled);
  CHECK(rows[1].gops_per_mm2 == Approx(rows[0].gops_per_mm2 * 64.0));
  CHECK(rows[1].gops_per_w == Approx(rows[0].gops_per_w / s.energy()));
  CHECK_THAT(rows[1].basis, Catch::Contains("scaled, not measured"));
  // Crossbar: logic 0.5 mm2 / 16 + 1 Mbit at 3136 um2; clocked by the logic's 5 ns path, x4.
  CHECK(rows[2].modelled);
  CHECK(rows[2].area_mm2 == Approx(0.5 / 16.0 + 3136e-6));
  CHECK(rows[2].fmax_mhz == Approx(800.0));
  const double us = 1000.0 / 800.0;
  CHECK(rows[2].energy_nj_per_inference == Approx(20.0 * s.energy() + 3.7 * us));
  const auto j = tech_efficiency_json(rows, s, p.source);
  CHECK(j.at("paper").at("gops_per_mm2").get<double>() == Approx(1904.6));
  CHECK(j.at("rows").size() == 3);
  CHECK_THAT(j.at("operation").get<std::string>(), Catch::Contains("one multiply or one add"));
}
