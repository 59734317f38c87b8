// RTL generator: templates and generated designs lint clean (Verilator -Wall) and pass Yosys's
// structural checks (no latches, no combinational loops); emission is deterministic; bad input
// is rejected with a clear message and nothing written.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <sstream>

#include "composer/artifact.h"
#include "composer/levels.h"
#include "core/fileio.h"
#include "generator/design_record.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_blocks.h"
#include "generator/rtl_plan.h"
#include "rtl_support.h"
#include "core/process.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> files_of(const std::string& dir) {
  std::vector<std::string> out;
  std::istringstream in(read_file(fs::path(dir) / "files.f"));
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

ProcessResult lint(const std::string& dir, const std::string& top, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{"verilator", "--lint-only", "-Wall", "--top-module", top};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const auto& f : files_of(dir)) argv.push_back(f);
  return run_process(argv, dir);
}

ProcessResult yosys_check(const std::string& dir, const std::string& top) {
  std::string script = "read_verilog -defer";
  for (const auto& f : files_of(dir)) script += " " + f;
  script += "; hierarchy -check -top " + top +
            "; proc; select -assert-none t:$dlatch t:$adlatch t:$dlatchsr; check -assert";
  return run_process({"yosys", "-q", "-p", script}, dir);
}

struct Design {
  std::string dir;
  ComposedNetwork cn;
};

Design emit_case(const std::string& name, const Network& net, int w, int u, int q, const RtlOptions& opt) {
  const Dataset calib = test::random_images(net.input_shape, 40, static_cast<int>(net.num_classes()), 7);
  Design d{test::temp_dir(name) + "/rtl", test::compose_case(net, calib, w, u, q)};
  emit_rtl(plan_rtl(d.cn, opt, name), d.dir);
  return d;
}

// A design of codebook levels 2 to 4 (tree codebooks at (16, 16)).
Design emit_levels_case(const std::string& name, const Network& net, const RtlOptions& opt) {
  const Dataset calib = test::random_images(net.input_shape, 40, static_cast<int>(net.num_classes()), 7);
  ComposeConfig cfg;
  cfg.method = CodebookMethod::Tree;
  cfg.q = 16;
  const ComposerState st = prepare_composer(net, "random.onnx", calib, cfg, 16, 16);
  const CodebookSizes sizes = uniform_sizes(st, 16, 16);
  Design d{test::temp_dir(name) + "/rtl", assemble(st, sizes, 16)};
  add_coarser_levels(d.cn, st, sizes, 16, 2, name);
  emit_rtl(plan_rtl(d.cn, opt, name), d.dir);
  return d;
}

Network cnn_all_kinds() {
  Network net;
  net.input_shape = {2, 9, 9};
  net.layers.push_back(make_conv("c1", 2, 4, 3, 1, 1, ActKind::ReLU));
  net.layers.push_back(make_pool(LayerKind::MaxPool2D, "mp", 2, 2));
  net.layers.push_back(make_conv("c2", 4, 3, 3, 2, 1, ActKind::Tanh));
  net.layers.push_back(make_pool(LayerKind::AvgPool2D, "ap", 2, 1));
  net.layers.push_back(make_flatten("f"));
  net.layers.push_back(make_dense("fc", 3, 6, ActKind::Sigmoid));
  net.layers.push_back(make_dense("out", 6, 4));
  return test::random_network(net, 3);
}

}  // namespace

