// Codebook levels (composer/levels.h, rnn_level): one network at several levels of its tree
// codebooks, one design that holds every level and switches between images, bit-exact at each.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "composer/artifact.h"
#include "composer/levels.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"
#include "generator/emit_rtl.h"
#include "models/golden.h"
#include "rtl_support.h"
#include "sim/cosim.h"
#include "synth/activity.h"

using namespace rapidnn;

namespace {

bool have(const char* tool) { return !find_program(tool).empty(); }

struct Leveled {
  Network net;
  Dataset calib;
  ComposedNetwork cn;
};

// `net` composed with tree codebooks at (w, u) and every coarser level down to `lowest`.
Leveled compose_levels(const Network& net, int w, int u, int q, int lowest, std::uint64_t seed,
                       CodebookMethod method = CodebookMethod::Tree) {
  Leveled l{net, test::random_images(net.input_shape, 40, static_cast<int>(net.num_classes()), seed), {}};
  ComposeConfig cfg;
  cfg.method = method;
  cfg.q = q;
  const ComposerState st = prepare_composer(net, "random.onnx", l.calib, cfg, w, u);
  const CodebookSizes sizes = uniform_sizes(st, w, u);
  l.cn = assemble(st, sizes, q);
  add_coarser_levels(l.cn, st, sizes, q, lowest, "--levels");
  return l;
}

// True when the golden model's encoded outputs differ between two levels for some image: a
// design that ignored its level register would then fail the comparison.
bool levels_differ(const ComposedNetwork& cn, int a, int b, const std::vector<std::uint16_t>& raw, std::int64_t n) {
  const GoldenModel ga(at_level(cn, a, "a")), gb(at_level(cn, b, "b"));
  const std::int64_t per = numel(cn.input_shape);
  for (std::int64_t i = 0; i < n; ++i) {
    GoldenTrace ta, tb;
    ga.classify(raw.data() + i * per, &ta);
    gb.classify(raw.data() + i * per, &tb);
    if (ta.encoded != tb.encoded || ta.scores != tb.scores) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("compose --levels: coarser levels hold prefix weight indices, round-trip through the artifact, and a level "
          "that is not the finest's prefix is rejected",
          "[levels]") {
  const std::uint64_t seed = GENERATE(1, 2, 3);
  const Network net = seed == 1 ? test::random_small_network(21) : test::random_residual_network(seed);
  const Leveled l = compose_levels(net, 16, 16, 16, 2, seed);
  REQUIRE(network_level(l.cn) == 4);
  REQUIRE(min_level(l.cn) == 2);
  REQUIRE(l.cn.coarser.size() == 2);
  for (int level = 2; level <= 4; ++level) {
    const ComposedNetwork& c = at_level(l.cn, level, "test");
    for (std::size_t k = 0; k < c.stages.size(); ++k) {
      const Stage& s = c.stages[k];
      const Stage& f = l.cn.stages[k];
      if (!s.weighted()) continue;
      CHECK(s.u == 1 << (level - 4 + clog2(f.u)));
      for (std::size_t i = 0; i < s.weight_idx.size(); ++i)
        REQUIRE(s.weight_idx[i] == f.weight_idx[i] >> (clog2(f.w) - clog2(s.w)));
    }
  }
  CHECK_THROWS_WITH(at_level(l.cn, 1, "--level"), Catch::Contains("outside the levels") && Catch::Contains("2 to 4"));

  const std::string dir = test::temp_dir(fmt::format("levels-artifact-{}", seed));
  write_artifact(l.cn, dir + "/a");
  const ComposedNetwork back = load_artifact(dir + "/a");
  CHECK(artifact_fingerprint(back) == artifact_fingerprint(l.cn));
  REQUIRE(back.coarser.size() == 2);
  CHECK(artifact_fingerprint(back.coarser[1]) == artifact_fingerprint(l.cn.coarser[1]));
  CHECK(nlohmann::json::parse(read_file(dir + "/a/manifest.json"))["version"] == kLevelsArtifactVersion);

  // A level 3 whose first weight index is not the prefix of the finest one.
  ComposedNetwork bad = l.cn;
  for (Stage& s : bad.coarser[0].stages)
    if (s.weighted() && s.kind != StageKind::AvgPool) {
      s.weight_idx[0] = static_cast<std::uint16_t>((s.weight_idx[0] + 1) % s.w);
      break;
    }
  write_artifact(bad, dir + "/bad");
  CHECK_THROWS_WITH(load_artifact(dir + "/bad"), Catch::Contains("level3") && Catch::Contains("not the prefix"));
}

TEST_CASE("compose --levels refuses codebooks that are not nested and levels below two entries", "[levels]") {
  const Network net = test::random_small_network(21);
  CHECK_THROWS_WITH(compose_levels(net, 16, 16, 16, 2, 1, CodebookMethod::Optimal),
                    Catch::Contains("nested") && Catch::Contains("optimal"));
  CHECK_THROWS_WITH(compose_levels(net, 8, 16, 16, 1, 1), Catch::Contains("fewer than 2 entries") &&
                                                                Catch::Contains("lowest level it allows is 2"));
}

TEST_CASE("one design of codebook levels 2 to 4: bit-exact at every level with the level switched after every image, "
          "levels outside the design clamped, lint clean",
          "[levels][cosim]") {
  if (!have("iverilog") || !have("verilator")) SKIP_WITH("iverilog or verilator is not installed");
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {  // an MLP or CNN, and a residual network
    std::mt19937_64 rng(seed * 7919);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const Network net = seed == 2 ? test::random_residual_network(seed + 10) : test::random_small_network(seed + 30);
    const Leveled l = compose_levels(net, 16, 16, 1 << pick(2, 4), 2, seed);
    RtlOptions opt;
    opt.lanes = pick(1, 5);
    opt.rna_share = pick(1, 3);
    opt.fused_am = pick(0, 1);
    const RtlPlan plan = plan_rtl(l.cn, opt, "levels");
    REQUIRE(plan.levels() == 3);
    const std::string rtl = test::temp_dir(fmt::format("levels-design-{}", seed)) + "/rtl";
    emit_rtl(plan, rtl);
    std::vector<std::string> lint{"verilator", "--lint-only", "-Wall", "--top-module", plan.options.top};
    for (const auto& f : rtl_sources(plan)) lint.push_back(f);
    const ProcessResult lr = run_process(lint, rtl);
    INFO(net.summary() << lr.output);
    CHECK(lr.exit_code == 0);

    const std::int64_t n = 4;
    const Dataset d = test::random_images(net.input_shape, n, static_cast<int>(net.num_classes()), seed + 50);
    const auto raw = raw_features(d, l.cn.input.raw_bits);
    CHECK(levels_differ(l.cn, 2, 4, raw, n));
    // Each image at every level: 2, 3, 4, then 0 and 7 (outside the built 2 to 4: clamped).
    const std::vector<int> asked{2, 3, 4, 0, 7};
    std::vector<std::uint16_t> stream;
    CosimOptions co;
    co.simulator = Simulator::Icarus;
    for (std::int64_t i = 0; i < n; ++i)
      for (int level : asked) {
        stream.insert(stream.end(), raw.begin() + i * plan.input_numel, raw.begin() + (i + 1) * plan.input_numel);
        co.levels.push_back(level);
      }
    const CosimResult r = run_cosim(l.cn, plan, rtl, stream, n * 5, co);
    INFO("seed " << seed << " lanes " << opt.lanes << " share " << opt.rna_share << (opt.fused_am ? " fused" : "") << "\n"
                 << r.mismatch);
    CHECK(r.ok);
  }
}

TEST_CASE("the Verilator harness drives the level register: a level design is bit-exact at each level, and its activity "
          "is recorded at a chosen level",
          "[levels][cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  const Network net = test::random_small_network(31);
  const Leveled l = compose_levels(net, 16, 16, 16, 2, 9);
  RtlOptions opt;
  opt.lanes = 3;
  const RtlPlan plan = plan_rtl(l.cn, opt, "levels");
  const std::string rtl = test::temp_dir("levels-verilator") + "/rtl";
  emit_rtl(plan, rtl);
  const Dataset d = test::random_images(net.input_shape, 6, static_cast<int>(net.num_classes()), 77);
  const auto raw = raw_features(d, l.cn.input.raw_bits);
  CosimOptions co;
  co.levels = {4, 4, 2, 2, 3, 7};  // 7: above the design's levels, run at 4
  const CosimResult r = run_cosim(l.cn, plan, rtl, raw, d.size(), co);
  INFO(r.mismatch);
  CHECK(r.ok);
  co.levels = {3, 3, 3, 3, 3, 3};  // one level throughout: the cycle model still holds
  const CosimResult same = run_cosim(l.cn, plan, rtl, raw, d.size(), co);
  CHECK(same.ok);
  CHECK(check_cycles(plan, same, d.size(), co).exact);
  // Activity power runs the images at one chosen level (and checks them against the golden model
  // at that level): level_o's low bit is 1 at level 3, 0 at level 2.
  const std::string bit = "u_rtl.level_o[0]";
  const ActivityRecord at3 = record_activity(l.cn, plan, rtl, raw, d.size(), {bit}, rtl + ".act", 2, false, 3);
  const ActivityRecord at2 = record_activity(l.cn, plan, rtl, raw, d.size(), {bit}, rtl + ".act", 2, false, 2);
  CHECK(at3.bits.at(bit).ones > at3.cycles / 2);
  CHECK(at2.bits.at(bit).ones == 0);
}

TEST_CASE("levels are refused where the hardware has none: another accumulation form, a design of one level, a level "
          "wider than the level port",
          "[levels]") {
  const Network net = test::random_small_network(21);
  const Leveled l = compose_levels(net, 16, 16, 16, 2, 1);
  RtlOptions count;
  count.accumulate = RtlAccumulate::Count;
  CHECK_THROWS_WITH(plan_rtl(l.cn, count, "x"), Catch::Contains("--accumulate count"));
  ComposedNetwork one = l.cn;
  one.coarser.clear();
  const RtlPlan fixed = plan_rtl(one, {}, "x");
  const std::vector<std::uint16_t> raw(static_cast<std::size_t>(fixed.input_numel), 0);
  CosimOptions co;
  co.levels = {2};
  CHECK_THROWS_WITH(run_cosim(one, fixed, "rtl", raw, 1, co), Catch::Contains("holds one codebook level"));
  const RtlPlan plan = plan_rtl(l.cn, {}, "x");
  co.levels = {8};
  CHECK_THROWS_WITH(run_cosim(l.cn, plan, "rtl", raw, 1, co), Catch::Contains("does not fit the design's 3-bit level_i"));
}
