// Flow configuration: JSON text -> FlowConfig, strictly (unknown keys and wrong types are errors).
#include "flow/flow_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "composer/compose.h"
#include "core/error.h"
#include "core/fileio.h"
#include "data/dataset.h"
#include "core/process.h"
#include "flow/runner.h"
#include "synth/synth.h"
#include "synth/layout.h"

namespace rapidnn::flow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* type_name(const json& v) {
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  return "null";
}

// Reads one JSON object: each get() consumes a key, finish() rejects the keys nobody asked for.
class Section {
 public:
  Section(const json& j, std::string file, std::string path) : j_(j), file_(std::move(file)), path_(std::move(path)) {
    if (!j_.is_object()) fail(file_, "'{}' must be an object, not {}", path_.empty() ? "(top level)" : path_, type_name(j_));
  }

  bool has(const char* key) const { return j_.contains(key); }

  void get(const char* key, bool& out) { read(key, out, "a boolean", [](const json& v) { return v.is_boolean(); }); }
  void get(const char* key, std::string& out) { read(key, out, "a string", [](const json& v) { return v.is_string(); }); }
  void get(const char* key, double& out) { read(key, out, "a number", [](const json& v) { return v.is_number(); }); }
  void get(const char* key, int& out) {
    read(key, out, "an integer from -2147483648 to 2147483647", [](const json& v) {
      return v.is_number_integer() && v.get<std::int64_t>() >= INT_MIN && v.get<std::int64_t>() <= INT_MAX &&
             !(v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT_MAX));
    });
  }
  void get(const char* key, std::int64_t& out) {
    read(key, out, "an integer", [](const json& v) { return v.is_number_integer(); });
  }
  void get(const char* key, std::uint64_t& out) {
    read(key, out, "a non-negative integer", [](const json& v) { return v.is_number_unsigned(); });
  }
  void get(const char* key, std::vector<int>& out) {
    read(key, out, "a list of integers", [](const json& v) {
      if (!v.is_array() || v.empty()) return false;
      for (const auto& x : v)
        if (!x.is_number_integer() || x.get<std::int64_t>() < INT_MIN || x.get<std::int64_t>() > INT_MAX) return false;
      return true;
    });
  }
  void get(const char* key, std::vector<float>& out) {
    read(key, out, "a list of numbers", [](const json& v) {
      if (!v.is_array() || v.empty()) return false;
      for (const auto& x : v)
        if (!x.is_number()) return false;
      return true;
    });
  }
  void get(const char* key, std::vector<std::string>& out) {
    read(key, out, "a list of strings", [](const json& v) {
      if (!v.is_array() || v.empty()) return false;
      for (const auto& x : v)
        if (!x.is_string()) return false;
      return true;
    });
  }
  Section section(const char* key) {
    seen_.insert(key);
    static const json empty = json::object();
    return Section(j_.contains(key) ? j_.at(key) : empty, file_, name(key));
  }
  void finish() const {
    for (const auto& [k, v] : j_.items())
      if (!seen_.count(k)) fail(file_, "unknown key '{}' in the flow configuration (see docs/flow-config.md)", name(k));
  }
  std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& file() const { return file_; }

 private:
  template <typename T, typename Check>
  void read(const char* key, T& out, const char* expected, Check ok) {
    seen_.insert(key);
    if (!j_.contains(key)) return;
    const json& v = j_.at(key);
    if (!ok(v)) fail(file_, "'{}' must be {}, not {}", name(key), expected, type_name(v));
    out = v.get<T>();
  }
  const json& j_;
  std::string file_, path_;
  std::set<std::string> seen_;
};

std::string resolve(const std::string& path, const std::string& file) {
  if (path.empty() || file.empty() || fs::path(path).is_absolute() || path == "fashion-mnist") return path;
  return (fs::path(file).parent_path() / path).lexically_normal().string();
}

