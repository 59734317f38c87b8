// Synthesis of a design's blocks: the blocks (generator/rtl_blocks) scheduled on two workers,
// each run by synth_run.cpp, then every memory folded into the block it belongs to.
#include "synth/synth.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <atomic>
#include <climits>
#include <map>
#include <mutex>
#include <thread>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "core/process.h"
#include "generator/rtl_blocks.h"
#include "synth/synth_rom.h"
#include "synth/synth_run.h"

namespace rapidnn {

nlohmann::json block_report_json(const BlockReport& r) {
  nlohmann::json mems = nlohmann::json::array();
  for (const auto& m : r.memories)
    mems.push_back({{"name", m.name},
                    {"depth", m.depth},
                    {"width", m.width},
                    {"bits", m.bits},
                    {"cells", m.cells},
                    {"area_um2", m.area_um2},
                    {"transistors", m.transistors},
                    {"access_ns", m.access_ns},
                    {"power_mw", m.power_mw},
                    {"crossbar_model_um2", m.crossbar_model_um2},
                    {"synthesized", m.synthesized}});
  return {{"block", r.block},
          {"module", r.module},
          {"description", r.description},
          {"script", r.script},
          {"cells", r.cells},
          {"fanout_buffers", r.fanout_buffers},
          {"area_um2", r.area_um2},
          {"transistors", r.transistors},
          {"table_bits", r.memory_bits},
          {"crossbar_model_um2", r.crossbar_model_um2},
          {"critical_path_ns", r.critical_ns},
          {"logic_critical_path_ns", r.logic_critical_ns},
          {"fmax_mhz", r.fmax_mhz},
          {"power_mw", r.power_mw},
          {"energy_pj_per_cycle", r.energy_pj_per_cycle},
          {"seconds", r.seconds},
          {"memories", mems},
          {"area_breakdown", area_breakdown_json(r)}};
}

nlohmann::json area_breakdown_json(const BlockReport& r) {
  if (r.module_areas.empty()) return nullptr;  // a flat block: no modules to attribute
  static const char* const kAccumulation[] = {"rnn_rna", "rnn_rna_count", "rnn_rna_sel", "rnn_prow", "rnn_mac"};
  double accumulation = 0, lookup = 0, control = 0;
  for (const auto& [kind, area] : r.module_areas) {
    if (std::find(std::begin(kAccumulation), std::end(kAccumulation), kind) != std::end(kAccumulation)) accumulation += area;
    else if (kind == "rnn_am" || kind == "rnn_nearest") lookup += area;
    else if (kind.find("ctrl") != std::string::npos) control += area;
  }
  double accumulation_memory = 0;
  for (const auto& m : r.memories) {
    if (m.name.ends_with("widx") || m.name.ends_with("bias") || m.name == "weights") accumulation_memory += m.area_um2;
  }
  // The rest: the controller's tap table, the top's glue and the fanout buffers added after ABC.
  const double other = r.area_um2 - accumulation - lookup - control - accumulation_memory;
  nlohmann::json parts = nlohmann::json::object();
  for (const auto& [kind, area] : r.module_areas) parts[kind] = area;
  return {{"weight_accumulation_logic_um2", accumulation},
          {"weight_accumulation_memory_um2", accumulation_memory},
          {"activation_encoding_um2", lookup},
          {"controller_um2", control},
          {"other_um2", other},
          {"total_um2", r.area_um2},
          {"modules_um2", parts}};
}

void check_synth_tools(const SynthOptions& opt) {
  if (!(opt.period_ns > 0 && opt.period_ns < 1e9)) fail("--period", "{} ns is not a positive clock period", opt.period_ns);
  if (!(opt.input_activity >= 0 && opt.input_activity <= 1))
    fail("--activity", "{} is not a probability in [0, 1]", opt.input_activity);
  if (find_program("yosys").empty()) fail("yosys", "not found in PATH; install the Debian package yosys (scripts/setup.sh does)");
  if (find_program("sta").empty()) fail("sta", "OpenSTA not found in PATH; install the Debian package opensta (scripts/setup.sh does)");
  std::ifstream f(opt.liberty);
  std::string head(256, '\0');
  if (!f || !f.read(head.data(), static_cast<std::streamsize>(head.size())) || head.find("library") == std::string::npos)
    fail(opt.liberty, "cannot read a liberty library here (the default comes with the Debian package qflow-tech-osu018)");
}

namespace {

// A memory's figures depend only on its image, its columns and the timing/power settings: within
// one process (a flow stage synthesizing many designs, whose weight memories repeat across the
// input codebook sizes of a sweep) each distinct one is compiled once.
BlockReport cached_rom_block(const RtlBlock& b, const std::string& rtl_dir, const fs::path& work, const SynthOptions& o) {
  static std::mutex mutex;
  static std::map<std::string, BlockReport> cache;
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}", fingerprint(read_file(fs::path(rtl_dir) / b.image)), b.depth,
                                      b.col_lo, b.col_hi, fs::absolute(o.liberty).string(), o.period_ns, o.input_activity);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end()) {
      BlockReport r = it->second;
      r.block = b.name;
      r.seconds = 0;
      return r;
    }
  }
  BlockReport r = run_rom_block(b, rtl_dir, work, o);
  const std::lock_guard<std::mutex> lock(mutex);
  cache.emplace(key, r);
  return r;
}

}  // namespace

