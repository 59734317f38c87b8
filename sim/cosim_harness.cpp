// Verilator co-simulation harness for one generated rapidnn design; `rapidnn cosim` compiles it
// with the Verilated top (named by cosim_top.h) and runs it.
//
// It streams raw features through the top's valid/ready input (optionally with random stalls
// on both sides), collects every buffer write the RTL reports through the DPI-C trace hook,
// and, each time a buffer holds a complete sample, compares it entry by entry with the golden
// model's values for that image (expect files, one per buffer, read as a stream). The first
// difference is reported with image, stage, entry (neuron, position), cycle, got and expected
// and the run exits 1. At the end it prints one JSON line: cycles, per-image latency,
// throughput and simulation speed.
//
//   Vsim --stim F --samples N --numel K [--beat B --raw-bits R] --expect-dir D --buf ID:DEPTH:POSITIONS:NAME ...
//        [--stall-in P] [--stall-out P] [--seed S] [--trace F --trace-image I] [--max-cycles C]
//        [--levels F --level-max M]
//
// --levels (a design of several codebook levels, built with RAPIDNN_LEVELS): one int32 per image,
// the level driven on level_i for it. Before an image whose level differs from the one driven, the
// harness holds its input until every earlier image is out, plus one cycle for the level register
// (rnn_level) to sample the new level. --level-max M (a level design, with or without --levels):
// the level the design resets to, and the one level_i is driven to until --levels says otherwise.
//
// --cfg F (a programmable design, built with RAPIDNN_CFG): records of three uint64 (image, address,
// data), in order. Before image i's first beat the harness drains the pipeline and writes every
// record of image i through the configuration port (cfg_valid_i / cfg_ready_o), one per accepted
// cycle. The summary line reports cfg_err_o ("cfg_err"): a write fell outside the memory map.
#include <verilated.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "cosim_top.h"  // the Verilated top: #include "V<top>.h", #define VTOP V<top>
#if VM_TRACE_FST
#include <verilated_fst_c.h>
#endif

namespace {

std::uint64_t g_cycle = 0;
std::int64_t g_fail_image = -1;

struct Buffer {
  int id = 0;
  std::int64_t depth = 0, positions = 1;
  std::string name;
  std::ifstream expect;
  std::vector<std::int64_t> got, want;
  std::vector<std::uint64_t> when;
  std::vector<std::uint8_t> seen;
  std::int64_t filled = 0, sample = 0;
};
std::map<int, Buffer> g_buffers;

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "cosim: %s\n", msg.c_str());
  std::exit(2);
}

void complete(Buffer& b) {
  b.want.resize(static_cast<std::size_t>(b.depth));
  if (!b.expect.read(reinterpret_cast<char*>(b.want.data()), static_cast<std::streamsize>(b.depth * 8)))
    die("buffer " + b.name + ": the RTL produced more samples than expected");
  std::int64_t first = -1;
  for (std::int64_t e = 0; e < b.depth; ++e) {
    const auto i = static_cast<std::size_t>(e);
    if (b.got[i] != b.want[i] && (first < 0 || b.when[i] < b.when[static_cast<std::size_t>(first)])) first = e;
  }
  if (first >= 0) {
    const auto i = static_cast<std::size_t>(first);
    std::printf("MISMATCH image %lld, %s, entry %lld (neuron %lld, position %lld), cycle %llu: got %lld, expected %lld\n",
                static_cast<long long>(b.sample), b.name.c_str(), static_cast<long long>(first),
                static_cast<long long>(first / b.positions), static_cast<long long>(first % b.positions),
                static_cast<unsigned long long>(b.when[i]), static_cast<long long>(b.got[i]),
                static_cast<long long>(b.want[i]));
    std::fflush(stdout);
    g_fail_image = b.sample;
    std::exit(1);
  }
  std::fill(b.seen.begin(), b.seen.end(), 0);
  b.filled = 0;
  ++b.sample;
}

