// Co-simulation: generated RTL against the golden model, bit for bit, under Verilator and Icarus,
// with random stalls, the cycle model's predictions, random networks, and injected faults.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include "composer/artifact.h"
#include "composer/compose.h"
#include "core/fileio.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"
#include "rtl_support.h"
#include "sim/cosim.h"
#include "sim/cycle_model.h"
#include "sim/verilate.h"
#include "core/process.h"

using namespace rapidnn;
namespace fs = std::filesystem;

namespace {

bool have(const char* tool) { return !find_program(tool).empty(); }

// Test images: Fashion-MNIST's when installed and the shape fits, random ones otherwise.
Dataset images_for(const Network& net, std::int64_t n, std::uint64_t seed) {
  if (const auto dir = test::fashion_mnist(); dir && numel(net.input_shape) == 784) {
    Dataset d = load_dataset(*dir).test.head(n);
    fit_to_model(d, net, "test");
    return d;
  }
  return test::random_images(net.input_shape, n, static_cast<int>(net.num_classes()), seed);
}

struct Bench {
  ComposedNetwork cn;
  RtlPlan plan;
  std::string rtl;
  std::vector<std::uint16_t> raw;
  std::int64_t n = 0;
};

Bench make_bench(const std::string& name, const Network& net, int w, int u, int q, const RtlOptions& opt, std::int64_t n,
                 std::uint64_t seed = 1) {
  Bench b;
  const Dataset calib = images_for(net, 100, seed + 100);
  b.cn = test::compose_case(net, calib, w, u, q);
  b.plan = plan_rtl(b.cn, opt, name);
  b.rtl = test::temp_dir("cosim-" + name) + "/rtl";
  emit_rtl(b.plan, b.rtl);
  const Dataset d = images_for(net, n, seed);
  b.raw = raw_features(d, b.cn.input.raw_bits);
  b.n = d.size();
  return b;
}

Network fmnist_mlp(std::uint64_t seed) {
  Network net;
  net.input_shape = {1, 28, 28};
  net.layers.push_back(make_flatten("flatten"));
  net.layers.push_back(make_dense("fc1", 784, 24, ActKind::ReLU));
  net.layers.push_back(make_dense("fc2", 24, 12, ActKind::Sigmoid));
  net.layers.push_back(make_dense("out", 12, 10));
  return test::random_network(net, seed);
}

// A small CNN with both poolings, padding, stride and table activations.
Network fmnist_cnn(std::uint64_t seed) {
  Network net;
  net.input_shape = {1, 28, 28};
  net.layers.push_back(make_conv("conv1", 1, 4, 5, 2, 2, ActKind::ReLU));  // 4x14x14
  net.layers.push_back(make_pool(LayerKind::MaxPool2D, "maxpool", 2, 2));  // 4x7x7
  net.layers.push_back(make_conv("conv2", 4, 6, 3, 1, 0, ActKind::Tanh));  // 6x5x5
  net.layers.push_back(make_pool(LayerKind::AvgPool2D, "avgpool", 2, 1));  // 6x4x4
  net.layers.push_back(make_flatten("flatten"));
  net.layers.push_back(make_dense("fc", 96, 16, ActKind::Sigmoid));
  net.layers.push_back(make_dense("out", 16, 10));
  return test::random_network(net, seed);
}

// A small residual CNN: a strided stem, an identity block whose sum is the network's third
// reader of the stem's buffer, a max pool, a block projected to more channels, a residual dense
// pair (a stage that reads and adds the same buffer), the output.
Network fmnist_resnet(std::uint64_t seed) {
  Network net;
  net.input_shape = {1, 28, 28};
  net.layers.push_back(make_conv("stem", 1, 4, 3, 2, 1, ActKind::ReLU));  // 0: 4x14x14
  net.layers.push_back(make_conv("r1a", 4, 4, 3, 1, 1, ActKind::ReLU));   // 1
  net.layers.push_back(make_conv("r1b", 4, 4, 3, 1, 1));                  // 2
  Layer add;
  add.kind = LayerKind::Add;
  add.name = "r1sum";
  add.act = ActKind::ReLU;
  add.inputs = {2, 0};
  net.layers.push_back(add);                                              // 3
  net.layers.push_back(make_pool(LayerKind::MaxPool2D, "pool", 2, 2));    // 4: 4x7x7
  net.layers.push_back(make_conv("r2a", 4, 6, 3, 1, 1, ActKind::ReLU));   // 5
  net.layers.push_back(make_conv("r2b", 6, 6, 3, 1, 1));                  // 6
  Layer proj = make_conv("r2p", 4, 6, 1, 1, 0);
  proj.inputs = {4};
  net.layers.push_back(proj);                                             // 7
  add.name = "r2sum";
  add.inputs = {7, 6};
  net.layers.push_back(add);                                              // 8
  net.layers.push_back(make_flatten("flatten"));                          // 9
  net.layers.push_back(make_dense("fc", 294, 16, ActKind::ReLU));         // 10
  net.layers.push_back(make_dense("fc2", 16, 16, ActKind::Identity));     // 11
  add.name = "fcsum";
  add.inputs = {11, 10};
  net.layers.push_back(add);                                              // 12
  net.layers.push_back(make_dense("out", 16, 10));
  return test::random_network(net, seed);
}

// Seeded random RTL options for a sweep: lanes, RNA sharing, accumulation form, fused lookups.
template <class Pick>
RtlOptions random_rtl_options(Pick& pick) {
  RtlOptions opt;
  opt.lanes = pick(1, 6);
  opt.rna_share = pick(1, 3);
  opt.accumulate = std::array{RtlAccumulate::Direct, RtlAccumulate::Count, RtlAccumulate::Shared}[pick(0, 2)];
  opt.fused_am = pick(0, 1);
  return opt;
}

// Emits `plan` and co-simulates four random images under Icarus: bit-exact, and every latency as
// the cycle model predicts. `what` describes the case for a failure.
void check_random_design(const Network& net, const ComposedNetwork& cn, const RtlPlan& plan, std::uint64_t seed,
                         const std::string& dir, const std::string& what) {
  const std::string rtl = test::temp_dir(dir) + "/rtl";
  emit_rtl(plan, rtl);
  const Dataset d = test::random_images(net.input_shape, 4, static_cast<int>(net.num_classes()), seed + 1000);
  CosimOptions co;
  co.simulator = Simulator::Icarus;
  const CosimResult r = run_cosim(cn, plan, rtl, raw_features(d, cn.input.raw_bits), d.size(), co);
  const RtlOptions& opt = plan.options;
  INFO("seed " << seed << " " << what << " lanes " << opt.lanes << " share " << opt.rna_share << " "
               << to_string(opt.accumulate) << (opt.fused_am ? " fused" : " two-block") << "\n"
               << net.summary() << r.mismatch);
  CHECK(r.ok);
  const CyclePrediction p = predict_cycles(plan, d.size());
  for (std::size_t i = 0; i < r.latencies.size(); ++i) CHECK(r.latencies[i] == p.latency(i));
}

void check_ok(const CosimResult& r) {
  INFO(r.mismatch);
  CHECK(r.ok);
  CHECK(r.mismatch.empty());
}

void check_cycles_predicted(const Bench& b, const CosimResult& r) {
  const CyclePrediction p = predict_cycles(b.plan, b.n);
  CHECK(r.first_latency == p.latency(0));
  std::uint64_t lo = ~0ull, hi = 0;
  for (std::size_t i = 0; i < p.produced.size(); ++i) {
    lo = std::min(lo, p.latency(i));
    hi = std::max(hi, p.latency(i));
  }
  CHECK(r.latency_min == lo);
  CHECK(r.latency_max == hi);
  CHECK(r.interval == Approx(p.interval()).margin(5e-4));  // the harness prints three decimals
}

}  // namespace