std::vector<RtlBlock> memory_slices(const RtlBlock& m) {
  constexpr std::int64_t kRomSliceBits = 1 << 18;
  const std::int64_t cols = std::max<std::int64_t>(1, kRomSliceBits / std::max<std::int64_t>(m.depth, 1));
  std::vector<RtlBlock> out;
  for (std::int64_t lo = 0, n = 0; lo < m.width; lo += cols, ++n) {
    RtlBlock slice = m;
    slice.col_lo = lo;
    slice.col_hi = std::min(m.width, lo + cols);
    if (lo > 0 || slice.col_hi < m.width) slice.name += fmt::format(".slice{}", n);
    slice.memory_bits = m.depth * (slice.col_hi - slice.col_lo);
    out.push_back(std::move(slice));
  }
  return out;
}

std::vector<BlockReport> synth_blocks(const RtlPlan& plan, const std::string& rtl_dir, const SynthOptions& opt) {
  check_synth_tools(opt);
  const RtlStage& t = tile_of(plan, opt.stage);
  const fs::path work = opt.work_dir.empty() ? fs::path(rtl_dir + ".synth") : fs::path(opt.work_dir);
  claim_output_dir(work, "synth-work");
  const BlockSet set = plan_blocks(plan, opt.blocks, {opt.mac_weight_bits, opt.mac_input_bits}, opt.stage);
  const std::vector<RtlBlock>& blocks = set.blocks;
  const std::vector<RtlBlock>& memories = set.memories;
  // Yosys and ABC are single-threaded: two workers take the jobs, largest first. A memory is
  // compiled by synth_rom in column slices of at most kRomSliceBits bits, each its own job.
  std::vector<RtlBlock> jobs(blocks.begin(), blocks.end());
  std::vector<std::size_t> memory_of;  // per job: index into memories + 1 (0: a block)
  memory_of.assign(jobs.size(), 0);
  if (opt.synthesize_memories)
    for (std::size_t k = 0; k < memories.size(); ++k)
      for (auto& slice : memory_slices(memories[k])) {
        jobs.push_back(std::move(slice));
        memory_of.push_back(k + 1);
      }
  std::vector<std::size_t> order(jobs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto cost = [&](std::size_t x) { return jobs[x].cut_roms ? INT64_MAX : jobs[x].memory_bits; };
    return cost(a) > cost(b);
  });
  std::vector<BlockReport> reports(jobs.size());
  std::vector<std::exception_ptr> errors(jobs.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t n; (n = next++) < order.size();) {
      const std::size_t i = order[n];
      try {
        reports[i] = memory_of[i] ? cached_rom_block(jobs[i], rtl_dir, work, opt) : run_synth_block(jobs[i], rtl_dir, work, opt);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  {
    std::thread second(worker);
    worker();
    second.join();
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  // Fold each memory (the sum of its slices) into its block, in the order the blocks were asked for.
  const auto entry = [](std::string name, std::int64_t depth, std::int64_t width) {
    MemoryReport mr;
    mr.name = std::move(name);
    mr.depth = depth;
    mr.width = width;
    mr.bits = depth * width;
    mr.crossbar_model_um2 = static_cast<double>(mr.bits) * kCrossbarUm2PerBit;
    mr.synthesized = false;
    return mr;
  };
  std::vector<BlockReport> out;
  for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
    const RtlBlock& b = blocks[bi];
    BlockReport r = reports[bi];
    r.logic_critical_ns = r.critical_ns;
    for (std::size_t k = 0; k < memories.size(); ++k) {
      const RtlBlock& mb = memories[k];
      if (mb.parent != b.name) continue;
      MemoryReport mr = entry(mb.name.substr(b.name.size() + 1), mb.depth, mb.width);
      double slice_seconds = 0;
      for (std::size_t j = blocks.size(); j < jobs.size(); ++j) {
        if (memory_of[j] != k + 1) continue;  // a slice of this memory, synthesized as ROM logic
        const BlockReport& m = reports[j];
        mr.synthesized = true;
        mr.area_um2 += m.area_um2;
        mr.cells += m.cells;
        mr.access_ns = std::max(mr.access_ns, m.critical_ns);
        mr.power_mw += m.power_mw;
        r.area_um2 += m.area_um2;
        r.cells += m.cells;
        r.power_mw += m.power_mw;
        r.energy_pj_per_cycle += m.energy_pj_per_cycle;
        r.critical_ns = std::max(r.critical_ns, m.critical_ns);
        slice_seconds += m.seconds;
      }
      r.seconds += slice_seconds;
      r.memories.push_back(mr);
    }
    if (b.name == "mac-tile" && !plan.uniform) {  // the baseline's weights and biases: bits only
      r.memories.push_back(entry("weights", static_cast<std::int64_t>(t.groups) * t.beats,
                                 static_cast<std::int64_t>(t.rnas) * t.lanes * opt.mac_weight_bits));
      r.memories.push_back(entry("bias", t.groups, static_cast<std::int64_t>(t.rnas) * t.bias_bits));
    }
    r.fmax_mhz = r.critical_ns > 0 ? 1000.0 / r.critical_ns : 0.0;
    out.push_back(r);
  }
  return out;
}

}  // namespace rapidnn
