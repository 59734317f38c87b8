// The co-simulation result document and the merge of its shards.
#include "flow/cosim_result.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fileio.h"
#include "flow/runner.h"

namespace rapidnn::flow {

using json = nlohmann::json;

std::string cosim_result_document(const CosimClasses& c) {
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < c.classes.size(); ++i) correct += c.classes[i] == c.labels[i];
  const auto n = static_cast<std::int64_t>(c.classes.size());
  const json j = {{"format", "rapidnn-cosim-result"},
                  {"version", 1},
                  {"first_image", c.first},
                  {"images", n},
                  {"mismatches", 0},
                  {"correct", correct},
                  {"accuracy", fmt::format("{:.2f}", n > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(n) : 0.0)},
                  {"classes", c.classes},
                  {"labels", c.labels}};
  return j.dump() + "\n";
}

CosimClasses read_cosim_result(const std::string& file) {
  json j;
  try {
    j = json::parse(read_file(file));
  } catch (const json::exception& e) {
    fail(file, "is not JSON: {}", e.what());
  }
  try {
    if (j.at("format") != "rapidnn-cosim-result" || j.at("version") != 1)
      fail(file, "is not a rapidnn co-simulation result (version 1)");
    CosimClasses c{j.at("first_image").get<std::int64_t>(), j.at("classes").get<std::vector<int>>(),
                   j.at("labels").get<std::vector<int>>()};
    if (c.classes.size() != c.labels.size() || static_cast<std::int64_t>(c.classes.size()) != j.at("images").get<std::int64_t>())
      fail(file, "lists {} classes and {} labels for {} images", c.classes.size(), c.labels.size(), j.at("images").dump());
    return c;
  } catch (const json::exception& e) {
    fail(file, "missing or mistyped field: {}", e.what());
  }
}

std::string cosim_run_key(const std::string& artifact, const std::string& rtl, const std::string& dataset,
                          const std::string& options) {
  const json j = {{"artifact", content_hash(artifact)},
                  {"rtl", content_hash(rtl)},
                  {"dataset", content_hash(dataset)},
                  {"options", options}};
  return fingerprint(j.dump());
}

std::string merge_cosim_results(const std::vector<LoadedShard>& shards) {
  std::vector<CosimClasses> parts;
  for (const auto& s : shards) {
    const std::string file = (s.dir / "result.json").string();
    parts.push_back(read_cosim_result(file));
    const auto& items = s.manifest.items;
    const CosimClasses& c = parts.back();
    if (c.classes.size() != items.size() || (!items.empty() && c.first != items.front()))
      fail(file, "holds images {} to {}; its shard.json lists {} images from {}", c.first,
           c.first + static_cast<std::int64_t>(c.classes.size()) - 1, items.size(), items.empty() ? 0 : items.front());
  }
  CosimClasses all;
  for (const auto& [s, r] : item_order(shards)) {
    all.classes.push_back(parts[s].classes[r]);
    all.labels.push_back(parts[s].labels[r]);
  }
  return cosim_result_document(all);
}

std::string cosim_cycles_document(const CosimResult& r, const CycleCheck& cc) {
  const json j = {{"latency_cycles", r.first_latency},
                  {"interval_cycles", r.interval},
                  {"predicted_latency_cycles", cc.predicted_latency},
                  {"predicted_interval_cycles", cc.predicted_interval},
                  {"cycle_model_checked", cc.checked},
                  {"cycles", r.cycles},
                  {"build_seconds", r.build_seconds},
                  {"sim_seconds", r.sim_seconds}};
  return j.dump(1) + "\n";
}

json merge_cosim_cycles(const std::vector<LoadedShard>& shards) {
  json first;
  std::uint64_t cycles = 0;
  double sim = 0.0, build = 0.0;
  for (const auto& s : shards) {
    const auto file = s.dir / "cycles.json";
    try {
      const json j = json::parse(read_file(file));
      if (first.is_null()) first = j;
      cycles += j.at("cycles").get<std::uint64_t>();
      sim = std::max(sim, j.at("sim_seconds").get<double>());
      build = std::max(build, j.at("build_seconds").get<double>());
    } catch (const json::exception& e) {
      fail(file.string(), "is not a co-simulation shard's cycles: {}", e.what());
    }
  }
  return {{"latency_cycles", first.at("latency_cycles")},
          {"interval_cycles", first.at("interval_cycles")},
          {"predicted_latency_cycles", first.at("predicted_latency_cycles")},
          {"predicted_interval_cycles", first.at("predicted_interval_cycles")},
          {"cycles", cycles},
          {"cycles_per_second", sim > 0 ? static_cast<double>(cycles) / sim : 0.0},
          {"build_seconds", build},
          {"sim_seconds", sim},
          {"shards", shards.size()}};
}

}  // namespace rapidnn::flow
