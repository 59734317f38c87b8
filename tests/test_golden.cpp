// Golden model: counter form == direct form, fused == two-block lookups, shift-add products,
// artifact round trips, on seeded random networks of every stage kind and activation.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <set>

#include "composer/artifact.h"
#include "composer/calibration.h"
#include "composer/compose.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/infer.h"
#include "models/golden.h"
#include "rtl_support.h"
#include "support.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

using test::random_images;

Network mlp(ActKind act, std::uint64_t seed) {
  Network net;
  net.input_shape = {1, 6, 6};
  net.layers.push_back(make_flatten("f"));
  net.layers.push_back(make_dense("h1", 36, 24, act));
  net.layers.push_back(make_dense("h2", 24, 12, act));
  net.layers.push_back(make_dense("out", 12, 5));
  return test::random_network(net, seed);
}

Network cnn(std::uint64_t seed) {
  Network net;
  net.input_shape = {2, 9, 9};
  net.layers.push_back(make_conv("c1", 2, 4, 3, 1, 1, ActKind::ReLU));
  net.layers.push_back(make_pool(LayerKind::MaxPool2D, "mp", 2, 2));
  net.layers.push_back(make_conv("c2", 4, 3, 3, 2, 1, ActKind::Tanh));
  Layer ap = make_pool(LayerKind::AvgPool2D, "ap", 2, 1);
  net.layers.push_back(ap);
  net.layers.push_back(make_flatten("f"));
  net.layers.push_back(make_dense("out", 3 * 1 * 1, 4));
  return test::random_network(net, seed);
}

struct Case {
  Network net;
  Dataset data;
  ComposedNetwork cn;
};

Case make_case(const Network& net, std::uint64_t seed, int w, int u, int q, CodebookMethod m) {
  Case c{net, random_images(net.input_shape, 60, static_cast<int>(net.num_classes()), seed), {}};
  ComposeConfig cfg;
  cfg.method = m;
  cfg.q = q;
  const ComposerState st = prepare_composer(net, "random.onnx", c.data, cfg, w, u);
  c.cn = assemble(st, w, u, q);
  return c;
}

void check_traces_equal(const GoldenTrace& a, const GoldenTrace& b) {
  CHECK(a.input == b.input);
  CHECK(a.encoded == b.encoded);
  CHECK(a.acc == b.acc);
  CHECK(a.label == b.label);
}

}  // namespace

TEST_CASE("count * product by shifts and adds equals multiplication", "[golden]") {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::int64_t> p(-40000, 40000);
  for (std::uint64_t c : {0ull, 1ull, 2ull, 3ull, 7ull, 9ull, 15ull, 16ull, 255ull, 1023ull, 1024ull, 0x5555ull, 0xF0F0ull})
    for (int k = 0; k < 20; ++k) {
      const std::int64_t v = p(rng);
      CHECK(count_times_product(c, v) == static_cast<std::int64_t>(c) * v);
    }
}