TEST_CASE("MLP, direct accumulation, two-block lookups: 200 images bit-exact, cycles as predicted", "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 8;
  opt.rna_share = 4;
  const Bench b = make_bench("mlp-direct", fmnist_mlp(1), 8, 16, 16, opt, 200);
  const CosimResult r = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, {});
  check_ok(r);
  check_cycles_predicted(b, r);
}

TEST_CASE("MLP, counter accumulation, fused lookups, random stalls on both sides: 200 images bit-exact", "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 6;
  opt.rna_share = 5;
  opt.accumulate = RtlAccumulate::Count;
  opt.fused_am = true;
  const Bench b = make_bench("mlp-count", fmnist_mlp(2), 4, 8, 16, opt, 200);
  CosimOptions co;
  co.stall_in = 0.3;
  co.stall_out = 0.6;
  co.seed = 9;
  const CosimResult r = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co);
  check_ok(r);
  // Stalls only delay: never faster than the model's stall-free prediction.
  CHECK(r.interval >= predict_cycles(b.plan, b.n).interval());
}

TEST_CASE("MLP, shared product rows, random stalls: 200 images bit-exact, cycles as predicted", "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 7;  // does not divide 784: masked lanes
  opt.rna_share = 3;
  opt.accumulate = RtlAccumulate::Shared;
  const Bench b = make_bench("mlp-shared", fmnist_mlp(5), 4, 16, 16, opt, 200);
  const CosimResult r = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, {});
  check_ok(r);
  check_cycles_predicted(b, r);
  CosimOptions co;
  co.stall_in = 0.3;
  co.stall_out = 0.3;
  co.seed = 5;
  check_ok(run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co));
}

