// The shard contract (flow/shard.h): shard specifications from options and job-array environments,
// sharded sweeps run through GNU parallel merged byte for byte, and merges of shards that do not
// make one whole run refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/fileio.h"
#include "flow/shard.h"
#include "support.h"

using namespace rapidnn;
using namespace rapidnn::flow;
namespace fs = std::filesystem;

namespace {

// Sets job-array variables for one scope, clearing every other one.
struct ArrayEnv {
  static constexpr const char* kAll[] = {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN",   "SLURM_ARRAY_TASK_MAX",
                                         "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_STEP", "SGE_TASK_ID",
                                         "SGE_TASK_FIRST",      "SGE_TASK_LAST",          "SGE_TASK_STEPSIZE",
                                         "LSB_JOBINDEX",        "LSB_JOBINDEX_END",       "LSB_JOBINDEX_STEP"};
  explicit ArrayEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const char* v : kAll) ::unsetenv(v);
    for (const auto& [k, v] : vars) ::setenv(k, v, 1);
  }
  ~ArrayEnv() {
    for (const char* v : kAll) ::unsetenv(v);
  }
};

const std::string kSmall = std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-32-10.onnx";

}  // namespace

TEST_CASE("shard specifications: I/N, job-array environments, blocks that cover every item once", "[shard]") {
  const Shard s = parse_shard("2/3", "--shard");
  CHECK(s.index == 2);
  CHECK(s.count == 3);
  CHECK(s.name() == "2-of-3");
  CHECK(s.owns(5));
  CHECK_FALSE(s.owns(4));
  for (const std::string bad : {"3/3", "-1/2", "1", "a/b", "1/0", "1/2x", ""})
    CHECK_THROWS_WITH(parse_shard(bad, "--shard"), Catch::Contains("--shard"));
  {
    const ArrayEnv env{};
    CHECK_FALSE(shard_from_env().has_value());
  }
  {
    const ArrayEnv env{{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "4"}, {"SLURM_ARRAY_TASK_MAX", "6"}};
    const auto e = shard_from_env();
    REQUIRE(e);
    CHECK(e->index == 1);
    CHECK(e->count == 3);
  }
  {
    const ArrayEnv env{{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"}};
    CHECK(shard_from_env()->count == 2);
  }
  {
    const ArrayEnv env{{"SGE_TASK_ID", "3"}, {"SGE_TASK_FIRST", "1"}, {"SGE_TASK_LAST", "3"}};
    CHECK(shard_from_env()->index == 2);
  }
  {
    const ArrayEnv env{{"SGE_TASK_ID", "undefined"}};  // SGE outside an array
    CHECK_THROWS_WITH(shard_from_env(), Catch::Contains("SGE_TASK_ID"));
  }
  {
    const ArrayEnv env{{"LSB_JOBINDEX", "4"}, {"LSB_JOBINDEX_END", "4"}};
    CHECK(shard_from_env()->index == 3);
    CHECK(shard_from_env()->count == 4);
  }
  {
    const ArrayEnv env{{"LSB_JOBINDEX", "0"}};  // LSF outside an array
    CHECK_FALSE(shard_from_env().has_value());
  }
  {
    const ArrayEnv env{{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_MAX", "3"}};
    CHECK_THROWS_WITH(shard_from_env(), Catch::Contains("array task 9 is not one of 0..3"));
  }
  for (const std::int64_t total : {0, 1, 7, 10000})
    for (const int n : {1, 2, 3, 8}) {
      std::int64_t next = 0;
      for (int i = 0; i < n; ++i) {
        const auto [first, last] = shard_block({i, n}, total);
        CHECK(first == next);
        CHECK(last - first >= total / n);
        CHECK(last - first <= total / n + 1);
        next = last;
      }
      CHECK(next == total);
    }
}

TEST_CASE("a 9-point sweep split 3 ways through GNU parallel merges byte-identical to one process",
          "[shard][sweep]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const auto have_parallel = test::run_cli_program("parallel --version 2>&1");
  INFO("GNU parallel (Debian package 'parallel', installed by scripts/setup.sh)");
  REQUIRE(have_parallel.exit_code == 0);
  REQUIRE_THAT(have_parallel.output, Catch::Contains("GNU parallel"));
  const std::string dir = test::temp_dir("shard-sweep");
  const std::string grid = "sweep -m " + kSmall + " -d fashion-mnist --w 4,16,64 --u 4,16,64 -j 1";
  const auto one = test::run_cli(grid + " --csv " + dir + "/one.csv");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  const auto par = test::run_cli_program("parallel --halt now,fail=1 -j 3 " + std::string(RAPIDNN_BIN) + " " + grid +
                                         " --shard {}/3 --shard-dir " + dir + "/shards ::: 0 1 2 2>&1");
  INFO(par.output);
  REQUIRE(par.exit_code == 0);
  for (int i = 0; i < 3; ++i) CHECK(fs::exists(dir + "/shards/" + std::to_string(i) + "-of-3/shard.json"));
  const auto merged = test::run_cli("merge " + dir + "/shards --csv " + dir + "/merged.csv");
  INFO(merged.output);
  REQUIRE(merged.exit_code == 0);
  const std::string csv = read_file(dir + "/one.csv");
  CHECK(read_file(dir + "/merged.csv") == csv);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 10);  // the header and nine points

  SECTION("a job array's task from the environment shards the same way") {
    const auto env = test::run_cli_program("SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2 " +
                                           std::string(RAPIDNN_BIN) + " " + grid + " --shard-dir " + dir +
                                           "/env 2>&1");
    INFO(env.output);
    REQUIRE(env.exit_code == 0);
    CHECK(read_file(dir + "/env/1-of-3/points.csv") == read_file(dir + "/shards/1-of-3/points.csv"));
    CHECK(read_file(dir + "/env/1-of-3/shard.json") == read_file(dir + "/shards/1-of-3/shard.json"));
  }
  SECTION("a missing shard, a repeated one or one of another run is refused, nothing written") {
    const auto missing = test::run_cli("merge " + dir + "/shards/0-of-3 " + dir + "/shards/2-of-3 --csv " + dir + "/m.csv");
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::Contains("shard(s) 1 of 3 are missing"));
    const auto twice = test::run_cli("merge " + dir + "/shards " + dir + "/shards/1-of-3 --csv " + dir + "/m.csv");
    CHECK(twice.exit_code == 2);
    CHECK_THAT(twice.output, Catch::Contains("is shard 1 again"));
    const auto other = test::run_cli(grid + " --seed 2 --shard 1/3 --shard-dir " + dir + "/other");
    REQUIRE(other.exit_code == 0);
    const auto mixed = test::run_cli("merge " + dir + "/shards/0-of-3 " + dir + "/other/1-of-3 " + dir +
                                     "/shards/2-of-3 --csv " + dir + "/m.csv");
    CHECK(mixed.exit_code == 2);
    CHECK_THAT(mixed.output, Catch::Contains("belongs to another run"));
    const auto none = test::run_cli("merge " + dir + " --csv " + dir + "/m.csv");
    CHECK(none.exit_code == 2);
    CHECK_THAT(none.output, Catch::Contains("holds no shard directories"));
    CHECK_FALSE(fs::exists(dir + "/m.csv"));
  }
}

TEST_CASE("a co-simulation split 2 ways shares one build and merges byte-identical to one process",
          "[shard][cosim]") {
  if (!test::fashion_mnist()) SKIP_WITH("dataset-fashion-mnist is not installed");
  const std::string dir = test::temp_dir("shard-cosim");
  REQUIRE(test::run_cli("compose -m " + kSmall + " -d fashion-mnist --w 4 --u 4 -o " + dir + "/a").exit_code == 0);
  REQUIRE(test::run_cli("emit -c " + dir + "/a -o " + dir + "/rtl").exit_code == 0);
  const std::string cosim = "cosim -c " + dir + "/a -r " + dir + "/rtl -d fashion-mnist -n 41";
  // Two shards at once on a fresh build: one builds, the other waits for it (the build's lock).
  const auto par = test::run_cli_program("parallel --halt now,fail=1 -j 2 " + std::string(RAPIDNN_BIN) + " " + cosim +
                                         " --shard {}/2 --shard-dir " + dir + "/shards ::: 0 1 2>&1");
  INFO(par.output);
  REQUIRE(par.exit_code == 0);
  CHECK_THAT(par.output, Catch::Contains("shard      0 of 2: images 0 to 20"));
  CHECK_THAT(par.output, Catch::Contains("shard      1 of 2: images 21 to 40"));
  const auto one = test::run_cli(cosim + " --result " + dir + "/one.json");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  CHECK_THAT(one.output, Catch::Contains("(cached)"));
  const auto merged = test::run_cli("merge " + dir + "/shards --result " + dir + "/merged.json");
  INFO(merged.output);
  REQUIRE(merged.exit_code == 0);
  const std::string doc = read_file(dir + "/one.json");
  CHECK(read_file(dir + "/merged.json") == doc);
  CHECK_THAT(doc, Catch::Contains("\"images\":41"));
  CHECK_THAT(doc, Catch::Contains("\"mismatches\":0"));

  SECTION("a shard of another run (other images) does not merge") {
    REQUIRE(test::run_cli("cosim -c " + dir + "/a -r " + dir + "/rtl -d fashion-mnist -n 40 --shard 1/2 --shard-dir " +
                          dir + "/other")
                .exit_code == 0);
    const auto mixed = test::run_cli("merge " + dir + "/shards/0-of-2 " + dir + "/other/1-of-2 --result " + dir + "/m.json");
    CHECK(mixed.exit_code == 2);
    CHECK_THAT(mixed.output, Catch::Contains("belongs to another run"));
    CHECK_FALSE(fs::exists(dir + "/m.json"));
  }
}
