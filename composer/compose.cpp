// Composer: IR + calibration sample -> codebooks -> integer tables (paper section 3).
#include "composer/compose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "composer/sequential.h"
#include "core/infer.h"

namespace rapidnn {

namespace {

int log2_exact(int v) {
  int l = 0;
  while ((1 << l) < v) ++l;
  return l;
}

bool uniform(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [&](float x) { return x == v.front(); });
}

float activation_slope(ActKind a, double y) {
  switch (a) {
    case ActKind::Sigmoid: {
      const double s = 1.0 / (1.0 + std::exp(-y));
      return static_cast<float>(s * (1.0 - s));
    }
    case ActKind::Tanh: {
      const double t = std::tanh(y);
      return static_cast<float>(1.0 - t * t);
    }
    case ActKind::Softsign: return static_cast<float>(1.0 / ((1.0 + std::fabs(y)) * (1.0 + std::fabs(y))));
    default: return 1.0f;
  }
}

double saturation(ActKind a) {
  switch (a) {
    case ActKind::Sigmoid: return 10.0;
    case ActKind::Tanh: return 5.0;
    default: return 1e9;
  }
}

// Removes layer 0 (whose output every reader of the input reads instead): later layers' producer
// indices move down by one and reads of layer 0 become reads of the input.
void erase_first_layer(Network& net, const std::string& src) {
  for (std::size_t i = 1; i < net.layers.size(); ++i)
    for (int p : net.sources(i))
      if (p == kInputTensor)
        fail(src, "layer {} '{}' reads the network input beside the input Scale '{}'; the Scale cannot be folded "
             "into the raw input", i, net.layers[i].name, net.layers[0].name);
  net.layers.erase(net.layers.begin());
  for (auto& l : net.layers)
    for (int& p : l.inputs) p = p == 0 ? kInputTensor : p - 1;
}

// Folds leading Scale layers into the raw-input transform, or into the following Dense layer.
Network fold_input_scale(const Network& in, const std::string& src, double& raw_scale, double& raw_offset) {
  Network net = in;
  while (!net.layers.empty() && net.layers.front().kind == LayerKind::Scale) {
    const Layer s = net.layers.front();
    if (!net.is_chain() && !(uniform(s.weights) && uniform(s.bias)))
      fail(src, "layer 0 '{}': a per-element input Scale is only mapped in a chain of layers", s.name);
    if (uniform(s.weights) && uniform(s.bias)) {
      raw_offset = raw_offset * s.weights.front() + s.bias.front();
      raw_scale = raw_scale * s.weights.front();
      erase_first_layer(net, src);
      continue;
    }
    std::size_t next = 1;
    while (next < net.layers.size() && net.layers[next].kind == LayerKind::Flatten) ++next;
    if (next >= net.layers.size() || net.layers[next].kind != LayerKind::Dense)
      fail(src, "layer 0 '{}': a per-element input Scale can only be mapped before a Dense layer", s.name);
    Layer& d = net.layers[next];
    const std::size_t fan = s.weights.size();
    for (std::int64_t n = 0; n < d.units; ++n) {
      double b = d.bias[static_cast<std::size_t>(n)];
      for (std::size_t k = 0; k < fan; ++k) {
        float& w = d.weights[static_cast<std::size_t>(n) * fan + k];
        b += static_cast<double>(w) * s.bias[k];
        w *= s.weights[k];
      }
      d.bias[static_cast<std::size_t>(n)] = static_cast<float>(b);
    }
    net.layers.erase(net.layers.begin());
  }
  return net;
}

// The group of a weighted stage's input element e: its position (Dense) or channel (Conv), and
// the number of groups. Weights of tap k of a table multiply group weight_group(k).
struct InputGroups {
  std::size_t groups = 1, plane = 1;  // plane: elements per group per sample (Conv: H*W)
  bool conv = false;
  std::size_t of_input(std::size_t e) const { return (e / plane) % groups; }
};
InputGroups input_groups(const Stage& s) {
  InputGroups g;
  g.conv = s.kind == StageKind::Conv;
  g.groups = static_cast<std::size_t>(g.conv ? s.in_shape[0] : s.fan_in);
  g.plane = g.conv ? static_cast<std::size_t>(numel(s.in_shape) / s.in_shape[0]) : 1;
  return g;
}
// Group of weight k (flat index into the stage's weights).
std::size_t weight_group(const Stage& s, const InputGroups& g, std::size_t k) {
  return g.conv ? (k / static_cast<std::size_t>(s.kernel_h * s.kernel_w)) % g.groups : k % g.groups;
}

}  // namespace

WeightedPoints input_points(const ComposerState::StagePrep& sp, const std::vector<float>& inputs, const ComposeConfig& c) {
  const Stage& s = sp.skeleton;
  if (c.weighting != CodebookWeighting::Output || c.method == CodebookMethod::Uniform || sp.weights.empty())
    return weighted_points(std::span<const float>(inputs));
  // Output weighting: an input value counts by the squared weights it meets (its column's norm).
  const InputGroups g = input_groups(s);
  std::vector<double> norm(g.groups, 0.0);
  for (std::size_t k = 0; k < sp.weights.size(); ++k)
    norm[weight_group(s, g, k)] += static_cast<double>(sp.weights[k]) * sp.weights[k];
  std::vector<double> imp(inputs.size());
  for (std::size_t e = 0; e < inputs.size(); ++e) imp[e] = norm[g.of_input(e)];
  WeightedPoints p = weighted_points(std::span<const float>(inputs), imp);
  return p.x.empty() ? weighted_points(std::span<const float>(inputs)) : p;
}

void check_codebook_size(std::int64_t v, const std::string& where, const std::string& key) {
  if (!kCodebookSizeRange.contains(v) || (v & (v - 1)) != 0)
    fail(where, "{} must be a power of two between {} and {}, not {}", key, kCodebookSizeRange.lo, kCodebookSizeRange.hi, v);
}

