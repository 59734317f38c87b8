// Stage "sweep-retrain": the sweep's (w, u) grid again with cluster-aware retraining (paper
// Figure 10, "with retraining"), each point composed, retrained and measured on the test set like
// the compose stage; points the plain sweep already holds within sweep.retrain_above keep their
// delta-e and are marked as not retrained.
#include <fmt/format.h>

#include "core/progress.h"
#include "flow/retrain_job.h"
#include "flow/stages.h"

namespace rapidnn::flow {

SweepRetrainOut SweepRetrainOut::from_json(const json& j) {
  SweepRetrainOut r;
  r.record = j;
  return r;
}

std::string SweepRetrainOut::summary() const {
  int retrained = 0;
  double worst = -1e9;
  for (const auto& p : record.at("points")) {
    retrained += p.value("retrained", false) ? 1 : 0;
    worst = std::max(worst, p.value("delta_e", 0.0));
  }
  return fmt::format("{} of {} points retrained; worst delta-e {:+.2f}", retrained, record.at("points").size(), worst);
}

json SweepRetrainStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  return {{"stage", "sweep-retrain"},
          {"sweep", ctx.sweep->info.key},
          {"settings", compose_settings(c)},
          {"above", c.sweep_retrain_above},
          {"retrain",
           {{"iterations", c.retrain.iterations}, {"epochs", c.retrain.epochs}, {"lr", c.retrain.lr},
            {"validation", c.retrain.validation}}}};
}

SweepRetrainOut SweepRetrainStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const SweepOut& plain = ctx.sweep->result;
  RetrainJobOptions ro = c.retrain;
  ro.enabled = true;
  json points = json::array();
  for (std::size_t i = 0; i < plain.w.size(); ++i)
    for (std::size_t j = 0; j < plain.u.size(); ++j) {
      const int w = plain.w[i], u = plain.u[j];
      const double before = plain.delta_e[i][j];
      json p{{"w", w}, {"u", u}, {"delta_e_without", before}};
      if (before <= c.sweep_retrain_above) {
        p.update({{"retrained", false}, {"delta_e", before}});
        points.push_back(p);
        continue;
      }
      fmt::print("(w, u) = ({}, {}): delta-e {:+.2f} without retraining; retraining\n", w, u, before);
      Stopwatch sw;
      ComposeOutcome o;
      const fs::path artifact = dir / fmt::format("w{}-u{}", w, u);
      compose_to_artifact(compose_options(c, ctx.model_file()), ro, {w}, {u}, artifact.string(), o);
      fs::remove_all(artifact);  // only its accuracy is this stage's output
      p.update({{"retrained", true},
                {"delta_e", o.delta_e},
                {"rapidnn_accuracy", o.golden.accuracy},
                {"rounds", o.retrain.iterations_run},
                {"epochs", o.retrain.epochs_run},
                {"seconds", sw.seconds()}});
      fmt::print("(w, u) = ({}, {}): delta-e {:+.2f} after retraining ({:.1f} s)\n", w, u, o.delta_e, sw.seconds());
      points.push_back(p);
    }
  return SweepRetrainOut::from_json({{"w", plain.w}, {"u", plain.u}, {"above", c.sweep_retrain_above},
                                     {"points", points}});
}

}  // namespace rapidnn::flow
