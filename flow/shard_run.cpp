// GNU parallel as the flow's local shard runner (flow/shard_run.h).
#include "flow/shard_run.h"

#include <fmt/format.h>

#include "core/error.h"

namespace rapidnn::flow {

namespace fs = std::filesystem;

ProcessResult run_shards_with_parallel(const std::vector<std::string>& args, int jobs, const fs::path& shard_dir) {
  if (find_program("parallel").empty())
    fail("--jobs", "GNU parallel is not installed (Debian package 'parallel'; scripts/setup.sh installs it)");
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) fail("--jobs", "cannot find this program's path (/proc/self/exe): {}", ec.message());
  // -q quotes every argument for the shell parallel starts; {} is the shard index.
  std::vector<std::string> argv{"parallel", "-q", "--halt", "now,fail=1", "-j", std::to_string(jobs), self.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--shard", fmt::format("{{}}/{}", jobs), "--shard-dir", shard_dir.string(), ":::"});
  for (int i = 0; i < jobs; ++i) argv.push_back(std::to_string(i));
  return run_process(argv);
}

}  // namespace rapidnn::flow
