// The flow's stages: one struct per stage, each defined in its own flow/stage_<name>.cpp.
//
// A stage declares its name, the inputs its cache key hashes (settings, input file contents,
// upstream keys), and a run() that writes its files into the directory it is given and returns
// its typed result. A result carries the JSON record the runner stores as result.json (and the
// report reads), the fields later stages use, and its one-line summary. Adding a stage is one
// file and one line in run_flow() (flow/flow.cpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/flow_config.h"
#include "flow/runner.h"
#include "synth/synth.h"

namespace rapidnn::flow {

namespace fs = std::filesystem;

// Every result keeps its record; to_json() is what result.json holds.
struct StageRecord {
  json record;
  json to_json() const { return record; }
};

struct ModelOut : StageRecord {
  bool trained = false;
  double float_accuracy = 0.0;
  static ModelOut from_json(const json& j);
  std::string summary() const;
};
struct ComposeOut : StageRecord {
  int w = 0, u = 0;
  double float_accuracy = 0.0, rapidnn_accuracy = 0.0, delta_e = 0.0;
  static ComposeOut from_json(const json& j);
  std::string summary() const;
};
struct SweepOut : StageRecord {
  std::vector<int> w, u;
  std::vector<std::vector<double>> delta_e;  // [w][u]
  static SweepOut from_json(const json& j);
  std::string summary() const;
};
struct SweepRetrainOut : StageRecord {  // points: {w, u, delta_e_without, retrained, delta_e, ...}
  static SweepRetrainOut from_json(const json& j);
  std::string summary() const;
};
struct EmitOut : StageRecord {
  std::int64_t files = 0, rnas = 0, latency_cycles = 0;
  double interval_cycles = 0.0;
  static EmitOut from_json(const json& j);
  std::string summary() const;
};
struct CosimOut : StageRecord {
  std::int64_t samples = 0, latency_cycles = 0;
  std::string simulator;
  static CosimOut from_json(const json& j);
  std::string summary() const;
};
struct SynthOut : StageRecord {
  static SynthOut from_json(const json& j);
  std::string summary() const;
};
struct BaselinesOut : StageRecord {  // mac8 and equal: {name, weight_bits, input_bits, accuracy, delta_e}
  static BaselinesOut from_json(const json& j);
  std::string summary() const;
};
struct SweepSynthOut : StageRecord {
  static SweepSynthOut from_json(const json& j);
  std::string summary() const;
};
struct LayoutOut : StageRecord {  // blocks: layout_report_json of each
  static LayoutOut from_json(const json& j);
  std::string summary() const;
};
struct ReportOut : StageRecord {
  std::vector<std::string> plots;
  static ReportOut from_json(const json& j);
  std::string summary() const;
};

// What the stages read: the configuration, the dataset's hash, and every finished stage.
struct FlowContext {
  FlowContext(const FlowConfig& c, std::string hash) : config(c), data_hash(std::move(hash)) {}
  const FlowConfig& config;
  std::string data_hash;
  std::string version = RAPIDNN_VERSION;
  std::optional<Done<ModelOut>> model;
  std::optional<Done<ComposeOut>> compose;
  std::optional<Done<SweepOut>> sweep;
  std::optional<Done<SweepRetrainOut>> sweep_retrain;
  std::optional<Done<EmitOut>> emit;
  std::optional<Done<CosimOut>> cosim;
  std::optional<Done<BaselinesOut>> baselines;
  std::optional<Done<SynthOut>> synth;
  std::optional<Done<SweepSynthOut>> sweep_synth;
  std::optional<Done<LayoutOut>> layout;
  const std::vector<StageInfo>* finished = nullptr;  // the runner's list, for the report
  // > 1: the sweep and cosim stages run as this many shards through GNU parallel (flow --jobs);
  // their results are the same, so it is not part of any stage's key.
  int jobs = 1;

