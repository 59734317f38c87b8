// rapidnn inspect: print a model's layers, or a composed artifact's stages, as rapidnn reads them.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "cli/common.h"
#include "onnxio/onnx_io.h"
#include "composer/artifact.h"

namespace rapidnn::cli {

struct InspectOptions {
  std::string path;
};

static void print_artifact(const std::string& dir) {
  nlohmann::json metrics;
  const ComposedNetwork cn = load_artifact(dir, &metrics);
  fmt::print("artifact '{}' (valid): input {}, {} classes, w={} u={} q={} codebook={}\n", cn.name,
             to_string(cn.input_shape), cn.classes, cn.config.w, cn.config.u, cn.config.q, to_string(cn.config.method));
  fmt::print("  input encoder: {}-bit raw values, model input = raw * {} + {}\n", cn.input.raw_bits, cn.input.raw_scale,
             cn.input.raw_offset);
  for (std::size_t i = 0; i < cn.stages.size(); ++i) {
    const Stage& s = cn.stages[i];
    fmt::print("  {:2} {:<8} {:<18} {} -> {}", i, to_string(s.kind), s.name, to_string(s.in_shape), to_string(s.out_shape));
    if (s.weighted())
      fmt::print("  w={} u={} product {}b, acc {}b, {}", s.w, s.u, s.product_bits, s.acc_bits,
                 s.is_output ? "argmax" : s.act_table ? fmt::format("{} table q={}", to_string(s.act), s.q()) : "comparator");
    const auto stage_name = [](int k) { return k == kFromInput ? std::string("input") : std::to_string(k); };
    if (s.source != kPrevious) fmt::print(", reads {}", stage_name(cn.source_of(i)));
    if (s.skip != kNoSkip)
      fmt::print(", {} {} ({})", s.kind == StageKind::Concat ? "then" : "+", stage_name(s.skip),
                 s.kind == StageKind::Concat ? "concatenated" : "residual");
    fmt::print("\n");
  }
  const auto b = cn.table_bits();
  fmt::print("  tables: {} bits\n", b.total());
  if (!metrics.empty()) fmt::print("  metrics: {}\n", metrics.dump());
}

static void run_inspect(const InspectOptions& o) {
  std::error_code ec;
  if (std::filesystem::is_directory(o.path, ec)) return print_artifact(o.path);
  const Network net = load_model(o.path);
  fmt::print("{}", net.summary());
}

void setup_inspect(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand(
      "inspect", "Show how rapidnn reads a model (layers, shapes, parameters) or validate and summarise an artifact");
  cmd->add_option("path", o->path, "Model file (.onnx) or artifact directory (from rapidnn compose)")->required();
  cmd->callback([o] { run_inspect(*o); });
}

}  // namespace rapidnn::cli