// Reads a key holding one word of a vocabulary into its enum.
template <typename E>
void get_word(Section& s, const char* key, E& out, const Vocabulary<E>& v) {
  std::string word = v.name(out);
  s.get(key, word);
  const auto e = v.find(word);
  if (!e) fail(s.file(), "'{}' must be {}, not \"{}\"", s.name(key), v.list(), word);
  out = *e;
}

// The "train" section.
void read_train(Section& top, FlowConfig& c) {
  Section s = top.section("train");
  s.get("arch", c.train.arch);
  s.get("epochs", c.train.epochs);
  s.get("batch", c.train.batch);
  s.get("lr", c.train.lr);
  s.get("momentum", c.train.momentum);
  s.get("dropout", c.train.dropout);
  s.get("validation", c.train.validation);
  s.get("seed", c.train.seed);
  s.finish();
}

// The "compose" section.
void read_compose(Section& top, FlowConfig& c) {
  Section s = top.section("compose");
  s.get("w", c.w);
  s.get("u", c.u);
  s.get("q", c.q);
  s.get("codebook", c.codebook);
  s.get("input_codebooks", c.input_codebooks);
  s.get("codebook_weighting", c.codebook_weighting);
  s.get("bias_correction", c.bias_correction);
  s.get("refit_codebooks", c.refit_codebooks);
  s.get("global_codebook", c.global_codebook);
  s.get("choose_calibration", c.choose_calibration);
  s.get("sample", c.sample);
  s.get("product_bits", c.product_bits);
  s.get("seed", c.seed);
  s.get("levels", c.levels);
  Section r = s.section("retrain");
  r.get("enabled", c.retrain.enabled);
  r.get("iterations", c.retrain.iterations);
  r.get("epochs", c.retrain.epochs);
  r.get("lr", c.retrain.lr);
  r.get("validation", c.retrain.validation);
  r.finish();
  s.finish();
}

// The "sweep" section.
void read_sweep(Section& top, FlowConfig& c) {
  Section s = top.section("sweep");
  s.get("enabled", c.sweep);
  s.get("w", c.sweep_w);
  s.get("u", c.sweep_u);
  s.get("synth", c.sweep_synth);
  s.get("retrain", c.sweep_retrain);
  s.get("retrain_above", c.sweep_retrain_above);
  s.get("lanes", c.sweep_lanes);
  s.get("rna_share", c.sweep_rna_share);
  std::vector<std::string> forms;
  for (const auto f : c.sweep_forms) forms.emplace_back(to_string(f));
  s.get("forms", forms);
  c.sweep_forms.clear();
  for (const auto& f : forms) {
    if (!kAccumulateForms.find(f)) fail(top.file(), "'sweep.forms': '{}' is not {}", f, kAccumulateForms.list());
    c.sweep_forms.push_back(kAccumulateForms.parse(f, top.file()));
  }
  if (c.sweep_forms.empty()) fail(top.file(), "'sweep.forms' is empty: name at least one of {}", kAccumulateForms.list());
  s.finish();
}

// The "rtl" section.
void read_rtl(Section& top, FlowConfig& c) {
  Section s = top.section("rtl");
  s.get("lanes", c.rtl.lanes);
  s.get("rna_share", c.rtl.rna_share);
  s.get("features_per_beat", c.rtl.features_per_beat);
  get_word(s, "accumulate", c.rtl.accumulate, kAccumulateForms);
  s.get("fused_am", c.rtl.fused_am);
  s.get("top", c.rtl.top);
  s.finish();
}

// The "cosim" section.
void read_cosim(Section& top, FlowConfig& c) {
  Section s = top.section("cosim");
  s.get("enabled", c.cosim);
  s.get("samples", c.samples);
  get_word(s, "simulator", c.simulator, kSimulators);
  s.finish();
}

// A section's "blocks" list (synth, layout), each name checked against the block vocabulary.
void read_blocks(Section& s, const Section& top, const char* section, std::vector<BlockKind>& blocks) {
  std::vector<std::string> names;
  for (const auto b : blocks) names.emplace_back(kBlockKinds.name(b));
  s.get("blocks", names);
  for (const auto& b : names)
    if (!kBlockKinds.find(b)) fail(top.file(), "'{}.blocks': '{}' is not {}", section, b, kBlockKinds.list());
  blocks = parse_blocks(names, top.file());
}