TEST_CASE("every template lints clean on its own under verilator -Wall", "[rtl]") {
  if (find_program("verilator").empty()) SKIP_WITH("verilator is not installed");
  const std::string dir = test::temp_dir("rtl-templates");
  std::string list;
  for (const auto& t : rtl_templates()) {
    write_file_atomic(fs::path(dir) / t.file, t.text);
    list += std::string(t.file) + "\n";
  }
  write_file_atomic(fs::path(dir) / "files.f", list);
  const std::vector<std::vector<std::string>> param_sets{
      {}, {"-DRAPIDNN_TRACE"}, {"-GL=3", "-GNT=3", "-GTW=2"}, {"-GMODE=1"}, {"-GMODE=2"}, {"-GWP=3", "-GRP=2", "-GPOS=2", "-GDEPTH=1100", "-GAW=11"}};
  for (const auto& t : rtl_templates()) {
    const std::string top = fs::path(t.file).stem().string();
    for (const auto& params : param_sets) {
      // A parameter set applies to the modules that have all of its parameters.
      bool applies = true;
      for (const auto& p : params) {
        const std::string name = p.rfind("-G", 0) == 0 ? p.substr(2, p.find('=') - 2) : "";
        applies &= name.empty() || std::string(t.text).find("parameter integer " + name + " ") != std::string::npos;
      }
      if (!applies) continue;
      const std::vector<std::string>& use = params;
      const auto r = lint(dir, top, use);
      INFO(top << " " << fmt::format("{}", fmt::join(use, " ")) << "\n" << r.output);
      CHECK(r.exit_code == 0);
      CHECK(r.output.find("%Warning") == std::string::npos);
    }
  }
}

TEST_CASE("generated designs lint clean and have no latches or combinational loops", "[rtl]") {
  if (find_program("verilator").empty() || find_program("yosys").empty()) SKIP_WITH("verilator or yosys is not installed");
  struct Config {
    std::string name;
    Network net;
    int w, u, q;
    RtlOptions opt;
  };
  RtlOptions direct, count, shared, rows;
  direct.lanes = 4;
  count.lanes = 3;  // does not divide the fan-ins: masked lanes
  count.accumulate = RtlAccumulate::Count;
  count.fused_am = true;
  shared.lanes = 8;
  shared.rna_share = 3;
  shared.fused_am = true;
  rows.lanes = 5;
  rows.rna_share = 2;
  rows.accumulate = RtlAccumulate::Shared;
  RtlOptions prog = direct, prog_fused = shared;  // tables written through the configuration port
  prog.programmable = prog_fused.programmable = true;
  const std::vector<Config> configs{
      {"mlp-direct", test::random_small_network(2), 8, 16, 16, direct},
      {"mlp-rows", test::random_small_network(3), 4, 16, 16, rows},
      {"cnn-rows", cnn_all_kinds(), 8, 4, 8, rows},
      {"cnn-count-fused", cnn_all_kinds(), 4, 8, 8, count},
      {"cnn-shared", cnn_all_kinds(), 16, 4, 16, shared},
      {"cnn-direct", cnn_all_kinds(), 2, 2, 4, direct},
      {"residual-direct", test::random_residual_network(5), 8, 8, 16, direct},
      {"residual-rows", test::random_residual_network(6), 4, 8, 8, rows},
      {"residual-count-fused", test::random_residual_network(7), 4, 4, 8, count},
      {"cnn-programmable", cnn_all_kinds(), 4, 8, 8, prog},
      {"residual-programmable-fused", test::random_residual_network(8), 8, 8, 16, prog_fused},
  };
  int joins = 0;  // residual sums and concatenations among the designs
  for (const auto& c : configs) {
    for (const auto& l : c.net.layers) joins += l.kind == LayerKind::Concat ? 100 : l.kind == LayerKind::Add;
    const Design d = emit_case("rtl-" + c.name, c.net, c.w, c.u, c.q, c.opt);
    const auto l = lint(d.dir, "rapidnn_top");
    INFO(c.name << " lint\n" << l.output);
    CHECK(l.exit_code == 0);
    CHECK(l.output.find("%Warning") == std::string::npos);
    const auto lt = lint(d.dir, "rapidnn_top", {"-DRAPIDNN_TRACE"});
    CHECK(lt.exit_code == 0);
    const auto y = yosys_check(d.dir, "rapidnn_top");
    INFO(c.name << " yosys\n" << y.output);
    CHECK(y.exit_code == 0);
  }
  CHECK(joins % 100 > 0);
  CHECK(joins / 100 > 0);
}