// Drives a beat of `n` features (the rest of the port zero), feature f in bits [f*bits +: bits],
// into the top's input port: a plain integer up to 64 bits, Verilator's VlWide beyond.
template <class Port>
void drive_beat(Port& port, const std::uint16_t* feature, std::int64_t n, int bits) {
  if constexpr (std::is_integral_v<Port>) {
    std::uint64_t v = 0;
    for (std::int64_t f = 0; f < n; ++f) v |= static_cast<std::uint64_t>(feature[f]) << (f * bits);
    port = static_cast<Port>(v);
  } else {
    for (auto& w : port.m_storage) w = 0;
    for (std::int64_t f = 0; f < n; ++f)
      for (int b = 0; b < bits; ++b)
        if ((feature[f] >> b) & 1) {
          const std::int64_t at = f * bits + b;
          port.m_storage[at / 32] |= 1u << (at % 32);
        }
  }
}

}  // namespace

extern "C" void rnn_trace_write(int buf_id, int addr, long long data) {
  auto it = g_buffers.find(buf_id);
  if (it == g_buffers.end()) return;  // not compared
  Buffer& b = it->second;
  if (addr < 0 || addr >= b.depth) die("buffer " + b.name + ": write to entry " + std::to_string(addr) + " out of range");
  const auto i = static_cast<std::size_t>(addr);
  if (b.seen[i]) {
    std::printf("MISMATCH image %lld, %s, entry %d, cycle %llu: written twice in one sample\n",
                static_cast<long long>(b.sample), b.name.c_str(), addr, static_cast<unsigned long long>(g_cycle));
    std::exit(1);
  }
  b.seen[i] = 1;
  b.got[i] = data;
  b.when[i] = g_cycle;
  if (++b.filled == b.depth) complete(b);
}

int main(int argc, char** argv) {
  std::string stim_file, expect_dir, trace_file, levels_file, cfg_file;
  int level_now = 0;
  std::int64_t samples = 0, numel = 0, trace_image = -1, beat = 1;
  int raw_bits = 16;
  double stall_in = 0.0, stall_out = 0.0;
  std::uint64_t seed = 1, max_cycles = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--stim") stim_file = next();
    else if (a == "--expect-dir") expect_dir = next();
    else if (a == "--samples") samples = std::stoll(next());
    else if (a == "--numel") numel = std::stoll(next());
    else if (a == "--beat") beat = std::stoll(next());
    else if (a == "--raw-bits") raw_bits = std::stoi(next());
    else if (a == "--stall-in") stall_in = std::stod(next());
    else if (a == "--stall-out") stall_out = std::stod(next());
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--trace") trace_file = next();
    else if (a == "--trace-image") trace_image = std::stoll(next());
    else if (a == "--max-cycles") max_cycles = std::stoull(next());
    else if (a == "--levels") levels_file = next();
    else if (a == "--cfg") cfg_file = next();
    else if (a == "--level-max") level_now = std::stoi(next());
    else if (a == "--buf") {
      const std::string v = next();
      Buffer b;
      const auto p1 = v.find(':'), p2 = v.find(':', p1 + 1), p3 = v.find(':', p2 + 1);
      if (p3 == std::string::npos) die("bad --buf " + v);
      b.id = std::stoi(v.substr(0, p1));
      b.depth = std::stoll(v.substr(p1 + 1, p2 - p1 - 1));
      b.positions = std::stoll(v.substr(p2 + 1, p3 - p2 - 1));
      b.name = v.substr(p3 + 1);
      b.got.assign(static_cast<std::size_t>(b.depth), 0);
      b.when.assign(static_cast<std::size_t>(b.depth), 0);
      b.seen.assign(static_cast<std::size_t>(b.depth), 0);
      const std::string f = expect_dir + "/exp_" + std::to_string(b.id) + ".bin";
      b.expect.open(f, std::ios::binary);
      if (!b.expect) die("cannot open " + f);
      g_buffers.emplace(b.id, std::move(b));
    } else {
      die("unknown argument " + a);
    }
  }
  if (samples <= 0 || numel <= 0 || beat <= 0) die("--samples and --numel are required, --beat positive");
  std::vector<std::uint16_t> stim(static_cast<std::size_t>(samples * numel));
  {
    std::ifstream f(stim_file, std::ios::binary);
    if (!f.read(reinterpret_cast<char*>(stim.data()), static_cast<std::streamsize>(stim.size() * 2)))
      die("cannot read " + std::to_string(samples * numel) + " features from " + stim_file);
  }
  std::vector<std::int32_t> labels(static_cast<std::size_t>(samples));
  {
    std::ifstream f(expect_dir + "/exp_class.bin", std::ios::binary);
    if (!f.read(reinterpret_cast<char*>(labels.data()), static_cast<std::streamsize>(labels.size() * 4)))
      die("cannot read the expected classes");
  }
  if (max_cycles == 0) max_cycles = 1000000000ULL;
  std::vector<std::int32_t> levels;
  if (!levels_file.empty()) {
#ifndef RAPIDNN_LEVELS
    die("--levels: this design holds one codebook level (no level_i port)");
#endif
    levels.resize(static_cast<std::size_t>(samples));
    std::ifstream f(levels_file, std::ios::binary);
    if (!f.read(reinterpret_cast<char*>(levels.data()), static_cast<std::streamsize>(levels.size() * 4)))
      die("cannot read " + std::to_string(samples) + " levels from " + levels_file);
  }

  struct CfgRecord {
    std::uint64_t image, addr, data;
  };
  std::vector<CfgRecord> cfg;
  if (!cfg_file.empty()) {
#ifndef RAPIDNN_CFG
    die("--cfg: this design has no configuration port (emit it with --programmable)");
#endif
    std::ifstream f(cfg_file, std::ios::binary);
    for (CfgRecord r{}; f.read(reinterpret_cast<char*>(&r), sizeof r);) cfg.push_back(r);
  }
  std::size_t cfg_next = 0;

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<VTOP>(ctx.get());
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> fst;
  if (!trace_file.empty()) {
    ctx->traceEverOn(true);
    fst = std::make_unique<VerilatedFstC>();
    top->trace(fst.get(), 99);
    fst->open(trace_file.c_str());
  }
