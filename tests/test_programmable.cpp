// Programmable tables (emit --programmable, generator/cfg_map.h, rnn_ram, rnn_cfg_port): one
// design whose tables are written through a configuration port, running several networks of one
// structure one after another, bit-exact under each; writes outside the memory map are dropped.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "composer/artifact.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"
#include "generator/cfg_map.h"
#include "generator/design_record.h"
#include "generator/emit_rtl.h"
#include "models/golden.h"
#include "rtl_support.h"
#include "sim/cosim.h"
#include "synth/gatesim.h"

using namespace rapidnn;

namespace {

bool have(const char* tool) { return !find_program(tool).empty(); }

// Two networks of one structure (the skeleton of `seed`'s residual network, or small network),
// with different weights, composed at (w, u) on their own calibration images.
struct Pair {
  Network a, b;
  ComposedNetwork ca, cb;
};
Pair make_pair(std::uint64_t seed, bool residual, int w, int u, int q) {
  Pair p;
  p.a = residual ? test::random_residual_network(seed) : test::random_small_network(seed);
  p.b = test::random_network(p.a, seed + 1000);
  const int classes = static_cast<int>(p.a.num_classes());
  p.ca = test::compose_case(p.a, test::random_images(p.a.input_shape, 40, classes, seed), w, u, q);
  p.cb = test::compose_case(p.b, test::random_images(p.b.input_shape, 40, classes, seed + 1), w, u, q);
  return p;
}

// A's programmable plan, wide enough for B too, and B's plan with its widths.
std::pair<RtlPlan, RtlPlan> plan_pair(const Pair& p, RtlOptions opt) {
  opt.programmable = true;
  const RtlWidths widths = widest_widths({plan_rtl(p.ca, opt, "a"), plan_rtl(p.cb, opt, "b")});
  return {plan_rtl(p.ca, opt, "a", &widths), plan_rtl(p.cb, opt, "b", &widths)};
}

}  // namespace

TEST_CASE("the memory map holds every table in disjoint aligned windows, the table stream fills them, and the design "
          "lints clean and emits deterministically, and ROM stays the default",
          "[programmable]") {
  const std::uint64_t seed = GENERATE(1, 2, 3);
  const Pair p = make_pair(seed + 40, seed == 3, 16, 16, seed == 2 ? 4 : 16);
  RtlOptions opt;
  opt.lanes = 3;
  opt.rna_share = 2;
  opt.fused_am = seed == 2;
  const RtlPlan rom = plan_rtl(p.ca, opt, "a");
  CHECK(rom.cfg.regions.empty());
  for (const auto& [file, text] : generated_modules(rom)) {  // constant tables, no configuration port
    CHECK(text.find("rnn_ram") == std::string::npos);
    CHECK(text.find("cfg_valid_i") == std::string::npos);
  }
  const auto [plan, other] = plan_pair(p, opt);
  const CfgMap& m = plan.cfg;
  // Every table memory: the input encoder, and per tile its weight indices, biases, products (one
  // per RNA for a convolution), skip decoder and activation/encoding tables.
  std::size_t tables = 1;
  for (const auto& t : plan.stages) {
    if (!t.tile()) continue;
    tables += 2 + t.products.size() + (t.skip_buffer >= 0 ? 1 : 0);
    if (!t.output) tables += t.am_mode == AmMode::Comparator ? 1 : 3;
  }
  CHECK(m.regions.size() == tables);
  std::int64_t words = 0;
  for (std::size_t k = 0; k < m.regions.size(); ++k) {
    const CfgRegion& r = m.regions[k];
    INFO(r.name);
    CHECK(r.base % (std::int64_t{1} << r.win) == 0);
    if (k + 1 < m.regions.size()) CHECK(r.base + (std::int64_t{1} << r.win) <= m.regions[k + 1].base);
    CHECK(r.depth <= std::int64_t{1} << (r.win - r.chunk_bits));
    CHECK(r.chunks * m.data_bits >= r.width);
    words += r.depth * r.chunks;
  }
  CHECK(m.end <= std::int64_t{1} << m.addr_bits);
  const auto writes = cfg_writes(plan);
  CHECK(static_cast<std::int64_t>(writes.size()) == words);
  std::set<std::uint64_t> addrs;
  for (const auto& w : writes) {
    addrs.insert(w.addr);
    CHECK(w.addr < static_cast<std::uint64_t>(m.end));
    if (m.data_bits < 64) CHECK(w.data >> m.data_bits == 0);
  }
  CHECK(addrs.size() == writes.size());
  // One design for both networks: the same Verilog and map, different streams.
  CHECK(generated_modules(other) == generated_modules(plan));
  CHECK(cfg_map_text(other) == cfg_map_text(plan));

  const std::string dir = test::temp_dir(fmt::format("programmable-map-{}", seed));
  emit_rtl(plan, dir + "/x");
  emit_rtl(plan, dir + "/y");
  for (const auto& f : {"rapidnn_top.v", "memory_map.txt", "tables.cfg", "design.json"})
    CHECK(read_file(dir + "/x/" + f) == read_file(dir + "/y/" + f));
  CHECK(!fs::exists(dir + "/x/input_lut.hex"));  // the tables live in the stream only
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  std::vector<std::string> lint{"verilator", "--lint-only", "-Wall", "--top-module", plan.options.top};
  for (const auto& f : rtl_sources(plan)) lint.push_back(f);
  const ProcessResult lr = run_process(lint, dir + "/x");
  INFO(p.a.summary() << lr.output);
  CHECK(lr.exit_code == 0);
}

