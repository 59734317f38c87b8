// The flow's stage runner: caching by key, a log per stage, a progress line per stage.
//
// A stage's directory is <out>/stages/<name>-<key>, where the key hashes the stage's inputs (its
// settings, the contents of its input files and its upstream keys). A directory holding a
// result.json is reused; otherwise the stage runs under <dir>.partial with stdout and stderr
// (and so every tool it starts) captured to log.txt, and the directory is renamed into place
// when it succeeds. The runner knows nothing of what a stage does.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rapidnn::flow {

using nlohmann::json;

// Content hash of a file, or of every file of a directory (names included); "fashion-mnist" is
// Debian's dataset directory.
std::string content_hash(const std::string& path);

// Where a stage's outputs are and how it got them.
struct StageInfo {
  std::string name, key;
  std::filesystem::path dir;
  bool cached = false;
  double seconds = 0.0;
};

// A stage's outcome: where it is, and its typed result.
template <typename R>
struct Done {
  StageInfo info;
  R result;
};

class Runner {
 public:
  Runner(std::filesystem::path out, int total, bool force);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs or reuses the stage `S` (flow/stages.h): S::kName, S::inputs(ctx), S::run(ctx, dir) -> S::Result,
  // Result::to_json / from_json / summary.
  template <typename S, typename Ctx>
  Done<typename S::Result> run(const Ctx& ctx) {
    using R = typename S::Result;
    json record;
    const StageInfo info = run_stage(
        S::kName, S::inputs(ctx), [&](const std::filesystem::path& dir) { return S::run(ctx, dir).to_json(); },
        [](const json& j) { return R::from_json(j).summary(); }, record);
    return {info, R::from_json(record)};
  }

  // A stage the configuration leaves out.
  void skip(const std::string& name, const std::string& why);

  const std::vector<StageInfo>& stages() const { return stages_; }
  FILE* term() const { return term_; }

 private:
  StageInfo run_stage(const std::string& name, const json& inputs,
                      const std::function<json(const std::filesystem::path&)>& work,
                      const std::function<std::string(const json&)>& summary, json& record);
  json run_captured(const std::string& head, const std::filesystem::path& staging,
                    const std::function<json(const std::filesystem::path&)>& work, double& seconds);
  void line(const std::string& text, bool final_line);

  std::filesystem::path out_;
  int total_ = 0, index_ = 0;
  bool force_ = false, tty_ = false;
  FILE* term_ = nullptr;
  std::mutex term_mutex_;
  std::vector<StageInfo> stages_;
};

}  // namespace rapidnn::flow
