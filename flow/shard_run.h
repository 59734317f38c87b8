// Running a rapidnn command's shards on this machine through GNU parallel (Debian's `parallel`):
// the flow's --jobs N. Each shard is this same program with --shard I/N --shard-dir DIR; nothing
// is scheduled here, GNU parallel runs them and stops at the first that fails.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/process.h"

namespace rapidnn::flow {

// Runs `args` (a rapidnn subcommand and its options) as `jobs` shards into `shard_dir`, all at
// once, and returns GNU parallel's exit status and output (the first failing shard's exit status
// when one fails); throws Error naming the Debian package when GNU parallel is missing.
ProcessResult run_shards_with_parallel(const std::vector<std::string>& args, int jobs,
                                       const std::filesystem::path& shard_dir);

}  // namespace rapidnn::flow
