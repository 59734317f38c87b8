// The shard contract: shard specifications (option or job-array environment), shard directories
// written atomically with their manifest, and the checks that a set of them is one whole run.
#include "flow/shard.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fileio.h"

namespace rapidnn::flow {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kManifest = "shard.json";
constexpr int kManifestVersion = 1;

std::optional<long long> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  char* end = nullptr;
  const long long x = std::strtoll(v, &end, 10);
  if (*end != '\0') fail(name, "'{}' is not an integer", v);
  return x;
}

// Task `id` of an array first..last with step `step`, as a shard; `source` names the variables.
Shard array_task(long long id, long long first, long long last, long long step, const std::string& source) {
  if (step < 1 || last < first || id < first || id > last || (id - first) % step != 0)
    fail(source, "array task {} is not one of {}..{} step {}", id, first, last, step);
  const long long count = (last - first) / step + 1;
  if (count > 1 << 20) fail(source, "{} array tasks are too many shards", count);
  return {static_cast<int>((id - first) / step), static_cast<int>(count)};
}

ShardManifest parse_manifest(const fs::path& file) {
  const std::string text = read_file(file);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail(file.string(), "is not JSON: {}", e.what());
  }
  try {
    if (j.at("format") != "rapidnn-shard") fail(file.string(), "is not a rapidnn shard manifest");
    if (j.at("version") != kManifestVersion)
      fail(file.string(), "has version {}; this rapidnn reads version {}", j.at("version").dump(), kManifestVersion);
    ShardManifest m;
    m.kind = j.at("kind").get<std::string>();
    m.run = j.at("run").get<std::string>();
    m.shard = {j.at("shard").get<int>(), j.at("of").get<int>()};
    m.total = j.at("total").get<std::int64_t>();
    m.items = j.at("items").get<std::vector<std::int64_t>>();
    if (m.shard.count < 1 || m.shard.index < 0 || m.shard.index >= m.shard.count)
      fail(file.string(), "names shard {} of {}", m.shard.index, m.shard.count);
    for (auto k : m.items)
      if (k < 0 || k >= m.total) fail(file.string(), "lists item {} of a run of {}", k, m.total);
    return m;
  } catch (const json::exception& e) {
    fail(file.string(), "missing or mistyped field: {}", e.what());
  }
}

}  // namespace

std::string Shard::name() const { return fmt::format("{}-of-{}", index, count); }

Shard parse_shard(const std::string& text, const std::string& option) {
  const auto slash = text.find('/');
  int i = -1, n = 0;
  try {
    std::size_t a = 0, b = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    i = std::stoi(text.substr(0, slash), &a);
    n = std::stoi(text.substr(slash + 1), &b);
    if (a != slash || b != text.size() - slash - 1) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    fail(option, "'{}' is not I/N (shard I of N, counting from 0)", text);
  }
  if (n < 1 || i < 0 || i >= n) fail(option, "'{}': I must be 0 to N-1 and N at least 1", text);
  return {i, n};
}

std::optional<Shard> shard_from_env() {
  if (const auto id = env_int("SLURM_ARRAY_TASK_ID")) {
    const long long first = env_int("SLURM_ARRAY_TASK_MIN").value_or(0);
    long long last = 0;
    if (const auto m = env_int("SLURM_ARRAY_TASK_MAX")) last = *m;
    else if (const auto c = env_int("SLURM_ARRAY_TASK_COUNT")) last = first + *c - 1;
    else fail("SLURM_ARRAY_TASK_ID", "is set without SLURM_ARRAY_TASK_MAX or SLURM_ARRAY_TASK_COUNT");
    return array_task(*id, first, last, env_int("SLURM_ARRAY_TASK_STEP").value_or(1),
                      "SLURM_ARRAY_TASK_ID/_MIN/_MAX");
  }
  if (const auto id = env_int("SGE_TASK_ID")) {  // SGE sets "undefined" outside arrays
    const auto last = env_int("SGE_TASK_LAST");
    if (!last) fail("SGE_TASK_ID", "is set without SGE_TASK_LAST");
    return array_task(*id, env_int("SGE_TASK_FIRST").value_or(1), *last, env_int("SGE_TASK_STEPSIZE").value_or(1),
                      "SGE_TASK_ID/_FIRST/_LAST/_STEPSIZE");
  }
  if (const auto id = env_int("LSB_JOBINDEX"); id && *id > 0) {  // 0 outside arrays
    const auto last = env_int("LSB_JOBINDEX_END");
    if (!last) fail("LSB_JOBINDEX", "is set without LSB_JOBINDEX_END");
    return array_task(*id, 1, *last, env_int("LSB_JOBINDEX_STEP").value_or(1), "LSB_JOBINDEX/LSB_JOBINDEX_END");
  }
  return std::nullopt;
}

