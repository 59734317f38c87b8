// design.json: what an emitted RTL directory is, read back by the stages after the generator.
//
// The emitter writes it (emit_rtl.cpp): the plan's structure and cycle counts, the options the
// plan was made with ("plan") and the fingerprint of the artifact it was made from ("artifact").
// load_design() re-plans a directory from its artifact and rejects a pair that does not belong
// together, so a co-simulation or synthesis never runs RTL against the wrong tables.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "composer/composed.h"
#include "generator/rtl_plan.h"

namespace rapidnn {

struct DesignRecord {
  std::string file;                  // <rtl>/design.json, for messages
  RtlOptions options;                // what the plan was made with
  std::string artifact_fingerprint;  // artifact_fingerprint() of the artifact it was emitted from
  // A programmable design: the widths it was built with and its memory map (as JSON). Any
  // artifact that plans to the same Verilog with these widths runs on it.
  RtlWidths widths;
  nlohmann::json cfg;
};

// The memory map as design.json records it.
nlohmann::json cfg_map_json(const CfgMap& m);

// The plan's options and provenance as design.json records them ("plan", "artifact", and for a
// programmable design "programmable": its widths and memory map).
nlohmann::json design_provenance_json(const RtlPlan& plan);

// Reads <rtl_dir>/design.json; throws Error naming it when missing, malformed or incomplete.
DesignRecord read_design_record(const std::string& rtl_dir);

// The plan of the RTL in `rtl_dir`, re-made from the artifact `cn` (loaded from `artifact_dir`)
// with the options the directory was emitted with. Throws Error naming both directories when the
// RTL was emitted from another artifact; for a programmable design, when the artifact does not
// fit it (another structure, a wider table than the design holds).
RtlPlan load_design(const ComposedNetwork& cn, const std::string& artifact_dir, const std::string& rtl_dir);

}  // namespace rapidnn
