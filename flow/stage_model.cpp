// Stage "model": the trained model (in-tool with libtorch, or the given ONNX file) and its float
// accuracy on the test split.
#include <fmt/format.h>

#include "data/evaluate.h"
#include "flow/stages.h"
#include "flow/train_job.h"
#include "onnxio/onnx_io.h"

namespace rapidnn::flow {

ModelOut ModelOut::from_json(const json& j) {
  ModelOut r;
  r.record = j;
  r.trained = j.value("trained", false);
  r.float_accuracy = j.value("float_accuracy", 0.0);
  return r;
}

std::string ModelOut::summary() const {
  return fmt::format("{} model, float accuracy {:.2f}%", trained ? "trained" : "given", float_accuracy);
}

json ModelStage::inputs(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  json in{{"stage", "model"}, {"version", ctx.version}, {"dataset", ctx.data_hash}};
  if (c.model.empty())
    in["train"] = {{"arch", c.train.arch},         {"epochs", c.train.epochs},   {"batch", c.train.batch},
                   {"lr", c.train.lr},             {"momentum", c.train.momentum}, {"dropout", c.train.dropout},
                   {"validation", c.train.validation}, {"seed", c.train.seed}};
  else
    in["onnx"] = content_hash(c.model);
  return in;
}

ModelOut ModelStage::run(const FlowContext& ctx, const fs::path& dir) {
  const FlowConfig& c = ctx.config;
  const std::string file = (dir / "model.onnx").string();
  json r;
  if (c.model.empty()) {
    TrainJobOptions t = c.train;
    t.data = c.data();
    t.output = file;
    const TrainJobResult tr = run_train_job(t);
    r["trained"] = true;
    r["arch"] = c.train.arch;
    r["train_seconds"] = tr.train_seconds;
    r["onnx_agrees"] = tr.agree == tr.compared;
  } else {
    load_model(c.model);  // a bad model is named as the user gave it, not as the stage's copy
    fs::copy_file(c.model, file);
    r["trained"] = false;
    r["source"] = c.model;
  }
  const Network net = load_model(file);
  DatasetSplits splits = load_dataset(c.dataset, c.data().preprocess());
  fit_to_model(splits.test, net, file);
  const EvalReport e = evaluate(net, splits.test, 0);
  fmt::print("accuracy   {:.2f}% ({}/{})\n", e.accuracy(), e.correct, e.samples);
  r["float_accuracy"] = e.accuracy();
  r["parameters"] = net.parameter_count();
  r["test_images"] = e.samples;
  return ModelOut::from_json(r);
}

}  // namespace rapidnn::flow