TEST_CASE("counter and shared-row forms equal the direct form, fused equals two-block, on random networks", "[golden]") {
  const std::uint64_t seed = GENERATE(range(1u, 13u));  // 9 to 12: residual networks
  const ActKind act = std::array{ActKind::ReLU, ActKind::Sigmoid, ActKind::Tanh, ActKind::Softsign}[seed % 4];
  const int w = 1 << (1 + seed % 4), u = 1 << (2 + seed % 3), q = 8 << (seed % 3);
  const auto method = std::array{CodebookMethod::Tree, CodebookMethod::Optimal, CodebookMethod::Nested}[seed % 3];
  const Network net = seed > 8 ? test::random_residual_network(seed) : seed % 2 ? mlp(act, seed) : cnn(seed);
  const Case c = make_case(net, seed, w, u, q, method);
  CHECK(c.cn.is_chain() == (seed <= 8));
  INFO("seed " << seed << " w " << w << " u " << u << " q " << q);
  const GoldenModel direct(c.cn, {AccumulateForm::Direct, AmForm::TwoBlock});
  const GoldenModel counted(c.cn, {AccumulateForm::Count, AmForm::TwoBlock});
  const GoldenModel fused(c.cn, {AccumulateForm::Direct, AmForm::Fused});
  const GoldenModel rows(c.cn, {AccumulateForm::Shared, AmForm::TwoBlock});
  const auto raw = raw_features(c.data, 8);
  const std::int64_t per = numel(c.cn.input_shape);
  for (std::int64_t i = 0; i < c.data.size(); ++i) {
    GoldenTrace a, b, f, r;
    direct.classify(raw.data() + i * per, &a);
    counted.classify(raw.data() + i * per, &b);
    fused.classify(raw.data() + i * per, &f);
    rows.classify(raw.data() + i * per, &r);
    check_traces_equal(a, b);
    check_traces_equal(a, f);
    check_traces_equal(a, r);
  }
  // Every accumulator value in each stage's range, not just those the data reaches.
  for (const Stage& s : c.cn.stages) {
    if (!s.weighted() || s.is_output) continue;
    const std::int64_t lim = std::int64_t{1} << (s.acc_bits - 1);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::int64_t> acc(-lim, lim - 1);
    for (int k = 0; k < 5000; ++k) {
      const std::int64_t a = acc(rng);
      REQUIRE(am_two_block(s, a) == am_fused(s, a));
    }
  }
}

TEST_CASE("the direct form's byte-shuffle lookup gives the plain loop's sums, and is refused where it would not be "
          "exact",
          "[golden]") {
  const int w = GENERATE(2, 4, 16, 32);
  const int bits = GENERATE(8, 16, 20);
  Network net;
  net.input_shape = {1, 10, 10};
  net.layers.push_back(make_flatten("f"));
  net.layers.push_back(make_dense("h1", 100, 70, ActKind::ReLU));  // three blocks of 32, the last one partial
  net.layers.push_back(make_dense("h2", 70, 40, ActKind::Tanh));
  net.layers.push_back(make_dense("out", 40, 7));
  net = test::random_network(net, static_cast<std::uint64_t>(w * 100 + bits));
  const Dataset d = random_images(net.input_shape, 40, 7, 3);
  ComposeConfig cfg;
  cfg.method = CodebookMethod::Optimal;
  cfg.product_bits = bits;
  const ComposedNetwork cn = assemble(prepare_composer(net, "random.onnx", d, cfg, w, 16), w, 16, 16);
  INFO("w " << w << ", " << bits << "-bit products");
  const GoldenModel direct(cn), plain(cn, {AccumulateForm::Shared, AmForm::TwoBlock});
  bool wide = false;  // a product beyond 16 bits
  for (const Stage& s : cn.stages)
    for (std::int32_t p : s.product) wide = wide || p < -32768 || p > 32767;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) CHECK(direct.packed_stages() == (w <= 16 && !wide ? 3 : 0));
#endif
  CHECK(plain.packed_stages() == 0);
  const auto raw = raw_features(d, 8);
  for (std::int64_t i = 0; i < d.size(); ++i) {
    GoldenTrace a, b;
    direct.classify(raw.data() + i * 100, &a);
    plain.classify(raw.data() + i * 100, &b);
    check_traces_equal(a, b);
  }
}

TEST_CASE("the golden model follows the float model when tables are fine", "[golden]") {
  // With 256-entry codebooks the lookup network makes (nearly) the float network's decisions.
  const Network net = mlp(ActKind::ReLU, 42);
  const Case c = make_case(net, 42, 256, 256, 64, CodebookMethod::Optimal);
  const GoldenModel g(c.cn);
  const auto raw = raw_features(c.data, 8);
  const auto ours = g.classify_all(raw, c.data.size(), 1);
  const auto ref = predict(net, c.data.x.data(), c.data.size(), 1);
  int same = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) same += ours[i] == ref[i];
  CHECK(same >= 57);  // of 60
}