TEST_CASE("two networks of one structure run one after the other on one programmable design, bit-exact, writes outside "
          "the map change nothing and raise cfg_err_o, and tables loaded under the wrong network are caught",
          "[programmable][cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  const Pair p = make_pair(57, true, 16, 16, 16);  // a residual CNN: skip decoders too
  RtlOptions opt;
  opt.lanes = 4;
  opt.rna_share = 2;
  const auto [plan, other] = plan_pair(p, opt);
  const std::string rtl = test::temp_dir("programmable-cosim") + "/rtl";
  emit_rtl(plan, rtl);
  const std::int64_t n = 5;
  const Dataset d = test::random_images(p.a.input_shape, n, static_cast<int>(p.a.num_classes()), 99);
  const auto raw = raw_features(d, p.ca.input.raw_bits);
  std::vector<std::uint16_t> twice(raw.begin(), raw.end());
  twice.insert(twice.end(), raw.begin(), raw.end());
  {  // the golden models differ: a design that kept A's tables would fail under B
    const GoldenModel ga(p.ca), gb(p.cb);
    bool differ = false;
    for (std::int64_t i = 0; i < n; ++i) {
      GoldenTrace ta, tb;
      ga.classify(raw.data() + i * plan.input_numel, &ta);
      gb.classify(raw.data() + i * plan.input_numel, &tb);
      differ |= ta.encoded != tb.encoded || ta.scores != tb.scores;
    }
    REQUIRE(differ);
  }
  // A alone (its stream before image 0), then A and B with writes outside the map in B's load.
  CosimOptions co;
  const CosimResult one = run_cosim(p.ca, plan, rtl, raw, n, co);
  INFO(one.mismatch);
  REQUIRE(one.ok);
  CHECK(!one.cfg_error);
  CHECK(check_cycles(plan, one, n, co).exact);

  std::vector<CfgWrite> b = cfg_writes(other);
  const CfgMap& m = plan.cfg;
  const CfgRegion* padded = nullptr;  // a window with unused words or chunks
  for (const auto& r : m.regions)
    if (r.depth < std::int64_t{1} << (r.win - r.chunk_bits) || r.chunks < 1 << r.chunk_bits) padded = &r;
  std::vector<CfgWrite> outside;
  if (m.end < std::int64_t{1} << m.addr_bits) outside.push_back({static_cast<std::uint64_t>(m.end), 0x5a5a5a5a});
  if (padded) {
    const auto last = static_cast<std::uint64_t>(padded->base + (std::int64_t{1} << padded->win) - 1);
    outside.push_back({last, 0xffffffff});
  }
  REQUIRE(!outside.empty());
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(b.size() / 2), outside.begin(), outside.end());
  co.loads = {{0, &p.ca, cfg_writes(plan)}, {n, &p.cb, b}};
  const CosimResult both = run_cosim(p.ca, plan, rtl, twice, 2 * n, co);
  INFO(both.mismatch);
  CHECK(both.ok);
  CHECK(both.cfg_error);
  CHECK(both.cached_build);  // one build for every network

  co.loads = {{0, &p.ca, cfg_writes(other)}};  // B's tables, checked against A
  const CosimResult wrong = run_cosim(p.ca, plan, rtl, raw, n, co);
  CHECK(!wrong.ok);
  CHECK_THAT(wrong.mismatch, Catch::Contains("MISMATCH"));
}

