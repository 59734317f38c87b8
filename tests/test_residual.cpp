// Residual networks in the lookup domain: the composer fuses each residual sum into the weighted
// stage ending its branch (the skipped tensor decoded into its accumulator), the golden model runs
// it exactly, the artifact keeps the dataflow, and what cannot be mapped yet says so.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "composer/artifact.h"
#include "composer/compose.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/infer.h"
#include "generator/rtl_plan.h"
#include "models/golden.h"
#include "rtl_support.h"
#include "support.h"

using namespace rapidnn;

namespace {

// stem conv -> [conv relu, conv] + stem -> relu -> maxpool -> [conv relu (stride 1), conv] +
// 1x1 projection of the pooled tensor -> relu -> flatten -> dense.
Network residual_cnn(std::uint64_t seed) {
  Network net;
  net.input_shape = {2, 8, 8};
  net.layers.push_back(make_conv("stem", 2, 4, 3, 1, 1, ActKind::ReLU));  // 0
  net.layers.push_back(make_conv("a1", 4, 4, 3, 1, 1, ActKind::ReLU));    // 1
  net.layers.push_back(make_conv("a2", 4, 4, 3, 1, 1));                   // 2
  Layer add;
  add.kind = LayerKind::Add;
  add.name = "sum_a";
  add.act = ActKind::ReLU;
  add.inputs = {2, 0};
  net.layers.push_back(add);                                              // 3
  net.layers.push_back(make_pool(LayerKind::MaxPool2D, "mp", 2, 2));      // 4: 4x4x4
  net.layers.push_back(make_conv("b1", 4, 6, 3, 1, 1, ActKind::ReLU));    // 5
  net.layers.push_back(make_conv("b2", 6, 6, 3, 1, 1));                   // 6
  Layer proj = make_conv("bp", 4, 6, 1, 1, 0);
  proj.inputs = {4};
  net.layers.push_back(proj);                                             // 7
  add.name = "sum_b";
  add.inputs = {6, 7};
  net.layers.push_back(add);                                              // 8
  net.layers.push_back(make_flatten("f"));                                // 9
  net.layers.push_back(make_dense("out", 96, 5));                         // 10
  return test::random_network(net, seed);
}

struct Composed {
  Network net;
  Dataset data;
  ComposedNetwork cn;
};

Composed compose(std::uint64_t seed, int w, int u) {
  Composed c{residual_cnn(seed), test::random_images({2, 8, 8}, 60, 5, seed), {}};
  ComposeConfig cfg;
  cfg.q = 64;
  c.cn = assemble(prepare_composer(c.net, "res.onnx", c.data, cfg, w, u), w, u, cfg.q);
  return c;
}

int stage_named(const ComposedNetwork& cn, const std::string& name) {
  for (std::size_t k = 0; k < cn.stages.size(); ++k)
    if (cn.stages[k].name == name) return static_cast<int>(k);
  FAIL("no stage " << name);
  return -1;
}

}  // namespace

TEST_CASE("a residual network composes: sums fused into the branch's last stage, shared and own codebooks",
          "[golden][residual]") {
  const Composed c = compose(1, 16, 32);
  const ComposedNetwork& cn = c.cn;
  CHECK_FALSE(cn.is_chain());
  // stem, a1, a2 (+stem), mp, b1, b2, bp (+b2), f, out: the Adds map to no stage of their own.
  REQUIRE(cn.stages.size() == 9);
  const int stem = stage_named(cn, "stem"), a1 = stage_named(cn, "a1"), a2 = stage_named(cn, "a2");
  const int mp = stage_named(cn, "mp"), b1 = stage_named(cn, "b1"), b2 = stage_named(cn, "b2"),
            bp = stage_named(cn, "bp");
  CHECK(cn.stages[a2].skip == stem);
  CHECK(cn.stages[a2].act == ActKind::ReLU);
  CHECK(cn.stages[bp].skip == b2);  // the later input is the branch the sum fuses into
  CHECK(cn.source_of(static_cast<std::size_t>(bp)) == mp);
  CHECK(cn.source_of(static_cast<std::size_t>(b1)) == mp);
  // The stem's output is read by a1 and skipped into a2: one codebook, a1's.
  CHECK(cn.stages[a2].skip_lut.size() == cn.stages[a1].input_codebook.size());
  for (std::size_t k = 0; k < cn.stages[a1].input_codebook.size(); ++k)
    CHECK(cn.stages[a2].skip_lut[k] == std::llround(cn.stages[a1].input_codebook[k] / cn.stages[a2].scale));
  // b1 and bp read the pooled tensor with one codebook; b2's output, read only by the sum, has its own.
  CHECK(cn.stages[b1].input_codebook == cn.stages[bp].input_codebook);
  CHECK(cn.stages[b2].out_u == 32);
  CHECK(cn.stages[bp].skip_lut.size() == 32u);
}

