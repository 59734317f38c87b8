// The shard contract: one run's independent items (sweep points, co-simulated images) split over
// N processes, each writing its part and a manifest into its own directory; merge_shards() checks
// that a set of such directories belongs to one run and covers it exactly once.
//
// Shard I of N (0 <= I < N) owns item k of a sweep when k % N == I (points interleave, so every
// shard gets a mix of cheap and costly points) and a contiguous block of images for co-simulation
// (shard_block). The run is named by a key, the fingerprint of everything that decides its output
// (model and dataset contents, options); shards of different runs never merge. When --shard is not
// given, the array index of a Slurm, SGE or LSF job array is used if one is set (shard_from_env).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rapidnn::flow {

struct Shard {
  int index = 0, count = 1;
  bool owns(std::int64_t item) const { return item % count == index; }
  std::string name() const;  // "I-of-N", the shard's directory name
};

// Parses "I/N" (0 <= I < N); throws Error naming `option` otherwise.
Shard parse_shard(const std::string& text, const std::string& option);

// The job array's task as a shard, from SLURM_ARRAY_TASK_ID/_MIN/_MAX (or _COUNT), SGE_TASK_ID/
// _FIRST/_LAST/_STEPSIZE or LSB_JOBINDEX/LSB_JOBINDEX_END; nullopt when none is set. The
// variables' source is named in errors.
std::optional<Shard> shard_from_env();

// --shard's text if given, else the environment's array task, else nullopt (one process).
std::optional<Shard> resolve_shard(const std::string& option_text, const std::string& option);

// Shard s's contiguous block [first, last) of `total` items: the first total % N shards take one
// item more.
std::pair<std::int64_t, std::int64_t> shard_block(const Shard& s, std::int64_t total);

struct ShardManifest {
  std::string kind;  // "sweep" or "cosim"
  std::string run;   // the run's key
  Shard shard;
  std::int64_t total = 0;            // items in the whole run
  std::vector<std::int64_t> items;   // this shard's, in the order its result lists them
};

// Writes `files` (name, bytes) and shard.json into <parent>/<shard.name()>, atomically (an
// AtomicDirectory of kind "shard"); returns the directory.
std::filesystem::path write_shard(const std::filesystem::path& parent, const ShardManifest& m,
                                  const std::vector<std::pair<std::string, std::string>>& files);

struct LoadedShard {
  ShardManifest manifest;
  std::filesystem::path dir;
};

// Reads the shards in `paths` (shard directories, or directories holding them), checks that they
// are of `kind`, of one run and one count, and cover each of the run's items exactly once; throws
// Error naming the directory and the problem otherwise. Sorted by shard index.
std::vector<LoadedShard> load_shards(const std::vector<std::string>& paths);

// The items of every shard in run order: for each item, (shard position in `shards`, row within
// that shard's result).
std::vector<std::pair<std::size_t, std::size_t>> item_order(const std::vector<LoadedShard>& shards);

}  // namespace rapidnn::flow
