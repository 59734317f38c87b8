// design.json provenance: RtlPlan -> {"plan", "artifact"}; an RTL directory + artifact -> RtlPlan.
#include "generator/design_record.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fileio.h"
#include "generator/emit_rtl.h"
#include <fmt/format.h>

namespace rapidnn {

using nlohmann::json;

namespace {

json widths_json(const RtlPlan& p) {
  json stages = json::array();
  for (const auto& t : p.stages) {
    json j = json::object();
    for (const auto& [name, m] : kRtlWidthFields) j[name] = t.*m;
    stages.push_back(j);
  }
  return {{"input_index_bits", p.input_index_bits}, {"score_bits", p.score_bits}, {"stages", stages}};
}

RtlWidths widths_from(const json& j) {
  RtlWidths w;
  w.input_index_bits = j.at("input_index_bits").get<int>();
  w.score_bits = j.at("score_bits").get<int>();
  for (const auto& s : j.at("stages")) {
    RtlStage t;
    for (const auto& [name, m] : kRtlWidthFields) t.*m = s.at(name).get<int>();
    w.stages.push_back(t);
  }
  return w;
}

// Throws unless `plan` (another network planned with the design's widths as floors) kept them.
void check_fits(const RtlPlan& plan, const RtlWidths& w, const std::string& rtl_dir, const std::string& artifact_dir) {
  auto wider = [&](const std::string& what, int got, int have) {
    fail(artifact_dir, "does not fit the programmable design in {}: {} needs {}, the design holds {}; emit the design "
                       "with --fit {}",
         rtl_dir, what, got, have, artifact_dir);
  };
  if (plan.input_index_bits != w.input_index_bits) wider("the input index width", plan.input_index_bits, w.input_index_bits);
  if (plan.score_bits != w.score_bits) wider("the score width", plan.score_bits, w.score_bits);
  for (std::size_t k = 0; k < plan.stages.size(); ++k)
    for (const auto& [name, m] : kRtlWidthFields)
      if (plan.stages[k].*m != w.stages[k].*m)
        wider(fmt::format("stage {} '{}' {}", plan.stages[k].stage, plan.stages[k].name, name), plan.stages[k].*m,
              w.stages[k].*m);
}

}  // namespace

json cfg_map_json(const CfgMap& m) {
  json regions = json::array();
  for (const auto& r : m.regions)
    regions.push_back({{"name", r.name}, {"base", r.base}, {"window_bits", r.win}, {"words", r.depth}, {"bits", r.width},
                       {"chunks", r.chunks}, {"chunk_bits", r.chunk_bits}});
  return {{"addr_bits", m.addr_bits}, {"data_bits", m.data_bits}, {"end", m.end}, {"regions", regions}};
}

json design_provenance_json(const RtlPlan& p) {
  const RtlOptions& o = p.options;
  json j = {{"plan",
           {{"lanes", o.lanes},
            {"rna_share", o.rna_share},
            {"features_per_beat", o.features_per_beat},
            {"accumulate", to_string(o.accumulate)},
            {"fused_am", o.fused_am},
            {"top", o.top}}},
          {"artifact", {{"fingerprint", p.artifact_fingerprint}, {"network", p.network}}}};
  if (o.programmable) {
    j["plan"]["programmable"] = true;
    j["programmable"] = {{"widths", widths_json(p)}, {"cfg", cfg_map_json(p.cfg)}};
  }
  return j;
}

DesignRecord read_design_record(const std::string& rtl_dir) {
  DesignRecord r;
  r.file = (fs::path(rtl_dir) / "design.json").string();
  if (!fs::is_directory(rtl_dir)) fail(rtl_dir, "no such RTL directory (write one with rapidnn emit)");
  json j;
  try {
    j = json::parse(read_file(r.file));
  } catch (const json::exception& e) {
    fail(r.file, "not a design description: {}", e.what());
  }
  try {
    if (!j.contains("plan") || !j.contains("artifact"))
      fail(r.file, "records no plan or artifact fingerprint (emitted by an older rapidnn); emit it again");
    const json& p = j.at("plan");
    r.options.lanes = p.at("lanes").get<int>();
    r.options.rna_share = p.at("rna_share").get<int>();
    r.options.features_per_beat = p.value("features_per_beat", 1);  // designs emitted before it: one
    r.options.accumulate = kAccumulateForms.parse(p.at("accumulate").get<std::string>(), r.file);
    r.options.fused_am = p.at("fused_am").get<bool>();
    r.options.top = p.at("top").get<std::string>();
    r.artifact_fingerprint = j.at("artifact").at("fingerprint").get<std::string>();
    r.options.programmable = p.value("programmable", false);
    if (r.options.programmable) {
      r.widths = widths_from(j.at("programmable").at("widths"));
      r.cfg = j.at("programmable").at("cfg");
    }
  } catch (const json::exception& e) {
    fail(r.file, "incomplete design description: {}", e.what());
  }
  return r;
}

RtlPlan load_design(const ComposedNetwork& cn, const std::string& artifact_dir, const std::string& rtl_dir) {
  const DesignRecord rec = read_design_record(rtl_dir);
  if (rec.options.programmable) {
    // Any network of the design's structure whose tables fit its widths: planned with them as
    // floors, it must keep them and give the very Verilog the directory holds.
    RtlPlan plan = plan_rtl(cn, rec.options, artifact_dir, &rec.widths);
    check_fits(plan, rec.widths, rtl_dir, artifact_dir);
    if (cfg_map_json(plan.cfg) != rec.cfg)
      fail(artifact_dir, "plans another memory map than the programmable design in {}", rtl_dir);
    for (const auto& [name, text] : generated_modules(plan)) {
      const fs::path f = fs::path(rtl_dir) / name;
      if (!fs::exists(f) || read_file(f) != text)
        fail(artifact_dir, "plans other hardware than the programmable design in {} ({} differs: another structure)",
             rtl_dir, name);
    }
    return plan;
  }
  RtlPlan plan = plan_rtl(cn, rec.options, artifact_dir);
  if (plan.artifact_fingerprint != rec.artifact_fingerprint)
    fail(rtl_dir, "was emitted from another artifact than {} (design fingerprint {}, artifact {}); emit it again "
                  "with rapidnn emit -c {}",
         artifact_dir, rec.artifact_fingerprint, plan.artifact_fingerprint, artifact_dir);
  return plan;
}

}  // namespace rapidnn
