// The flow runner: cached stages, one terminal line per stage, the results and the report.
#include "cli/flow.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/common.h"
#include "cli/compose_job.h"
#include "cli/retrain_job.h"
#include "cli/train_job.h"
#include "composer/artifact.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "data/dataset.h"
#include "generator/emit_rtl.h"
#include "generator/rtl_plan.h"
#include "report/flow_report.h"
#include "sim/cosim.h"
#include "sim/cycle_model.h"
#include "synth/synth.h"

namespace rapidnn::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Raised by a stage whose check ran and failed (a co-simulation mismatch): exit status 1.
struct CheckFailed {
  std::string message;
};

// Content hash of a file, or of every file of a directory (sorted by name, names included).
std::string content_hash(const std::string& path) {
  if (path == "fashion-mnist") return content_hash(fashion_mnist_dir());
  if (fs::is_directory(path)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(path))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::string all;
    for (const auto& f : files) all += fs::relative(f, path).string() + ":" + fingerprint(read_file(f)) + "\n";
    return fingerprint(all);
  }
  return fingerprint(read_file(path));
}

std::string key_of(const json& inputs) { return fingerprint(inputs.dump()); }

// Redirects stdout and stderr (and so every subprocess) into a stage's log while it runs.
class Capture {
 public:
  explicit Capture(const fs::path& log) {
    std::fflush(stdout);
    std::fflush(stderr);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(log.string(), "cannot write the stage log");
    out_ = ::dup(1);
    err_ = ::dup(2);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~Capture() {
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(out_, 1);
    ::dup2(err_, 2);
    ::close(out_);
    ::close(err_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

 private:
  int out_ = -1, err_ = -1;
};

struct StageResult {
  std::string name, key;
  fs::path dir;
  bool cached = false;
  double seconds = 0.0;
  json result;
};

class Runner {
 public:
  Runner(fs::path out, int total, bool force) : out_(std::move(out)), total_(total), force_(force) {
    term_ = ::fdopen(::dup(2), "w");
    tty_ = ::isatty(2) != 0;
  }
  ~Runner() {
    if (term_) std::fclose(term_);
  }

  // Runs (or reuses) one stage. `work(staging, result)` writes the stage's files under staging and
  // fills `result`; `summary(result)` is the one-line outcome printed after the bar.
  StageResult run(const std::string& name, const json& inputs, const std::function<void(const fs::path&, json&)>& work,
                  const std::function<std::string(const json&)>& summary) {
    StageResult s;
    s.name = name;
    s.key = key_of(inputs);
    s.dir = out_ / "stages" / fmt::format("{}-{}", name, s.key);
    ++index_;
    const std::string head = fmt::format("[{}/{}] {:<12}", index_, total_, name);
    if (!force_ && fs::exists(s.dir / "result.json")) {
      s.cached = true;
      s.result = json::parse(read_file(s.dir / "result.json"));
      s.seconds = s.result.value("seconds", 0.0);
      line(fmt::format("{} cached       {}  ({})", head, summary(s.result), s.dir.string()), true);
      stages_.push_back(s);
      return s;
    }
    const fs::path staging = s.dir.string() + ".partial";
    fs::remove_all(staging);
    fs::create_directories(staging);
    fs::create_directories(out_ / "logs");
    Stopwatch sw;
    {
      std::mutex m;
      std::condition_variable cv;
      bool done = false;
      std::string inner;
      double frac = 0.0;
      set_progress_sink([&](const std::string& label, double f) {
        std::lock_guard<std::mutex> lock(m);
        inner = label;
        frac = f;
      });
      std::thread ticker([&] {
        std::unique_lock<std::mutex> lock(m);
        while (!cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return done; }))
          if (tty_) line(fmt::format("{} {} {:6.1f} s  {}", head, bar(frac), sw.seconds(), inner), false);
      });
      const auto stop = [&] {
        {
          std::lock_guard<std::mutex> lock(m);
          done = true;
        }
        cv.notify_all();
        ticker.join();
        set_progress_sink(nullptr);
      };
      try {
        Capture capture(staging / "log.txt");
        work(staging, s.result);
      } catch (...) {
        stop();
        std::error_code ec;
        fs::copy_file(staging / "log.txt", out_ / "logs" / (name + ".log"), fs::copy_options::overwrite_existing, ec);
        fs::remove_all(staging, ec);
        line(fmt::format("{} FAILED after {:.1f} s (log: {})", head, sw.seconds(), (out_ / "logs" / (name + ".log")).string()),
             true);
        throw;
      }
      stop();
    }
    s.seconds = sw.seconds();
    s.result["seconds"] = s.seconds;
    s.result["key"] = s.key;
    write_file_atomic(staging / "result.json", s.result.dump(2) + "\n");
    fs::remove_all(s.dir);
    fs::rename(staging, s.dir);
    fs::copy_file(s.dir / "log.txt", out_ / "logs" / (name + ".log"), fs::copy_options::overwrite_existing);
    line(fmt::format("{} {} {:6.1f} s  {}", head, bar(1.0), s.seconds, summary(s.result)), true);
    stages_.push_back(s);
    return s;
  }

  // A stage the configuration leaves out.
  void skip(const std::string& name, const std::string& why) {
    ++index_;
    line(fmt::format("[{}/{}] {:<12} skipped      {}", index_, total_, name, why), true);
  }

  const std::vector<StageResult>& stages() const { return stages_; }
  FILE* term() const { return term_; }

 private:
  static std::string bar(double f) {
    const int n = static_cast<int>(std::clamp(f, 0.0, 1.0) * 20);
    return "[" + std::string(static_cast<std::size_t>(n), '#') + std::string(static_cast<std::size_t>(20 - n), '.') + "]";
  }
  void line(const std::string& text, bool final_line) {
    std::lock_guard<std::mutex> lock(term_mutex_);
    if (tty_) fmt::print(term_, "\r{}\x1b[K{}", text, final_line ? "\n" : "");
    else if (final_line) fmt::print(term_, "{}\n", text);
    std::fflush(term_);
  }

  fs::path out_;
  int total_ = 0, index_ = 0;
  bool force_ = false, tty_ = false;
  FILE* term_ = nullptr;
  std::mutex term_mutex_;
  std::vector<StageResult> stages_;
};

ComposeJobOptions compose_options(const FlowConfig& c, const std::string& model) {
  ComposeJobOptions o;
  o.model = model;
  o.data.dataset = c.dataset;
  o.q = c.q;
  o.codebook = c.codebook;
  o.sample = c.sample;
  o.seed = c.seed;
  o.product_bits = c.product_bits;
  return o;
}

json compose_settings(const FlowConfig& c) {
  return {{"q", c.q}, {"codebook", c.codebook}, {"sample", c.sample}, {"seed", c.seed}, {"product_bits", c.product_bits}};
}

json rtl_settings(const RtlOptions& r) {
  return {{"lanes", r.lanes},
          {"rna_share", r.rna_share},
          {"accumulate", to_string(r.accumulate)},
          {"fused_am", r.fused_am},
          {"top", r.top}};
}

}  // namespace

