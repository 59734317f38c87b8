// Architecture spec parser.
#include "train/arch.h"

#include <fmt/format.h>

#include <regex>
#include <sstream>

#include "core/error.h"

namespace rapidnn {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

std::int64_t positive(const std::string& spec, const std::string& tok, const std::string& text) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used != text.size() || v <= 0 || v > (1 << 24)) throw std::invalid_argument("");
    return v;
  } catch (const std::exception&) {
    fail("--arch", "'{}': '{}' in token '{}' is not an integer from 1 to 16777216", spec, text, tok);
  }
}

}  // namespace

namespace {

// A residual block on the network's current output (the block input, with `in_ch` channels):
// 3x3 conv (stride s, padding 1) + ReLU, 3x3 conv (padding 1), the sum with the block input
// (through a 1x1 conv of stride s when the channels or the size change), then ReLU.
void add_residual_block(Network& net, std::size_t token, std::int64_t in_ch, std::int64_t out_ch, int s) {
  const int block_in = static_cast<int>(net.layers.size()) - 1;  // kInputTensor when the block comes first
  net.layers.push_back(make_conv(fmt::format("res{}a", token), in_ch, out_ch, 3, s, 1, ActKind::ReLU));
  net.layers.push_back(make_conv(fmt::format("res{}b", token), out_ch, out_ch, 3, 1, 1));
  const int branch = static_cast<int>(net.layers.size()) - 1;
  int skip = block_in;
  if (in_ch != out_ch || s != 1) {
    Layer proj = make_conv(fmt::format("res{}p", token), in_ch, out_ch, 1, s, 0);
    proj.inputs = {block_in};
    net.layers.push_back(std::move(proj));
    skip = static_cast<int>(net.layers.size()) - 1;
  }
  Layer add;
  add.kind = LayerKind::Add;
  add.name = fmt::format("res{}", token);
  add.act = ActKind::ReLU;
  add.inputs = {branch, skip};
  net.layers.push_back(std::move(add));
}

constexpr std::int64_t kMaxLayerWeights = std::int64_t{1} << 28;  // 1 GiB of float weights in one layer
}  // namespace

Network parse_arch(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) fail("--arch", "'{}': expected 'mlp:...' or 'cnn:...'", spec);
  const std::string family = spec.substr(0, colon);
  const auto toks = split(spec.substr(colon + 1), '-');
  if (toks.size() < 2) fail("--arch", "'{}': needs an input size and at least one layer", spec);
  Network net;
  net.name = spec;
  net.softmax_output = true;
  if (family == "mlp") {
    net.input_shape = {positive(spec, toks[0], toks[0])};
    std::int64_t in = net.input_shape[0];
    for (std::size_t i = 1; i < toks.size(); ++i) {
      const std::int64_t out = positive(spec, toks[i], toks[i]);
      if (in * out > kMaxLayerWeights)
        fail("--arch", "'{}': layer {} would hold {} x {} weights, more than {} (this machine's memory)", spec, i, in, out,
             kMaxLayerWeights);
      const bool last = i + 1 == toks.size();
      net.layers.push_back(make_dense(fmt::format("fc{}", i), in, out, last ? ActKind::Identity : ActKind::ReLU));
      in = out;
    }
  } else if (family == "cnn") {
    const auto dims = split(toks[0], 'x');
    if (dims.size() != 3) fail("--arch", "'{}': a cnn input is CxHxW, got '{}'", spec, toks[0]);
    for (const auto& d : dims) net.input_shape.push_back(positive(spec, toks[0], d));
    static const std::regex conv_re(R"(c(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?)");
    static const std::regex pool_re(R"(([pa])(\d+))");
    static const std::regex fc_re(R"(f(\d+))");
    static const std::regex res_re(R"(r(\d+)(?:s(\d+))?)");
    for (std::size_t i = 1; i < toks.size(); ++i) {
      const std::string& t = toks[i];
      const bool last = i + 1 == toks.size();
      const Shape cur = net.layers.empty() ? net.input_shape : net.infer_shapes("--arch").back();
      std::smatch m;
      auto ensure_flat = [&] {
        if (cur.size() != 1) net.layers.push_back(make_flatten(fmt::format("flatten{}", i)));
      };
      if (last) {
        if (!std::regex_match(t, std::regex(R"(\d+)")))
          fail("--arch", "'{}': the last token must be the number of classes, got '{}'", spec, t);
        ensure_flat();
        const Shape flat = net.layers.empty() ? net.input_shape : net.infer_shapes("--arch").back();
        net.layers.push_back(make_dense(fmt::format("fc{}", i), flat[0], positive(spec, t, t)));
      } else if (std::regex_match(t, m, conv_re)) {
        if (cur.size() != 3) fail("--arch", "'{}': convolution '{}' after a flat layer", spec, t);
        const int k = static_cast<int>(positive(spec, t, m[2]));
        const int s = m[3].matched ? static_cast<int>(positive(spec, t, m[3])) : 1;
        const int p = m[4].matched ? std::stoi(m[4]) : 0;
        net.layers.push_back(make_conv(fmt::format("conv{}", i), cur[0], positive(spec, t, m[1]), k, s, p, ActKind::ReLU));
      } else if (std::regex_match(t, m, pool_re)) {
        if (cur.size() != 3) fail("--arch", "'{}': pooling '{}' after a flat layer", spec, t);
        const int k = static_cast<int>(positive(spec, t, m[2]));
        net.layers.push_back(make_pool(m[1] == "p" ? LayerKind::MaxPool2D : LayerKind::AvgPool2D,
                                       fmt::format("pool{}", i), k, k));
      } else if (std::regex_match(t, m, res_re)) {
        if (cur.size() != 3) fail("--arch", "'{}': residual block '{}' after a flat layer", spec, t);
        add_residual_block(net, i, cur[0], positive(spec, t, m[1]), m[2].matched ? static_cast<int>(positive(spec, t, m[2])) : 1);
      } else if (std::regex_match(t, m, fc_re)) {
        ensure_flat();
        const Shape flat = net.layers.empty() ? net.input_shape : net.infer_shapes("--arch").back();
        net.layers.push_back(make_dense(fmt::format("fc{}", i), flat[0], positive(spec, t, m[1]), ActKind::ReLU));
      } else {
        fail("--arch", "'{}': unknown token '{}' (cNkK[sS][pP], rN[sS], pK, aK, fN)", spec, t);
      }
      net.infer_shapes("--arch");
    }
  } else {
    fail("--arch", "'{}': unknown family '{}' (mlp or cnn)", spec, family);
  }
  net.validate("--arch");
  return net;
}

}  // namespace rapidnn
