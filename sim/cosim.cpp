// Co-simulation orchestration: expect files from the golden model, builds, runs, comparison.
#include "sim/cosim.h"

#include "composer/levels.h"

#include "sim/cycle_model.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "models/golden.h"
#include "core/process.h"
#include "sim/verilate.h"

namespace rapidnn {
namespace {

namespace fs = std::filesystem;

// What each traced buffer holds per image, in the golden model's terms.
struct TracedBuffer {
  int id = 0;
  std::int64_t depth = 0, positions = 1;
  std::string name;
};

// `sums`: also every hidden tile's accumulator sums (the Verilator build traces them).
std::vector<TracedBuffer> traced_buffers(const RtlPlan& plan, bool sums) {
  std::vector<TracedBuffer> out;
  out.push_back({0, plan.buffers[0].depth, 1, "input encoder"});
  for (const auto& t : plan.stages) {
    TracedBuffer b;
    b.id = t.stage + 1;
    b.depth = t.output ? plan.classes : plan.buffers[static_cast<std::size_t>(t.out_buffer)].depth;
    b.positions = t.oh * t.ow;
    b.name = fmt::format("stage {} '{}' ({}{})", t.stage, t.name, to_string(t.kind), t.output ? ", scores" : "");
    out.push_back(b);
    if (sums && !t.output && t.tile()) {
      b.id = acc_trace_id(t);
      b.name = fmt::format("stage {} '{}' ({}, accumulator sums)", t.stage, t.name, to_string(t.kind));
      out.push_back(b);
    }
  }
  return out;
}

GoldenOptions golden_options(const RtlPlan& plan) {
  GoldenOptions g;
  g.accumulate = plan.options.accumulate;
  g.am = plan.options.fused_am ? AmForm::Fused : AmForm::TwoBlock;
  return g;
}

// Golden values of every traced buffer for every image: values[buffer][image * depth + entry].
struct Expected {
  std::vector<std::vector<std::int64_t>> values;
  std::vector<std::int32_t> classes;
};

// The level image i runs at: the one asked for, clamped to the design's (rnn_level).
int image_level(const RtlPlan& plan, const std::vector<int>& levels, std::int64_t i) {
  if (levels.empty()) return plan.level_max;
  return std::clamp(levels[static_cast<std::size_t>(i)], plan.level_min, plan.level_max);
}

// The network image i is checked against: the last load before it (a programmable design).
const ComposedNetwork& image_network(const ComposedNetwork& cn, const std::vector<CosimOptions::Load>& loads, std::int64_t i) {
  const ComposedNetwork* net = &cn;
  for (const auto& l : loads)
    if (l.first_image <= i && l.network) net = l.network;
  return *net;
}

Expected expected_traces(const ComposedNetwork& cn, const RtlPlan& plan, const std::vector<TracedBuffer>& bufs,
                         const std::vector<std::uint16_t>& raw, std::int64_t samples, const std::vector<int>& levels,
                         const std::vector<CosimOptions::Load>& loads = {}) {
  std::map<std::pair<const ComposedNetwork*, int>, std::unique_ptr<GoldenModel>> models;  // per network and level run
  Expected e;
  e.values.resize(bufs.size());
  const std::int64_t per = numel(cn.input_shape);
  for (std::int64_t i = 0; i < samples; ++i) {
    GoldenTrace tr;
    const int level = image_level(plan, levels, i);
    const ComposedNetwork& net = image_network(cn, loads, i);
    auto& g = models[{&net, level}];
    if (!g) g = std::make_unique<GoldenModel>(plan.levels() > 1 ? at_level(net, level, "--level") : net, golden_options(plan));
    e.classes.push_back(g->classify(raw.data() + i * per, &tr));
    for (std::size_t b = 0; b < bufs.size(); ++b) {
      auto& v = e.values[b];
      if (bufs[b].id == 0) {
        v.insert(v.end(), tr.input.begin(), tr.input.end());
        continue;
      }
      if (bufs[b].id >= 1000) {  // acc_trace_id
        const auto& a = tr.acc[static_cast<std::size_t>(bufs[b].id - 1000)];
        v.insert(v.end(), a.begin(), a.end());
        continue;
      }
      const auto stage = static_cast<std::size_t>(bufs[b].id - 1);
      if (cn.stages[stage].is_output) v.insert(v.end(), tr.scores.begin(), tr.scores.end());
      else v.insert(v.end(), tr.encoded[stage].begin(), tr.encoded[stage].end());
    }
  }
  return e;
}


const char* source_text(const std::string& name) {
  for (const auto& s : sim_sources())
    if (name == s.file) return s.text;
  fail("", "embedded simulation source {} is missing", name);
}

void require_tool(const std::string& tool, const std::string& package) {
  if (find_program(tool).empty())
    fail(tool, "not found in PATH; install the Debian package {} (scripts/setup.sh does)", package);
}

CosimResult run_verilator(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                          const std::vector<std::uint16_t>& raw, std::int64_t samples, const CosimOptions& opt) {
  require_tool("verilator", "verilator");
  CosimResult r;
  r.samples = samples;
  const bool fst = !opt.trace.empty();
  const fs::path build = fs::absolute(opt.build_dir.empty() ? rtl_dir + (fst ? ".cosim-verilator-fst" : ".cosim-verilator")
                                                            : opt.build_dir);
  const std::string top = plan.options.top;
  // The build's stamp hashes everything that changes the model; the job count does not. The model
  // is compiled at -O1 instead of Verilator's -Os: on the default 784-512-512-10 design it builds
  // in 34-36 s instead of 44-48 s and simulates 67,000-77,000 cycles/s instead of 55,000-58,000
  // (repeated runs on the 2-core machine; README).
  VerilateJob job;
  job.build = build;
  job.flags = {"verilator", "--cc", "--exe", "--build",
               "--top-module", top, "-DRAPIDNN_TRACE", "--x-assign", "fast", "--x-initial", "fast",
               "-Mdir", (build / "obj").string(), "-o", (build / "Vsim").string(), "-CFLAGS",
               "-I" + build.string(), "-MAKEFLAGS", "OPT_FAST=-O1"};
  if (fst) job.flags.push_back("--trace-fst");
  job.sources = {{"cosim_harness.cpp", source_text("cosim_harness.cpp")},
                 {"cosim_top.h", fmt::format("// generated by rapidnn -- DO NOT EDIT\n#include \"V{0}.h\"\n#define VTOP V{0}\n{1}",
                                             top, std::string(plan.levels() > 1 ? "#define RAPIDNN_LEVELS 1\n" : "") +
                                                      (plan.options.programmable ? "#define RAPIDNN_CFG 1\n" : ""))}};
  job.rtl_dir = rtl_dir;
  job.jobs = opt.jobs;
  // Waveforms need the flat model: Verilator cannot trace inside a hierarchical block.
  if (opt.hierarchy == Hierarchy::On) job.hier_blocks = hierarchical_blocks(plan, true);
  else if (opt.hierarchy == Hierarchy::Auto && !fst) job.hier_blocks = hierarchical_blocks(plan);
  r.hierarchical = !job.hier_blocks.empty();
  claim_output_dir(build, "cosim-build");  // --build-dir never deletes a directory rapidnn did not make
  Stopwatch sw;
  {
    FileLock lock(build.string() + ".lock");  // one build for concurrent runs (shards)
    const VerilateStatus s = verilate(job);
    r.cached_build = s == VerilateStatus::Cached;
    r.resumed_build = s == VerilateStatus::Resumed;
  }
  r.build_seconds = sw.seconds();

  const fs::path work = build / opt.run_name;
  std::vector<std::string> argv{(build / "Vsim").string()};
  for (auto& a : write_harness_vectors(cn, plan, raw, samples, work, opt)) argv.push_back(std::move(a));
  const ProcessResult pr = run_process(argv, rtl_dir);
  parse_harness_output(pr, rtl_dir, r);
  return r;
}

CosimResult run_icarus(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                       const std::vector<std::uint16_t>& raw, std::int64_t samples, const CosimOptions& opt) {
  require_tool("iverilog", "iverilog");
  require_tool("vvp", "iverilog");
  if (plan.options.programmable)
    fail(rtl_dir, "a programmable design is co-simulated with Verilator (--simulator verilator); the Icarus testbench "
                  "does not drive the configuration port");
  CosimResult r;
  r.samples = samples;
  const fs::path build = fs::absolute(opt.build_dir.empty() ? rtl_dir + ".cosim-iverilog" : opt.build_dir);
  reset_owned_dir(build, "cosim-build");
  std::string stim;
  for (std::int64_t i = 0; i < samples * plan.input_numel; ++i) stim += fmt::format("{:04x}\n", raw[static_cast<std::size_t>(i)]);
  write_file_atomic(build / "stim.hex", stim);
  write_file_atomic(build / "cosim_harness_tb.v", source_text("cosim_harness_tb.v"));
  std::string level_hex;
  for (int l : opt.levels) level_hex += fmt::format("{:02x}\n", l);
  Stopwatch sw;
  std::vector<std::string> argv{"iverilog", "-g2012", "-DRAPIDNN_TRACE", "-DRNN_TOP=" + plan.options.top,
                                "-DSTIM_FILE=\"" + (build / "stim.hex").string() + "\"", "-s", "cosim_tb", "-o",
                                (build / "sim.vvp").string(),
                                fmt::format("-Pcosim_tb.NUMEL={}", plan.input_numel),
                                fmt::format("-Pcosim_tb.SAMPLES={}", samples),
                                fmt::format("-Pcosim_tb.RAW_BITS={}", plan.raw_bits),
                                fmt::format("-Pcosim_tb.F={}", plan.options.features_per_beat),
                                fmt::format("-Pcosim_tb.CW={}", plan.class_bits),
                                fmt::format("-Pcosim_tb.SCW={}", plan.classes * plan.score_bits)};
  if (!opt.levels.empty()) {
    write_file_atomic(build / "levels.hex", level_hex);
    argv.insert(argv.end(), {"-DRNN_LEVELS", "-DLEVEL_FILE=\"" + (build / "levels.hex").string() + "\"",
                             fmt::format("-Pcosim_tb.PW={}", plan.level_pin_bits()),
                             fmt::format("-Pcosim_tb.LEVEL_MAX={}", plan.level_max)});
  }
  for (const auto& f : rtl_file_list(rtl_dir)) argv.push_back(f);
  argv.push_back((build / "cosim_harness_tb.v").string());
  ProcessResult pr = run_process(argv);
  if (pr.exit_code != 0) fail(rtl_dir, "iverilog could not compile the design:\n{}", pr.output);
  r.build_seconds = sw.seconds();
  Stopwatch run;
  pr = run_process({"vvp", "-n", (build / "sim.vvp").string()}, rtl_dir);
  r.sim_seconds = run.seconds();
  if (pr.exit_code != 0) fail(rtl_dir, "vvp failed (exit {}):\n{}", pr.exit_code, pr.output);

  // Compare the printed trace with the golden model, buffer by buffer and image by image.
  const auto bufs = traced_buffers(plan, false);
  const Expected e = expected_traces(cn, plan, bufs, raw, samples, opt.levels);
  std::map<int, std::size_t> index;
  for (std::size_t b = 0; b < bufs.size(); ++b) index[bufs[b].id] = b;
  std::vector<std::int64_t> filled(bufs.size(), 0), sample(bufs.size(), 0);
  std::vector<std::uint64_t> first_write(static_cast<std::size_t>(samples), 0);
  std::istringstream lines(pr.output);
  std::int64_t classes_seen = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "trace") {
      long long id = 0, addr = 0, value = 0;
      std::uint64_t t = 0;
      in >> id >> addr >> value >> t;
      const auto it = index.find(static_cast<int>(id));
      if (it == index.end()) continue;
      const std::size_t b = it->second;
      const std::uint64_t cycle = t / 2;
      if (bufs[b].id == 0 && filled[b] == 0 && sample[b] < samples) first_write[static_cast<std::size_t>(sample[b])] = cycle;
      const std::size_t at = static_cast<std::size_t>(sample[b] * bufs[b].depth + addr);
      if (sample[b] >= samples || addr < 0 || addr >= bufs[b].depth) {
        r.mismatch = fmt::format("MISMATCH {}: unexpected write to entry {} at cycle {}", bufs[b].name, addr, cycle);
        return r;
      }
      if (e.values[b][at] != value) {
        r.mismatch = fmt::format("MISMATCH image {}, {}, entry {} (neuron {}, position {}), cycle {}: got {}, expected {}",
                                 sample[b], bufs[b].name, addr, addr / bufs[b].positions, addr % bufs[b].positions,
                                 cycle, value, e.values[b][at]);
        return r;
      }
      if (++filled[b] == bufs[b].depth) {
        filled[b] = 0;
        ++sample[b];
      }
    } else if (kind == "class") {
      long long i = 0, c = 0;
      std::uint64_t t = 0;
      in >> i >> c >> t;
      if (i < 0 || i >= samples || c != e.classes[static_cast<std::size_t>(i)]) {
        r.mismatch = fmt::format("MISMATCH image {}, output class, cycle {}: got {}, expected {}", i, t / 2, c,
                                 i >= 0 && i < samples ? e.classes[static_cast<std::size_t>(i)] : -1);
        return r;
      }
      r.latencies.push_back(t / 2 - first_write[static_cast<std::size_t>(i)]);
      r.cycles = t / 2;
      ++classes_seen;
    }
  }
  for (std::size_t b = 0; b < bufs.size(); ++b)
    if (sample[b] != samples) {
      r.mismatch = fmt::format("MISMATCH {}: {} complete images written, expected {}", bufs[b].name, sample[b], samples);
      return r;
    }
  if (classes_seen != samples) {
    r.mismatch = fmt::format("MISMATCH output: {} classes, expected {}", classes_seen, samples);
    return r;
  }
  r.ok = true;
  r.cycles_per_second = static_cast<double>(r.cycles) / std::max(r.sim_seconds, 1e-9);
  return r;
}

}  // namespace

