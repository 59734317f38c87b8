// Gate-level co-simulation: liberty-derived cell models proved against the vendor's, a whole
// design's mapped netlist bit-exact against the RTL and the golden model, an altered cell caught
// and located.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "composer/compose.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"
#include "rtl_support.h"
#include "support.h"
#include "synth/gate_cells.h"
#include "synth/gatesim.h"
#include "synth/synth.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

const std::string kLiberty = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";
const std::string kVendorModels = "/usr/share/qflow/tech/osu018/osu018_stdcells.v";

bool have(const char* tool) { return !find_program(tool).empty(); }

const char* missing_tools() {
  for (const char* t : {"verilator", "iverilog", "yosys", "sta"})
    if (!have(t)) return t;
  if (!fs::exists(kLiberty) || !fs::exists(kVendorModels)) return "qflow-tech-osu018";
  return nullptr;
}

// Flips a cell's function while keeping its pins (what a wrong library cell or a mapping bug would do).
const std::map<std::string, std::string> kOpposite{
    {"NAND2X1", "NOR2X1"}, {"NOR2X1", "NAND2X1"}, {"AOI21X1", "OAI21X1"}, {"OAI21X1", "AOI21X1"},
    {"AOI22X1", "OAI22X1"}, {"OAI22X1", "AOI22X1"}, {"XOR2X1", "XNOR2X1"}, {"XNOR2X1", "XOR2X1"},
    {"AND2X2", "OR2X2"},   {"OR2X2", "AND2X2"},   {"NAND3X1", "NOR3X1"}, {"NOR3X1", "NAND3X1"}};

// Writes `out`: `netlist` with the cell that drives the D input of the first accumulator
// flip-flop of layer 0 (by the register map) given the opposite function. Returns the cell's name.
std::string alter_accumulator_cell(const fs::path& netlist, const fs::path& registers, const fs::path& out) {
  std::string text = read_file(netlist);
  std::istringstream regs(read_file(registers));
  for (std::string line; std::getline(regs, line);) {
    if (line.empty() || line[0] == '#' || line.find("u_s0.") == std::string::npos || line.find("acc_o[") == std::string::npos)
      continue;
    const std::string flop = line.substr(0, line.find('\t'));
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("\\b" + flop + " \\([^;]*\\.D\\(([^)]+)\\)"))) continue;
    const std::string d = m[1].str();
    std::smatch c;
    if (!std::regex_search(text, c, std::regex("\n  ([A-Z0-9]+) (c[0-9]+) \\([^;\n]*\\.Y\\(" + d + "\\)\\);"))) continue;
    const auto swap = kOpposite.find(c[1].str());
    if (swap == kOpposite.end()) continue;
    const auto at = static_cast<std::size_t>(c.position(1));
    text.replace(at, c[1].length(), swap->second);
    write_file_atomic(out, text);
    return c[2].str();
  }
  FAIL("no accumulator flip-flop of layer 0 has a D driver with an opposite cell");
  return "";
}

}  // namespace

TEST_CASE("liberty functions become Verilog with the liberty's precedence", "[gatesim]") {
  CHECK(liberty_function_verilog("(!((A B)+C))") == "~((A & B) | C)");
  CHECK(liberty_function_verilog("A B+C") == "((A & B) | C)");
  CHECK(liberty_function_verilog("A*B|C&D") == "((A & B) | (C & D))");
  CHECK(liberty_function_verilog("!A^B") == "(~A ^ B)");
  CHECK(liberty_function_verilog("A' B") == "(~A & B)");
  CHECK(liberty_function_verilog("(A^B)^C") == "((A ^ B) ^ C)");
  CHECK(liberty_function_verilog("1") == "1'b1");
  CHECK_THROWS_WITH(liberty_function_verilog("(A+B"), Catch::Contains("missing ')'"));
  CHECK_THROWS_WITH(liberty_function_verilog("A+"), Catch::Contains("ends early"));
}

TEST_CASE("cell models derived from the osu018 liberty behave as the vendor's models, and a wrong one is caught", "[gatesim]") {
  if (const char* t = missing_tools()) SKIP_WITH(std::string(t) + " is not installed");
  std::vector<LibertyCell> lib = read_liberty_cells(kLiberty);
  std::set<std::string> cells;
  for (const auto& c : lib)
    if (!c.unsupported) cells.insert(c.name);
  CHECK(cells.count("DFFSR") == 1);
  CHECK(cells.count("FAX1") == 1);
  CHECK(cells.count("LATCH") == 0);  // a latch group: not modelled
  const std::string dir = test::temp_dir("gatesim-cells");
  const auto proof = prove_cell_models(lib, cells, kLiberty, kVendorModels, dir);
  CHECK(proof.size() == cells.size());
  for (const auto& line : proof) CHECK_THAT(line, Catch::Contains("input vectors") || Catch::Contains("known outputs compared"));

  // A NAND2X1 modelled as a NOR, and a flip-flop whose clear wins over its preset the wrong way.
  for (auto& c : lib)
    if (c.name == "NAND2X1") c.outputs[0].second = "(!(A+B))";
  CHECK_THROWS_WITH(prove_cell_models(lib, {"NAND2X1"}, kLiberty, kVendorModels, dir),
                    Catch::Contains("NAND2X1") && Catch::Contains("differs"));
  for (auto& c : lib)
    if (c.name == "DFFSR") c.next_state = "(!D)";
  CHECK_THROWS_WITH(prove_cell_models(lib, {"DFFSR"}, kLiberty, kVendorModels, dir), Catch::Contains("DFFSR"));
  CHECK_THROWS_WITH(cell_models_verilog(lib, {"NOPE"}, "", kLiberty), Catch::Contains("no cell 'NOPE'"));
  CHECK_THROWS_WITH(cell_models_verilog(lib, {"LATCH"}, "", kLiberty), Catch::Contains("LATCH cannot be simulated"));
}

