// Float evaluation: Network + Dataset -> accuracy and confusion matrix.
#include "data/evaluate.h"

#include "core/infer.h"
#include "core/progress.h"

namespace rapidnn {

EvalReport evaluate(const Network& net, const Dataset& d, int threads) {
  EvalReport r;
  Stopwatch sw;
  const auto pred = predict(net, d.x.data(), d.size(), threads);
  r.seconds = sw.seconds();
  const auto classes = static_cast<std::size_t>(net.num_classes());
  r.confusion.assign(classes, std::vector<std::int64_t>(classes, 0));
  r.samples = d.size();
  for (std::size_t i = 0; i < pred.size(); ++i) {
    r.correct += pred[i] == d.y[i];
    r.confusion[static_cast<std::size_t>(d.y[i])][static_cast<std::size_t>(pred[i])]++;
  }
  return r;
}

}  // namespace rapidnn