TEST_CASE("the skipped value joins each sum exactly, and fine tables follow the float model", "[golden][residual]") {
  const Composed c = compose(2, 256, 256);
  const GoldenModel g(c.cn);
  const auto raw = raw_features(c.data, 8);
  const std::int64_t per = numel(c.cn.input_shape);
  // Without its skip, stage a2's sums are exactly the skipped codes' lookups lower.
  ComposedNetwork no_skip = c.cn;
  const int a2 = stage_named(c.cn, "a2");
  const int skip = c.cn.stages[static_cast<std::size_t>(a2)].skip;
  no_skip.stages[static_cast<std::size_t>(a2)].skip = kNoSkip;
  no_skip.stages[static_cast<std::size_t>(a2)].skip_lut.clear();
  const GoldenModel g0(no_skip);
  for (std::int64_t i = 0; i < 10; ++i) {
    GoldenTrace t, t0;
    g.classify(raw.data() + i * per, &t);
    g0.classify(raw.data() + i * per, &t0);
    const auto& acc = t.acc[static_cast<std::size_t>(a2)];
    const auto& skipped = t.encoded[static_cast<std::size_t>(skip)];
    REQUIRE(acc.size() == skipped.size());
    for (std::size_t e = 0; e < acc.size(); ++e)
      REQUIRE(acc[e] == t0.acc[static_cast<std::size_t>(a2)][e] +
                            c.cn.stages[static_cast<std::size_t>(a2)].skip_lut[skipped[e]]);
  }
  const auto ours = g.classify_all(raw, c.data.size(), 1);
  const auto ref = predict(c.net, c.data.x.data(), c.data.size(), 1);
  int same = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) same += ours[i] == ref[i];
  CHECK(same >= 54);  // of 60
}

