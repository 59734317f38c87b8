// Printing of `rapidnn synth`'s report: the block table, activity power, memory technologies.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "generator/rtl_plan.h"
#include "synth/activity.h"
#include "synth/synth.h"

namespace rapidnn::cli {

void print_block(const BlockReport& r);

// One line per block of `aps` (activity against vectorless power); returns their JSON.
nlohmann::json print_activity(const std::vector<ActivityPower>& aps, const ActivityRecord& rec, double period_ns,
                              double interval);

// For each tile and MAC tile in `reports`: GOPS/s, GOPS/s/mm2 and GOPS/s/W with the memories as
// built and as the paper's crossbar (synth/efficiency.h), powered from `aps` where a block has an
// activity figure; returns their JSON by block.
nlohmann::json print_efficiency(const std::vector<BlockReport>& reports, const RtlPlan& plan,
                                const std::vector<ActivityPower>& aps, const SynthOptions& opt);

}  // namespace rapidnn::cli