void check_compose_params(int w, int u, int q) {
  check_codebook_size(w, "--w", "the weight codebook size");
  check_codebook_size(u, "--u", "the input codebook size");
  kQRange.check(q, "--q", "the activation table size");
}

std::vector<std::uint16_t> raw_features(const Dataset& d, int bits) {
  std::vector<std::uint16_t> r(d.x.size());
  const double top = static_cast<double>(1 << bits);
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double v = (static_cast<double>(d.x[i]) - d.pre_offset) / d.pre_scale;
    const double k = std::round(v);
    if (!std::isfinite(v) || std::fabs(v - k) > 1e-3 || k < 0 || k >= top)
      fail(d.source, "feature {} of sample {} is {}, not an integer in [0, {}): the accelerator takes raw integer "
                     "features",
           i % static_cast<std::size_t>(d.sample_numel()), i / static_cast<std::size_t>(d.sample_numel()), v, top);
    r[i] = static_cast<std::uint16_t>(k);
  }
  return r;
}

namespace {

// The stage of the weighted layer an Add of layers `src` fuses into (its branch), and the other
// input (the skip): the branch is the later input that is a Dense/Conv layer with no activation,
// read by nothing but the Add (`readers`: per layer, the layers reading it), and the latest stage.
std::pair<int, int> fused_branch(const Network& net, const std::vector<int>& src, const std::vector<int>& readers,
                                 const std::vector<int>& stage_of_layer, std::size_t stages,
                                 const std::function<void(const std::string&)>& cannot) {
  if (src.size() != 2) cannot(fmt::format("an Add of {} tensors (only two: a branch and its skip)", src.size()));
  for (int b : {std::max(src[0], src[1]), std::min(src[0], src[1])}) {
    if (b == kInputTensor) continue;
    const Layer& l = net.layers[static_cast<std::size_t>(b)];
    const int stage = stage_of_layer[static_cast<std::size_t>(b)];
    if (l.has_weights() && l.act == ActKind::Identity && readers[static_cast<std::size_t>(b)] == 1 &&
        stage == static_cast<int>(stages) - 1)
      return {stage, b == src[0] ? src[1] : src[0]};
  }
  cannot("neither input is a Dense or Conv2D layer without activation, read only by the Add, that the sum can "
         "be fused into (the branch's RNAs start from the skipped value)");
  return {-1, -1};
}

// Maps IR layers onto stages (ComposerState::stages); the stage whose output each layer's is.
std::vector<int> map_stages(ComposerState& st, const std::vector<Shape>& shapes, const std::string& model_file) {
  const Network& net = st.net;
  std::vector<int> stage_of_layer(net.layers.size(), -1);
  std::vector<int> readers(net.layers.size(), 0);
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    for (int p : net.sources(i))
      if (p != kInputTensor) ++readers[static_cast<std::size_t>(p)];
  const auto stage_of = [&](int layer) {
    return layer == kInputTensor ? kFromInput : stage_of_layer[static_cast<std::size_t>(layer)];
  };
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const std::function<void(const std::string&)> cannot = [&](const std::string& why) {
      fail(model_file, "layer {} '{}' ({}) cannot be mapped: {}", i, l.name, to_string(l.kind), why);
    };
    const std::vector<int> src = net.sources(i);
    const Shape& in = net.shape_of(src[0], shapes);
    if (l.kind == LayerKind::Add) {
      const auto [stage, skip] = fused_branch(net, src, readers, stage_of_layer, st.stages.size(), cannot);
      if (l.act != ActKind::Identity && l.act != ActKind::ReLU)
        cannot(fmt::format("a residual sum's activation must be ReLU or none, not {}", to_string(l.act)));
      auto& sp = st.stages[static_cast<std::size_t>(stage)];
      Stage& s = sp.skeleton;
      s.act = l.act;
      s.skip = stage_of(skip);
      sp.join_layer = static_cast<int>(i);
      sp.skip_input = src[0] == skip ? 0 : 1;
      stage_of_layer[i] = stage;
      continue;
    }
    if (l.kind == LayerKind::Concat && src.size() != 2)
      cannot(fmt::format("a concatenation of {} tensors (two are mapped: nest them for more)", src.size()));
    ComposerState::StagePrep sp;
    Stage& s = sp.skeleton;
    s.name = l.name;
    s.in_shape = in;
    s.out_shape = shapes[i];
    if (stage_of(src[0]) != static_cast<int>(st.stages.size()) - 1) s.source = stage_of(src[0]);
    s.kernel_h = l.kernel_h > 0 ? l.kernel_h : 1;
    s.kernel_w = l.kernel_w > 0 ? l.kernel_w : 1;
    s.stride_h = l.stride_h;
    s.stride_w = l.stride_w;
    s.pad = l.pad;
    s.act = l.act;
    switch (l.kind) {
      case LayerKind::Dense:
        s.kind = StageKind::Dense;
        s.units = l.units;
        s.fan_in = in[0];
        break;
      case LayerKind::Conv2D:
        s.kind = StageKind::Conv;
        s.units = l.units;
        s.fan_in = in[0] * l.kernel_h * l.kernel_w;
        break;
      case LayerKind::AvgPool2D:
        if ((l.pad.top || l.pad.left || l.pad.bottom || l.pad.right) && !l.count_include_pad)
          cannot("average pooling that excludes padded values has no single divisor");
        s.kind = StageKind::AvgPool;
        s.units = in[0];
        s.fan_in = static_cast<std::int64_t>(l.kernel_h) * l.kernel_w;
        s.act = ActKind::Identity;
        break;
      case LayerKind::MaxPool2D: s.kind = StageKind::MaxPool; break;
      case LayerKind::Flatten: s.kind = StageKind::Flatten; break;
      case LayerKind::Scale:
        cannot("an element-wise Scale inside the network has no lookup-table form");
        break;
      case LayerKind::Concat:  // both inputs' indices, copied: they share one codebook (assign_codebooks)
        s.kind = StageKind::Concat;
        s.skip = stage_of(src[1]);
        break;
      case LayerKind::Add: break;  // handled above
      case LayerKind::Activation:
        if (l.act != ActKind::Identity)
          cannot("a standalone activation must directly follow a Dense or Conv2D layer to be fused");
        stage_of_layer[i] = stage_of(src[0]);
        continue;  // identity: nothing to do
    }
    if (s.weighted() && l.has_weights()) {
      sp.weights = l.weights;
      sp.bias = l.bias;
    }
    stage_of_layer[i] = static_cast<int>(st.stages.size());
    sp.layer = static_cast<int>(i);
    st.stages.push_back(std::move(sp));
  }
  // The output stage: the last weighted stage, followed by nothing but Flatten.
  int last_weighted = -1;
  for (std::size_t k = 0; k < st.stages.size(); ++k)
    if (st.stages[k].skeleton.weighted()) last_weighted = static_cast<int>(k);
  if (last_weighted < 0) fail(model_file, "the network has no Dense or Conv2D layer to map");
  for (std::size_t k = static_cast<std::size_t>(last_weighted) + 1; k < st.stages.size(); ++k)
    if (st.stages[k].skeleton.kind != StageKind::Flatten)
      fail(model_file, "the network must end with a Dense or Conv2D layer, but '{}' ({}) follows it",
           st.stages[k].skeleton.name, to_string(st.stages[k].skeleton.kind));
  auto& out_stage = st.stages[static_cast<std::size_t>(last_weighted)].skeleton;
  if (out_stage.kind == StageKind::AvgPool) fail(model_file, "the network cannot end with average pooling");
  out_stage.is_output = true;
  return stage_of_layer;
}