TEST_CASE("a residual artifact round-trips exactly as version 2, chains stay version 1", "[golden][residual][artifact]") {
  const Composed c = compose(3, 8, 16);
  const std::string dir = test::temp_dir("residual-artifact");
  write_artifact(c.cn, dir + "/a");
  CHECK(nlohmann::json::parse(read_file(dir + "/a/manifest.json"))["version"] == kDagArtifactVersion);
  const ComposedNetwork back = load_artifact(dir + "/a");
  CHECK(artifact_fingerprint(back) == artifact_fingerprint(c.cn));
  const GoldenModel g1(c.cn), g2(back);
  const auto raw = raw_features(c.data, 8);
  CHECK(g1.classify_all(raw, c.data.size(), 1) == g2.classify_all(raw, c.data.size(), 1));
  write_artifact(back, dir + "/b");
  CHECK(read_file(dir + "/a/manifest.json") == read_file(dir + "/b/manifest.json"));
  const auto inspect = test::run_cli("inspect " + dir + "/a");  // the dataflow, where it is not a chain
  CHECK(inspect.exit_code == 0);
  CHECK_THAT(inspect.output, Catch::Contains("a2") && Catch::Contains("+ 0 (residual)") &&
                                 Catch::Contains("reads 3, + 5 (residual)"));
  const auto emit = test::run_cli("emit -c " + dir + "/a -o " + dir + "/rtl --lanes 4");  // its dataflow, its pace
  CHECK(emit.exit_code == 0);
  CHECK_THAT(emit.output, Catch::Contains("reads #1 + skip #0") && Catch::Contains("reads #3 + skip #5") &&
                              Catch::Contains("in steady state (cycle model"));

  // A concatenation keeps its second input (its first is its source).
  for (std::uint64_t seed = 20; seed < 40; ++seed) {
    const Network net = test::random_residual_network(seed);
    if (std::none_of(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.kind == LayerKind::Concat; }))
      continue;
    const Dataset d = test::random_images(net.input_shape, 30, static_cast<int>(net.num_classes()), seed);
    const ComposedNetwork cn = assemble(prepare_composer(net, "cat.onnx", d, {}, 8, 8), 8, 8, 16);
    write_artifact(cn, dir + "/cat");
    const ComposedNetwork cat = load_artifact(dir + "/cat");
    CHECK(artifact_fingerprint(cat) == artifact_fingerprint(cn));
    const auto r = raw_features(d, 8);
    CHECK(GoldenModel(cat).classify_all(r, d.size(), 1) == GoldenModel(cn).classify_all(r, d.size(), 1));
    CHECK_THAT(test::run_cli("inspect " + dir + "/cat").output, Catch::Contains("(concatenated)"));
    break;
  }

  Network chain;
  chain.input_shape = {6};
  chain.layers.push_back(make_dense("h", 6, 4, ActKind::ReLU));
  chain.layers.push_back(make_dense("o", 4, 3));
  chain = test::random_network(chain, 4);
  const Dataset d = test::random_images({6}, 30, 3, 4);
  write_artifact(assemble(prepare_composer(chain, "c.onnx", d, {}, 4, 4), 4, 4, 16), dir + "/chain");
  CHECK(nlohmann::json::parse(read_file(dir + "/chain/manifest.json"))["version"] == kChainArtifactVersion);
}

TEST_CASE("the RTL plan holds a skipped tensor for every reader: a bank pointer each, skip ports per RNA",
          "[rtl][residual]") {
  const Composed c = compose(1, 16, 32);
  RtlOptions opt;
  opt.lanes = 4;
  opt.rna_share = 2;
  const RtlPlan p = plan_rtl(c.cn, opt, "res");
  const auto tile = [&](const std::string& name) -> const RtlStage& {
    for (const auto& t : p.stages)
      if (t.name == name) return t;
    FAIL("no tile " << name);
    return p.stages.front();
  };
  const auto pos = [&](const RtlStage& t) { return static_cast<int>(&t - p.stages.data()); };
  const RtlStage &stem = tile("stem"), &a1 = tile("a1"), &a2 = tile("a2"), &mp = tile("mp"), &b1 = tile("b1"),
                 &b2 = tile("b2"), &bp = tile("bp");
  // The stem's output: read by a1 (its lanes), added by a2 (one port per RNA), freed when both are done.
  const RtlBuffer& sb = p.buffers[static_cast<std::size_t>(stem.out_buffer)];
  REQUIRE(sb.readers.size() == 2);
  CHECK(sb.readers[0].stage == pos(a1));
  CHECK(sb.readers[0].ports == a1.lanes);
  CHECK(sb.readers[1].stage == pos(a2));
  CHECK(sb.readers[1].base == a1.lanes);
  CHECK(sb.readers[1].ports == a2.rnas);
  CHECK(a2.skip_buffer == stem.out_buffer);
  CHECK(a2.skip_reader == 1);
  CHECK(a2.skip_port == a1.lanes);
  CHECK(a2.skip_lut.values == c.cn.stages[static_cast<std::size_t>(a2.stage)].skip_lut);
  // The pooled tensor: b1 and the projection bp read it; bp adds b2's output.
  const RtlBuffer& mb = p.buffers[static_cast<std::size_t>(mp.out_buffer)];
  REQUIRE(mb.readers.size() == 2);
  CHECK(mb.readers[0].stage == pos(b1));
  CHECK(mb.readers[1].stage == pos(bp));
  CHECK(bp.in_buffer == mp.out_buffer);
  CHECK(bp.in_reader == 1);
  CHECK(bp.skip_buffer == b2.out_buffer);
  for (const auto& b : p.buffers) {
    int ports = 0;
    for (const auto& r : b.readers) ports += r.ports;
    CHECK(ports == b.read_ports);
  }
}

