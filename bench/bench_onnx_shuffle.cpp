// Node order does not matter: an ONNX model's graph with its nodes shuffled out of topological
// order (seeded) imports to the same network and predicts the same class on every test image.
//   build/bench/bench_onnx_shuffle model.onnx [dataset] [seeds]
// Defaults: fashion-mnist, 3 seeds. Exit 1 when any prediction differs.
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/infer.h"
#include "data/dataset.h"
#include "onnxio/onnx_io.h"

using namespace rapidnn;

namespace {

// How many nodes read a tensor that a node stored after them produces.
int forward_reads(const onnx::GraphProto& g) {
  std::map<std::string, int> producer;
  for (int k = 0; k < g.node_size(); ++k)
    for (const auto& o : g.node(k).output()) producer[o] = k;
  int n = 0;
  for (int k = 0; k < g.node_size(); ++k)
    for (const auto& i : g.node(k).input())
      if (const auto it = producer.find(i); it != producer.end() && it->second > k) {
        ++n;
        break;
      }
  return n;
}

}  // namespace

int run(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: {} model.onnx [dataset] [seeds]\n", argv[0]);
    return 2;
  }
  const std::string model = argv[1], data = argc > 2 ? argv[2] : "fashion-mnist";
  const int seeds = argc > 3 ? std::stoi(argv[3]) : 3;
  std::ifstream in(model, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes.str())) {
    fmt::print(stderr, "{}: not an ONNX model\n", model);
    return 2;
  }
  const Network net = import_onnx(model);
  DatasetSplits s = load_dataset(data, {}, false);
  fit_to_model(s.test, net, model);
  const std::int64_t n = s.test.size();
  const std::vector<int> ref = predict(net, s.test.x.data(), n);
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < n; ++i) correct += ref[static_cast<std::size_t>(i)] == s.test.y[static_cast<std::size_t>(i)];
  fmt::print("{}: {} nodes, {} test images, float accuracy {:.2f}%\n", model, m.graph().node_size(), n,
             100.0 * static_cast<double>(correct) / static_cast<double>(n));
  bool same = true;
  for (int seed = 1; seed <= seeds; ++seed) {
    onnx::ModelProto sh = m;
    auto* nodes = sh.mutable_graph()->mutable_node();
    std::reverse(nodes->begin(), nodes->end());
    std::mt19937 rng(static_cast<unsigned>(seed));
    for (int k = 0; k < nodes->size(); ++k) nodes->SwapElements(k, static_cast<int>(rng() % static_cast<unsigned>(nodes->size())));
    std::string out;
    sh.SerializeToString(&out);
    const Network back = import_onnx_bytes(out, fmt::format("{} (shuffled, seed {})", model, seed));
    const std::vector<int> p = predict(back, s.test.x.data(), n);
    const auto diff = std::count_if(p.begin(), p.end(), [&, i = std::size_t{0}](int c) mutable { return c != ref[i++]; });
    fmt::print("seed {}: {} of {} nodes read a tensor stored after them; predictions differ on {} of {} images\n", seed,
               forward_reads(sh.graph()), sh.graph().node_size(), diff, n);
    same &= diff == 0;
  }
  fmt::print("{}\n", same ? "identical predictions for every shuffle" : "PREDICTIONS DIFFER");
  return same ? 0 : 1;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a bad model or dataset: one message, exit 2
    fmt::print(stderr, "bench_onnx_shuffle: {}\n", e.what());
    return 2;
  }
}
