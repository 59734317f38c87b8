// rapidnn merge: shard directories of one run (flow/shard.h) -> the output one process would write.
#include <fmt/format.h>

#include <sstream>

#include "cli/commands.h"
#include "core/error.h"
#include "core/fileio.h"
#include "flow/cosim_result.h"
#include "flow/shard.h"
#include "flow/sweep_job.h"

namespace rapidnn::cli {

struct MergeOptions {
  std::vector<std::string> shards;
  std::string csv = "sweep.csv";
  std::string result = "cosim.json";
};

namespace {

// A sweep shard's CSV rows (its header checked against the sweep's).
std::vector<std::string> sweep_rows(const flow::LoadedShard& s) {
  const auto file = s.dir / "points.csv";
  std::istringstream in(read_file(file));
  std::string line;
  std::getline(in, line);
  if (line + "\n" != flow::kSweepCsvHeader) fail(file.string(), "does not start with the sweep's CSV header");
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line + "\n");
  if (rows.size() != s.manifest.items.size())
    fail(file.string(), "has {} rows; its shard.json lists {} points", rows.size(), s.manifest.items.size());
  return rows;
}

void merge_sweep(const MergeOptions& o, const std::vector<flow::LoadedShard>& shards) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> inputs;
  for (const auto& s : shards) {
    rows.push_back(sweep_rows(s));
    inputs.push_back((s.dir / "points.csv").string());
  }
  check_output_file(o.csv, inputs);
  std::string csv = flow::kSweepCsvHeader;
  for (const auto& [s, r] : flow::item_order(shards)) csv += rows[s][r];
  write_file_atomic(o.csv, csv);
  fmt::print("merged     {} sweep shards of run {}: {} points\ncsv        {}\n", shards.size(),
             shards.front().manifest.run, shards.front().manifest.total, o.csv);
}

void merge_cosim(const MergeOptions& o, const std::vector<flow::LoadedShard>& shards) {
  std::vector<std::string> inputs;
  for (const auto& s : shards) inputs.push_back((s.dir / "result.json").string());
  check_output_file(o.result, inputs);
  const std::string doc = flow::merge_cosim_results(shards);
  write_file_atomic(o.result, doc);
  fmt::print("merged     {} co-simulation shards of run {}: {} images, every one bit-exact\nresult     {}\n",
             shards.size(), shards.front().manifest.run, shards.front().manifest.total, o.result);
}

void run_merge(const MergeOptions& o) {
  const auto shards = flow::load_shards(o.shards);
  const std::string& kind = shards.front().manifest.kind;
  if (kind == "sweep") return merge_sweep(o, shards);
  if (kind == "cosim") return merge_cosim(o, shards);
  fail(shards.front().dir.string(), "is a '{}' shard, which rapidnn merge does not know", kind);
}

}  // namespace

void setup_merge(CLI::App& app) {
  auto o = std::make_shared<MergeOptions>();
  auto* cmd = app.add_subcommand(
      "merge",
      "Merge the shards of one sharded run (rapidnn sweep or cosim --shard I/N) into the output one process writes, byte for "
      "byte; checks that they belong to one run and cover it exactly once");
  cmd->add_option("shards", o->shards, "Shard directories, or directories holding them")->required();
  cmd->add_option("--csv", o->csv, "Sweep CSV output file")->capture_default_str();
  cmd->add_option("--result", o->result, "Co-simulation result output file")->capture_default_str();
  cmd->callback([o] { run_merge(*o); });
}

}  // namespace rapidnn::cli