TEST_CASE("inconsistent residual dataflow is rejected, and what is not mapped yet says so", "[golden][residual][bad-input]") {
  const Composed c = compose(4, 8, 16);
  const int a2 = stage_named(c.cn, "a2");
  SECTION("a skip table of the wrong size") {
    ComposedNetwork cn = c.cn;
    cn.stages[static_cast<std::size_t>(a2)].skip_lut.pop_back();
    CHECK_THROWS_WITH(cn.validate("bad"), Catch::Contains("'a2'") && Catch::Contains("skip decoding table size"));
  }
  SECTION("a skip from a later stage") {
    ComposedNetwork cn = c.cn;
    cn.stages[static_cast<std::size_t>(a2)].skip = a2 + 2;
    CHECK_THROWS_WITH(cn.validate("bad"), Catch::Contains("does not come before it"));
  }
  SECTION("options that emulate a chain") {
    ComposeConfig cfg;
    cfg.bias_correction = true;
    CHECK_THROWS_WITH(prepare_composer(c.net, "res.onnx", c.data, cfg, 8, 16),
                      Catch::Contains("res.onnx") && Catch::Contains("branches at layer 3"));
  }
  SECTION("a concatenation of tensors that other layers read with different codebooks") {
    Network net;
    net.input_shape = {2, 8, 8};
    net.layers.push_back(make_conv("stem", 2, 4, 3, 1, 1, ActKind::ReLU));  // 0: read by c1 and the concat
    net.layers.push_back(make_conv("c1", 4, 4, 3, 1, 1, ActKind::ReLU));    // 1: read by c2 and the concat
    net.layers.push_back(make_conv("c2", 4, 4, 3, 1, 1));                   // 2
    Layer cat;
    cat.kind = LayerKind::Concat;
    cat.name = "cat";
    cat.inputs = {0, 1};
    net.layers.push_back(cat);                                              // 3: 8x8x8
    net.layers.push_back(make_conv("c4", 8, 4, 3, 1, 1));                   // 4
    Layer add;
    add.kind = LayerKind::Add;
    add.name = "sum";
    add.act = ActKind::ReLU;
    add.inputs = {4, 2};
    net.layers.push_back(add);
    net.layers.push_back(make_flatten("f"));
    net.layers.push_back(make_dense("out", 256, 5));
    net = test::random_network(net, 5);
    CHECK_THROWS_WITH(prepare_composer(net, "cat.onnx", c.data, {}, 8, 16),
                      Catch::Contains("cat.onnx") && Catch::Contains("'c4' reads a concatenation") &&
                          Catch::Contains("different codebooks"));
  }
  SECTION("a concatenation of three tensors") {
    Network net = c.net;
    net.layers[8].kind = LayerKind::Concat;
    net.layers[8].inputs = {6, 7, 5};
    net.layers[8].act = ActKind::Identity;
    net.layers[10] = make_dense("out", 288, 5);
    net = test::random_network(net, 5);
    CHECK_THROWS_WITH(prepare_composer(net, "cat.onnx", c.data, {}, 8, 16),
                      Catch::Contains("'sum_b' (Concat) cannot be mapped") && Catch::Contains("of 3 tensors"));
  }
  SECTION("a sum whose inputs both have an activation") {
    Network net = c.net;
    net.layers[6].act = ActKind::ReLU;
    net.layers[7].act = ActKind::ReLU;
    CHECK_THROWS_WITH(prepare_composer(net, "relu.onnx", c.data, {}, 8, 16),
                      Catch::Contains("'sum_b' (Add) cannot be mapped") && Catch::Contains("without activation"));
  }
}