// The "synth" section.
void read_synth(Section& top, FlowConfig& c) {
  Section s = top.section("synth");
  s.get("enabled", c.synth);
  read_blocks(s, top, "synth", c.blocks);
  s.get("liberty", c.liberty);
  s.get("period_ns", c.period_ns);
  s.get("activity", c.activity);
  get_word(s, "memories", c.synthesize_memories, kMemoryTreatments);
  s.finish();
}

// The "layout" section.
void read_layout(Section& top, FlowConfig& c) {
  Section s = top.section("layout");
  s.get("enabled", c.layout);
  read_blocks(s, top, "layout", c.layout_blocks);
  s.get("placement_fast", c.layout_placement_fast);
  s.get("density", c.layout_density);
  s.finish();
}

}  // namespace

std::string dataset_key(const FlowConfig& c) {
  if (c.input_range.empty()) return content_hash(c.dataset);  // the keys of flows before input_range
  return content_hash(c.dataset) + fmt::format(":{},{}", c.input_range[0], c.input_range[1]);
}

std::string shipped_model() { return std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-512-512-10.onnx"; }

FlowConfig parse_flow_config(const std::string& text, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    fail(file, "not valid JSON: {}", e.what());
  }
  FlowConfig c;
  c.source = file.empty() ? c.source : file;
  const std::string f = c.source;
  Section top(j, f, "");
  top.get("out", c.out);
  top.get("dataset", c.dataset);
  top.get("input_range", c.input_range);
  top.get("model", c.model);
  read_train(top, c);
  read_compose(top, c);
  read_sweep(top, c);
  read_rtl(top, c);
  read_cosim(top, c);
  read_synth(top, c);
  read_layout(top, c);
  top.finish();
  if (!file.empty()) {
    c.out = resolve(c.out, file);
    c.model = resolve(c.model, file);
    c.dataset = resolve(c.dataset, file);
    c.liberty = resolve(c.liberty, file);
  }
  return c;
}

FlowConfig load_flow_config(const std::string& file) {
  if (file.empty()) return parse_flow_config(default_flow_config_json(), "");
  if (!fs::exists(file)) fail(file, "no such flow configuration file");
  return parse_flow_config(read_file(file), file);
}