TEST_CASE("sequential calibration: input codebooks from the composed network, bias correction restores unit means",
          "[golden][calibration]") {
  const auto net = GENERATE(as<Network>{}, mlp(ActKind::ReLU, 7), cnn(8));
  const Dataset d = random_images(net.input_shape, 80, static_cast<int>(net.num_classes()), 3);
  const auto raw = raw_features(d, 8);
  // Each hidden Dense/Conv stage's mean activated output per unit (a neuron, or a channel over its
  // positions) over the calibration sample: the golden model's against the float network's.
  std::vector<std::vector<float>> float_out;
  std::size_t last_weighted = 0;
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    if (net.layers[i].has_weights()) last_weighted = i;
  forward(net, d.x.data(), d.size(), [&](std::size_t i, const std::vector<float>& y, std::int64_t) {
    if (net.layers[i].has_weights() && i != last_weighted) float_out.push_back(y);
  });
  const auto mean_error = [&](const ComposedNetwork& cn) {
    const GoldenModel g(cn);
    std::vector<std::vector<double>> golden_sum(float_out.size());
    std::vector<const Stage*> hidden;
    for (const auto& s : cn.stages)
      if ((s.kind == StageKind::Dense || s.kind == StageKind::Conv) && !s.is_output) hidden.push_back(&s);
    REQUIRE(hidden.size() == float_out.size());
    for (std::int64_t i = 0; i < d.size(); ++i) {
      GoldenTrace t;
      g.classify(raw.data() + i * numel(net.input_shape), &t);
      for (std::size_t k = 0; k < hidden.size(); ++k) {
        const auto& acc = t.acc[static_cast<std::size_t>(hidden[k] - cn.stages.data())];
        golden_sum[k].resize(acc.size(), 0.0);
        for (std::size_t e = 0; e < acc.size(); ++e)
          golden_sum[k][e] += apply_activation(hidden[k]->act, static_cast<float>(static_cast<double>(acc[e]) * hidden[k]->scale));
      }
    }
    double err = 0.0;
    for (std::size_t k = 0; k < hidden.size(); ++k) {
      const std::size_t per = golden_sum[k].size(), units = static_cast<std::size_t>(hidden[k]->units);
      std::vector<double> diff(units, 0.0);
      for (std::size_t e = 0; e < per; ++e) {
        double f = 0.0;
        for (std::int64_t i = 0; i < d.size(); ++i) f += float_out[k][static_cast<std::size_t>(i) * per + e];
        diff[e / (per / units)] += (golden_sum[k][e] - f) / static_cast<double>(d.size() * static_cast<std::int64_t>(per / units));
      }
      for (double v : diff) err += std::fabs(v);
    }
    return err;
  };
  ComposeConfig cfg;
  cfg.method = CodebookMethod::Optimal;
  const ComposerState plain = prepare_composer(net, "random.onnx", d, cfg, 4, 4);
  cfg.inputs = InputCodebooks::Composed;
  const ComposerState composed = prepare_composer(net, "random.onnx", d, cfg, 4, 4);
  cfg.inputs = InputCodebooks::Float;
  cfg.bias_correction = true;
  const ComposerState corrected = prepare_composer(net, "random.onnx", d, cfg, 4, 4);
  const ComposedNetwork a = assemble(plain, 4, 4, 16), b = assemble(composed, 4, 4, 16), c = assemble(corrected, 4, 4, 16);
  int weighted = 0, differ = 0;
  for (std::size_t s = 0; s < a.stages.size(); ++s) {
    if (!a.stages[s].weighted()) continue;
    // The first stage sees the raw inputs either way; later ones what the composed network gives them.
    if (weighted++ == 0) CHECK(b.stages[s].input_codebook == a.stages[s].input_codebook);
    else differ += b.stages[s].input_codebook != a.stages[s].input_codebook;
    CHECK(c.stages[s].input_codebook == a.stages[s].input_codebook);
  }
  CHECK(differ > 0);
  const double before = mean_error(a), after = mean_error(c);
  INFO("summed unit mean shift without correction " << before << ", with " << after);
  CHECK(after < 0.5 * before);
  CHECK(b.config.inputs == InputCodebooks::Composed);
  CHECK(c.config.bias_correction);
  // Pinned codebooks (what retraining trained with) are used as they are.
  ComposerState pinned = corrected;
  pin_codebooks(pinned, a);
  CHECK(assemble(pinned, 4, 4, 16).stages[0].bias == a.stages[0].bias);
}