// Which codebook encodes each stage's output (see StagePrep::consumer, book_owner, skip_reader).
// A tensor's codebook is the input codebook of its first weighted reader (through max pooling and
// flattening, which keep codes); later weighted readers share it; a tensor that only residual sums
// read gets a codebook of its own (output_book), the size of its first such reader's input codebook.
void assign_codebooks(ComposerState& st, const std::string& model_file) {
  const auto source_of = [&](int k) {
    const int s = st.stages[static_cast<std::size_t>(k)].skeleton.source;
    return s == kPrevious ? k - 1 : s;
  };
  // The weighted stages (or the input) whose codes stage k's output carries: one, or through a
  // concatenation, those of both its inputs.
  std::function<void(int, std::vector<int>&)> producers = [&](int k, std::vector<int>& out) {
    while (k != kFromInput && !st.stages[static_cast<std::size_t>(k)].skeleton.weighted()) {
      const Stage& s = st.stages[static_cast<std::size_t>(k)].skeleton;
      if (s.kind == StageKind::Concat) producers(s.skip, out);
      k = source_of(k);
    }
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  };
  int input_owner = -1;
  const auto owner_of = [&](int p) -> int& {
    return p == kFromInput ? input_owner : st.stages[static_cast<std::size_t>(p)].consumer;
  };
  for (int j = 0; j < static_cast<int>(st.stages.size()); ++j) {
    auto& sj = st.stages[static_cast<std::size_t>(j)];
    if (!sj.skeleton.weighted()) continue;
    std::vector<int> ps;
    producers(source_of(j), ps);
    // Concatenated tensors are encoded with one codebook: the first one already read has it.
    int owner = -1;
    for (int p : ps)
      if (owner < 0) owner = owner_of(p);
    if (owner < 0) owner = j;
    for (int p : ps) {
      int& o = owner_of(p);
      if (o >= 0 && o != owner)
        fail(model_file, "stage '{}' reads a concatenation of tensors that other layers already read with different "
             "codebooks; concatenate tensors read only through the concatenation", sj.skeleton.name);
      o = owner;
    }
    sj.book_owner = owner;
    if (sj.skeleton.skip == kNoSkip) continue;
    std::vector<int> qs;
    producers(sj.skeleton.skip, qs);
    if (qs.size() != 1) fail(model_file, "stage '{}' adds a concatenation as its residual skip", sj.skeleton.name);
    const int q = qs.front();
    if (q != kFromInput && st.stages[static_cast<std::size_t>(q)].skeleton.is_output)
      fail(model_file, "stage '{}' adds the output layer's scores", sj.skeleton.name);
    if (q != kFromInput && st.stages[static_cast<std::size_t>(q)].skip_reader < 0)
      st.stages[static_cast<std::size_t>(q)].skip_reader = j;
  }
  for (const auto& sp : st.stages)
    if (sp.skeleton.weighted() && !sp.skeleton.is_output && sp.consumer < 0 && sp.skip_reader < 0)
      fail(model_file, "stage '{}': no later layer reads its output, or only a concatenation nothing reads",
           sp.skeleton.name);
}

}  // namespace

namespace {

// ComposeConfig::global_codebook: every weighted stage's input codebook becomes one clustered from
// all stages' input points, and every weight table's codebook one clustered from all weights.
void share_codebooks(ComposerState& st) {
  std::vector<const WeightedPoints*> inputs;
  std::vector<WeightedPoints> weights;
  for (const auto& sp : st.stages) {
    if (!sp.skeleton.weighted()) continue;
    inputs.push_back(&sp.input_points);
    if (!sp.weights.empty()) weights.push_back(weighted_points(std::span<const float>(sp.weights)));
  }
  std::vector<const WeightedPoints*> wparts;
  for (const auto& w : weights) wparts.push_back(&w);
  const LeveledCodebook input_book = build_codebook(merge_points(inputs), st.max_u_level, st.base.method);
  const LeveledCodebook weight_book = build_codebook(merge_points(wparts), st.max_w_level, st.base.method);
  for (auto& sp : st.stages) {
    if (!sp.skeleton.weighted()) continue;
    sp.input_book = input_book;
    if (!sp.output_book.levels.empty()) sp.output_book = input_book;
    for (auto& b : sp.weight_books) b = weight_book;
  }
}

}  // namespace