#else
  if (!trace_file.empty()) die("this build has no waveform support; rebuild with tracing");
#endif
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  const auto start = std::chrono::steady_clock::now();

  top->clk_i = 0;
  top->rst_ni = 0;
  top->in_valid_i = 0;
  top->out_ready_i = 0;
#ifdef RAPIDNN_LEVELS
  top->level_i = static_cast<std::remove_reference_t<decltype(top->level_i)>>(level_now);
#endif
#ifdef RAPIDNN_CFG
  top->cfg_valid_i = 0;
#endif
  top->eval();
  top->clk_i = 1;
  top->eval();
  top->clk_i = 0;
  top->rst_ni = 1;
  top->eval();

  std::vector<std::uint64_t> accepted(static_cast<std::size_t>(samples), 0), produced(static_cast<std::size_t>(samples), 0);
  std::int64_t next_feature = 0, outputs = 0;
  const std::int64_t total = samples * numel;
  bool tracing = false;
  for (g_cycle = 0; outputs < samples; ++g_cycle) {
    if (g_cycle >= max_cycles) {
      std::printf("TIMEOUT after %llu cycles: %lld of %lld classes out\n", static_cast<unsigned long long>(g_cycle),
                  static_cast<long long>(outputs), static_cast<long long>(samples));
      return 1;
    }
    // Low phase: drive the inputs, let the ready/valid outputs settle.
    top->clk_i = 0;
    bool want_in = next_feature < total && !(stall_in > 0 && coin(rng) < stall_in);
#ifdef RAPIDNN_LEVELS
    // A new level: no input until the pipeline is empty, then one idle cycle to sample it.
    if (!levels.empty() && next_feature < total && next_feature % numel == 0) {
      const std::int64_t img = next_feature / numel;
      const int want = levels[static_cast<std::size_t>(img)];
      if (want != level_now) {
        want_in = false;
        top->level_i = static_cast<std::remove_reference_t<decltype(top->level_i)>>(want);
        if (outputs == img) level_now = want;
      }
    }
#endif
#ifdef RAPIDNN_CFG
    // Table writes due before this image: none of its beats until the pipeline is empty and the
    // last of them is accepted.
    top->cfg_valid_i = 0;
    if (cfg_next < cfg.size() && next_feature % numel == 0 && cfg[cfg_next].image == static_cast<std::uint64_t>(next_feature / numel)) {
      want_in = false;
      if (outputs == next_feature / numel) {
        top->cfg_valid_i = 1;
        top->cfg_addr_i = static_cast<std::remove_reference_t<decltype(top->cfg_addr_i)>>(cfg[cfg_next].addr);
        top->cfg_data_i = static_cast<std::remove_reference_t<decltype(top->cfg_data_i)>>(cfg[cfg_next].data);
      }
    }
#endif
    // A beat never crosses images: the last one of an image carries what is left of it.
    const std::int64_t in_beat = std::min(beat, numel - next_feature % numel);
    top->in_valid_i = want_in;
    drive_beat(top->in_data_i, stim.data() + (want_in ? next_feature : 0), want_in ? in_beat : 0, raw_bits);
    top->out_ready_i = !(stall_out > 0 && coin(rng) < stall_out);
    top->eval();
    const std::int64_t image = next_feature / numel;
#if VM_TRACE_FST
    if (fst) {
      tracing = trace_image >= 0 && image >= trace_image && outputs <= trace_image;
      if (tracing) fst->dump(ctx->time());
    }
#endif
    if (top->out_valid_o && top->out_ready_i) {
      const auto o = static_cast<std::size_t>(outputs);
      produced[o] = g_cycle;
      const int got = static_cast<int>(top->out_class_o);
      if (got != labels[o]) {
        std::printf("MISMATCH image %lld, output class, cycle %llu: got %d, expected %d\n", static_cast<long long>(outputs),
                    static_cast<unsigned long long>(g_cycle), got, labels[o]);
        return 1;
      }
      ++outputs;
    }
#ifdef RAPIDNN_CFG
    if (top->cfg_valid_i && top->cfg_ready_o) ++cfg_next;
#endif
    if (top->in_valid_i && top->in_ready_o) {
      if (next_feature % numel == 0) accepted[static_cast<std::size_t>(image)] = g_cycle;
      next_feature += in_beat;
    }
    // Rising edge: registers update, the trace hook sees this cycle's writes.
    ctx->timeInc(1);
    top->clk_i = 1;
    top->eval();
#if VM_TRACE_FST
    if (fst && tracing) fst->dump(ctx->time());
#endif
    ctx->timeInc(1);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& [id, b] : g_buffers)
    if (b.sample != samples || b.filled != 0)
      die("buffer " + b.name + ": " + std::to_string(b.sample) + " complete samples, expected " + std::to_string(samples));
  std::uint64_t lat_min = ~0ULL, lat_max = 0, lat_sum = 0;
  for (std::int64_t i = 0; i < samples; ++i) {
    const std::uint64_t l = produced[static_cast<std::size_t>(i)] - accepted[static_cast<std::size_t>(i)];
    lat_min = std::min(lat_min, l);
    lat_max = std::max(lat_max, l);
    lat_sum += l;
  }
  int cfg_err = 0;