  std::string model_file() const { return (model->info.dir / "model.onnx").string(); }
  std::string artifact_dir() const { return (compose->info.dir / "artifact").string(); }
  std::string rtl_dir() const { return (emit->info.dir / "rtl").string(); }
  // A baseline's artifact and RTL ("mac8", "mac-equal").
  std::string baseline_artifact(const std::string& n) const { return (baselines->info.dir / "artifacts" / n).string(); }
  std::string baseline_rtl(const std::string& n) const { return (baselines->info.dir / "rtl" / n).string(); }
};

// Raised by a stage whose check ran and failed (a co-simulation mismatch): exit status 1.
struct CheckFailed {
  std::string message;
};

#define RAPIDNN_FLOW_STAGE(Type, name, Out)                   \
  struct Type {                                               \
    static constexpr const char* kName = name;                \
    using Result = Out;                                       \
    static json inputs(const FlowContext& ctx);               \
    static Out run(const FlowContext& ctx, const fs::path& dir); \
  }

RAPIDNN_FLOW_STAGE(ModelStage, "model", ModelOut);            // train or copy the model; float accuracy
RAPIDNN_FLOW_STAGE(ComposeStage, "compose", ComposeOut);      // the artifact at (w, u), optionally retrained
RAPIDNN_FLOW_STAGE(SweepStage, "sweep", SweepOut);            // delta-e over the (w, u) grid
RAPIDNN_FLOW_STAGE(SweepRetrainStage, "sweep-retrain", SweepRetrainOut);  // the grid with retraining
RAPIDNN_FLOW_STAGE(EmitStage, "emit", EmitOut);               // the Verilog design
RAPIDNN_FLOW_STAGE(CosimStage, "cosim", CosimOut);            // RTL against the golden model
RAPIDNN_FLOW_STAGE(BaselinesStage, "baselines", BaselinesOut);  // 8-bit and equal-accuracy uniform MAC designs
RAPIDNN_FLOW_STAGE(SynthStage, "synth", SynthOut);            // the design's blocks through Yosys and OpenSTA
RAPIDNN_FLOW_STAGE(SweepSynthStage, "sweep-synth", SweepSynthOut);  // lookup vs MAC neuron per grid point
RAPIDNN_FLOW_STAGE(LayoutStage, "layout", LayoutOut);         // blocks placed and routed (qflow), off by default
RAPIDNN_FLOW_STAGE(ReportStage, "report", ReportOut);         // HTML, Markdown, results.json

#undef RAPIDNN_FLOW_STAGE

// Shared by the stages: the compose job's options and the settings every compose-side key hashes.
ComposeJobOptions compose_options(const FlowConfig& c, const std::string& model);
// The rapidnn command-line options that give `o` (the inverse of cli/options.cpp's binding), for
// stages that run their work as shards of a rapidnn subcommand (FlowContext::jobs).
std::vector<std::string> compose_args(const ComposeJobOptions& o);
json compose_settings(const FlowConfig& c);
json rtl_settings(const RtlOptions& r);
json synth_settings(const FlowConfig& c);
SynthOptions synth_options(const FlowConfig& c, const fs::path& work, std::vector<BlockKind> blocks);

// The two MAC baselines as the synth stages name them, and each one's record in the baselines
// stage's result ("mac8" -> "mac8", "mac-equal" -> "equal").
inline constexpr const char* kBaselineTiles[] = {"mac8", "mac-equal"};
const json& baseline_record(const FlowContext& ctx, const std::string& name);

// A whole first-layer tile as the synth stages record it: total, logic and memory area, energy
// per inference (the tile runs t.cycles per sample), Fmax, whether every memory was synthesized,
// and its efficiency with the memories as built and as the paper's crossbar (synth/efficiency.h),
// powered vectorless at the config's activity and period.
json tile_record(const FlowConfig& c, const std::string& name, const std::string& label, const BlockReport& b,
                 const RtlStage& t, double accuracy, double delta_e);

}  // namespace rapidnn::flow