const char* sim_source_text(const std::string& name) { return source_text(name); }

std::vector<std::string> write_harness_vectors(const ComposedNetwork& cn, const RtlPlan& plan,
                                               const std::vector<std::uint16_t>& raw, std::int64_t samples,
                                               const fs::path& work, const CosimOptions& opt) {
  // Vectors: raw features and the golden model's traces.
  fs::create_directories(work);
  const auto bufs = traced_buffers(plan, true);
  std::vector<CosimOptions::Load> loads = opt.loads;
  if (plan.options.programmable && loads.empty()) loads.push_back({0, &cn, cfg_writes(plan)});
  const Expected e = expected_traces(cn, plan, bufs, raw, samples, opt.levels, loads);
  {
    std::string bytes(reinterpret_cast<const char*>(raw.data()), static_cast<std::size_t>(samples * plan.input_numel) * 2);
    write_file_atomic(work / "stim.bin", bytes);
    write_file_atomic(work / "exp_class.bin",
                      std::string_view(reinterpret_cast<const char*>(e.classes.data()), e.classes.size() * 4));
    for (std::size_t b = 0; b < bufs.size(); ++b)
      write_file_atomic(work / fmt::format("exp_{}.bin", bufs[b].id),
                        std::string_view(reinterpret_cast<const char*>(e.values[b].data()), e.values[b].size() * 8));
  }
  std::vector<std::string> argv{"--stim", (work / "stim.bin").string(), "--samples",
                                std::to_string(samples), "--numel", std::to_string(plan.input_numel), "--beat",
                                std::to_string(plan.options.features_per_beat), "--raw-bits", std::to_string(plan.raw_bits), "--expect-dir",
                                work.string(), "--seed", std::to_string(opt.seed), "--stall-in",
                                fmt::format("{}", opt.stall_in), "--stall-out", fmt::format("{}", opt.stall_out)};
  for (const auto& b : bufs) {
    argv.push_back("--buf");
    argv.push_back(fmt::format("{}:{}:{}:{}", b.id, b.depth, b.positions, b.name));
  }
  if (!opt.levels.empty()) {
    write_file_atomic(work / "levels.bin",
                      std::string_view(reinterpret_cast<const char*>(opt.levels.data()), opt.levels.size() * 4));
    argv.insert(argv.end(), {"--levels", (work / "levels.bin").string()});
  }
  if (plan.levels() > 1) argv.insert(argv.end(), {"--level-max", std::to_string(plan.level_max)});
  if (!loads.empty()) {
    if (!plan.options.programmable) fail("--cfg", "the design has fixed tables; emit it with --programmable to load others");
    std::vector<std::uint64_t> rec;
    for (const auto& l : loads)
      for (const auto& w : l.writes) rec.insert(rec.end(), {static_cast<std::uint64_t>(l.first_image), w.addr, w.data});
    write_file_atomic(work / "cfg.bin", std::string_view(reinterpret_cast<const char*>(rec.data()), rec.size() * 8));
    argv.insert(argv.end(), {"--cfg", (work / "cfg.bin").string()});
  }
  if (!opt.trace.empty()) {
    argv.insert(argv.end(), {"--trace", fs::absolute(opt.trace).string(), "--trace-image", std::to_string(opt.trace_image)});
  }
  return argv;
}

