// The flow's configuration: a JSON file (schema in docs/flow-config.md) -> a validated FlowConfig.
//
// Every key is checked before any work starts: an unknown key, a wrong type, an impossible value
// or a missing file is one error naming the key and the config file. Relative paths in a config
// file are relative to that file's directory; the embedded default has no file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flow/retrain_job.h"
#include "flow/train_job.h"
#include "generator/rtl_blocks.h"
#include "generator/rtl_plan.h"
#include "sim/cosim.h"

namespace rapidnn::flow {

// The shipped trained 784-512-512-10 MLP (models/fmnist-mlp-784-512-512-10.onnx, README says how
// it was made): the default flow starts from it instead of training for minutes.
std::string shipped_model();

struct FlowConfig {
  std::string source = "(embedded default)";  // the config file, for messages
  std::string out = "out/flow";
  std::string dataset = "fashion-mnist";
  // CSV features' real range {lo, hi}, quantized to 256 raw levels (DatasetOptions::input_range);
  // empty: the dataset's default preprocessing
  std::vector<float> input_range;
  // ONNX model; empty: train one with `train`. Default: the shipped Fashion-MNIST MLP (models/).
  std::string model = shipped_model();
  TrainJobOptions train;
  // compose
  int w = 16, u = 64, q = 64;
  std::string codebook = "optimal";
  std::string input_codebooks = "float", codebook_weighting = "plain";
  bool bias_correction = false, choose_calibration = false, refit_codebooks = false, global_codebook = false;
  double sample = 0.02;
  int product_bits = 16;
  int levels = 0;  // > 0: the design also holds every coarser codebook level down to this one
  std::uint64_t seed = 1;
  RetrainJobOptions retrain;
  // delta-e over a (w, u) grid, and (synth) one lookup neuron per point beside the MAC neuron
  bool sweep = true;
  std::vector<int> sweep_w{4, 16, 64}, sweep_u{4, 16, 64};
  // (sweep.retrain) the grid again with cluster-aware retraining (compose.retrain's rounds, epochs,
  // rate and hold-out) at every point whose delta-e without retraining exceeds retrain_above
  bool sweep_retrain = false;
  double sweep_retrain_above = 0.0;
  // (synth) per point and accumulate form, the first layer's whole tile at the sweep's lanes and
  // sharing, beside the 8-bit and the equal-accuracy MAC tiles at the same lanes and cycles
  bool sweep_synth = true;
  int sweep_lanes = 4;
  int sweep_rna_share = 64;
  std::vector<RtlAccumulate> sweep_forms{RtlAccumulate::Shared};
  // the design
  RtlOptions rtl{16, 16, RtlAccumulate::Shared, false, "rapidnn_top"};
  // co-simulation
  bool cosim = true;
  std::int64_t samples = 200;
  Simulator simulator = Simulator::Verilator;
  // synthesis
  bool synth = true;
  std::vector<BlockKind> blocks{BlockKind::Ndcam, BlockKind::Controller, BlockKind::Tile};
  std::string liberty = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";
  double period_ns = 100.0;
  double activity = 0.1;
  bool synthesize_memories = true;  // tile/top memories: "synth" (ROM logic) or "bits" (kMemoryTreatments)
  // place and route (qflow, osu018): off by default, minutes per block
  bool layout = false;
  std::vector<BlockKind> layout_blocks{BlockKind::Rna};
  int layout_placement_fast = 10;  // LayoutOptions' defaults
  double layout_density = 0.6;

  // The dataset as every stage loads it (its preprocessing included).
  DatasetOptions data() const {
    DatasetOptions d;
    d.dataset = dataset;
    d.input_range = input_range;
    return d;
  }
};

// What a stage's key hashes for the dataset: its contents and, when given, the input range.
std::string dataset_key(const FlowConfig& c);

// The embedded default, as the JSON a user would write (also `rapidnn flow --print-config`).
std::string default_flow_config_json();

// Parses and validates; `file` names the source in messages and anchors relative paths.
FlowConfig parse_flow_config(const std::string& text, const std::string& file);
FlowConfig load_flow_config(const std::string& file);  // "" -> the embedded default

// Checks what the stages will need (files, tools, value ranges) before any work starts.
void validate_flow_config(const FlowConfig& c);

// The effective configuration as JSON (what the report records).
std::string flow_config_json(const FlowConfig& c);

}  // namespace rapidnn::flow
