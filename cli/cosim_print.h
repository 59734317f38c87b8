// Pieces of `rapidnn cosim`: the cycle report, and --level (one design of several codebook
// levels, co-simulated at each level).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "composer/composed.h"
#include "data/dataset.h"
#include "generator/rtl_plan.h"
#include "sim/cosim.h"

namespace rapidnn::cli {

// Streams the images of `d` once per level of `levels` (all at the first, then all at the next;
// or, with `interleave`, image i at levels[i % n] across n passes), switching the design's level
// between images, and prints each level's accuracy beside the golden model's. Returns false when
// the RTL differs from the golden model.
bool run_level_cosim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl, const Dataset& d,
                     const std::vector<std::uint16_t>& raw, const std::vector<int>& levels, bool interleave,
                     CosimOptions opt);

// A programmable design: streams the images of `d` under the tables of `composed` (cn, planned
// as `plan`), then again under each artifact of `then`, loading each network's tables through the
// configuration port between them, and prints each network's accuracy. False when the RTL differs
// from the golden model or a write fell outside the memory map.
bool run_tables_cosim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl, const std::string& composed,
                      const Dataset& d, const std::vector<std::uint16_t>& raw, const std::vector<std::string>& then,
                      CosimOptions opt);

// Prints a run's cycles, throughput and the cycle model's prediction (Verilator) or its
// simulation time (Icarus); false when the cycle model was checked and differs.
bool print_cycles(const RtlPlan& plan, const CosimResult& r, std::int64_t images, const CosimOptions& opt);

}  // namespace rapidnn::cli