TEST_CASE("CNN with pooling, shared product rows (one set per RNA), fused tables: 200 images bit-exact", "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 4;
  opt.rna_share = 2;
  opt.accumulate = RtlAccumulate::Shared;
  opt.fused_am = true;
  const Bench b = make_bench("cnn-shared", fmnist_cnn(6), 8, 8, 16, opt, 200);
  const CosimResult r = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, {});
  check_ok(r);
  check_cycles_predicted(b, r);
}

TEST_CASE("CNN with max and average pooling, counter form, fused tables: 200 images bit-exact", "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 4;
  opt.accumulate = RtlAccumulate::Count;
  opt.fused_am = true;
  const Bench b = make_bench("cnn-count", fmnist_cnn(3), 4, 8, 16, opt, 200);
  const CosimResult r = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, {});
  check_ok(r);
  check_cycles_predicted(b, r);
}

TEST_CASE("CNN, direct form, two-block tables, RNA sharing, stalls: 200 images bit-exact", "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 5;
  opt.rna_share = 3;
  const Bench b = make_bench("cnn-direct", fmnist_cnn(4), 8, 16, 32, opt, 200);
  CosimOptions co;
  co.stall_in = 0.2;
  co.stall_out = 0.2;
  check_ok(run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co));
}

TEST_CASE("a residual CNN: 100 images bit-exact, every skip path compared, cycles as predicted, also under stalls",
          "[cosim][residual]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 9;
  opt.rna_share = 2;
  const Bench b = make_bench("resnet", fmnist_resnet(4), 16, 16, 16, opt, 100);
  int skips = 0, shared_readers = 0;
  for (const auto& t : b.plan.stages) skips += t.skip_buffer >= 0;
  for (const auto& buf : b.plan.buffers) shared_readers += buf.readers.size() > 1;
  CHECK(skips == 3);
  CHECK(shared_readers == 2);  // the stem's output (r1a, r1sum) and the pool's (r2a, r2p)
  const CosimResult r = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, {});
  check_ok(r);
  check_cycles_predicted(b, r);
  CosimOptions co;
  co.stall_in = 0.2;
  co.stall_out = 0.5;
  co.seed = 3;
  check_ok(run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co));
}

TEST_CASE("seeded random residual and concatenating networks go through compose, emit and co-simulation bit-exactly",
          "[cosim][residual]") {
  if (!have("iverilog")) SKIP_WITH("iverilog is not installed");
  int input_skips = 0, read_and_add = 0, strided = 0, concats = 0;  // the sweep covers each kind of join
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    std::mt19937_64 rng(seed * 104729);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const Network net = test::random_residual_network(seed);
    const int w = 1 << pick(1, 4), u = 1 << pick(1, 4), q = 1 << pick(2, 5);
    const RtlOptions opt = random_rtl_options(pick);
    const Dataset calib = test::random_images(net.input_shape, 30, static_cast<int>(net.num_classes()), seed);
    const ComposedNetwork cn = test::compose_case(net, calib, w, u, q);
    const RtlPlan plan = plan_rtl(cn, opt, "random");
    for (const auto& t : plan.stages) {
      input_skips += t.skip_buffer == 0;
      read_and_add += t.skip_buffer >= 0 && t.skip_buffer == t.in_buffer;
      strided += t.skip_buffer >= 0 && t.sh > 1;
      concats += t.kind == StageKind::Concat;
    }
    check_random_design(net, cn, plan, seed, fmt::format("cosim-residual-{}", seed),
                        fmt::format("w {} u {} q {}", w, u, q));
  }
  CHECK(input_skips > 0);
  CHECK(read_and_add > 0);
  CHECK(strided > 0);
  CHECK(concats > 0);
}