ComposerState prepare_composer(const Network& original, const std::string& model_file, const Dataset& calibration,
                               const ComposeConfig& base, int max_w, int max_u) {
  check_compose_params(max_w, max_u, base.q);
  ComposerState st;
  st.model_file = model_file;
  st.base = base;
  st.max_w_level = log2_exact(max_w);
  st.max_u_level = log2_exact(max_u);
  st.raw_scale = calibration.pre_scale;
  st.raw_offset = calibration.pre_offset;
  st.net = fold_input_scale(original, model_file, st.raw_scale, st.raw_offset);
  const Network& net = st.net;
  net.validate(model_file);
  const auto shapes = net.infer_shapes(model_file);
  if (!net.is_chain() && (base.inputs == InputCodebooks::Composed || base.bias_correction || base.refit_codebooks ||
                          base.choose_calibration))
    fail(model_file, "composed input codebooks, bias correction, codebook refit and --choose-calibration emulate a "
         "chain of layers; this network branches at layer {} '{}'", net.first_branch(),
         net.layers[net.first_branch()].name);
  const std::vector<int> stage_of_layer = map_stages(st, shapes, model_file);
  assign_codebooks(st, model_file);

  // Float forward over the calibration sample: each weighted stage's inputs and pre-activations.
  const auto raw = raw_features(calibration, st.raw_bits);
  const std::int64_t per = numel(net.input_shape);
  std::vector<std::vector<float>> inputs(st.stages.size()), pre_act(st.stages.size());
  std::vector<std::vector<double>> out_sum(st.stages.size());
  std::vector<std::vector<float>> skip_values(st.stages.size());
  // Per layer (slot 0: the input): the weighted stages reading its output, and the skip-only
  // stages whose output it is.
  std::vector<std::vector<int>> readers(net.layers.size() + 1), outputs_of(net.layers.size() + 1);
  for (std::size_t k = 0; k < st.stages.size(); ++k) {
    const auto& sp = st.stages[k];
    if (sp.skeleton.weighted())
      readers[static_cast<std::size_t>(net.sources(static_cast<std::size_t>(sp.layer)).front() + 1)].push_back(static_cast<int>(k));
    if (sp.consumer < 0 && sp.skip_reader >= 0) {
      std::size_t last = 0;  // the last layer mapped to stage k (a fused Add's, else its own)
      for (std::size_t i = 0; i < stage_of_layer.size(); ++i)
        if (stage_of_layer[i] == static_cast<int>(k)) last = i;
      outputs_of[last + 1].push_back(static_cast<int>(k));
    }
  }
  constexpr std::int64_t kBatch = 128;
  std::vector<float> x;
  for (std::int64_t start = 0; start < calibration.size(); start += kBatch) {
    const std::int64_t m = std::min(kBatch, calibration.size() - start);
    x.resize(static_cast<std::size_t>(m * per));
    for (std::size_t e = 0; e < x.size(); ++e)
      x[e] = static_cast<float>(raw[static_cast<std::size_t>(start * per) + e] * st.raw_scale + st.raw_offset);
    // Each weighted stage's input is the output of the layer its layer reads; a skip-only
    // tensor's codebook points are the output of the last layer its stage maps.
    const auto capture = [&](int layer, const std::vector<float>& v) {
      for (int k : readers[static_cast<std::size_t>(layer + 1)])
        inputs[static_cast<std::size_t>(k)].insert(inputs[static_cast<std::size_t>(k)].end(), v.begin(), v.end());
      for (int k : outputs_of[static_cast<std::size_t>(layer + 1)])
        skip_values[static_cast<std::size_t>(k)].insert(skip_values[static_cast<std::size_t>(k)].end(), v.begin(), v.end());
    };
    capture(kInputTensor, x);
    st.calibration_x.insert(st.calibration_x.end(), x.begin(), x.end());
    const std::vector<float> logits = forward(
        net, x.data(), m,
        [&](std::size_t layer, const std::vector<float>& out, std::int64_t) {
          capture(static_cast<int>(layer), out);
          const int s = stage_of_layer[layer];
          if (s >= 0 && net.layers[layer].has_weights()) {  // each unit's output summed, for its mean
            auto& sum = out_sum[static_cast<std::size_t>(s)];
            const std::size_t units = static_cast<std::size_t>(shapes[layer][0]);
            const std::size_t positions = static_cast<std::size_t>(numel(shapes[layer])) / units;
            sum.resize(units, 0.0);
            for (std::size_t e = 0; e < out.size(); ++e) sum[(e / positions) % units] += out[e];
          }
        },
        [&](std::size_t layer, const std::vector<float>& out, std::int64_t) {
          const int s = stage_of_layer[layer];
          const ActKind a = net.layers[layer].act;
          if (s >= 0 && a != ActKind::ReLU && a != ActKind::Identity)
            pre_act[static_cast<std::size_t>(s)].insert(pre_act[static_cast<std::size_t>(s)].end(), out.begin(), out.end());
        });
    for (int c : argmax_rows(logits, m, net.num_classes())) st.float_pred.push_back(c);
  }
  st.calibration_samples = calibration.size();

  // Codebooks.
  for (std::size_t k = 0; k < st.stages.size(); ++k) {
    auto& sp = st.stages[k];
    Stage& s = sp.skeleton;
    if (!s.weighted()) continue;
    const WeightedPoints ip = input_points(sp, inputs[k], base);
    if (ip.x.size() < (std::size_t{1} << st.max_u_level))
      st.notes.push_back(fmt::format("stage '{}': its inputs take only {} distinct values, fewer than u={}; the "
                                     "codebook repeats entries and stays valid",
                                     s.name, ip.x.size(), 1 << st.max_u_level));
    sp.input_book = build_codebook(ip, st.max_u_level, base.method);
    if (!skip_values[k].empty())
      sp.output_book = build_codebook(weighted_points(std::span<const float>(skip_values[k])), st.max_u_level, base.method);
    if (!out_sum[k].empty()) {
      const double count = static_cast<double>(calibration.size()) *
                           static_cast<double>(numel(s.out_shape) / static_cast<std::int64_t>(out_sum[k].size()));
      for (double v : out_sum[k]) sp.out_mean.push_back(v / count);
    }
    sp.input_points = ip;
    sp.pre_act_sample = std::move(pre_act[k]);
    if (s.kind == StageKind::AvgPool) continue;
    const std::size_t tables = s.kind == StageKind::Conv ? static_cast<std::size_t>(s.units) : 1;
    const std::size_t per_table = sp.weights.size() / tables;
    // Output weighting: each weight counts by the mean square of the inputs it multiplies.
    std::vector<double> msq;
    const InputGroups g = input_groups(s);
    if (base.weighting == CodebookWeighting::Output && base.method != CodebookMethod::Uniform) {
      msq.assign(g.groups, 0.0);
      for (std::size_t e = 0; e < inputs[k].size(); ++e) msq[g.of_input(e)] += static_cast<double>(inputs[k][e]) * inputs[k][e];
    }
    for (std::size_t t = 0; t < tables; ++t) {
      const std::span<const float> wv(sp.weights.data() + t * per_table, per_table);
      WeightedPoints wp = weighted_points(wv);
      if (!msq.empty()) {
        std::vector<double> imp(per_table);
        for (std::size_t j = 0; j < per_table; ++j) imp[j] = msq[weight_group(s, g, t * per_table + j)];
        WeightedPoints weighted = weighted_points(wv, imp);
        if (!weighted.x.empty()) wp = std::move(weighted);
      }
      if (wp.x.size() < (std::size_t{1} << st.max_w_level))
        st.notes.push_back(fmt::format("stage '{}'{}: only {} distinct weights, fewer than w={}; the codebook repeats "
                                       "entries and stays valid",
                                       s.name, tables > 1 ? fmt::format(" channel {}", t) : "", wp.x.size(),
                                       1 << st.max_w_level));
      sp.weight_books.push_back(build_codebook(wp, st.max_w_level, base.method));
    }
  }
  if (base.global_codebook) share_codebooks(st);
  if (base.choose_calibration && base.weighting == CodebookWeighting::Plain && base.method != CodebookMethod::Uniform) {
    ComposeConfig ow = base;
    ow.weighting = CodebookWeighting::Output;
    ow.choose_calibration = false;
    st.output_weighted =
        std::make_shared<const ComposerState>(prepare_composer(original, model_file, calibration, ow, max_w, max_u));
  }
  return st;
}

