// design.json provenance: RtlPlan -> {"plan", "artifact"}; an RTL directory + artifact -> RtlPlan.
#include "generator/design_record.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fileio.h"

namespace rapidnn {

using nlohmann::json;

json design_provenance_json(const RtlPlan& p) {
  const RtlOptions& o = p.options;
  return {{"plan",
           {{"lanes", o.lanes},
            {"rna_share", o.rna_share},
            {"features_per_beat", o.features_per_beat},
            {"accumulate", to_string(o.accumulate)},
            {"fused_am", o.fused_am},
            {"top", o.top}}},
          {"artifact", {{"fingerprint", p.artifact_fingerprint}, {"network", p.network}}}};
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
  } catch (const json::exception& e) {
    fail(r.file, "incomplete design description: {}", e.what());
  }
  return r;
}

RtlPlan load_design(const ComposedNetwork& cn, const std::string& artifact_dir, const std::string& rtl_dir) {
  const DesignRecord rec = read_design_record(rtl_dir);
  RtlPlan plan = plan_rtl(cn, rec.options, artifact_dir);
  if (plan.artifact_fingerprint != rec.artifact_fingerprint)
    fail(rtl_dir, "was emitted from another artifact than {} (design fingerprint {}, artifact {}); emit it again "
                  "with rapidnn emit -c {}",
         artifact_dir, rec.artifact_fingerprint, plan.artifact_fingerprint, artifact_dir);
  return plan;
}

}  // namespace rapidnn