TEST_CASE("Icarus Verilog runs the same vectors and agrees, cycle for cycle", "[cosim]") {
  if (!have("iverilog") || !have("verilator")) SKIP_WITH("iverilog or verilator is not installed");
  RtlOptions opt;
  opt.lanes = 3;
  opt.rna_share = 2;
  const Bench b = make_bench("icarus", test::random_small_network(11), 4, 8, 8, opt, 20, 11);
  CosimOptions ico;
  ico.simulator = Simulator::Icarus;
  const CosimResult ri = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, ico);
  check_ok(ri);
  const CosimResult rv = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, {});
  check_ok(rv);
  const CyclePrediction p = predict_cycles(b.plan, b.n);
  REQUIRE(ri.latencies.size() == static_cast<std::size_t>(b.n));
  for (std::size_t i = 0; i < ri.latencies.size(); ++i) CHECK(ri.latencies[i] == p.latency(i));
  CHECK(rv.first_latency == p.latency(0));
}

TEST_CASE("several raw features per input beat: bit-exact under Verilator (with stalls) and Icarus, cycles as "
          "predicted, the input's cycles divided", "[cosim]") {
  if (!have("iverilog") || !have("verilator")) SKIP_WITH("iverilog or verilator is not installed");
  const Network net = test::small_mlp(6, 41);  // 16 features
  RtlOptions one;
  one.lanes = 4;
  RtlOptions opt = one;
  opt.features_per_beat = GENERATE(3, 16);  // 3: the last beat of a sample carries one feature
  const Bench b = make_bench(fmt::format("beat-{}", opt.features_per_beat), net, 4, 8, 8, opt, 30, 41);
  CHECK(b.plan.input_beats == (16 + opt.features_per_beat - 1) / opt.features_per_beat);
  CHECK(b.plan.interval() < plan_rtl(b.cn, one, "one").interval());
  CHECK_THAT(read_file(fs::path(b.rtl) / "rapidnn_top.v"),
             Catch::Contains(fmt::format("input  wire [{}:0] in_data_i", 8 * opt.features_per_beat - 1)));
  const CosimResult rv = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, {});
  check_ok(rv);
  check_cycles_predicted(b, rv);
  CosimOptions stalls;
  stalls.stall_in = 0.3;
  stalls.stall_out = 0.3;
  check_ok(run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, stalls));
  CosimOptions ico;
  ico.simulator = Simulator::Icarus;
  const CosimResult ri = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, ico);
  check_ok(ri);
  const CyclePrediction p = predict_cycles(b.plan, b.n);
  REQUIRE(ri.latencies.size() == static_cast<std::size_t>(b.n));
  for (std::size_t i = 0; i < ri.latencies.size(); ++i) CHECK(ri.latencies[i] == p.latency(i));
  // Impossible widths are refused by name.
  RtlOptions bad = one;
  bad.features_per_beat = 17;
  CHECK_THROWS_WITH(plan_rtl(b.cn, bad, "art"), Catch::Contains("--features-per-beat 17") && Catch::Contains("16 features"));
  bad.features_per_beat = 0;
  CHECK_THROWS_WITH(plan_rtl(b.cn, bad, "art"), Catch::Contains("--features-per-beat"));
}