TEST_CASE("refit weight codebooks lower the first layer's output error, keep the clusters, stay sorted",
          "[golden][calibration]") {
  const auto net = GENERATE(as<Network>{}, mlp(ActKind::ReLU, 5), cnn(6));
  const Dataset d = random_images(net.input_shape, 60, static_cast<int>(net.num_classes()), 9);
  const auto raw = raw_features(d, 8);
  // The float pre-activations of the first weighted layer (its inputs are the raw features either way).
  Network head = net;
  std::size_t first = 0;
  while (!head.layers[first].has_weights()) ++first;
  head.layers.resize(first + 1);
  head.layers[first].act = ActKind::Identity;
  const std::vector<float> target = forward(head, d.x.data(), d.size());
  const auto squared_error = [&](const ComposedNetwork& cn) {
    const GoldenModel g(cn);
    std::size_t k = 0;
    while (!(cn.stages[k].kind == StageKind::Dense || cn.stages[k].kind == StageKind::Conv)) ++k;
    double err = 0.0;
    const std::size_t per = target.size() / static_cast<std::size_t>(d.size());
    for (std::int64_t i = 0; i < d.size(); ++i) {
      GoldenTrace t;
      g.classify(raw.data() + i * numel(net.input_shape), &t);
      REQUIRE(t.acc[k].size() == per);
      for (std::size_t e = 0; e < per; ++e) {
        const double v = static_cast<double>(t.acc[k][e]) * cn.stages[k].scale - target[static_cast<std::size_t>(i) * per + e];
        err += v * v;
      }
    }
    return err;
  };
  ComposeConfig cfg;
  cfg.method = CodebookMethod::Optimal;
  const ComposerState plain = prepare_composer(net, "random.onnx", d, cfg, 4, 4);
  cfg.refit_codebooks = true;
  const ComposerState refit = prepare_composer(net, "random.onnx", d, cfg, 4, 4);
  const ComposedNetwork a = assemble(plain, 4, 4, 16), b = assemble(refit, 4, 4, 16);
  CHECK(b.config.refit_codebooks);
  const double before = squared_error(a), after = squared_error(b);
  INFO("first layer squared error, clustered entries " << before << ", refit " << after);
  CHECK(after < before);
  int moved = 0;
  for (std::size_t k = 0; k < a.stages.size(); ++k) {
    if (!(a.stages[k].kind == StageKind::Dense || a.stages[k].kind == StageKind::Conv)) continue;
    for (const auto& c : b.stages[k].weight_codebooks) CHECK(std::is_sorted(c.begin(), c.end()));
    moved += a.stages[k].weight_codebooks != b.stages[k].weight_codebooks;
    // The clusters are kept: two weights that share an entry before share one after.
    const auto& ia = a.stages[k].weight_idx;
    const auto& ib = b.stages[k].weight_idx;
    REQUIRE(ia.size() == ib.size());
    for (std::size_t j = 1; j < ia.size(); ++j) CHECK((ia[j] == ia[0]) == (ib[j] == ib[0]));
  }
  CHECK(moved > 0);
}

TEST_CASE("choosing the calibration is deterministic, records the choice, and yields to pinned codebooks",
          "[golden][calibration]") {
  const Network net = mlp(ActKind::ReLU, 11);
  const Dataset d = random_images(net.input_shape, 60, static_cast<int>(net.num_classes()), 4);
  ComposeConfig cfg;
  cfg.method = CodebookMethod::Optimal;
  cfg.choose_calibration = true;
  const ComposerState st = prepare_composer(net, "random.onnx", d, cfg, 4, 4);
  REQUIRE(st.output_weighted);
  CHECK(st.output_weighted->base.weighting == CodebookWeighting::Output);
  const ComposedNetwork a = assemble(st, 4, 4, 16), b = assemble(st, 4, 4, 16);
  CHECK(a.config.choose_calibration);
  for (std::size_t i = 0; i < a.stages.size(); ++i) {
    CHECK(a.stages[i].input_codebook == b.stages[i].input_codebook);
    CHECK(a.stages[i].product == b.stages[i].product);
    CHECK(a.stages[i].bias == b.stages[i].bias);
    CHECK(a.stages[i].weight_idx == b.stages[i].weight_idx);
  }
  ComposerState pinned = st;
  pin_codebooks(pinned, a);
  CHECK_FALSE(assemble(pinned, 4, 4, 16).config.choose_calibration);
}

