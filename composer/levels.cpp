// Codebook levels: ComposerState + the finest sizes -> the network at every coarser tree level.
#include "composer/levels.h"

#include <algorithm>

#include "core/error.h"

namespace rapidnn {

int network_level(const ComposedNetwork& cn) {
  int level = 1;
  for (const auto& s : cn.stages)
    if (s.weighted()) level = std::max({level, s.kind == StageKind::AvgPool ? 1 : clog2(s.w), clog2(s.u)});
  return level;
}

int min_level(const ComposedNetwork& cn) { return network_level(cn) - static_cast<int>(cn.coarser.size()); }

const ComposedNetwork& at_level(const ComposedNetwork& cn, int level, const std::string& where) {
  const int top = network_level(cn), low = min_level(cn);
  if (level < low || level > top) {
    if (low == top) fail(where, "level {}: this network holds only level {} (compose it with --levels to hold more)", level, top);
    fail(where, "level {} is outside the levels this network holds ({} to {})", level, low, top);
  }
  return level == top ? cn : cn.coarser[static_cast<std::size_t>(top - level - 1)];
}

void check_level(const ComposedNetwork& finest, const ComposedNetwork& coarse, int level, const std::string& where) {
  const int d = network_level(finest) - level;
  if (network_level(coarse) != level) fail(where, "level {} holds a network of level {}", level, network_level(coarse));
  if (coarse.stages.size() != finest.stages.size() || coarse.input.raw_bits != finest.input.raw_bits)
    fail(where, "level {} is not the same network as the finest level", level);
  if (coarse.input.u != finest.input.u >> d) fail(where, "level {}: the input encoder's codebook is not the finest's shifted by {} bits", level, d);
  for (std::size_t k = 0; k < finest.stages.size(); ++k) {
    const Stage& f = finest.stages[k];
    const Stage& c = coarse.stages[k];
    if (c.kind != f.kind || c.units != f.units || c.fan_in != f.fan_in || c.out_shape != f.out_shape ||
        c.source != f.source || c.skip != f.skip || c.is_output != f.is_output || c.act_table != f.act_table)
      fail(where, "level {}, stage {} '{}': not the same stage as at the finest level", level, k, f.name);
    if (!f.weighted()) continue;
    const bool avg = f.kind == StageKind::AvgPool;
    if ((!avg && c.w != f.w >> d) || c.u != f.u >> d || (!f.is_output && c.out_u != f.out_u >> d))
      fail(where, "level {}, stage {} '{}': codebooks of {} x {} entries, the finest's shifted by {} bits give {} x {}",
           level, k, f.name, c.w, c.u, d, f.w >> d, f.u >> d);
    if (c.q() != f.q()) fail(where, "level {}, stage {} '{}': {} activation rows, the finest has {}", level, k, f.name, c.q(), f.q());
    const int shift = clog2(f.w) - clog2(c.w);
    for (std::size_t i = 0; i < f.weight_idx.size(); ++i)
      if (c.weight_idx[i] != f.weight_idx[i] >> shift)
        fail(where, "level {}, stage {} '{}': weight index {} is {}, not the prefix {} of the finest's", level, k, f.name,
             i, c.weight_idx[i], f.weight_idx[i] >> shift);
  }
}

void add_coarser_levels(ComposedNetwork& finest, const ComposerState& state, const CodebookSizes& sizes, int q,
                        int lowest, const std::string& where) {
  const int top = network_level(finest);
  if (lowest < 1 || lowest > top) fail(where, "--levels {}: the lowest level must be 1 to the network's level {}", lowest, top);
  const auto m = finest.config.method;
  if (m != CodebookMethod::Tree && m != CodebookMethod::Nested)
    fail(where, "--levels needs nested codebooks (--codebook tree or nested), where a coarser index is a prefix of a "
                "finer one; {} codebooks are not nested",
         to_string(m));
  if (finest.config.refit_codebooks)
    fail(where, "--levels: refit weight codebooks are reordered, so coarser indices are not prefixes; compose without "
                "refit");
  finest.coarser.clear();
  for (int level = top - 1; level >= lowest; --level) {
    const int d = top - level;
    CodebookSizes cs = sizes;
    for (std::size_t k = 0; k < state.stages.size(); ++k) {
      const Stage& s = state.stages[k].skeleton;
      if (!s.weighted()) continue;
      const bool avg = s.kind == StageKind::AvgPool;
      if ((!avg && (cs.w[k] >> d) < 2) || (cs.u[k] >> d) < 2)
        fail(where, "--levels {}: stage {} '{}' would have a codebook of fewer than 2 entries at level {} (w {}, u {} at "
                    "level {}); the lowest level it allows is {}",
             lowest, k, s.name, level, cs.w[k], cs.u[k], top,
             top - std::min(avg ? 30 : clog2(cs.w[k]), clog2(cs.u[k])) + 1);
      if (!avg) cs.w[k] >>= d;
      cs.u[k] >>= d;
    }
    ComposedNetwork c = assemble(state, cs, q);
    if (c.config.refit_codebooks) fail(where, "--levels: level {} chose refit weight codebooks; compose without --choose-calibration", level);
    // The prefix of each finest weight index: the tree node the weight's finest cluster lies in.
    for (std::size_t k = 0; k < c.stages.size(); ++k) {
      Stage& s = c.stages[k];
      const Stage& f = finest.stages[k];
      if (!s.weighted() || s.kind == StageKind::AvgPool) continue;
      const int shift = clog2(f.w) - clog2(s.w);
      for (std::size_t i = 0; i < s.weight_idx.size(); ++i)
        s.weight_idx[i] = static_cast<std::uint16_t>(f.weight_idx[i] >> shift);
      s.acc_bits = std::max(s.acc_bits, accumulator_bits(s));
    }
    c.validate(where);
    check_level(finest, c, level, where);
    finest.coarser.push_back(std::move(c));
  }
}

}  // namespace rapidnn