TEST_CASE("hierarchical verilation: bit-exact like the flat build, an interrupted build resumes, a damaged one starts "
          "over, auto chooses it for many identical RNAs only", "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 4;
  const Bench b = make_bench("hier", test::small_mlp(12, 43), 4, 8, 8, opt, 30, 43);
  CosimOptions co;
  co.hierarchy = Hierarchy::On;
  const CosimResult r = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co);
  check_ok(r);
  CHECK(r.hierarchical);
  CHECK_FALSE(r.cached_build);
  check_cycles_predicted(b, r);
  const fs::path build = b.rtl + ".cosim-verilator";
  CHECK_THAT(read_file(build / "hier.vlt"), Catch::Contains("hier_block -module \"rnn_rna\""));

  // Interrupted after part of the C++ was compiled: the stamp still pending, no binary, objects missing.
  std::vector<fs::path> objects;
  for (const auto& e : fs::recursive_directory_iterator(build / "obj"))
    if (e.path().extension() == ".o") objects.push_back(e.path());
  std::sort(objects.begin(), objects.end());
  REQUIRE(objects.size() >= 4);
  for (std::size_t i = 0; i < objects.size(); i += 2) fs::remove(objects[i]);
  fs::remove(build / "Vsim");
  fs::rename(build / "stamp", build / "stamp.pending");
  const CosimResult resumed = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co);
  check_ok(resumed);
  CHECK(resumed.resumed_build);
  CHECK(fs::exists(build / "stamp"));
  CHECK_FALSE(fs::exists(build / "stamp.pending"));

  // Killed while writing object files (kill -9 leaves them half-written, newer than their
  // sources): the resumed build cannot link, so it starts over.
  for (const auto& o : objects) write_file_atomic(o, "not an object file");
  fs::remove(build / "Vsim");
  fs::rename(build / "stamp", build / "stamp.pending");
  const CosimResult fresh = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co);
  check_ok(fresh);
  CHECK_FALSE(fresh.resumed_build);
  CHECK_FALSE(fresh.cached_build);

  // Auto: flat for this design (12 + 3 RNAs); hierarchical for one RNA per neuron of 784-256-256-10.
  CHECK(hierarchical_blocks(b.plan).empty());
  Network wide;
  wide.input_shape = {784};
  wide.layers.push_back(make_dense("fc1", 784, 256, ActKind::ReLU));
  wide.layers.push_back(make_dense("fc2", 256, 256, ActKind::ReLU));
  wide.layers.push_back(make_dense("out", 256, 10));
  wide = test::random_network(wide, 44);
  const ComposedNetwork wcn = test::compose_case(wide, test::random_images(wide.input_shape, 20, 10, 44), 4, 4, 8);
  RtlOptions wopt;
  const auto blocks = hierarchical_blocks(plan_rtl(wcn, wopt, "wide"));
  CHECK(std::find(blocks.begin(), blocks.end(), "rnn_rna") != blocks.end());
  CHECK(std::find(blocks.begin(), blocks.end(), "rnn_am") != blocks.end());
  wopt.rna_share = 16;  // 35 RNAs
  CHECK(hierarchical_blocks(plan_rtl(wcn, wopt, "wide")).empty());
}

TEST_CASE("50 seeded random networks go through compose, emit and co-simulation bit-exactly", "[cosim]") {
  if (!have("iverilog")) SKIP_WITH("iverilog is not installed");
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const Network net = test::random_small_network(seed);
    const int w = 1 << pick(1, 4), u = 1 << pick(1, 4), q = 1 << pick(2, 5);
    RtlOptions opt = random_rtl_options(pick);
    // Sequential calibration (composed input codebooks, bias correction, refit weight codebooks)
    // in every combination.
    const int calibration = pick(0, 7);
    const auto inputs = (calibration & 1) ? InputCodebooks::Composed : InputCodebooks::Float;
    const bool bias_correction = (calibration & 2) != 0, refit = (calibration & 4) != 0;
    // Every other network with its own codebook sizes per layer, at most (w, u).
    std::vector<int> layer_w, layer_u;
    if (pick(0, 1))
      for (const auto& l : net.layers)
        if (l.kind == LayerKind::Dense || l.kind == LayerKind::Conv2D || l.kind == LayerKind::AvgPool2D) {
          layer_w.push_back(std::max(2, w >> pick(0, 2)));
          layer_u.push_back(std::max(2, u >> pick(0, 2)));
        }
    std::int64_t max_fan = 0, max_units = 0;
    const Dataset calib = test::random_images(net.input_shape, 30, static_cast<int>(net.num_classes()), seed);
    const ComposedNetwork cn = test::compose_case(net, calib, w, u, q, CodebookMethod::Optimal, inputs,
                                                  bias_correction, layer_w, layer_u, refit);
    for (const auto& s : cn.stages) max_fan = std::max(max_fan, s.fan_in), max_units = std::max(max_units, s.units);
    opt.lanes = static_cast<int>(std::min<std::int64_t>(opt.lanes, max_fan));
    opt.rna_share = static_cast<int>(std::min<std::int64_t>(opt.rna_share, max_units));
    const RtlPlan plan = plan_rtl(cn, opt, "random");
    check_random_design(
        net, cn, plan, seed, fmt::format("cosim-random-{}", seed),
        fmt::format("w {} u {} q {} inputs {}{}{}{}", w, u, q, to_string(inputs), bias_correction ? " bias-corrected" : "",
                    refit ? " refit" : "",
                    layer_w.empty() ? "" : fmt::format(" per-layer w {} u {}", fmt::join(layer_w, ","), fmt::join(layer_u, ","))));
  }
}