TEST_CASE("emission is deterministic and marks generated files", "[rtl]") {
  RtlOptions opt;
  opt.lanes = 4;
  opt.rna_share = 2;
  const Network net = cnn_all_kinds();
  const Dataset calib = test::random_images(net.input_shape, 40, 4, 7);
  const ComposedNetwork cn = test::compose_case(net, calib, 4, 8, 8);
  const std::string dir = test::temp_dir("rtl-deterministic");
  emit_rtl(plan_rtl(cn, opt, "x"), dir + "/a");
  emit_rtl(plan_rtl(cn, opt, "x"), dir + "/b");
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir + "/a")) {
    const std::string name = e.path().filename().string();
    INFO(name);
    const std::string text = read_file(e.path());
    CHECK(text == read_file(dir + "/b/" + name));
    if (name.ends_with(".hex") || name == "rapidnn_top.v") CHECK(text.rfind("// generated by rapidnn", 0) == 0);
    CHECK(text.find("2026") == std::string::npos);  // no timestamps
    ++n;
  }
  CHECK(n > 20);
}

TEST_CASE("the plan: RNA sharing, lanes and cycles", "[rtl]") {
  const Network net = cnn_all_kinds();
  const Dataset calib = test::random_images(net.input_shape, 40, 4, 7);
  const ComposedNetwork cn = test::compose_case(net, calib, 4, 8, 8);
  RtlOptions opt;
  opt.lanes = 5;
  opt.rna_share = 3;
  const RtlPlan p = plan_rtl(cn, opt, "x");
  REQUIRE(p.stages.size() == 6);  // flatten has no hardware
  const RtlStage& c1 = p.stages[0];
  CHECK(c1.rnas == 2);    // 4 channels, 3 per RNA
  CHECK(c1.groups == 2);
  CHECK(c1.lanes == 5);
  CHECK(c1.beats == 4);   // fan-in 18
  CHECK(c1.cycles == 2 + 2 * 81 * (4 + 1));
  CHECK(p.stages[3].rnas == 1);  // average pooling: its channels share one RNA
  CHECK(p.stages[4].lanes == 3); // clamped to the fan-in
}

TEST_CASE("emit rejects bad input: clear message, exit 2, nothing written", "[rtl][cli]") {
  const Network net = test::random_small_network(5);
  const Dataset calib = test::random_images(net.input_shape, 40, static_cast<int>(net.num_classes()), 7);
  const ComposedNetwork cn = test::compose_case(net, calib, 4, 4, 8);
  const std::string dir = test::temp_dir("rtl-bad");
  write_artifact(cn, dir + "/art");
  std::int64_t max_fan = 0;
  for (const auto& s : cn.stages) max_fan = std::max(max_fan, s.fan_in);
  struct Bad {
    std::string args, message;
  };
  const std::vector<Bad> bad{
      {"-c " + dir + "/missing", "missing"},
      {"-c " + dir + "/art --lanes 0", "--lanes must be 1 to 65536 (taps per beat per RNA), not 0"},
      {"-c " + dir + "/art --lanes -3", "--lanes must be 1 to 65536 (taps per beat per RNA), not -3"},
      {"-c " + dir + "/art --rna-share 0", "--rna-share must be 1 to 16777216"},
      {"-c " + dir + "/art --lanes " + std::to_string(max_fan + 1), "is above every layer's fan-in"},
      {"-c " + dir + "/art --accumulate sideways", "sideways not in {direct,count,shared}"},
      {"-c " + dir + "/art --top 9bad", "is not a Verilog identifier"},
  };
  for (const auto& b : bad) {
    const auto r = test::run_cli("emit " + b.args + " -o " + dir + "/out");
    INFO(b.args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(b.message));
    CHECK_FALSE(fs::exists(dir + "/out"));
  }
  // A corrupt artifact, and one whose declared widths cannot hold its table values.
  fs::copy(dir + "/art", dir + "/corrupt", fs::copy_options::recursive);
  write_file_atomic(dir + "/corrupt/manifest.json", "{\"format\": \"rapidnn-artifact\", \"vers");
  auto r = test::run_cli("emit -c " + dir + "/corrupt -o " + dir + "/out");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("manifest.json"));
  CHECK_FALSE(fs::exists(dir + "/out"));
  fs::copy(dir + "/art", dir + "/narrow", fs::copy_options::recursive);
  std::string m = read_file(dir + "/narrow/manifest.json");
  REQUIRE(m.find("\"product_bits\": 16") != std::string::npos);
  for (std::size_t at; (at = m.find("\"product_bits\": 16")) != std::string::npos;) m.replace(at, 18, "\"product_bits\": 4");
  write_file_atomic(dir + "/narrow/manifest.json", m);
  r = test::run_cli("emit -c " + dir + "/narrow -o " + dir + "/out");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("does not fit product_bits"));
  CHECK_FALSE(fs::exists(dir + "/out"));
}