void parse_harness_output(const ProcessResult& pr, const std::string& rtl_dir, CosimResult& r) {
  std::istringstream lines(pr.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("MISMATCH", 0) == 0 || line.rfind("TIMEOUT", 0) == 0) {
      r.mismatch = line;
      return;
    }
    if (line.rfind("{", 0) == 0) {
      const auto j = nlohmann::json::parse(line);
      r.cycles = j["cycles"];
      r.first_latency = j["first_latency"];
      r.latency_min = j["latency_min"];
      r.latency_max = j["latency_max"];
      r.latency_mean = j["latency_mean"];
      r.interval = j["interval"];
      r.sim_seconds = j["sim_seconds"];
      r.cycles_per_second = j["cycles_per_second"];
      r.cfg_error = j.value("cfg_err", 0) != 0;
      r.ok = pr.exit_code == 0;
    }
  }
  if (!r.ok && r.mismatch.empty()) fail(rtl_dir, "the co-simulation failed (exit {}):\n{}", pr.exit_code, pr.output);
}

CosimResult run_cosim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                      const std::vector<std::uint16_t>& raw, std::int64_t samples, const CosimOptions& opt) {
  if (samples <= 0) fail("--samples", "must be positive, got {}", samples);
  if (static_cast<std::int64_t>(raw.size()) < samples * plan.input_numel)
    fail("--samples", "{} images requested, {} available", samples, static_cast<std::int64_t>(raw.size()) / plan.input_numel);
  if (!(opt.stall_in >= 0 && opt.stall_in < 1))  // NaN too
    fail("--stall-in", "{} is not a probability in [0, 1)", opt.stall_in);
  if (!(opt.stall_out >= 0 && opt.stall_out < 1)) fail("--stall-out", "{} is not a probability in [0, 1)", opt.stall_out);
  if (!opt.trace.empty() && (opt.trace_image < 0 || opt.trace_image >= samples))
    fail("--trace-image", "{} is not one of the {} images simulated (0 to {})", opt.trace_image, samples, samples - 1);
  if (opt.jobs < 1 || opt.jobs > 1024) fail("--jobs", "{} is not 1 to 1024", opt.jobs);
  if (!opt.levels.empty()) {
    if (plan.levels() < 2)
      fail("--level", "the design in {} holds one codebook level; emit it from an artifact composed with --levels",
           rtl_dir);
    if (static_cast<std::int64_t>(opt.levels.size()) != samples)
      fail("--level", "{} image levels for {} images", opt.levels.size(), samples);
    for (int l : opt.levels)
      if (l < 0 || l >= (1 << plan.level_pin_bits()))
        fail("--level", "{} does not fit the design's {}-bit level_i port (levels {} to {})", l, plan.level_pin_bits(),
             plan.level_min, plan.level_max);
  }
  CosimOptions o = opt;
  if (plan.levels() > 1 && o.levels.empty()) o.levels.assign(static_cast<std::size_t>(samples), plan.level_max);
  return o.simulator == Simulator::Verilator ? run_verilator(cn, plan, rtl_dir, raw, samples, o)
                                             : run_icarus(cn, plan, rtl_dir, raw, samples, o);
}

}  // namespace rapidnn

namespace rapidnn {

CycleCheck check_cycles(const RtlPlan& plan, const CosimResult& r, std::int64_t samples, const CosimOptions& opt) {
  CycleCheck c;
  const CyclePrediction p = predict_cycles(plan, samples);
  c.predicted_latency = p.latency(0);
  c.predicted_interval = p.interval();
  if (opt.simulator != Simulator::Verilator || opt.stall_in > 0 || opt.stall_out > 0) return c;
  // Level switches and table loads drain the pipeline between images, which the model does not.
  if (std::any_of(opt.levels.begin(), opt.levels.end(), [&](int l) { return l != opt.levels.front(); })) return c;
  if (std::any_of(opt.loads.begin(), opt.loads.end(), [](const CosimOptions::Load& l) { return l.first_image > 0; })) return c;
  c.checked = true;
  const auto span = static_cast<std::uint64_t>(r.interval * static_cast<double>(samples - 1) + 0.5);
  c.exact = p.latency(0) == r.first_latency && p.produced.back() - p.produced.front() == span;
  return c;
}

}  // namespace rapidnn