TEST_CASE("an injected table fault and an injected RTL fault are caught and located", "[cosim]") {
  if (!have("iverilog")) SKIP_WITH("iverilog is not installed");
  RtlOptions opt;
  opt.lanes = 4;
  const Bench b = make_bench("faults", fmnist_mlp(21), 4, 8, 8, opt, 4, 21);
  CosimOptions co;
  co.simulator = Simulator::Icarus;
  check_ok(run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co));

  // One product-table image of the first layer with every entry's sign bit flipped.
  const std::string bad_table = b.rtl + "-table";
  fs::copy(b.rtl, bad_table, fs::copy_options::recursive);
  const RtlImage& image = b.plan.stages[0].kind == StageKind::MaxPool ? b.plan.stages[1].products[0]
                                                                      : b.plan.stages[0].products[0];
  const fs::path prod = fs::path(bad_table) / image.file;
  std::string text = read_file(prod), flipped;
  for (std::size_t at = 0, line = 0; at < text.size(); ++line) {
    const std::size_t end = text.find('\n', at);
    std::string l = text.substr(at, end - at);
    if (line > 0) {  // after the header: flip the top bit of the 4-digit (16-bit) entry
      const int v = std::stoi(l.substr(0, 1), nullptr, 16) ^ 8;
      l[0] = "0123456789abcdef"[v];
    }
    flipped += l + "\n";
    at = end + 1;
  }
  write_file_atomic(prod, flipped);
  CosimResult r = run_cosim(b.cn, b.plan, bad_table, b.raw, b.n, co);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.mismatch, Catch::Contains("MISMATCH image 0"));
  CHECK_THAT(r.mismatch, Catch::Contains("got") && Catch::Contains("expected") && Catch::Contains("cycle"));

  // An RTL fault: the RNA's adder tree subtracts where it should add.
  const std::string bad_rtl = b.rtl + "-rtl";
  fs::copy(b.rtl, bad_rtl, fs::copy_options::recursive);
  std::string rna = read_file(fs::path(bad_rtl) / "rnn_rna.v");
  const std::string sum = "$signed(node[2*l+1][CW-1:0]) + $signed(node[2*l+2][CW-1:0])";
  const auto at = rna.find(sum);
  REQUIRE(at != std::string::npos);
  rna.replace(at, sum.size(), "$signed(node[2*l+1][CW-1:0]) - $signed(node[2*l+2][CW-1:0])");
  write_file_atomic(fs::path(bad_rtl) / "rnn_rna.v", rna);
  r = run_cosim(b.cn, b.plan, bad_rtl, b.raw, b.n, co);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.mismatch, Catch::Contains("MISMATCH image"));
  CHECK_THAT(r.mismatch, Catch::Contains("stage") || Catch::Contains("input encoder") || Catch::Contains("class"));
}

TEST_CASE("cosim --trace writes a waveform of the chosen image", "[cosim][cli]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  RtlOptions opt;
  opt.lanes = 4;
  const Bench b = make_bench("trace", test::random_small_network(31), 4, 4, 8, opt, 3, 31);
  CosimOptions co;
  co.trace = fs::path(b.rtl).parent_path() / "wave.fst";
  co.trace_image = 1;
  check_ok(run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, co));
  REQUIRE(fs::exists(co.trace));
  CHECK(fs::file_size(co.trace) > 200);
}