#ifdef RAPIDNN_CFG
  cfg_err = top->cfg_err_o ? 1 : 0;
#endif
  const double interval = samples > 1 ? static_cast<double>(produced.back() - produced.front()) / static_cast<double>(samples - 1) : 0.0;
  std::printf("{\"samples\": %lld, \"cycles\": %llu, \"first_latency\": %llu, \"latency_min\": %llu, \"latency_max\": %llu, "
              "\"latency_mean\": %.3f, \"interval\": %.3f, \"first_output\": %llu, \"last_output\": %llu, "
              "\"sim_seconds\": %.3f, \"cycles_per_second\": %.1f, \"cfg_err\": %d, \"mismatches\": 0}\n",
              static_cast<long long>(samples), static_cast<unsigned long long>(g_cycle),
              static_cast<unsigned long long>(produced[0] - accepted[0]), static_cast<unsigned long long>(lat_min),
              static_cast<unsigned long long>(lat_max), static_cast<double>(lat_sum) / static_cast<double>(samples),
              interval, static_cast<unsigned long long>(produced.front()), static_cast<unsigned long long>(produced.back()),
              secs, static_cast<double>(g_cycle) / std::max(secs, 1e-9), cfg_err);
  top->final();
#if VM_TRACE_FST
  if (fst) fst->close();
#endif
  return 0;
}