TEST_CASE("choosing the calibration on held-out samples keeps the plain tables unless another is clearly right more often",
          "[golden][calibration]") {
  const Network net = mlp(ActKind::ReLU, 12);
  const Dataset d = random_images(net.input_shape, 60, static_cast<int>(net.num_classes()), 5);
  ComposeConfig cfg;
  cfg.method = CodebookMethod::Optimal;
  cfg.choose_calibration = true;
  ComposerState st = prepare_composer(net, "random.onnx", d, cfg, 4, 4);
  const std::vector<int> labels(400, 1);
  const auto judge = [&](auto favoured, int wrong_of_favoured) {
    st.choice = std::make_shared<const ComposerState::ChoiceSample>(ComposerState::ChoiceSample{
        labels, [=](const ComposedNetwork& cn) {
          std::vector<int> pred(400, 1);
          const int wrong = favoured(cn.config) ? wrong_of_favoured : 40;  // 10% wrong otherwise
          for (int i = 0; i < wrong; ++i) pred[static_cast<std::size_t>(i * 7 % 400)] = 0;
          return pred;
        }});
    return assemble(st, 4, 4, 16).config;
  };
  const auto refit_bias = [](const ComposeConfig& c) {
    return c.refit_codebooks && c.bias_correction && c.weighting == CodebookWeighting::Output &&
           c.inputs == InputCodebooks::Float;
  };
  const ComposeConfig chosen = judge(refit_bias, 0);  // 10 points better, far beyond 2 standard errors
  CHECK(refit_bias(chosen));
  CHECK(chosen.choose_calibration);
  const ComposeConfig close = judge(refit_bias, 38);  // 0.5 points better: within the noise, plain kept
  CHECK_FALSE(close.refit_codebooks);
  CHECK_FALSE(close.bias_correction);
  CHECK(close.weighting == CodebookWeighting::Plain);
  CHECK(close.inputs == InputCodebooks::Float);
  CHECK(close.choose_calibration);
}

TEST_CASE("the samples the calibration is chosen on are held out: disjoint from the calibration sample, or the "
          "test-only dataset's calibration part",
          "[golden][calibration]") {
  const auto marked = [](std::int64_t n, std::uint64_t seed) {
    Dataset d = random_images({1, 4, 4}, n, 3, seed);
    for (std::int64_t i = 0; i < n; ++i) d.x[static_cast<std::size_t>(i * d.sample_numel())] = static_cast<float>(i);
    return d;
  };
  const auto ids = [](const Dataset& d) {
    std::set<int> s;
    for (std::int64_t i = 0; i < d.size(); ++i) s.insert(static_cast<int>(d.sample(i)[0]));
    return s;
  };
  const CalibrationSplit a = split_for_calibration({marked(1000, 1), marked(200, 2), ""}, {0.1, 0, 0, 300, 7}, "marked");
  CHECK(a.calibration.size() == 100);
  CHECK(a.choice.size() == 300);
  CHECK(a.eval.size() == 200);
  const auto cal = ids(a.calibration), choice = ids(a.choice);
  CHECK(cal.size() == 100);
  CHECK(choice.size() == 300);
  for (int i : choice) CHECK(cal.count(i) == 0);
  const CalibrationSplit b = split_for_calibration({marked(1000, 1), marked(200, 2), ""}, {0.1, 0, 0, 300, 7}, "marked");
  CHECK(ids(b.choice) == choice);  // seeded
  CHECK(split_for_calibration({marked(1000, 1), marked(200, 2), ""}, {0.1, 0, 0, 0, 7}, "marked").choice.size() == 0);
  const CalibrationSplit t = split_for_calibration({std::nullopt, marked(1000, 3), ""}, {0.1, 0, 0, 300, 7}, "marked");
  CHECK(ids(t.choice) == ids(t.calibration));
  for (int i : ids(t.eval)) CHECK(ids(t.choice).count(i) == 0);
}