TEST_CASE("a global codebook's product table is one window every tile reads, written once, and a table the design already "
          "holds is not written again",
          "[programmable]") {
  Network net;  // an MLP of two hidden layers: three tiles
  net.input_shape = {12};
  net.layers = {make_dense("fc1", 12, 8, ActKind::ReLU), make_dense("fc2", 8, 6, ActKind::ReLU), make_dense("out", 6, 3)};
  net = test::random_network(net, 5);
  ComposeConfig cfg;
  cfg.global_codebook = true;
  cfg.q = 16;
  const ComposerState st = prepare_composer(net, "global.onnx", test::random_images({12}, 40, 3, 4), cfg, 16, 16);
  const ComposedNetwork cn = assemble(st, 16, 16, 16);
  RtlOptions opt;
  opt.programmable = true;
  opt.lanes = 4;
  const RtlPlan plan = plan_rtl(cn, opt, "global");
  int shared = 0, own = 0;
  for (const auto& r : plan.cfg.regions) {
    shared += r.stage == -1 && r.table == "prod";
    own += r.stage >= 0 && r.table.rfind("prod", 0) == 0;
  }
  CHECK(shared == 1);
  CHECK(own == 0);
  const std::int64_t base = std::find_if(plan.cfg.regions.begin(), plan.cfg.regions.end(), [](const CfgRegion& r) {
                              return r.table == "prod";
                            })->base;
  for (const auto& [file, v] : generated_modules(plan))
    if (file != "rapidnn_top.v") CHECK_THAT(v, Catch::Contains(fmt::format(".BASE({})) u_rna", base)));
  CHECK(cfg_writes(plan, &plan).empty());  // the same network again: nothing to write
  CHECK(cfg_writes(plan).size() > 0);
}

TEST_CASE("a programmable design takes only networks that fit it, and is refused where it is not built", "[programmable]") {
  const Pair p = make_pair(61, false, 16, 16, 16);
  RtlOptions opt;
  opt.programmable = true;
  const std::string dir = test::temp_dir("programmable-fit");
  write_artifact(p.ca, dir + "/a");
  write_artifact(p.cb, dir + "/b");
  emit_rtl(plan_rtl(p.ca, opt, dir + "/a"), dir + "/rtl");
  CHECK_NOTHROW(load_design(p.ca, dir + "/a", dir + "/rtl"));
  // B at (64, 16): six-bit weight indices where the design holds four.
  const ComposedNetwork wide = test::compose_case(p.b, test::random_images(p.b.input_shape, 40, 3, 5), 64, 16, 16);
  write_artifact(wide, dir + "/wide");
  CHECK_THROWS_WITH(load_design(wide, dir + "/wide", dir + "/rtl"),
                    Catch::Contains("does not fit the programmable design") && Catch::Contains("wiw needs 6") &&
                        Catch::Contains("--fit"));
  // Another structure altogether.
  const Network other = test::random_small_network(62);
  const ComposedNetwork co = test::compose_case(other, test::random_images(other.input_shape, 40, 3, 6), 16, 16, 16);
  write_artifact(co, dir + "/other");
  CHECK_THROWS(load_design(co, dir + "/other", dir + "/rtl"));

  RtlOptions count = opt;
  count.accumulate = RtlAccumulate::Count;
  CHECK_THROWS_WITH(plan_rtl(p.ca, count, "x"), Catch::Contains("--accumulate count"));
  const RtlPlan plan = plan_rtl(p.ca, opt, "x");
  const std::vector<std::uint16_t> raw(static_cast<std::size_t>(plan.input_numel), 0);
  CosimOptions ic;
  ic.simulator = Simulator::Icarus;
  if (have("iverilog")) CHECK_THROWS_WITH(run_cosim(p.ca, plan, dir + "/rtl", raw, 1, ic), Catch::Contains("Verilator"));
  CHECK_THROWS_WITH(check_gatesim_design(plan, dir + "/rtl"), Catch::Contains("configuration port"));
  const auto r = test::run_cli(fmt::format("emit -c {0}/a -o {0}/no --fit {0}/b", dir));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("--fit") && Catch::Contains("--programmable"));
  CHECK(!fs::exists(dir + "/no"));
}

TEST_CASE("two trained Fashion-MNIST networks of one shape on one programmable design: 100 images each, bit-exact, "
          "through the CLI",
          "[programmable][cosim]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  const std::string models = std::string(RAPIDNN_SOURCE_DIR) + "/models/";
  const std::string dir = test::temp_dir("programmable-cli");
  for (const auto& [name, model] : {std::pair{"a", "fmnist-mlp-784-32-10.onnx"}, {"b", "fmnist-mlp-784-32-10-seed7.onnx"}}) {
    const auto r = test::run_cli(fmt::format("compose -m {}{} -d fashion-mnist --w 16 --u 16 -o {}/{}", models, model, dir, name));
    REQUIRE(r.exit_code == 0);
  }
  auto r = test::run_cli(fmt::format("emit -c {0}/a -o {0}/rtl --programmable --fit {0}/b --lanes 16 --rna-share 4", dir));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(dir + "/rtl/tables.cfg"));
  CHECK(fs::exists(dir + "/rtl/memory_map.txt"));
  r = test::run_cli(fmt::format("cosim -c {0}/a -r {0}/rtl -d fashion-mnist -n 100 --then {0}/b", dir));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("compared   200 images") && Catch::Contains("0 mismatches") &&
                           Catch::Contains("network 0") && Catch::Contains("network 1") &&
                           Catch::Contains("cfg_err_o 0"));
}
