// Stage "compose": the artifact at the design's (w, u), optionally retrained, with golden-model
// accuracy and table bits.
#include <fmt/format.h>

#include "flow/retrain_job.h"
#include "flow/stages.h"

namespace rapidnn::flow {

ComposeOut ComposeOut::from_json(const json& j) {
  ComposeOut r;
  r.record = j;
  r.w = j.value("w", 0);
  r.u = j.value("u", 0);
  r.float_accuracy = j.value("float_accuracy", 0.0);
  r.rapidnn_accuracy = j.value("rapidnn_accuracy", 0.0);
  r.delta_e = j.value("delta_e", 0.0);
  return r;
}

std::string ComposeOut::summary() const {
  return fmt::format("(w, u) = ({}, {}): {:.2f}% vs float {:.2f}%, delta-e {:+.2f}", w, u, rapidnn_accuracy,
                     float_accuracy, delta_e);
}

json ComposeStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  return {{"stage", "compose"}, {"model", ctx.model->info.key}, {"dataset", ctx.data_hash},
          {"settings", compose_settings(c)}, {"w", c.w}, {"u", c.u},
          {"retrain", c.retrain.enabled ? json{{"iterations", c.retrain.iterations}, {"epochs", c.retrain.epochs},
                                               {"lr", c.retrain.lr}, {"validation", c.retrain.validation}}
                                        : json(false)}};
}

ComposeOut ComposeStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  ComposeOutcome o;
  compose_to_artifact(compose_options(c, ctx.model_file()), c.retrain, {c.w}, {c.u}, (dir / "artifact").string(), o);
  json r = o.metrics;
  r["w"] = c.w;
  r["u"] = c.u;
  r["q"] = c.q;
  const auto b = o.composed.table_bits();
  r["bits"] = {{"weight_indices", b.weight_idx}, {"products", b.product}, {"biases", b.bias},
               {"activation_encoding", b.am}, {"input_encoder", b.input_lut}};
  fmt::print("float {:.2f}%  rapidnn {:.2f}%  delta-e {:+.2f}\n", o.job.float_accuracy, o.golden.accuracy, o.delta_e);
  return ComposeOut::from_json(r);
}

}  // namespace rapidnn::flow