TEST_CASE("killing rapidnn (kill -9) mid-build kills the simulator build it started: no verilator, make or g++ "
          "left running",
          "[cosim][bad-input]") {
  if (find_program("verilator").empty() || find_program("pgrep").empty()) SKIP_WITH("verilator or pgrep is not installed");
  const std::string dir = test::temp_dir("cosim-kill");
  Network net = test::small_mlp(6, 6);
  const Dataset d = test::random_images(net.input_shape, 8, 3, 6);
  const ComposedNetwork cn = test::compose_case(net, d, 4, 4, 8);
  write_artifact(cn, dir + "/art");
  RtlOptions opt;
  opt.lanes = 4;
  emit_rtl(plan_rtl(cn, opt, "kill"), dir + "/rtl");
  std::string csv;
  for (std::int64_t i = 0; i < d.size(); ++i) {
    for (int f = 0; f < 16; ++f) csv += fmt::format("{},", static_cast<int>(d.x[static_cast<std::size_t>(i * 16 + f)] * 255.0f + 0.5f));
    csv += fmt::format("{}\n", d.y[static_cast<std::size_t>(i)]);
  }
  write_file_atomic(dir + "/data.csv", csv);
  // Start the co-simulation, wait until its build's tools run, kill rapidnn alone, count what is left.
  const std::string script = fmt::format(
      "{0} cosim -c {1}/art -r {1}/rtl -d {1}/data.csv --samples 2 > {1}/log.txt 2>&1 & pid=$!; "
      "for i in $(seq 300); do pgrep -f '{1}/rtl.cosim' > /dev/null && break; sleep 0.05; done; "
      "sleep 0.5; before=$(pgrep -f '{1}/rtl.cosim' | wc -l); kill -9 $pid; sleep 1.5; "
      "echo \"before=$before after=$(pgrep -f '{1}/rtl.cosim' | wc -l)\"",
      RAPIDNN_BIN, dir);
  write_file_atomic(dir + "/kill.sh", script + "\n");
  const auto r = test::run_cli_program("bash " + dir + "/kill.sh");
  INFO(r.output);
  CHECK_THAT(r.output, Catch::Contains("after=0"));
  CHECK_THAT(r.output, !Catch::Contains("before=0"));
}

TEST_CASE("co-simulation compares every accumulator sum: one layer-0 bias off by one is caught on the first image",
          "[cosim]") {
  if (!have("verilator")) SKIP_WITH("verilator is not installed");
  Network net = test::small_mlp(8, 31);
  RtlOptions opt;
  opt.lanes = 4;
  opt.rna_share = 8;  // one RNA per tile: one bias per word of the bias image
  const Bench b = make_bench("acc-sums", net, 8, 8, 8, opt, 20, 31);
  check_ok(run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, CosimOptions{}));
  // The simulator build is reused whatever the number of compile jobs.
  CosimOptions two;
  two.jobs = 1;
  const CosimResult again = run_cosim(b.cn, b.plan, b.rtl, b.raw, b.n, two);
  check_ok(again);
  CHECK(again.cached_build);

  // Neuron 0's bias of layer 0, plus one (minus one at the top of its range).
  const std::string bad = b.rtl + "-bias";
  fs::copy(b.rtl, bad, fs::copy_options::recursive);
  const RtlImage& bias = b.plan.stages[0].bias;
  REQUIRE(bias.width <= 62);
  const fs::path file = fs::path(bad) / bias.file;
  std::string text = read_file(file);
  const std::size_t start = text.find('\n') + 1, end = text.find('\n', start);
  const std::string word = text.substr(start, end - start);
  const std::int64_t v = std::stoll(word, nullptr, 16), mask = (std::int64_t{1} << bias.width) - 1;
  const std::int64_t top = std::int64_t{1} << (bias.width - 1);
  const std::int64_t signed_v = v >= top ? v - (mask + 1) : v;
  const std::int64_t changed = (signed_v == top - 1 ? signed_v - 1 : signed_v + 1) & mask;
  text.replace(start, word.size(), fmt::format("{:0{}x}", changed, word.size()));
  write_file_atomic(file, text);
  const CosimResult r = run_cosim(b.cn, b.plan, bad, b.raw, b.n, CosimOptions{});
  INFO(r.mismatch);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.mismatch, Catch::Contains("MISMATCH image 0,") && Catch::Contains("stage 0"));
  CHECK_THAT(r.mismatch, Catch::Contains("accumulator sums") || Catch::Contains("neuron 0"));
}