FlowOutcome run_flow(const FlowConfig& c, const FlowRunOptions& ro) {
  validate_flow_config(c);
  Stopwatch total;
  const fs::path out = c.out;
  fs::create_directories(out);
  const int n_stages = 8;
  Runner run(out, n_stages, ro.force);
  FlowOutcome outcome;
  fmt::print(run.term(), "rapidnn flow: {} -> {}/\n", c.source, out.string());
  std::fflush(run.term());
  const std::string data_hash = content_hash(c.dataset);
  const std::string version = RAPIDNN_VERSION;

  // 1. The model: trained in-tool, or the given ONNX file; its float accuracy on the test split.
  json model_in{{"stage", "model"}, {"version", version}, {"dataset", data_hash}};
  if (c.model.empty())
    model_in["train"] = {{"arch", c.train.arch},         {"epochs", c.train.epochs},   {"batch", c.train.batch},
                         {"lr", c.train.lr},             {"momentum", c.train.momentum}, {"dropout", c.train.dropout},
                         {"validation", c.train.validation}, {"seed", c.train.seed}};
  else
    model_in["onnx"] = content_hash(c.model);
  const StageResult model = run.run(
      "model", model_in,
      [&](const fs::path& dir, json& r) {
        const std::string file = (dir / "model.onnx").string();
        if (c.model.empty()) {
          TrainJobOptions t = c.train;
          t.data.dataset = c.dataset;
          t.output = file;
          const TrainJobResult tr = run_train_job(t);
          r["trained"] = true;
          r["arch"] = c.train.arch;
          r["train_seconds"] = tr.train_seconds;
          r["onnx_agrees"] = tr.agree == tr.compared;
        } else {
          fs::copy_file(c.model, file);
          r["trained"] = false;
          r["source"] = c.model;
        }
        const Network net = load_model(file);
        DatasetSplits splits = load_dataset(c.dataset);
        fit_to_model(splits.test, net, file);
        const EvalReport e = evaluate(net, splits.test, 0);
        print_report(e, false);
        r["float_accuracy"] = e.accuracy();
        r["parameters"] = net.parameter_count();
        r["test_images"] = e.samples;
      },
      [](const json& r) {
        return fmt::format("{} model, float accuracy {:.2f}%", r.value("trained", false) ? "trained" : "given",
                           r.value("float_accuracy", 0.0));
      });
  const std::string model_file = (model.dir / "model.onnx").string();

  // 2. compose at (w, u), optionally retrain; golden-model accuracy.
  const StageResult compose = run.run(
      "compose",
      {{"stage", "compose"}, {"model", model.key}, {"dataset", data_hash}, {"settings", compose_settings(c)},
       {"w", c.w}, {"u", c.u},
       {"retrain", c.retrain.enabled ? json{{"iterations", c.retrain.iterations}, {"epochs", c.retrain.epochs},
                                            {"lr", c.retrain.lr}, {"validation", c.retrain.validation}}
                                     : json(false)}},
      [&](const fs::path& dir, json& r) {
        ComposeOutcome o;
        compose_to_artifact(compose_options(c, model_file), c.retrain, c.w, c.u, (dir / "artifact").string(), o);
        r = o.metrics;
        r["w"] = c.w;
        r["u"] = c.u;
        r["q"] = c.q;
        const auto b = o.composed.table_bits();
        r["bits"] = {{"weight_indices", b.weight_idx}, {"products", b.product}, {"biases", b.bias},
                     {"activation_encoding", b.am}, {"input_encoder", b.input_lut}};
        fmt::print("float {:.2f}%  rapidnn {:.2f}%  delta-e {:+.2f}\n", o.job.float_accuracy, o.golden.accuracy, o.delta_e);
      },
      [](const json& r) {
        return fmt::format("(w, u) = ({}, {}): {:.2f}% vs float {:.2f}%, delta-e {:+.2f}", r.value("w", 0), r.value("u", 0),
                           r.value("rapidnn_accuracy", 0.0), r.value("float_accuracy", 0.0), r.value("delta_e", 0.0));
      });
  const std::string artifact = (compose.dir / "artifact").string();

  // 3. delta-e over the (w, u) grid (Figure 10); artifacts for the per-point synthesis.
  StageResult sweep;
  if (c.sweep) {
    sweep = run.run(
        "sweep",
        {{"stage", "sweep"}, {"model", model.key}, {"dataset", data_hash}, {"settings", compose_settings(c)},
         {"w", c.sweep_w}, {"u", c.sweep_u}, {"artifacts", c.sweep_synth}},
        [&](const fs::path& dir, json& r) {
          const int max_w = *std::max_element(c.sweep_w.begin(), c.sweep_w.end());
          const int max_u = *std::max_element(c.sweep_u.begin(), c.sweep_u.end());
          const ComposeJob job = prepare_compose_job(compose_options(c, model_file), max_w, max_u);
          json grid = json::array(), bits = json::array();
          Progress bar("sweep", static_cast<std::int64_t>(c.sweep_w.size() * c.sweep_u.size()));
          for (int w : c.sweep_w) {
            json row = json::array(), brow = json::array();
            for (int u : c.sweep_u) {
              const ComposedNetwork cn = assemble(job.state, w, u, c.q);
              const GoldenEval g = evaluate_golden(cn, job, 0);
              row.push_back(job.float_accuracy - g.accuracy);
              brow.push_back(cn.table_bits().total());
              fmt::print("w={} u={} delta-e {:+.2f}\n", w, u, job.float_accuracy - g.accuracy);
              if (c.sweep_synth)
                write_artifact(cn, (dir / fmt::format("w{}-u{}", w, u)).string(),
                               {{"delta_e", job.float_accuracy - g.accuracy}});
              bar.advance();
            }
            grid.push_back(row);
            bits.push_back(brow);
          }
          bar.finish();
          r = {{"w", c.sweep_w}, {"u", c.sweep_u}, {"delta_e", grid}, {"table_bits", bits},
               {"float_accuracy", job.float_accuracy}};
        },
        [](const json& r) {
          double best = 1e9, worst = -1e9;
          for (const auto& row : r.at("delta_e"))
            for (const auto& v : row) best = std::min(best, v.get<double>()), worst = std::max(worst, v.get<double>());
          return fmt::format("{} points, delta-e {:+.2f} to {:+.2f}", r.at("w").size() * r.at("u").size(), best, worst);
        });
  } else {
    run.skip("sweep", "(sweep.enabled is false)");
  }

  // 4. emit the design.
  const StageResult emit = run.run(
      "emit", {{"stage", "emit"}, {"compose", compose.key}, {"rtl", rtl_settings(c.rtl)}, {"version", version}},
      [&](const fs::path& dir, json& r) {
        const ComposedNetwork cn = load_artifact(artifact);
        const RtlPlan plan = plan_rtl(cn, c.rtl, artifact);
        const EmitStats st = emit_rtl(plan, (dir / "rtl").string());
        const CyclePrediction p = predict_cycles(plan, 2);
        json stages = json::array();
        for (const auto& t : plan.stages)
          stages.push_back({{"name", t.name}, {"kind", to_string(t.kind)}, {"units", t.kind == StageKind::MaxPool ? t.channels : t.units},
                            {"rnas", t.kind == StageKind::MaxPool ? 0 : t.rnas}, {"lanes", t.lanes}, {"beats", t.beats},
                            {"cycles", t.cycles}});
        r = {{"files", st.files}, {"bytes", st.bytes}, {"stages", stages}, {"latency_cycles", p.latency(0)},
             {"interval_cycles", p.interval()}, {"input_cycles", plan.input_numel}, {"rtl", rtl_settings(c.rtl)}};
        fmt::print("emitted {} files; latency {} cycles, interval {:.0f}\n", st.files, p.latency(0), p.interval());
      },
      [](const json& r) {
        std::int64_t rnas = 0;
        for (const auto& s : r.at("stages")) rnas += s.value("rnas", 0);
        return fmt::format("{} files, {} RNAs; {} cycles per inference, one every {:.0f}", r.value("files", 0), rnas,
                           r.value("latency_cycles", 0), r.value("interval_cycles", 0.0));
      });
  const std::string rtl_dir = (emit.dir / "rtl").string();

  // 5. co-simulate a sample of the test set against the golden model.
  StageResult cosim;
  if (c.cosim) {
    try {
      cosim = run.run(
          "cosim", {{"stage", "cosim"}, {"emit", emit.key}, {"dataset", data_hash}, {"samples", c.samples},
                    {"simulator", c.simulator}},
          [&](const fs::path& dir, json& r) {
            const ComposedNetwork cn = load_artifact(artifact);
            const RtlPlan plan = plan_rtl(cn, read_design_options(rtl_dir), artifact);
            DatasetSplits splits = load_dataset(c.dataset, {});
            const std::int64_t n = std::min(c.samples, splits.test.size());
            const Dataset d = splits.test.head(n);
            CosimOptions opt;
            opt.simulator = c.simulator == "iverilog" ? Simulator::Icarus : Simulator::Verilator;
            opt.build_dir = (dir / "build").string();
            const CosimResult cr = run_cosim(cn, plan, rtl_dir, raw_features(d, cn.input.raw_bits), n, opt);
            std::error_code ec;
            fs::remove_all(dir / "build", ec);  // the simulator build is large and not an output
            if (!cr.ok) {
              fmt::print("{}\n", cr.mismatch);
              throw CheckFailed{cr.mismatch};
            }
            const CyclePrediction p = predict_cycles(plan, n);
            r = {{"samples", n},
                 {"simulator", c.simulator},
                 {"mismatches", 0},
                 {"latency_cycles", opt.simulator == Simulator::Verilator ? cr.first_latency : p.latency(0)},
                 {"interval_cycles", opt.simulator == Simulator::Verilator ? cr.interval : p.interval()},
                 {"predicted_latency_cycles", p.latency(0)},
                 {"predicted_interval_cycles", p.interval()},
                 {"cycles", cr.cycles},
                 {"cycles_per_second", cr.cycles_per_second},
                 {"build_seconds", cr.build_seconds},
                 {"sim_seconds", cr.sim_seconds}};
            if (opt.simulator == Simulator::Verilator &&
                (cr.first_latency != p.latency(0) ||
                 std::abs(cr.interval - p.interval()) > 0.5))
              throw CheckFailed{fmt::format("the RTL's latency {} / interval {:.1f} differ from the cycle model's {} / {:.1f}",
                                            cr.first_latency, cr.interval, p.latency(0), p.interval())};
            fmt::print("{} images bit-exact; latency {} cycles\n", n, cr.first_latency);
          },
          [](const json& r) {
            return fmt::format("{} images bit-exact on {}; latency {} cycles (as predicted)", r.value("samples", 0),
                               r.value("simulator", std::string()), r.value("latency_cycles", 0));
          });
    } catch (const CheckFailed& f) {
      fmt::print(stderr, "rapidnn flow: co-simulation FAILED: {}\n", f.message);
      outcome.ok = false;
      return outcome;
    }
  } else {
    run.skip("cosim", "(cosim.enabled is false)");
  }

  const json synth_settings{{"liberty", c.synth || (c.sweep && c.sweep_synth) ? content_hash(c.liberty) : ""},
                            {"period_ns", c.period_ns},
                            {"activity", c.activity},
                            {"memories", c.memories}};
  const auto synth_options = [&](const fs::path& work, std::vector<std::string> blocks) {
    SynthOptions o;
    o.liberty = c.liberty;
    o.blocks = std::move(blocks);
    o.period_ns = c.period_ns;
    o.input_activity = c.activity;
    o.synthesize_memories = c.memories == "synth";
    o.work_dir = work.string();
    return o;
  };

  // 6. synthesize the design's blocks.
  StageResult synth;
  if (c.synth) {
    synth = run.run(
        "synth", {{"stage", "synth"}, {"emit", emit.key}, {"blocks", c.blocks}, {"settings", synth_settings}, {"version", version}},
        [&](const fs::path& dir, json& r) {
          const ComposedNetwork cn = load_artifact(artifact);
          const RtlPlan plan = plan_rtl(cn, read_design_options(rtl_dir), artifact);
          const auto reports = synth_blocks(plan, rtl_dir, synth_options(dir / "work", c.blocks));
          json blocks = json::array();
          for (const auto& b : reports) blocks.push_back(block_report_json(b));
          const RtlStage* first = nullptr;
          for (const auto& t : plan.stages)
            if (!first && (t.kind == StageKind::Dense || t.kind == StageKind::Conv)) first = &t;
          r = {{"blocks", blocks}, {"liberty", c.liberty}, {"period_ns", c.period_ns}, {"activity", c.activity}};
          if (first) {
            const std::int64_t widx_bits = static_cast<std::int64_t>(first->widx.width) * first->groups * first->beats;
            const std::int64_t bias_bits = static_cast<std::int64_t>(first->bias.width) * first->groups;
            const std::int64_t weights = static_cast<std::int64_t>(first->units) * first->fan_in;
            r["first_tile"] = {{"name", first->name},
                               {"rnas", first->rnas},
                               {"lanes", first->lanes},
                               {"weight_index_bits", widx_bits},
                               {"bias_bits", bias_bits},
                               {"weights", weights},
                               // The paper's crossbar (a model): the lookup tile's weight indices and biases,
                               // and the baseline's 8-bit weights and biases.
                               {"memory_crossbar_um2", static_cast<double>(widx_bits + bias_bits) * kCrossbarUm2PerBit},
                               {"mac_memory_crossbar_um2", static_cast<double>(weights * 8 + bias_bits) * kCrossbarUm2PerBit}};
          }
        },
        [](const json& r) {
          std::string s;
          for (const auto& b : r.at("blocks"))
            s += fmt::format("{}{} {:.0f} um2 {:.0f} MHz", s.empty() ? "" : ", ", b.value("block", std::string()),
                             b.value("area_um2", 0.0), b.value("fmax_mhz", 0.0));
          return s;
        });
  } else {
    run.skip("synth", "(synth.enabled is false)");
  }

  // 7. per (w, u): one lookup neuron beside the multiply-accumulate neuron (Figures 11 and 12).
  StageResult sweep_synth;
  if (c.sweep && c.sweep_synth) {
    sweep_synth = run.run(
        "sweep-synth",
        {{"stage", "sweep-synth"}, {"sweep", sweep.key}, {"lanes", c.sweep_lanes}, {"rtl", rtl_settings(c.rtl)},
         {"settings", synth_settings}, {"version", version}},
        [&](const fs::path& dir, json& r) {
          struct Point {
            int w, u;
            double delta_e;
          };
          std::vector<Point> points;
          for (std::size_t i = 0; i < c.sweep_w.size(); ++i)
            for (std::size_t j = 0; j < c.sweep_u.size(); ++j)
              points.push_back({c.sweep_w[i], c.sweep_u[j], sweep.result.at("delta_e")[i][j].get<double>()});
          std::vector<json> rows(points.size());
          Progress bar("sweep-synth", static_cast<std::int64_t>(points.size()));
          const auto one = [&](std::size_t k) {
            const Point& p = points[k];
            const std::string name = fmt::format("w{}-u{}", p.w, p.u);
            const std::string art = (sweep.dir / name).string();
            const ComposedNetwork cn = load_artifact(art);
            RtlOptions ro_ = c.rtl;
            ro_.lanes = c.sweep_lanes;
            const RtlPlan plan = plan_rtl(cn, ro_, art);
            const std::string rtl = (dir / name / "rtl").string();
            emit_rtl(plan, rtl);
            const auto reps = synth_blocks(plan, rtl, synth_options(dir / name / "synth", {"rna", "mac"}));
            const CyclePrediction cp = predict_cycles(plan, 2);
            rows[k] = {{"w", p.w},
                       {"u", p.u},
                       {"delta_e", p.delta_e},
                       {"rna", block_report_json(reps[0])},
                       {"mac", block_report_json(reps[1])},
                       {"latency_cycles", cp.latency(0)},
                       {"interval_cycles", cp.interval()}};
          };
          // Two points at a time; each synth_blocks call runs its two blocks in parallel too.
          for (std::size_t k = 0; k < points.size(); k += 2) {
            auto a = std::async(std::launch::async, one, k);
            if (k + 1 < points.size()) one(k + 1);
            a.get();
            bar.set(static_cast<std::int64_t>(std::min(k + 2, points.size())));
          }
          bar.finish();
          r = {{"lanes", c.sweep_lanes}, {"points", rows}};
        },
        [](const json& r) {
          int smaller = 0;
          for (const auto& p : r.at("points"))
            smaller += p.at("rna").value("area_um2", 0.0) < p.at("mac").value("area_um2", 0.0);
          return fmt::format("{} points; the lookup neuron is smaller than the MAC neuron at {}", r.at("points").size(),
                             smaller);
        });
  } else {
    run.skip("sweep-synth", c.sweep ? "(sweep.synth is false)" : "(sweep.enabled is false)");
  }

  // 8. the report.
  json results{{"config", json::parse(flow_config_json(c))}, {"config_source", c.source}, {"version", version}};
  results["model"] = model.result;
  results["compose"] = compose.result;
  results["emit"] = emit.result;
  if (c.sweep) results["sweep"] = sweep.result;
  if (c.cosim) results["cosim"] = cosim.result;
  if (c.synth) results["synth"] = synth.result;
  if (c.sweep && c.sweep_synth) results["sweep_synth"] = sweep_synth.result;
  json keys = json::object();
  for (const auto& s : run.stages()) keys[s.name] = s.key;
  const StageResult report = run.run(
      "report", {{"stage", "report"}, {"stages", keys}, {"version", version}},
      [&](const fs::path& dir, json& r) {
        json rs = results;
        json st = json::array();
        for (const auto& s : run.stages())
          st.push_back({{"name", s.name}, {"key", s.key}, {"seconds", s.seconds}});
        rs["stages"] = st;
        const report::FlowReport rep = report::render_flow_report(rs);
        write_file_atomic(dir / "index.html", rep.html);
        write_file_atomic(dir / "report.md", rep.markdown);
        write_file_atomic(dir / "results.json", rs.dump(2) + "\n");
        r = {{"plots", rep.plots}};
      },
      [](const json& r) { return fmt::format("{} plots", r.at("plots").size()); });

  // The report's stable place: <out>/report/.
  AtomicDirectory final_dir(out / "report");
  for (const char* f : {"index.html", "report.md", "results.json"}) final_dir.write(f, read_file(report.dir / f));
  final_dir.commit();
  outcome.report_html = (out / "report" / "index.html").string();
  outcome.report_md = (out / "report" / "report.md").string();
  outcome.results_json = (out / "report" / "results.json").string();
  for (const auto& s : run.stages()) (s.cached ? outcome.stages_cached : outcome.stages_run)++;

  // Summary table.
  FILE* t = run.term();
  fmt::print(t, "\n{:<12} {:<8} {:>9}\n", "stage", "status", "seconds");
  for (const auto& s : run.stages())
    fmt::print(t, "{:<12} {:<8} {:>9.1f}\n", s.name, s.cached ? "cached" : "ran", s.cached ? 0.0 : s.seconds);
  const json& cr = compose.result;
  fmt::print(t, "\naccuracy   float {:.2f}%, rapidnn {:.2f}% at (w, u) = ({}, {}): delta-e {:+.2f}\n",
             cr.value("float_accuracy", 0.0), cr.value("rapidnn_accuracy", 0.0), c.w, c.u, cr.value("delta_e", 0.0));
  fmt::print(t, "cycles     {} per inference, one result every {:.0f} cycles\n", emit.result.value("latency_cycles", 0),
             emit.result.value("interval_cycles", 0.0));
  if (c.cosim) fmt::print(t, "cosim      {} test images bit-exact\n", cosim.result.value("samples", 0));
  fmt::print(t, "stages     {} ran, {} reused from {}/stages\n", outcome.stages_run, outcome.stages_cached, out.string());
  fmt::print(t, "report     {}\n           {}\n", outcome.report_html, outcome.report_md);
  fmt::print(t, "time       {:.1f} s\n", total.seconds());
  std::fflush(t);
  return outcome;
}

}  // namespace rapidnn::cli
