// Block reports -> totals and lookup-versus-MAC ratios (neuron and tile), and the JSON report.
#include "synth/synth_compare.h"

namespace rapidnn {
namespace {

const BlockReport* find(const std::vector<BlockReport>& reports, const char* name) {
  for (const auto& r : reports)
    if (r.block == name) return &r;
  return nullptr;
}

double logic_um2(const BlockReport& b) {  // a block without its memories
  double a = b.area_um2;
  for (const auto& m : b.memories) a -= m.area_um2;
  return a;
}

std::int64_t memory_bits(const BlockReport& b) {
  std::int64_t n = 0;
  for (const auto& m : b.memories) n += m.bits;
  return n;
}

}  // namespace

SynthComparison compare_blocks(const std::vector<BlockReport>& reports, std::uint64_t latency, double interval) {
  SynthComparison c;
  BlockReport sum;
  int summed = 0;
  for (const auto& r : reports) {
    if (r.block == "mac" || r.block == "mac-tile") continue;
    sum.area_um2 += r.area_um2;
    sum.cells += r.cells;
    sum.transistors += r.transistors;
    sum.memory_bits += r.memory_bits;
    sum.crossbar_model_um2 += r.crossbar_model_um2;
    sum.energy_pj_per_cycle += r.energy_pj_per_cycle;
    sum.seconds += r.seconds;
    ++summed;
  }
  if (summed > 1) c.total = sum;
  const BlockReport* rna = find(reports, "rna");
  const BlockReport* mac = find(reports, "mac");
  if (rna && mac && mac->area_um2 > 0 && mac->transistors > 0) {
    // Per inference, a neuron block works for one interval and the answer takes one latency.
    const auto edp = [&](const BlockReport& b) {
      return b.energy_pj_per_cycle * interval * (static_cast<double>(latency) / b.fmax_mhz);  // pJ x us
    };
    NeuronComparison n;
    n.area_ratio = rna->area_um2 / mac->area_um2;
    n.transistor_ratio = static_cast<double>(rna->transistors) / static_cast<double>(mac->transistors);
    n.fmax_ratio = mac->fmax_mhz > 0 ? rna->fmax_mhz / mac->fmax_mhz : 0.0;
    n.energy_ratio = rna->energy_pj_per_cycle / mac->energy_pj_per_cycle;
    n.edp_ratio = edp(*rna) / edp(*mac);
    n.lookup_nj = rna->energy_pj_per_cycle * interval / 1e3;
    n.mac_nj = mac->energy_pj_per_cycle * interval / 1e3;
    c.neuron = n;
  }
  const BlockReport* tile = find(reports, "tile");
  const BlockReport* mtile = find(reports, "mac-tile");
  if (tile && mtile) {
    TileComparison t;
    t.logic_um2 = logic_um2(*tile);
    t.mac_logic_um2 = logic_um2(*mtile);
    t.logic_area_ratio = t.logic_um2 / t.mac_logic_um2;
    t.memory_bits = memory_bits(*tile);
    t.mac_memory_bits = memory_bits(*mtile);
    t.memory_bits_ratio = static_cast<double>(t.memory_bits) / static_cast<double>(t.mac_memory_bits);
    t.fmax_mhz = tile->fmax_mhz;
    t.mac_fmax_mhz = mtile->fmax_mhz;
    t.fmax_ratio = mtile->fmax_mhz > 0 ? tile->fmax_mhz / mtile->fmax_mhz : 0.0;
    c.tile = t;
  }
  return c;
}

nlohmann::json synth_report_json(const SynthOptions& opt, const std::vector<BlockReport>& reports,
                                 const SynthComparison& c, std::uint64_t latency, double interval) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& r : reports) blocks.push_back(block_report_json(r));
  if (c.total) {
    const BlockReport& s = *c.total;
    blocks.push_back({{"block", "total"}, {"description", "sum of the lookup blocks above (baselines apart)"},
                      {"cells", s.cells}, {"area_um2", s.area_um2}, {"transistors", s.transistors},
                      {"table_bits", s.memory_bits}, {"crossbar_model_um2", s.crossbar_model_um2},
                      {"energy_pj_per_cycle", s.energy_pj_per_cycle}, {"seconds", s.seconds}});
  }
  nlohmann::json out{{"liberty", opt.liberty},        {"period_ns", opt.period_ns},
                     {"input_activity", opt.input_activity}, {"blocks", blocks},
                     {"latency_cycles", latency},   {"interval_cycles", interval}};
  if (c.neuron)
    out["lut_vs_mac"] = {{"area_ratio", c.neuron->area_ratio},
                         {"energy_ratio", c.neuron->energy_ratio},
                         {"edp_ratio", c.neuron->edp_ratio},
                         {"transistor_ratio", c.neuron->transistor_ratio},
                         {"fmax_ratio", c.neuron->fmax_ratio}};
  if (c.tile)
    out["tile_vs_mac_tile"] = {{"logic_area_ratio", c.tile->logic_area_ratio},
                               {"memory_bits_ratio", c.tile->memory_bits_ratio},
                               {"fmax_ratio", c.tile->fmax_ratio}};
  return out;
}

}  // namespace rapidnn