std::string flow_config_json(const FlowConfig& c) {
  json j;
  j["out"] = c.out;
  j["dataset"] = c.dataset;
  if (!c.input_range.empty()) j["input_range"] = c.input_range;
  j["model"] = c.model;
  j["train"] = {{"arch", c.train.arch},       {"epochs", c.train.epochs},   {"batch", c.train.batch},
                {"lr", c.train.lr},           {"momentum", c.train.momentum}, {"dropout", c.train.dropout},
                {"validation", c.train.validation}, {"seed", c.train.seed}};
  j["compose"] = {{"w", c.w},
                  {"u", c.u},
                  {"q", c.q},
                  {"codebook", c.codebook},
                  {"input_codebooks", c.input_codebooks},
                  {"codebook_weighting", c.codebook_weighting},
                  {"bias_correction", c.bias_correction},
                  {"refit_codebooks", c.refit_codebooks},
                  {"global_codebook", c.global_codebook},
                  {"choose_calibration", c.choose_calibration},
                  {"sample", c.sample},
                  {"product_bits", c.product_bits},
                  {"seed", c.seed},
                  {"levels", c.levels},
                  {"retrain",
                   {{"enabled", c.retrain.enabled},
                    {"iterations", c.retrain.iterations},
                    {"epochs", c.retrain.epochs},
                    {"lr", c.retrain.lr},
                    {"validation", c.retrain.validation}}}};
  std::vector<std::string> forms;
  for (const auto f : c.sweep_forms) forms.emplace_back(to_string(f));
  j["sweep"] = {{"enabled", c.sweep},          {"w", c.sweep_w},
                {"u", c.sweep_u},              {"synth", c.sweep_synth},
                {"lanes", c.sweep_lanes},      {"rna_share", c.sweep_rna_share},
                {"forms", forms},              {"retrain", c.sweep_retrain},
                {"retrain_above", c.sweep_retrain_above}};
  j["rtl"] = {{"lanes", c.rtl.lanes},
              {"rna_share", c.rtl.rna_share},
              {"features_per_beat", c.rtl.features_per_beat},
              {"accumulate", kAccumulateForms.name(c.rtl.accumulate)},
              {"fused_am", c.rtl.fused_am},
              {"top", c.rtl.top}};
  j["cosim"] = {{"enabled", c.cosim}, {"samples", c.samples}, {"simulator", kSimulators.name(c.simulator)}};
  std::vector<std::string> blocks;
  for (const auto b : c.blocks) blocks.emplace_back(kBlockKinds.name(b));
  j["synth"] = {{"enabled", c.synth},
                {"blocks", blocks},
                {"liberty", c.liberty},
                {"period_ns", c.period_ns},
                {"activity", c.activity},
                {"memories", kMemoryTreatments.name(c.synthesize_memories)}};
  std::vector<std::string> lblocks;
  for (const auto b : c.layout_blocks) lblocks.emplace_back(kBlockKinds.name(b));
  j["layout"] = {{"enabled", c.layout},
                 {"blocks", lblocks},
                 {"placement_fast", c.layout_placement_fast},
                 {"density", c.layout_density}};
  return j.dump(2) + "\n";
}

std::string default_flow_config_json() {
  FlowConfig c;
  return flow_config_json(c);
}

// The dataset exists, and an input range (if any) is one that CSV features can have.
static void validate_dataset(const FlowConfig& c, const std::string& f) {
  if (c.dataset == "fashion-mnist") {
    if (fashion_mnist_dir().empty())
      fail(f, "'dataset' is fashion-mnist, which is not installed (Debian package dataset-fashion-mnist)");
  } else if (!fs::exists(c.dataset)) {
    fail(f, "'dataset': no such file or directory: {}", c.dataset);
  }
  if (!c.input_range.empty()) {
    if (c.input_range.size() != 2 || !(c.input_range[0] < c.input_range[1]))
      fail(f, "'input_range' must be [lo, hi] with lo < hi");
    if (c.dataset == "fashion-mnist") fail(f, "'input_range' applies to CSV datasets of real-valued features, not fashion-mnist");
  }
}