TEST_CASE("a small design's mapped netlist is bit-exact against the RTL and the golden model, and an altered cell is "
          "caught and located",
          "[gatesim]") {
  if (const char* t = missing_tools()) SKIP_WITH(std::string(t) + " is not installed");
  Network net;
  net.input_shape = {12};
  net.layers.push_back(make_dense("fc", 12, 6, ActKind::ReLU));
  net.layers.push_back(make_dense("out", 6, 3));
  net = test::random_network(net, 7);
  const Dataset calib = test::random_images(net.input_shape, 100, 3, 8);
  const ComposedNetwork cn = test::compose_case(net, calib, 4, 4, 8);
  RtlOptions ro;
  ro.lanes = 4;
  const RtlPlan plan = plan_rtl(cn, ro, "gl-small");
  const std::string dir = test::temp_dir("gatesim-small");
  const std::string rtl = dir + "/rtl";
  emit_rtl(plan, rtl);
  const Dataset d = test::random_images(net.input_shape, 30, 3, 9);
  const auto raw = raw_features(d, cn.input.raw_bits);

  GateSimOptions opt;
  CHECK_THROWS_WITH(run_gatesim(cn, plan, rtl, raw, d.size(), opt), Catch::Contains("no netlist of the top") &&
                                                                         Catch::Contains("rapidnn synth"));
  SynthOptions so;
  so.blocks = {BlockKind::Top};
  synth_blocks(plan, rtl, so);
  const GateSimResult r = run_gatesim(cn, plan, rtl, raw, d.size(), opt);
  INFO(r.mismatch);
  REQUIRE(r.ok);
  CHECK(r.samples == 30);
  CHECK(r.flops > 0);
  CHECK(r.compared_flops == r.flops);  // every flip-flop has its RTL name
  CHECK(r.compared_outputs > 0);
  CHECK(r.memories > 0);
  CHECK_FALSE(r.proof.empty());
  CHECK(r.cycles > 30 * 12);
  CHECK(run_gatesim(cn, plan, rtl, raw, d.size(), opt).cached_build);

  const fs::path synth = rtl + ".synth";
  const std::string altered = alter_accumulator_cell(synth / "top" / "netlist.v", synth / "top" / "registers.tsv",
                                                     dir + "/altered.v");
  GateSimOptions bad = opt;
  bad.netlist = dir + "/altered.v";
  bad.build_dir = dir + "/altered-build";
  const GateSimResult a = run_gatesim(cn, plan, rtl, raw, d.size(), bad);
  CHECK_FALSE(a.ok);
  CHECK_THAT(a.mismatch, Catch::Contains("MISMATCH gate-level netlist") && Catch::Contains("cycle") &&
                             Catch::Contains("u_s0.") && Catch::Contains("got") && Catch::Contains("expected"));
  REQUIRE_FALSE(a.diverging.empty());
  REQUIRE_FALSE(a.suspects.empty());
  // The altered cell is among the three nearest candidates (the differing flip-flop itself first).
  bool located = false;
  for (std::size_t i = 0; i < a.suspects.size() && i < 3; ++i) located = located || a.suspects[i].rfind(altered + " ", 0) == 0;
  INFO(fmt::format("altered {}; suspects {}", altered, a.suspects.size()));
  CHECK(located);

  // A file that is not a netlist of this design is refused, naming it.
  write_file_atomic(dir + "/junk.v", "module other (a);\n  input a;\nendmodule\n");
  bad.netlist = dir + "/junk.v";
  CHECK_THROWS_WITH(run_gatesim(cn, plan, rtl, raw, d.size(), bad), Catch::Contains("junk.v") && Catch::Contains("not of this design"));
}

TEST_CASE("784-32-10 at (4, 4): the whole design's netlist over 50 Fashion-MNIST test images, bit-exact (rapidnn gatesim)",
          "[gatesim][cli]") {
  if (const char* t = missing_tools()) SKIP_WITH(std::string(t) + " is not installed");
  if (!test::fashion_mnist()) SKIP_WITH("Fashion-MNIST (Debian package dataset-fashion-mnist) is not installed");
  const std::string dir = test::temp_dir("gatesim-fmnist");
  const std::string model = std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-32-10.onnx";
  REQUIRE(test::run_cli(fmt::format("compose -m {} -d fashion-mnist --w 4 --u 4 -o {}/a", model, dir)).exit_code == 0);
  REQUIRE(test::run_cli(fmt::format("emit -c {0}/a -o {0}/r --lanes 4 --rna-share 4", dir)).exit_code == 0);
  const auto g = test::run_cli(fmt::format("gatesim -c {0}/a -r {0}/r -d fashion-mnist -n 50", dir));
  INFO(g.output);
  CHECK(g.exit_code == 0);
  CHECK_THAT(g.output, Catch::Contains("50 images bit-exact"));
  std::smatch m;
  REQUIRE(std::regex_search(g.output, m, std::regex(R"(every rising edge: ([0-9]+) of ([0-9]+) flip-flops)")));
  CHECK(m[1].str() == m[2].str());
  CHECK(std::stoi(m[1].str()) > 1000);
}
