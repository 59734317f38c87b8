// Configuration memory map: a programmable RtlPlan -> windows of its table memories, and a
// network's tables -> the configuration writes that load them.
#include "generator/cfg_map.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace rapidnn {
namespace {

CfgRegion region(std::string name, int stage, std::string table, const RtlImage& im, int data_bits) {
  CfgRegion r;
  r.name = std::move(name);
  r.stage = stage;
  r.table = std::move(table);
  r.depth = static_cast<std::int64_t>(im.words());
  r.width = im.width;
  r.chunks = (im.width + data_bits - 1) / data_bits;
  r.chunk_bits = r.chunks > 1 ? clog2(r.chunks) : 0;
  r.win = clog2(r.depth) + r.chunk_bits;
  return r;
}

}  // namespace

CfgMap plan_cfg_map(const RtlPlan& p, const std::string& source) {
  CfgMap m;
  // The data port is as wide as the widest entry read whole by a lookup (products, NDCAM values,
  // at least 32 bits); wider words (weight indices, biases) take one write per chunk.
  for (const auto& t : p.stages)
    if (t.tile()) m.data_bits = std::max({m.data_bits, t.product_bits, t.output ? 0 : t.am_value_bits});
  if (m.data_bits > 64) fail(source, "a programmable table entry of {} bits is wider than 64", m.data_bits);
  const int dw = m.data_bits;
  m.regions.push_back(region("input_lut", -1, "input_lut", p.input_lut, dw));
  // A global codebook: every tile's product table is the same one, written once into one window.
  const RtlImage* shared = nullptr;
  if (p.global_codebook) {
    for (const auto& t : p.stages) {
      if (!t.tile()) continue;
      const RtlImage& im = t.products.front();
      const bool same = t.products.size() == 1 && (!shared || (im.width == shared->width && im.values == shared->values));
      if (!same) {
        shared = nullptr;
        break;
      }
      shared = &im;
    }
    if (shared) {
      m.regions.push_back(region("prod", -1, "prod", *shared, dw));
      m.regions.back().product = 0;
    }
  }
  for (std::size_t k = 0; k < p.stages.size(); ++k) {
    const RtlStage& t = p.stages[k];
    if (!t.tile()) continue;
    const std::string n = fmt::format("s{}_{}.", t.stage, t.name);
    const int s = static_cast<int>(k);
    m.regions.push_back(region(n + "widx", s, "widx", t.widx, dw));
    m.regions.push_back(region(n + "bias", s, "bias", t.bias, dw));
    for (std::size_t r = 0; r < t.products.size() && !shared; ++r) {
      const std::string table = t.products.size() == 1 ? "prod" : fmt::format("prod_r{}", r);
      m.regions.push_back(region(n + table, s, table, t.products[r], dw));
      m.regions.back().product = static_cast<int>(r);
    }
    if (t.skip_buffer >= 0) m.regions.push_back(region(n + "skip", s, "skip", t.skip_lut, dw));
    if (t.output) continue;
    m.regions.push_back(region(n + "enc", s, "enc", t.enc, dw));
    if (t.am_mode == AmMode::Tables) {
      m.regions.push_back(region(n + "act_y", s, "act_y", t.act_y, dw));
      m.regions.push_back(region(n + "act_z", s, "act_z", t.act_z, dw));
    } else if (t.am_mode == AmMode::Fused) {
      m.regions.push_back(region(n + "act_y", s, "act_y", t.act_y, dw));
      m.regions.push_back(region(n + "fused", s, "fused", t.fused, dw));
    }
  }
  // Windows in decreasing size, each aligned to its size: no gaps between them, and a memory
  // decodes its window by comparing the address bits above it.
  std::vector<std::size_t> order(m.regions.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return m.regions[a].win > m.regions[b].win; });
  std::int64_t at = 0;
  for (std::size_t i : order) {
    CfgRegion& r = m.regions[i];
    r.base = at;
    at += std::int64_t{1} << r.win;
  }
  m.end = at;
  m.addr_bits = clog2(at);
  if (m.addr_bits > 31) fail(source, "the programmable tables need {} address bits (at most 31)", m.addr_bits);
  std::stable_sort(m.regions.begin(), m.regions.end(), [](const CfgRegion& a, const CfgRegion& b) { return a.base < b.base; });
  return m;
}