TEST_CASE("artifact round trip is exact and byte-identical", "[golden][artifact]") {
  const Case c = make_case(cnn(3), 3, 8, 16, 16, CodebookMethod::Tree);
  const std::string dir = test::temp_dir("artifact");
  write_artifact(c.cn, dir + "/a", {{"note", "test"}});
  nlohmann::json metrics;
  const ComposedNetwork back = load_artifact(dir + "/a", &metrics);
  CHECK(metrics["note"] == "test");
  const GoldenModel g1(c.cn), g2(back);
  const auto raw = raw_features(c.data, 8);
  const std::int64_t per = numel(c.cn.input_shape);
  for (std::int64_t i = 0; i < c.data.size(); ++i) {
    GoldenTrace a, b;
    g1.classify(raw.data() + i * per, &a);
    g2.classify(raw.data() + i * per, &b);
    check_traces_equal(a, b);
  }
  write_artifact(back, dir + "/b", {{"note", "test"}});
  for (const auto& e : fs::directory_iterator(dir + "/a"))
    CHECK(read_file(e.path().string()) == read_file(dir + "/b/" + e.path().filename().string()));
}

TEST_CASE("composing twice with the same seed gives identical tables", "[golden][artifact]") {
  const Case a = make_case(mlp(ActKind::Sigmoid, 5), 5, 16, 16, 32, CodebookMethod::Optimal);
  const Case b = make_case(mlp(ActKind::Sigmoid, 5), 5, 16, 16, 32, CodebookMethod::Optimal);
  const std::string dir = test::temp_dir("determinism");
  write_artifact(a.cn, dir + "/a");
  write_artifact(b.cn, dir + "/b");
  for (const auto& e : fs::directory_iterator(dir + "/a"))
    CHECK(read_file(e.path().string()) == read_file(dir + "/b/" + e.path().filename().string()));
}

TEST_CASE("corrupt or inconsistent artifacts are rejected with the file named", "[golden][artifact][bad-input]") {
  const Case c = make_case(mlp(ActKind::ReLU, 7), 7, 4, 4, 8, CodebookMethod::Tree);
  const std::string dir = test::temp_dir("badart") + "/a";
  auto fresh = [&] {
    fs::remove_all(dir);
    write_artifact(c.cn, dir);
  };
  fresh();
  CHECK_THROWS_WITH(load_artifact(dir + "-missing"), Catch::Contains("no such artifact directory"));
  SECTION("edited table") {
    std::string t = read_file(dir + "/s1_product.hex");
    t[t.size() - 2] = t[t.size() - 2] == '0' ? '1' : '0';
    write_file_atomic(dir + "/s1_product.hex", t);
    CHECK_THROWS_WITH(load_artifact(dir), Catch::Contains("s1_product.hex") && Catch::Contains("fingerprint"));
  }
  SECTION("truncated manifest") {
    const std::string m = read_file(dir + "/manifest.json");
    write_file_atomic(dir + "/manifest.json", m.substr(0, m.size() / 2));
    CHECK_THROWS_WITH(load_artifact(dir), Catch::Contains("manifest.json") && Catch::Contains("not valid JSON"));
  }
  SECTION("inconsistent manifest") {
    auto m = nlohmann::json::parse(read_file(dir + "/manifest.json"));
    m["stages"][1]["units"] = 25;
    write_file_atomic(dir + "/manifest.json", m.dump());
    CHECK_THROWS_WITH(load_artifact(dir), Catch::Contains("manifest.json"));
  }
  SECTION("future version") {
    auto m = nlohmann::json::parse(read_file(dir + "/manifest.json"));
    m["version"] = 99;
    write_file_atomic(dir + "/manifest.json", m.dump());
    CHECK_THROWS_WITH(load_artifact(dir), Catch::Contains("version 99"));
  }
  SECTION("missing field") {
    auto m = nlohmann::json::parse(read_file(dir + "/manifest.json"));
    m["input"].erase("raw_bits");
    write_file_atomic(dir + "/manifest.json", m.dump());
    CHECK_THROWS_WITH(load_artifact(dir), Catch::Contains("missing or mistyped field"));
  }
}