void validate_flow_config(const FlowConfig& c) {
  const std::string& f = c.source;
  const auto positive = [&](const char* key, double v) {
    if (!(v > 0)) fail(f, "'{}' must be positive, not {}", key, v);
  };
  if (c.out.empty()) fail(f, "'out' must name a directory");
  if (!c.model.empty()) {
    if (!fs::is_regular_file(c.model)) fail(f, "'model': no such file: {}", c.model);
    if (fs::path(c.model).extension() != ".onnx") fail(f, "'model' must be an ONNX file (.onnx): {}", c.model);
  } else {
#ifndef RAPIDNN_HAVE_TORCH
    fail(f, "'model' is empty, so the flow would train one, but this build has no libtorch; give an ONNX model");
#endif
    positive("train.epochs", c.train.epochs);
    positive("train.batch", c.train.batch);
    positive("train.lr", c.train.lr);
    if (c.train.dropout < 0 || c.train.dropout >= 1) fail(f, "'train.dropout' must be in [0, 1), not {}", c.train.dropout);
    if (c.train.validation < 0) fail(f, "'train.validation' must not be negative");
  }
  validate_dataset(c, f);
  try {
    check_compose_params(c.w, c.u, c.q);
    for (int w : c.sweep_w) check_compose_params(w, 2, c.q);
    for (int u : c.sweep_u) check_compose_params(2, u, c.q);
  } catch (const Error& e) {
    fail(f, "compose/sweep: {}", e.message());
  }
  if (!kCodebookMethods.find(c.codebook))
    fail(f, "'compose.codebook' must be {}, not '{}'", kCodebookMethods.list(), c.codebook);
  if (!kInputCodebooks.find(c.input_codebooks))
    fail(f, "'compose.input_codebooks' must be {}, not '{}'", kInputCodebooks.list(), c.input_codebooks);
  if (!kCodebookWeightings.find(c.codebook_weighting))
    fail(f, "'compose.codebook_weighting' must be {}, not '{}'", kCodebookWeightings.list(), c.codebook_weighting);
  if (!(c.sample > 0 && c.sample <= 1)) fail(f, "'compose.sample' must be in (0, 1], not {}", c.sample);
  kProductBitsRange.check(c.product_bits, f, "'compose.product_bits'");
  if (c.retrain.enabled || (c.sweep && c.sweep_retrain)) {
#ifndef RAPIDNN_HAVE_TORCH
    fail(f, "'compose.retrain.enabled' and 'sweep.retrain' need libtorch, which this build does not have");
#endif
    positive("compose.retrain.iterations", c.retrain.iterations);
    positive("compose.retrain.epochs", c.retrain.epochs);
    positive("compose.retrain.lr", c.retrain.lr);
    positive("compose.retrain.validation", static_cast<double>(c.retrain.validation));
  }
  kLanesRange.check(c.rtl.lanes, f, "'rtl.lanes'");
  kRnaShareRange.check(c.rtl.rna_share, f, "'rtl.rna_share'");
  kFeaturesPerBeatRange.check(c.rtl.features_per_beat, f, "'rtl.features_per_beat'");
  if (c.levels < 0 || c.levels > 16) fail(f, "'compose.levels' must be 0 (one level) or a codebook level 1 to 16, not {}", c.levels);
  if (c.levels > 0 && c.codebook != "tree" && c.codebook != "nested")
    fail(f, "'compose.levels' needs nested codebooks: 'compose.codebook' \"tree\" or \"nested\", not \"{}\"", c.codebook);
  if (c.levels > 0 && c.rtl.accumulate != AccumulateForm::Direct)
    fail(f, "'compose.levels' needs 'rtl.accumulate' \"direct\" (a design of several codebook levels accumulates "
            "directly), not \"{}\"", to_string(c.rtl.accumulate));
  kLanesRange.check(c.sweep_lanes, f, "'sweep.lanes'");
  kRnaShareRange.check(c.sweep_rna_share, f, "'sweep.rna_share'");
  if (c.cosim) {
    positive("cosim.samples", static_cast<double>(c.samples));
    const char* sim = kSimulators.name(c.simulator);  // the program and its Debian package share the name
    if (find_program(sim).empty()) fail(f, "'cosim.simulator' is {0}, which is not installed (Debian package {0})", sim);
  }
  if (c.synth || (c.sweep && c.sweep_synth)) {
    positive("synth.period_ns", c.period_ns);
    if (c.activity < 0 || c.activity > 1) fail(f, "'synth.activity' must be in [0, 1], not {}", c.activity);
    if (find_program("yosys").empty()) fail(f, "synthesis needs yosys, which is not installed (Debian package yosys)");
    if (find_program("sta").empty()) fail(f, "synthesis needs OpenSTA, which is not installed (Debian package opensta)");
    std::ifstream lib(c.liberty);
    if (!lib) fail(f, "'synth.liberty': cannot read {}", c.liberty);
  }
  if (c.layout) {
    if (c.layout_blocks.empty()) fail(f, "'layout.blocks' is empty: name at least one of {}", kBlockKinds.list());
    LayoutOptions lo;
    lo.placement_fast = c.layout_placement_fast;
    lo.density = c.layout_density;
    try {
      check_layout_tools(lo);
    } catch (const Error& e) {
      fail(f, "'layout.enabled' is true, but {}: {}", e.file(), e.message());
    }
  }
}

}  // namespace rapidnn::flow