namespace {

std::vector<std::int64_t> activation_rows(const ComposerState::StagePrep& sp, int q, double s) {
  std::vector<float> y = sp.pre_act_sample;
  if (y.empty()) y.push_back(0.0f);
  std::sort(y.begin(), y.end());
  const double sat = saturation(sp.skeleton.act);
  const auto quant = [&](double f) { return static_cast<double>(y[static_cast<std::size_t>(f * static_cast<double>(y.size() - 1))]); };
  double a = std::max(quant(0.001), -sat), b = std::min(quant(0.999), sat);
  if (!(b > a)) b = a + 1.0;
  // Rows at weighted quantiles of the pre-activation sample, weighted by the activation's slope:
  // dense where values are frequent and where the function changes fast (paper section 2.2).
  std::vector<double> ys, cw;
  for (float v : y)
    if (v >= a && v <= b) ys.push_back(v);
  if (ys.empty()) ys = {a, b};
  cw.resize(ys.size());
  double acc = 0.0;
  for (std::size_t i = 0; i < ys.size(); ++i) {
    acc += activation_slope(sp.skeleton.act, ys[i]) + 1e-12;
    cw[i] = acc;
  }
  std::vector<std::int64_t> rows{std::llround(a / s), std::llround(b / s)};
  for (int k = 1; k + 1 < q; ++k) {
    const double target = acc * static_cast<double>(k) / static_cast<double>(q - 1);
    const auto it = std::lower_bound(cw.begin(), cw.end(), target);
    const double v = ys[static_cast<std::size_t>(std::min<std::ptrdiff_t>(it - cw.begin(), static_cast<std::ptrdiff_t>(ys.size()) - 1))];
    rows.push_back(std::llround(v / s));
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

}  // namespace

void pin_codebooks(ComposerState& st, const ComposedNetwork& cn) {
  if (cn.stages.size() != st.stages.size()) fail(st.model_file, "pinned codebooks are for a different network");
  const auto pin = [&](LeveledCodebook& book, const std::vector<double>& c) {
    for (auto& level : book.levels)
      if (level.size() == c.size() && level != c) {
        level = c;
        book.nested = false;
        return;
      } else if (level.size() == c.size()) {
        return;
      }
    fail(st.model_file, "no codebook level with {} entries to pin", c.size());
  };
  st.pinned = true;
  for (std::size_t k = 0; k < st.stages.size(); ++k) {
    auto& sp = st.stages[k];
    const Stage& s = cn.stages[k];
    if (!s.weighted() || !sp.skeleton.weighted()) continue;
    pin(sp.input_book, s.input_codebook);
    if (s.kind == StageKind::AvgPool) continue;
    if (s.weight_codebooks.size() != sp.weight_books.size())
      fail(st.model_file, "stage '{}': {} pinned weight codebooks for {} tables", s.name, s.weight_codebooks.size(),
           sp.weight_books.size());
    for (std::size_t t = 0; t < sp.weight_books.size(); ++t) pin(sp.weight_books[t], s.weight_codebooks[t]);
  }
}

namespace {

// `emulated`: calibrate_stages() of (st, base, sizes) when the caller already ran it.
ComposedNetwork assemble_as(const ComposerState& st, const ComposeConfig& base, const CodebookSizes& sizes, int q,
                            std::vector<CalibratedStage> emulated = {});

// The calibration choice (see compose.h), judged on held-out samples by the golden model
// (ChoiceSample::classify).
std::vector<int> held_out_hits(const ComposerState::ChoiceSample& ch, const ComposedNetwork& cn) {
  const auto pred = ch.classify(cn);
  std::vector<int> h(pred.size());
  for (std::size_t n = 0; n < pred.size(); ++n) h[n] = pred[n] == ch.labels[n];
  return h;
}

// The gain of `hits` over `plain` in points when it is clear (see compose.h), else 0.
double clear_gain(const std::vector<int>& hits, const std::vector<int>& plain) {
  const double n = static_cast<double>(std::max<std::size_t>(1, hits.size()));
  double sum = 0.0, sq = 0.0;
  for (std::size_t k = 0; k < hits.size(); ++k) {
    const double d = hits[k] - plain[k];
    sum += d, sq += d * d;
  }
  const double mean = sum / n, se = std::sqrt(std::max(0.0, sq / n - mean * mean) / std::max(1.0, n - 1.0));
  return 100.0 * mean >= kChoiceMinimum && mean >= kChoiceStandardErrors * se ? 100.0 * mean : 0.0;
}

// Without held-out samples: each combination's emulated agreement with the float network on the
// calibration sample, in points.
ComposedNetwork assemble_chosen(const ComposerState& st, const CodebookSizes& sizes, int q) {
  struct Candidate {
    const ComposerState* state;
    ComposeConfig config;
    double agreement = 0.0;
    std::vector<CalibratedStage> emulated;
  };
  std::vector<Candidate> cands;
  for (const ComposerState* s : {&st, st.output_weighted.get()})
    if (s)
      for (int k = 0; k < 8; ++k) {
        ComposeConfig c = s->base;
        c.choose_calibration = false;
        c.inputs = (k & 1) ? InputCodebooks::Composed : InputCodebooks::Float;
        c.bias_correction = (k & 2) != 0;
        c.refit_codebooks = (k & 4) != 0;
        cands.push_back({s, c, 0.0, {}});
      }
  if (st.choice) {
    ComposedNetwork best = assemble_as(*cands[0].state, cands[0].config, sizes, q);
    const std::vector<int> plain = held_out_hits(*st.choice, best);
    double best_gain = 0.0;
    for (std::size_t i = 1; i < cands.size(); ++i) {
      ComposedNetwork cn = assemble_as(*cands[i].state, cands[i].config, sizes, q);
      const double gain = clear_gain(held_out_hits(*st.choice, cn), plain);
      if (gain > best_gain) best = std::move(cn), best_gain = gain;
    }
    best.config.choose_calibration = true;
    return best;
  }
  std::size_t best = 0;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    std::vector<float> out;
    cands[i].emulated = calibrate_stages(*cands[i].state, cands[i].config, sizes, &out);
    const auto pred = argmax_rows(out, st.calibration_samples, st.net.num_classes());
    std::int64_t same = 0;
    for (std::size_t n = 0; n < pred.size(); ++n) same += pred[n] == st.float_pred[n];
    cands[i].agreement = 100.0 * static_cast<double>(same) / static_cast<double>(std::max<std::size_t>(1, pred.size()));
    if (cands[i].agreement > cands[best].agreement) best = i;
  }
  if (cands[best].agreement < cands[0].agreement + kChoiceMargin) best = 0;
  Candidate& c = cands[best];
  if (!sequential_calibration(*c.state, c.config)) c.emulated.clear();  // the plain tables need none
  ComposedNetwork cn = assemble_as(*c.state, c.config, sizes, q, std::move(c.emulated));
  cn.config.choose_calibration = true;
  return cn;
}

}  // namespace

bool CodebookSizes::uniform() const {
  for (std::size_t k = 0; k < u.size(); ++k)
    if (u[k] != 0 && (u[k] != *std::max_element(u.begin(), u.end()) || w[k] != *std::max_element(w.begin(), w.end())))
      return false;
  return true;
}

CodebookSizes uniform_sizes(const ComposerState& st, int w, int u) { return layer_sizes(st, {w}, {u}); }

CodebookSizes layer_sizes(const ComposerState& st, const std::vector<int>& w, const std::vector<int>& u) {
  std::size_t weighted = 0;
  for (const auto& sp : st.stages) weighted += sp.skeleton.weighted();
  const auto check_list = [&](const std::vector<int>& v, const char* key) {
    if (v.size() != 1 && v.size() != weighted)
      fail(key, "gives {} sizes; the network has {} weighted layers (Dense, Conv, average pooling): give one size "
                "or one per layer", v.size(), weighted);
  };
  check_list(w, "--w");
  check_list(u, "--u");
  CodebookSizes s{std::vector<int>(st.stages.size(), 0), std::vector<int>(st.stages.size(), 0)};
  std::size_t j = 0;
  for (std::size_t k = 0; k < st.stages.size(); ++k) {
    if (!st.stages[k].skeleton.weighted()) continue;
    s.w[k] = w[w.size() == 1 ? 0 : j];
    s.u[k] = u[u.size() == 1 ? 0 : j];
    ++j;
    check_codebook_size(s.w[k], "--w", "the weight codebook size");
    check_codebook_size(s.u[k], "--u", "the input codebook size");
    if (s.w[k] > (1 << st.max_w_level) || s.u[k] > (1 << st.max_u_level))
      fail("", "codebooks were built up to w={}, u={}; cannot assemble w={}, u={}", 1 << st.max_w_level,
           1 << st.max_u_level, s.w[k], s.u[k]);
  }
  return s;
}

ComposedNetwork assemble(const ComposerState& st, int w, int u, int q) {
  check_compose_params(w, u, q);
  return assemble(st, uniform_sizes(st, w, u), q);
}

ComposedNetwork assemble(const ComposerState& st, const CodebookSizes& sizes, int q) {
  kQRange.check(q, "--q", "the activation table size");
  if (st.base.choose_calibration && !st.pinned) return assemble_chosen(st, sizes, q);
  ComposeConfig base = st.base;
  base.choose_calibration = false;  // pinned codebooks are used as they are
  return assemble_as(st, base, sizes, q);
}

namespace {

ComposedNetwork assemble_as(const ComposerState& st, const ComposeConfig& base, const CodebookSizes& sizes, int q,
                            std::vector<CalibratedStage> emulated) {
  ComposedNetwork cn;
  cn.name = st.net.name;
  cn.input_shape = st.net.input_shape;
  cn.classes = st.net.num_classes();
  cn.config = base;
  cn.config.w = *std::max_element(sizes.w.begin(), sizes.w.end());
  cn.config.u = *std::max_element(sizes.u.begin(), sizes.u.end());
  cn.config.q = q;
  if (!sizes.uniform())
    for (std::size_t k = 0; k < st.stages.size(); ++k)
      if (st.stages[k].skeleton.weighted()) cn.config.layer_w.push_back(sizes.w[k]), cn.config.layer_u.push_back(sizes.u[k]);
  const std::int64_t pmax = (std::int64_t{1} << (base.product_bits - 1)) - 1;
  const auto cal = !sequential_calibration(st, base) ? std::vector<CalibratedStage>{}
                   : emulated.empty()                ? calibrate_stages(st, base, sizes)
                                                     : std::move(emulated);
  // The input codebook weighted stage k reads with (its own, or that of the first stage reading
  // the same tensor), and its size.
  const auto owner = [&](std::size_t k) {
    const int o = st.stages[k].book_owner;
    return o < 0 ? k : static_cast<std::size_t>(o);
  };
  const auto input_book = [&](std::size_t k) {
    const std::size_t o = owner(k);
    return cal.empty() ? st.stages[o].input_book.at(sizes.u[o]) : cal[o].input_codebook;
  };
  // The codebook of stage k's output (k weighted, not the output stage) and of the network input.
  const auto output_book = [&](std::size_t k) {
    const auto& sp = st.stages[k];
    if (sp.consumer >= 0) return input_book(static_cast<std::size_t>(sp.consumer));
    return sp.output_book.at(sizes.u[owner(static_cast<std::size_t>(sp.skip_reader))]);
  };
  const auto tensor_book = [&](int k) {  // the codes stage k's output (or the input) carries
    while (k != kFromInput && !st.stages[static_cast<std::size_t>(k)].skeleton.weighted()) {
      const int src = st.stages[static_cast<std::size_t>(k)].skeleton.source;
      k = src == kPrevious ? k - 1 : src;
    }
    if (k != kFromInput) return output_book(static_cast<std::size_t>(k));
    for (std::size_t j = 0; j < st.stages.size(); ++j)
      if (st.stages[j].skeleton.weighted()) return input_book(j);
    return std::vector<double>{};
  };
  for (std::size_t k = 0; k < st.stages.size(); ++k) {
    const auto& sp = st.stages[k];
    Stage s = sp.skeleton;
    if (s.weighted()) {
      s.u = sizes.u[owner(k)];
      s.input_codebook = input_book(k);
      const auto& U = s.input_codebook;
      double maxabs = 0.0;
      if (s.kind == StageKind::AvgPool) {
        s.w = 1;
        s.tables = 1;
        s.weight_codebooks = {{1.0 / static_cast<double>(s.fan_in)}};
        s.weight_idx.clear();
      } else {
        s.w = sizes.w[k];
        s.tables = static_cast<int>(sp.weight_books.size());
        const std::size_t per_table = sp.weights.size() / sp.weight_books.size();
        for (std::size_t t = 0; t < sp.weight_books.size(); ++t) {
          const auto& C = sp.weight_books[t].at(sizes.w[k]);
          // Refit entries (composer/sequential.h) keep the clusters the clustered entries give;
          // they are sorted (ties in cluster order) and the indices follow them.
          const bool refit = !cal.empty() && !cal[k].weight_codebooks.empty();
          const std::vector<double>& R = refit ? cal[k].weight_codebooks[t] : C;
          std::vector<std::size_t> order(R.size());
          std::iota(order.begin(), order.end(), std::size_t{0});
          std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return R[a] < R[b]; });
          std::vector<std::uint16_t> index_of(R.size());
          std::vector<double> sorted;
          for (std::size_t i = 0; i < order.size(); ++i)
            index_of[order[i]] = static_cast<std::uint16_t>(i), sorted.push_back(R[order[i]]);
          s.weight_codebooks.push_back(std::move(sorted));
          for (std::size_t k = 0; k < per_table; ++k)
            s.weight_idx.push_back(index_of[static_cast<std::size_t>(nearest_index(C, sp.weights[t * per_table + k]))]);
        }
      }
      for (const auto& C : s.weight_codebooks)
        for (double cw : C)
          for (double cu : U) maxabs = std::max(maxabs, std::fabs(cw * cu));
      s.scale = maxabs > 0 ? maxabs / static_cast<double>(pmax) : 1.0;
      s.product_bits = base.product_bits;
      // Uniform quantization of a Dense layer: one accumulator unit is one weight step times one
      // input step, so every product is exactly k_w * k_x, the integer product a multiply-
      // accumulate baseline of those bit widths computes (its accuracy is the golden model's).
      const bool integer_products = base.method == CodebookMethod::Uniform && s.kind == StageKind::Dense &&
                                    s.weight_codebooks.size() == 1 && s.weight_codebooks[0].size() > 1 && U.size() > 1;
      if (integer_products) {
        const double step = (s.weight_codebooks[0][1] - s.weight_codebooks[0][0]) * (U[1] - U[0]);
        if (step > 0 && maxabs / step <= static_cast<double>(pmax)) s.scale = step;
      }
      std::int64_t prod_lo = 0, prod_hi = 0;
      for (const auto& C : s.weight_codebooks)
        for (double cw : C)
          for (double cu : U) {
            s.product.push_back(static_cast<std::int32_t>(std::llround(cw * cu / s.scale)));
            prod_lo = std::min<std::int64_t>(prod_lo, s.product.back());
            prod_hi = std::max<std::int64_t>(prod_hi, s.product.back());
          }
      if (integer_products) s.product_bits = std::min(s.product_bits, signed_bits_for(prod_lo, prod_hi));
      s.bias.assign(static_cast<std::size_t>(s.units), 0);
      std::int64_t bmin = 0, bmax = 0;
      const std::vector<float>& fbias = cal.empty() || cal[k].bias.empty() ? sp.bias : cal[k].bias;
      for (std::size_t n = 0; n < fbias.size(); ++n) {
        const double b = std::round(static_cast<double>(fbias[n]) / s.scale);
        if (std::fabs(b) > 2e9) fail(st.model_file, "layer '{}': bias of neuron {} does not fit 32 bits at this scale", s.name, n);
        s.bias[n] = static_cast<std::int32_t>(b);
        bmin = std::min<std::int64_t>(bmin, s.bias[n]);
        bmax = std::max<std::int64_t>(bmax, s.bias[n]);
      }
      s.bias_bits = signed_bits_for(bmin, bmax);
      if (s.skip != kNoSkip)  // the skipped tensor's values in this stage's accumulator units
        for (double c : tensor_book(s.skip)) s.skip_lut.push_back(std::llround(c / s.scale));
      const auto [lo, hi] = accumulator_range(s);
      s.acc_bits = signed_bits_for(lo, hi);
      if (s.acc_bits > 48)
        fail(st.model_file, "layer '{}': the accumulator would need {} bits; use fewer product bits", s.name, s.acc_bits);

      // Activation and encoding towards the consumer's codebook.
      if (!s.is_output) {
        const auto U2 = output_book(k);
        s.out_u = static_cast<int>(U2.size());
        std::int64_t amlo = lo, amhi = hi;
        if (s.act == ActKind::ReLU || s.act == ActKind::Identity) {
          s.act_table = false;
          s.act_scale = s.scale;
          for (double c : U2) s.enc.push_back(std::llround(c / s.scale));
        } else {
          s.act_table = true;
          s.act_y = activation_rows(sp, q, s.scale);
          s.act_scale = 1.0 / static_cast<double>((std::int64_t{1} << (base.act_bits - 1)) - 1);
          for (auto y : s.act_y)
            s.act_z.push_back(std::llround(apply_activation(s.act, static_cast<float>(static_cast<double>(y) * s.scale)) / s.act_scale));
          for (double c : U2) s.enc.push_back(std::llround(c / s.act_scale));
          for (auto z : s.act_z) s.fused_idx.push_back(static_cast<std::uint16_t>(nearest_int(s.enc, z)));
          for (auto v : s.act_y) amlo = std::min(amlo, v), amhi = std::max(amhi, v);
          for (auto v : s.act_z) amlo = std::min(amlo, v), amhi = std::max(amhi, v);
        }
        for (auto v : s.enc) amlo = std::min(amlo, v), amhi = std::max(amhi, v);
        s.am_bits = signed_bits_for(amlo, amhi);
      }
    }
    cn.stages.push_back(std::move(s));
  }
  // The virtual input layer: raw value -> index of the nearest entry of the first codebook.
  const Stage* first = nullptr;
  for (const auto& s : cn.stages)
    if (s.weighted()) {
      first = &s;
      break;
    }
  cn.input.raw_bits = st.raw_bits;
  cn.input.raw_scale = st.raw_scale;
  cn.input.raw_offset = st.raw_offset;
  cn.input.u = first->u;
  for (int r = 0; r < (1 << st.raw_bits); ++r)
    cn.input.lut.push_back(static_cast<std::uint16_t>(
        nearest_index(first->input_codebook, static_cast<double>(static_cast<float>(r * st.raw_scale + st.raw_offset)))));
  cn.validate("composed network");
  return cn;
}

}  // namespace

std::vector<StageWcss> codebook_wcss(const ComposerState& st, int w, int u) {
  return codebook_wcss(st, uniform_sizes(st, w, u));
}

std::vector<StageWcss> codebook_wcss(const ComposerState& st, const CodebookSizes& sizes) {
  std::vector<StageWcss> out(st.stages.size());
  for (std::size_t k = 0; k < st.stages.size(); ++k) {
    const auto& sp = st.stages[k];
    if (!sp.skeleton.weighted()) continue;
    out[k].inputs = wcss(sp.input_points, sp.input_book.at(sizes.u[k]));
    if (sp.weight_books.empty()) continue;
    const std::size_t per = sp.weights.size() / sp.weight_books.size();
    for (std::size_t t = 0; t < sp.weight_books.size(); ++t)
      out[k].weights += wcss(weighted_points(std::span<const float>(sp.weights.data() + t * per, per)), sp.weight_books[t].at(sizes.w[k]));
  }
  return out;
}

}  // namespace rapidnn