std::optional<Shard> resolve_shard(const std::string& option_text, const std::string& option) {
  if (!option_text.empty()) return parse_shard(option_text, option);
  return shard_from_env();
}

std::pair<std::int64_t, std::int64_t> shard_block(const Shard& s, std::int64_t total) {
  const std::int64_t base = total / s.count, extra = total % s.count;
  const std::int64_t first = s.index * base + std::min<std::int64_t>(s.index, extra);
  return {first, first + base + (s.index < extra ? 1 : 0)};
}

fs::path write_shard(const fs::path& parent, const ShardManifest& m,
                     const std::vector<std::pair<std::string, std::string>>& files) {
  fs::create_directories(parent);
  const fs::path dir = parent / m.shard.name();
  AtomicDirectory out(dir, "shard");
  for (const auto& [name, bytes] : files) out.write(name, bytes);
  const json j = {{"format", "rapidnn-shard"}, {"version", kManifestVersion}, {"kind", m.kind}, {"run", m.run},
                  {"shard", m.shard.index}, {"of", m.shard.count}, {"total", m.total}, {"items", m.items}};
  out.write(kManifest, j.dump(1) + "\n");
  out.commit();
  return dir;
}

std::vector<LoadedShard> load_shards(const std::vector<std::string>& paths) {
  std::vector<LoadedShard> shards;
  for (const auto& p : paths) {
    if (fs::is_regular_file(fs::path(p) / kManifest)) {
      shards.push_back({parse_manifest(fs::path(p) / kManifest), p});
      continue;
    }
    if (!fs::is_directory(p)) fail(p, "is not a shard directory (no {}) nor a directory of them", kManifest);
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(p))
      if (fs::is_regular_file(e.path() / kManifest)) found.push_back(e.path());
    if (found.empty()) fail(p, "holds no shard directories (none has a {})", kManifest);
    std::sort(found.begin(), found.end());
    for (const auto& d : found) shards.push_back({parse_manifest(d / kManifest), d});
  }
  if (shards.empty()) fail("merge", "no shard directories given");
  std::sort(shards.begin(), shards.end(),
            [](const LoadedShard& a, const LoadedShard& b) { return a.manifest.shard.index < b.manifest.shard.index; });
  const ShardManifest& first = shards.front().manifest;
  std::vector<int> covered(static_cast<std::size_t>(first.total), -1);
  for (std::size_t s = 0; s < shards.size(); ++s) {
    const ShardManifest& m = shards[s].manifest;
    const std::string where = shards[s].dir.string();
    if (m.kind != first.kind) fail(where, "is a {} shard; {} is a {} shard", m.kind, shards[0].dir.string(), first.kind);
    if (m.run != first.run)
      fail(where, "belongs to another run than {} (run {} against {}): other inputs or options", shards[0].dir.string(),
           m.run, first.run);
    if (m.shard.count != first.shard.count || m.total != first.total)
      fail(where, "is shard {} of {} over {} items; {} is of {} over {}", m.shard.index, m.shard.count, m.total,
           shards[0].dir.string(), first.shard.count, first.total);
    if (s > 0 && shards[s - 1].manifest.shard.index == m.shard.index)
      fail(where, "is shard {} again (also {})", m.shard.index, shards[s - 1].dir.string());
    for (auto k : m.items) {
      auto& c = covered[static_cast<std::size_t>(k)];
      if (c >= 0) fail(where, "lists item {}, which shard {} also lists", k, c);
      c = m.shard.index;
    }
  }
  std::vector<int> missing;
  for (int i = 0, k = 0; i < first.shard.count; ++i) {
    if (k < static_cast<int>(shards.size()) && shards[static_cast<std::size_t>(k)].manifest.shard.index == i) ++k;
    else missing.push_back(i);
  }
  if (!missing.empty())
    fail(shards[0].dir.parent_path().string(), "shard(s) {} of {} are missing", fmt::join(missing, ", "),
         first.shard.count);
  for (std::size_t k = 0; k < covered.size(); ++k)
    if (covered[k] < 0) fail(shards[0].dir.parent_path().string(), "no shard lists item {} of {}", k, first.total);
  return shards;
}

std::vector<std::pair<std::size_t, std::size_t>> item_order(const std::vector<LoadedShard>& shards) {
  const std::int64_t total = shards.empty() ? 0 : shards.front().manifest.total;
  std::vector<std::pair<std::size_t, std::size_t>> order(static_cast<std::size_t>(total));
  for (std::size_t s = 0; s < shards.size(); ++s)
    for (std::size_t r = 0; r < shards[s].manifest.items.size(); ++r)
      order[static_cast<std::size_t>(shards[s].manifest.items[r])] = {s, r};
  return order;
}

}  // namespace rapidnn::flow
