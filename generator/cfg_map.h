// Configuration memory map: RtlPlan -> the windows of a programmable design's table memories and
// the writes that load a network's tables through the configuration port.
//
// A programmable design (RtlOptions::programmable) has one valid/ready write port of address and
// data; every table memory decodes its own window (rnn_cfg_port) and a write outside every window
// only raises the sticky cfg_err_o (docs/programmable.md). The map is a function of the plan's
// structure and widths alone, so every network that plans to the same structure and widths
// shares it and loads its own tables by streaming cfg_writes().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generator/rtl_plan.h"

namespace rapidnn {

// The memory map of `plan` (a programmable plan's cfg); throws Error(source) when a table is
// wider than 64 bits per entry or the map needs more than 31 address bits.
CfgMap plan_cfg_map(const RtlPlan& plan, const std::string& source);

// The image a region is loaded from.
const RtlImage& cfg_image(const RtlPlan& plan, const CfgRegion& r);

struct CfgWrite {
  std::uint64_t addr = 0, data = 0;
};
// Every word of every region, in map order: the stream that loads `plan`'s tables. With `held`
// (another network's plan for the same design, whose tables the design holds), only the regions
// whose contents differ from held's: a table two networks share is not written again.
std::vector<CfgWrite> cfg_writes(const RtlPlan& plan, const RtlPlan* held = nullptr);

// The map as design.json records it, and as a table a person reads (memory_map.txt).
std::string cfg_map_text(const RtlPlan& plan);
// The stream as text: one "address data" line of hex per write (tables.cfg).
std::string cfg_stream_text(const RtlPlan& plan);

}  // namespace rapidnn
