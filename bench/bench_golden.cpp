// Golden-model inference throughput beside float inference of the same network, one run.
//   build/bench/bench_golden [model.onnx] [dataset] [w] [u]
// Defaults: the shipped Fashion-MNIST MLP, fashion-mnist, (16, 64).
#include <fmt/format.h>

#include "composer/compose.h"
#include "core/infer.h"
#include "core/progress.h"
#include "data/dataset.h"
#include "models/golden.h"
#include "onnxio/onnx_io.h"

using namespace rapidnn;

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-512-512-10.onnx";
  const std::string data = argc > 2 ? argv[2] : "fashion-mnist";
  const int w = argc > 3 ? std::stoi(argv[3]) : 16, u = argc > 4 ? std::stoi(argv[4]) : 64;
  const Network net = import_onnx(model);
  DatasetSplits s = load_dataset(data);
  fit_to_model(s.test, net, model);
  const Dataset calib = s.train ? s.train->subset(sample_indices(s.train->size(), s.train->size() / 50, 1)) : s.test.head(1000);
  ComposeConfig cfg;
  cfg.method = CodebookMethod::Optimal;
  const ComposedNetwork cn = assemble(prepare_composer(net, model, calib, cfg, w, u), w, u, 64);
  const auto raw = raw_features(s.test, cn.input.raw_bits);
  const std::int64_t n = s.test.size();
  fmt::print("{} on {} test samples, (w, u) = ({}, {})\n", model, n, w, u);
  fmt::print("{:<40} {:>10} {:>14} {:>10}\n", "engine", "seconds", "samples/s", "vs float");
  double float_rate[3] = {0, 0, 0};
  for (int threads : {1, 2}) {
    Stopwatch sw;
    const auto p = predict(net, s.test.x.data(), n, threads);
    const double t = sw.seconds();
    float_rate[threads] = static_cast<double>(n) / t;
    fmt::print("{:<40} {:>10.3f} {:>14.0f} {:>10.3f}\n", fmt::format("float reference (Eigen), {} thread(s)", threads), t,
               float_rate[threads], 1.0);
  }
  for (auto form : {AccumulateForm::Direct, AccumulateForm::Count})
    for (int threads : {1, 2}) {
      const GoldenModel g(cn, {form, AmForm::TwoBlock});
      Stopwatch sw;
      const auto p = g.classify_all(raw, n, threads);
      const double t = sw.seconds();
      const double rate = static_cast<double>(n) / t;
      fmt::print("{:<40} {:>10.3f} {:>14.0f} {:>10.3f}\n",
                 fmt::format("golden {} form, {} thread(s)", form == AccumulateForm::Direct ? "direct" : "counter", threads),
                 t, rate, rate / float_rate[threads]);
    }
  return 0;
}
