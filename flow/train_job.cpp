// The training job: options -> a trained network saved as ONNX, re-imported and checked.
#include "flow/train_job.h"

#include <fmt/format.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/vocab.h"
#include "core/infer.h"
#include "core/progress.h"
#include "onnxio/onnx_io.h"
#ifdef RAPIDNN_HAVE_TORCH
#include "train/arch.h"
#include "train/torch_module.h"
#endif

namespace rapidnn::flow {

#ifdef RAPIDNN_HAVE_TORCH
TrainJobResult run_train_job(const TrainJobOptions& o) {
  if (o.output.empty()) fail("-o", "an output file is required");
  check_output_file(o.output, {o.data.dataset});
  if (o.epochs < 1 || o.batch < 1) fail("--batch", "epochs ({}) and batch size ({}) must be at least 1", o.epochs, o.batch);
  kThreadsRange.check(o.threads, "--threads", "--threads");
  const Network skeleton = parse_arch(o.arch);
  DatasetSplits splits = load_dataset(o.data.dataset, o.data.preprocess());
  if (!splits.train)
    fail(o.data.dataset, "has no training split; rapidnn train needs train-* IDX files or train.csv");
  fit_to_model(*splits.train, skeleton, o.arch);
  fit_to_model(splits.test, skeleton, o.arch);
  auto [train, val] = split_validation(*splits.train, o.validation, o.seed);
  fmt::print("dataset    {}\n", splits.description);
  fmt::print("split      {} train / {} validation (seed {}), test on {}\n", train.size(), val.size(), o.seed,
             splits.test.size());
  fmt::print("arch       {} ({} parameters)\n", o.arch, skeleton.parameter_count());
  TrainOptions t;
  t.epochs = o.epochs;
  t.batch = o.batch;
  t.lr = o.lr;
  t.momentum = o.momentum;
  t.dropout = o.dropout;
  t.seed = o.seed;
  t.threads = o.threads;
  const bool tty = ::isatty(STDERR_FILENO) != 0;  // a log gets plain lines
  Progress bar("training", static_cast<std::int64_t>(o.epochs) * ((train.size() + o.batch - 1) / o.batch));
  std::int64_t done = 0;
  TrainResult r = torch_module().train_network(
      skeleton, train, val, t,
      [&](const EpochStats& s) {
        fmt::print(stderr, "{}epoch {:3}/{}  loss {:.4f}  validation {:.2f}%  {:.1f}s\n", tty ? "\r\x1b[K" : "", s.epoch,
                   o.epochs, s.loss, s.validation_accuracy, s.seconds);
      },
      [&](int, std::int64_t, std::int64_t) { bar.set(++done); });
  bar.finish(fmt::format("{} epochs", o.epochs));
  export_onnx(r.net, o.output);

  TrainJobResult res;
  res.train_seconds = r.seconds;
  res.net = load_model(o.output);
  const auto ours = predict(res.net, splits.test.x.data(), splits.test.size(), o.threads);
  const auto theirs = torch_module().torch_predict(r.net, splits.test, o.threads, {});
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    correct += ours[i] == splits.test.y[i];
    res.agree += ours[i] == theirs[i];
  }
  res.compared = static_cast<std::int64_t>(ours.size());
  res.test_accuracy = 100.0 * static_cast<double>(correct) / static_cast<double>(splits.test.size());
  fmt::print("trained    {} epochs in {:.1f} s ({:.2f} s/epoch)\n", o.epochs, r.seconds,
             o.epochs ? r.seconds / o.epochs : 0.0);
  fmt::print("saved      {}\n", o.output);
  fmt::print("test       {:.2f}% float accuracy of the re-imported ONNX\n", res.test_accuracy);
  fmt::print("check      re-imported ONNX and libtorch agree on {}/{} test predictions\n", res.agree, res.compared);
  return res;
}
#else
TrainJobResult run_train_job(const TrainJobOptions&) {
  fail("rapidnn train", "this build has no libtorch (configure with -DRAPIDNN_WITH_TORCH=ON)");
}
#endif

}  // namespace rapidnn::flow