TEST_CASE("the synthesis wrappers of every block are generated from the plan and lint clean under verilator -Wall",
          "[rtl]") {
  if (find_program("verilator").empty()) SKIP_WITH("verilator is not installed");
  RtlOptions direct, count, rows;
  direct.lanes = 4;
  count.lanes = 3;
  count.accumulate = RtlAccumulate::Count;
  count.fused_am = true;
  rows.lanes = 5;
  rows.accumulate = RtlAccumulate::Shared;
  RtlOptions prog = direct;
  prog.programmable = true;
  const std::vector<std::pair<std::string, Design>> designs{
      {"mlp", emit_case("wrap-mlp", test::random_small_network(2), 8, 16, 16, direct)},
      {"cnn", emit_case("wrap-cnn", cnn_all_kinds(), 4, 8, 8, count)},
      {"mlp-rows", emit_case("wrap-mlp-rows", test::random_small_network(2), 4, 16, 16, rows)},
      {"cnn-levels", emit_levels_case("wrap-cnn-levels", cnn_all_kinds(), direct)},
      {"cnn-programmable", emit_case("wrap-cnn-prog", cnn_all_kinds(), 4, 8, 8, prog)}};
  const std::vector<BlockKind> all{BlockKind::Rna,  BlockKind::Ndcam, BlockKind::Controller, BlockKind::Tile,
                                   BlockKind::Top,  BlockKind::Mac,   BlockKind::MacTile};
  int linted = 0;
  for (const auto& [name, d] : designs) {
    const RtlPlan plan = load_design(d.cn, name, d.dir);
    const BlockSet set = plan_blocks(plan, all);
    std::vector<RtlBlock> blocks = set.blocks;
    blocks.insert(blocks.end(), set.memories.begin(), set.memories.end());
    for (const auto& b : blocks) {
      if (b.wrapper.empty()) continue;  // the tile and the top are the design's own modules
      const std::string dir = test::temp_dir("wrap-" + name + "-" + b.name);
      fs::copy(d.dir, dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
      std::vector<std::string> extra;
      for (const auto& t : b.templates) {
        write_file_atomic(fs::path(dir) / t, rtl_template_text(t));
        extra.push_back(t);
      }
      write_file_atomic(fs::path(dir) / (b.module + ".v"), b.wrapper);
      extra.push_back(b.module + ".v");
      const auto r = lint(dir, b.module, extra);
      INFO(name << " " << b.name << "\n" << b.wrapper << "\n" << r.output);
      CHECK(r.exit_code == 0);
      CHECK(r.output.find("%Warning") == std::string::npos);
      CHECK_THAT(b.wrapper, Catch::StartsWith("// generated by rapidnn"));
      ++linted;
    }
  }
  CHECK(linted >= 3 * (5 + 1 + 3 + 1));  // rna, ndcam, controller, mac, mac-tile; their memories; the top's
}