const RtlImage& cfg_image(const RtlPlan& p, const CfgRegion& r) {
  if (r.stage < 0 && r.product >= 0)  // the shared product table: the first tile's (all are equal)
    for (const auto& t : p.stages)
      if (t.tile()) return t.products.front();
  if (r.stage < 0) return p.input_lut;
  const RtlStage& t = p.stages[static_cast<std::size_t>(r.stage)];
  if (r.product >= 0) return t.products[static_cast<std::size_t>(r.product)];
  if (r.table == "widx") return t.widx;
  if (r.table == "bias") return t.bias;
  if (r.table == "skip") return t.skip_lut;
  if (r.table == "enc") return t.enc;
  if (r.table == "act_y") return t.act_y;
  if (r.table == "act_z") return t.act_z;
  if (r.table == "fused") return t.fused;
  fail(r.name, "no such table in the memory map");
}

std::vector<CfgWrite> cfg_writes(const RtlPlan& p, const RtlPlan* held) {
  std::vector<CfgWrite> out;
  const int dw = p.cfg.data_bits;
  for (std::size_t k = 0; k < p.cfg.regions.size(); ++k) {
    const CfgRegion& r = p.cfg.regions[k];
    const RtlImage& im = cfg_image(p, r);
    if (held && k < held->cfg.regions.size() && held->cfg.regions[k].name == r.name) {
      const RtlImage& was = cfg_image(*held, held->cfg.regions[k]);
      if (was.width == im.width && was.values == im.values && was.wide == im.wide) continue;
    }
    if (static_cast<std::int64_t>(im.words()) != r.depth || im.width != r.width)
      fail(r.name, "table of {} words of {} bits does not fit its window ({} words of {} bits)", im.words(), im.width,
           r.depth, r.width);
    for (std::int64_t w = 0; w < r.depth; ++w)
      for (int c = 0; c < r.chunks; ++c) {
        std::uint64_t d = 0;
        const int lo = c * dw, n = std::min(dw, r.width - lo);
        if (im.width <= 63) {
          d = static_cast<std::uint64_t>(im.values[static_cast<std::size_t>(w)]) >> lo;
        } else {
          const auto& bits = im.wide[static_cast<std::size_t>(w)];
          for (int b = 0; b < n; ++b) d |= static_cast<std::uint64_t>(bits[static_cast<std::size_t>(lo + b)] & 1u) << b;
        }
        if (n < 64) d &= (std::uint64_t{1} << n) - 1;
        out.push_back({static_cast<std::uint64_t>(r.base) + (static_cast<std::uint64_t>(w) << r.chunk_bits) +
                           static_cast<std::uint64_t>(c),
                       d});
      }
  }
  return out;
}

std::string cfg_map_text(const RtlPlan& p) {
  const CfgMap& m = p.cfg;
  std::string out = fmt::format(
      "# generated by rapidnn {} -- DO NOT EDIT.\n# Configuration memory map of {}: {}-bit address, {}-bit data "
      "(docs/programmable.md).\n# Word w, chunk c of a table is written at base + (w << chunk_bits) + c; chunk c sets "
      "bits [c*{} +: {}].\n# Addresses {:#x} and up, and unused words and chunks of a window, are outside the map: a "
      "write there\n# changes no table and sets cfg_err_o until reset.\n",
      RAPIDNN_VERSION, p.options.top, m.addr_bits, m.data_bits, m.data_bits, m.data_bits, m.end);
  out += fmt::format("{:<36} {:>10} {:>10} {:>8} {:>6} {:>6}\n", "# table", "base", "end", "words", "bits", "chunks");
  for (const CfgRegion& r : m.regions)
    out += fmt::format("{:<36} {:>#10x} {:>#10x} {:>8} {:>6} {:>6}\n", r.name, r.base, r.base + (std::int64_t{1} << r.win),
                       r.depth, r.width, r.chunks);
  return out;
}

std::string cfg_stream_text(const RtlPlan& p) {
  const int ad = (p.cfg.addr_bits + 3) / 4, dd = (p.cfg.data_bits + 3) / 4;
  const auto writes = cfg_writes(p);
  std::string out = fmt::format(
      "// generated by rapidnn {} -- DO NOT EDIT. The tables of '{}' for {}: {} configuration writes, one\n// \"address "
      "data\" pair of hex per line, in order (memory_map.txt).\n",
      RAPIDNN_VERSION, p.network, p.options.top, writes.size());
  for (const auto& w : writes) fmt::format_to(std::back_inserter(out), "{:0{}x} {:0{}x}\n", w.addr, ad, w.data, dd);
  return out;
}

}  // namespace rapidnn