TEST_CASE("composer parameter and mapping errors", "[golden][bad-input]") {
  CHECK_THROWS_WITH(check_compose_params(3, 16, 64), Catch::Contains("--w") && Catch::Contains("power of two"));
  CHECK_THROWS_WITH(check_compose_params(1, 16, 64), Catch::Contains("--w"));
  CHECK_THROWS_WITH(check_compose_params(512, 16, 64), Catch::Contains("--w"));
  CHECK_THROWS_WITH(check_compose_params(16, 0, 64), Catch::Contains("--u"));
  CHECK_THROWS_WITH(check_compose_params(16, 16, 1), Catch::Contains("--q"));
  Network net = mlp(ActKind::ReLU, 1);
  Layer sig;
  sig.kind = LayerKind::Activation;
  sig.name = "loose_sigmoid";
  sig.act = ActKind::Sigmoid;
  net.layers.insert(net.layers.begin() + 1, sig);
  const Dataset d = random_images(net.input_shape, 10, 5, 1);
  CHECK_THROWS_WITH(prepare_composer(net, "m.onnx", d, {}, 4, 4),
                    Catch::Contains("m.onnx") && Catch::Contains("'loose_sigmoid'") && Catch::Contains("cannot be mapped"));
}

TEST_CASE("fewer distinct values than clusters composes into valid tables", "[golden]") {
  Network net;
  net.input_shape = {4};
  net.layers.push_back(make_dense("h", 4, 3, ActKind::ReLU));
  net.layers.push_back(make_dense("out", 3, 2));
  for (auto& v : net.layers[0].weights) v = 0.5f;  // a single distinct weight
  net.layers[1].weights = {1, -1, 1, -1, 1, -1};
  Dataset d = random_images({4}, 20, 2, 9);
  for (auto& v : d.x) v = v > 0.5f ? 1.0f : 0.0f;  // two distinct inputs
  const ComposerState st = prepare_composer(net, "tiny.onnx", d, {}, 64, 64);
  CHECK_FALSE(st.notes.empty());
  const ComposedNetwork cn = assemble(st, 64, 64, 8);
  CHECK_NOTHROW(cn.validate("tiny"));
  const GoldenModel g(cn);
  const auto raw = raw_features(d, 8);
  CHECK(g.classify_all(raw, d.size(), 1) == predict(net, d.x.data(), d.size(), 1));
}

TEST_CASE("one codebook for every layer: the same input and weight codebooks, so the same product table", "[golden]") {
  const Network net = cnn(6);
  const Dataset data = random_images(net.input_shape, 60, 4, 6);
  ComposeConfig cfg;
  cfg.global_codebook = true;
  const ComposedNetwork cn = assemble(prepare_composer(net, "random.onnx", data, cfg, 8, 16), 8, 16, 16);
  CHECK(cn.config.global_codebook);
  const Stage* first = nullptr;
  for (const Stage& s : cn.stages) {
    if (!s.weighted() || s.kind == StageKind::AvgPool) continue;
    if (!first) first = &s;
    CHECK(s.input_codebook == first->input_codebook);
    for (const auto& c : s.weight_codebooks) CHECK(c == first->weight_codebooks[0]);
    CHECK(s.scale == first->scale);
    // Every table of every layer is the first layer's first table.
    const std::size_t per = static_cast<std::size_t>(s.w * s.u);
    for (int t = 0; t < s.tables; ++t)
      CHECK(std::equal(s.product.begin() + t * static_cast<std::ptrdiff_t>(per),
                       s.product.begin() + (t + 1) * static_cast<std::ptrdiff_t>(per), first->product.begin()));
  }
  // Per-layer codebooks differ from layer to layer on the same network.
  ComposeConfig per_layer;
  const ComposedNetwork pl = assemble(prepare_composer(net, "random.onnx", data, per_layer, 8, 16), 8, 16, 16);
  CHECK(pl.stages.front().input_codebook != pl.stages.back().input_codebook);
  const std::string dir = test::temp_dir("global-codebook");
  write_artifact(cn, dir + "/a");
  CHECK(load_artifact(dir + "/a").config.global_codebook);
}
