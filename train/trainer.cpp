// libtorch training of a Network IR.
#include "train/trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <numbers>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/progress.h"

namespace rapidnn {
namespace {

namespace F = torch::nn::functional;

// A codebook as a tensor of entries (a parameter when it is trained).
struct Book {
  torch::Tensor values;
};

// Nearest entry (lowest index at a midpoint) with a straight-through gradient to x; when the
// entries are trained, they get the gradient of the outputs that chose them.
torch::Tensor quantize(const torch::Tensor& x, const Book& b) {
  if (!b.values.defined()) return x;
  torch::Tensor v = std::get<0>(b.values.sort());
  if (v.requires_grad()) {
    // Gradient scaled by 1/sqrt(elements quantized), as in LSQ: an entry collects the gradient of
    // every element that chose it, which would otherwise swamp the weights' updates.
    const double g = 1.0 / std::sqrt(static_cast<double>(x.numel()));
    v = v * g + (v - v * g).detach();
  }
  const torch::Tensor vd = v.detach();
  const torch::Tensor mids = 0.5 * (vd.slice(0, 0, -1) + vd.slice(0, 1));
  const torch::Tensor idx = torch::bucketize(x.detach(), mids);
  const torch::Tensor q = v.index_select(0, idx.flatten()).view_as(x);
  return q + (x - x.detach());
}

std::vector<float> sorted_values(const Book& b) {
  const torch::Tensor v = std::get<0>(b.values.detach().sort()).contiguous();
  return {v.data_ptr<float>(), v.data_ptr<float>() + v.numel()};
}

// A torch module mirroring a Network: one weight/bias parameter pair per Dense/Conv2D layer.
struct TorchNet : torch::nn::Module {
  TorchNet(const Network& net, double dropout, bool init, const QuantSpec& quant = {}, bool learn_books = false)
      : skeleton(net), dropout(dropout) {
    if (!quant.layers.empty() && quant.layers.size() != net.layers.size())
      fail("", "quantization spec has {} layers, the network {}", quant.layers.size(), net.layers.size());
    input_books.resize(net.layers.size());
    weight_books.resize(net.layers.size());
    skip_books.resize(net.layers.size());
    skip_input.assign(net.layers.size(), -1);
    const auto make_book = [&](const std::vector<float>& c, const std::string& name) {
      torch::Tensor v = torch::tensor(c, torch::kFloat);
      return Book{learn_books ? register_parameter(name, v) : v};
    };
    for (std::size_t i = 0; i < quant.layers.size(); ++i) {
      const LayerQuant& lq = quant.layers[i];
      if (!lq.input_codebook.empty()) input_books[i] = make_book(lq.input_codebook, fmt::format("u{}", i));
      if (!lq.skip_codebook.empty()) {
        skip_books[i] = Book{torch::tensor(lq.skip_codebook, torch::kFloat)};
        skip_input[i] = lq.skip_input;
      }
      for (std::size_t t = 0; t < lq.weight_codebooks.size(); ++t)
        weight_books[i].push_back(make_book(lq.weight_codebooks[t], fmt::format("c{}_{}", i, t)));
      if (!weight_books[i].empty() && weight_books[i].size() != 1 &&
          static_cast<std::int64_t>(weight_books[i].size()) != net.layers[i].units)
        fail("", "layer '{}': {} weight codebooks for {} units", net.layers[i].name, weight_books[i].size(),
             net.layers[i].units);
    }
    const auto shapes = net.infer_shapes();
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      const Layer& l = net.layers[i];
      const Shape& in = net.input_shape_of(i, shapes);
      torch::Tensor w, b;
      if (l.has_weights()) {
        std::vector<std::int64_t> wshape = l.kind == LayerKind::Dense
                                               ? std::vector<std::int64_t>{l.units, in[0]}
                                               : std::vector<std::int64_t>{l.units, in[0], l.kernel_h, l.kernel_w};
        if (init) {
          w = torch::empty(wshape);
          torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
          const double fan_in = static_cast<double>(w.numel() / l.units);
          b = torch::empty({l.units}).uniform_(-1.0 / std::sqrt(fan_in), 1.0 / std::sqrt(fan_in));
        } else {
          w = torch::from_blob(const_cast<float*>(l.weights.data()), wshape).clone();
          b = torch::from_blob(const_cast<float*>(l.bias.data()), {l.units}).clone();
        }
        w = register_parameter(fmt::format("w{}", i), w);
        b = register_parameter(fmt::format("b{}", i), b);
      } else if (l.kind == LayerKind::Scale) {
        std::vector<std::int64_t> s{1};
        s.insert(s.end(), in.begin(), in.end());
        w = register_buffer(fmt::format("m{}", i), torch::from_blob(const_cast<float*>(l.weights.data()), s).clone());
        b = register_buffer(fmt::format("a{}", i), torch::from_blob(const_cast<float*>(l.bias.data()), s).clone());
      }
      weights.push_back(w);
      biases.push_back(b);
    }
    // Dropout goes after every fully-connected layer that feeds another fully-connected layer.
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      bool later_dense = false;
      for (std::size_t j = i + 1; j < net.layers.size(); ++j) later_dense |= net.layers[j].kind == LayerKind::Dense;
      hidden_dense.push_back(net.layers[i].kind == LayerKind::Dense && later_dense);
    }
  }

  static torch::Tensor act(ActKind a, torch::Tensor x) {
    switch (a) {
      case ActKind::Identity: return x;
      case ActKind::ReLU: return torch::relu(x);
      case ActKind::Sigmoid: return torch::sigmoid(x);
      case ActKind::Tanh: return torch::tanh(x);
      case ActKind::Softsign: return x / (1 + x.abs());
    }
    return x;
  }

  // The weights the forward pass uses: quantized per codebook (one, or one per output channel).
  torch::Tensor layer_weights(std::size_t i) const {
    const auto& books = weight_books[i];
    if (books.empty()) return weights[i];
    if (books.size() == 1) return quantize(weights[i], books[0]);
    std::vector<torch::Tensor> rows;
    for (std::size_t c = 0; c < books.size(); ++c)
      rows.push_back(quantize(weights[i][static_cast<std::int64_t>(c)], books[c]));
    return torch::stack(rows);
  }

  torch::Tensor forward(torch::Tensor input) {
    std::vector<torch::Tensor> out(skeleton.layers.size());
    const auto value = [&](int p) { return p == kInputTensor ? input : out[static_cast<std::size_t>(p)]; };
    for (std::size_t i = 0; i < skeleton.layers.size(); ++i) {
      const Layer& l = skeleton.layers[i];
      const std::vector<int> src = skeleton.sources(i);
      torch::Tensor x = quantize(value(src[0]), input_books[i]);
      switch (l.kind) {
        case LayerKind::Scale: x = x * weights[i] + biases[i]; break;
        case LayerKind::Dense: x = F::linear(x, layer_weights(i), biases[i]); break;
        case LayerKind::Conv2D: {
          const bool symmetric = l.pad.top == l.pad.bottom && l.pad.left == l.pad.right;
          if (!symmetric) x = F::pad(x, F::PadFuncOptions({l.pad.left, l.pad.right, l.pad.top, l.pad.bottom}));
          const std::int64_t ph = symmetric ? l.pad.top : 0, pw = symmetric ? l.pad.left : 0;
          x = F::conv2d(x, layer_weights(i), F::Conv2dFuncOptions().bias(biases[i]).stride({l.stride_h, l.stride_w}).padding({ph, pw}));
          break;
        }
        case LayerKind::MaxPool2D: {
          if (l.pad.top || l.pad.left || l.pad.bottom || l.pad.right)
            x = F::pad(x, F::PadFuncOptions({l.pad.left, l.pad.right, l.pad.top, l.pad.bottom})
                              .value(-std::numeric_limits<float>::infinity()));
          x = F::max_pool2d(x, F::MaxPool2dFuncOptions({l.kernel_h, l.kernel_w}).stride({l.stride_h, l.stride_w}));
          break;
        }
        case LayerKind::AvgPool2D: {
          if (l.pad.top != l.pad.bottom || l.pad.left != l.pad.right)
            fail("", "layer '{}': asymmetric average-pool padding cannot be trained", l.name);
          x = F::avg_pool2d(x, F::AvgPool2dFuncOptions({l.kernel_h, l.kernel_w})
                                   .stride({l.stride_h, l.stride_w})
                                   .padding({l.pad.top, l.pad.left})
                                   .count_include_pad(l.count_include_pad));
          break;
        }
        case LayerKind::Flatten: x = x.flatten(1); break;
        case LayerKind::Activation: x = act(l.act, x); break;
        case LayerKind::Add: {
          const auto term = [&](std::size_t k) {
            return static_cast<int>(k) == skip_input[i] ? quantize(value(src[k]), skip_books[i]) : value(src[k]);
          };
          x = term(0);
          for (std::size_t k = 1; k < src.size(); ++k) x = x + term(k);
          break;
        }
        case LayerKind::Concat: {
          std::vector<torch::Tensor> parts{x};
          for (std::size_t k = 1; k < src.size(); ++k) parts.push_back(value(src[k]));
          x = torch::cat(parts, 1);
          break;
        }
      }
      if (l.fuses_activation()) x = act(l.act, x);
      if (hidden_dense[i] && dropout > 0.0) x = F::dropout(x, F::DropoutFuncOptions().p(dropout).training(is_training()));
      out[i] = x;
    }
    return out.back();
  }

  QuantSpec quant_spec() const {
    QuantSpec q;
    q.layers.resize(skeleton.layers.size());
    for (std::size_t i = 0; i < q.layers.size(); ++i) {
      if (input_books[i].values.defined()) q.layers[i].input_codebook = sorted_values(input_books[i]);
      for (const auto& b : weight_books[i]) q.layers[i].weight_codebooks.push_back(sorted_values(b));
    }
    return q;
  }

  Network to_network() const {
    Network net = skeleton;
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      Layer& l = net.layers[i];
      if (!l.has_weights()) continue;
      const torch::Tensor w = weights[i].detach().contiguous(), b = biases[i].detach().contiguous();
      l.weights.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
      l.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    }
    return net;
  }

  Network skeleton;
  double dropout;
  std::vector<torch::Tensor> weights, biases;
  std::vector<Book> input_books;
  std::vector<std::vector<Book>> weight_books;
  std::vector<Book> skip_books;  // Add layers: the skipped input's codebook (LayerQuant::skip_codebook)
  std::vector<int> skip_input;
  std::vector<bool> hidden_dense;
};

torch::Tensor to_tensor(const Dataset& d) {
  std::vector<std::int64_t> s{d.size()};
  s.insert(s.end(), d.sample_shape.begin(), d.sample_shape.end());
  return torch::from_blob(const_cast<float*>(d.x.data()), s).clone();
}

torch::Tensor labels(const Dataset& d) {
  std::vector<std::int64_t> y(d.y.begin(), d.y.end());
  return torch::tensor(y, torch::kLong);
}

void set_threads(int threads) {
  torch::set_num_threads(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

std::vector<int> predict_with(TorchNet& model, const torch::Tensor& x) {
  torch::NoGradGuard guard;
  model.eval();
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(x.size(0)));
  constexpr std::int64_t kBatch = 1000;
  for (std::int64_t s = 0; s < x.size(0); s += kBatch) {
    const auto logits = model.forward(x.slice(0, s, std::min(s + kBatch, x.size(0))));
    // argmax, lowest index on ties (torch::argmax does not document its tie rule).
    const auto acc = logits.contiguous();
    const std::int64_t n = acc.size(0), c = acc.size(1);
    const float* p = acc.data_ptr<float>();
    for (std::int64_t r = 0; r < n; ++r) {
      int best = 0;
      for (std::int64_t k = 1; k < c; ++k)
        if (p[r * c + k] > p[r * c + best]) best = static_cast<int>(k);
      out.push_back(best);
    }
  }
  return out;
}

}  // namespace

TrainResult train_network(const Network& init, const Dataset& train, const Dataset& validation,
                          const TrainOptions& opt, const EpochCallback& on_epoch, const BatchCallback& on_batch) {
  if (opt.epochs < 0) fail("--epochs", "must be zero or more, got {}", opt.epochs);
  if (opt.batch <= 0) fail("--batch", "must be positive, got {}", opt.batch);
  if (!(opt.lr > 0.0)) fail("--lr", "must be positive, got {}", opt.lr);
  if (opt.dropout < 0.0 || opt.dropout >= 1.0) fail("--dropout", "must be in [0, 1), got {}", opt.dropout);
  set_threads(opt.threads);
  torch::manual_seed(opt.seed);
  Stopwatch total;
  if (opt.learn_codebooks && opt.quant.empty()) fail("", "learn_codebooks needs codebooks to start from");
  TorchNet model(init, opt.dropout, opt.init_weights, opt.quant, opt.learn_codebooks);
  torch::optim::SGD sgd(model.parameters(),
                        torch::optim::SGDOptions(opt.lr).momentum(opt.momentum).weight_decay(opt.weight_decay));
  const torch::Tensor X = to_tensor(train), Y = labels(train);
  const torch::Tensor VX = to_tensor(validation);
  const std::int64_t n = train.size();
  const std::int64_t batches = (n + opt.batch - 1) / opt.batch;
  std::mt19937_64 rng(opt.seed ^ 0x5eedULL);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  TrainResult result;
  if (opt.schedule_epochs > 0 && opt.schedule_offset + opt.epochs > opt.schedule_epochs)
    fail("", "epochs {} to {} lie outside the {}-epoch schedule", opt.schedule_offset + 1,
         opt.schedule_offset + opt.epochs, opt.schedule_epochs);
  const std::int64_t total_steps = batches * (opt.schedule_epochs > 0 ? opt.schedule_epochs : opt.epochs);
  std::int64_t step = batches * (opt.schedule_epochs > 0 ? opt.schedule_offset : 0);
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    Stopwatch sw;
    model.train();
    std::iota(order.begin(), order.end(), 0);
    for (std::int64_t i = n - 1; i > 0; --i)
      std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(i + 1))]);
    const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kLong);
    double loss_sum = 0.0;
    for (std::int64_t b = 0; b < batches; ++b, ++step) {
      const double lr = 0.5 * opt.lr * (1.0 + std::cos(std::numbers::pi * static_cast<double>(step) / static_cast<double>(total_steps)));
      for (auto& group : sgd.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      const torch::Tensor idx = perm.slice(0, b * opt.batch, std::min(n, (b + 1) * opt.batch));
      const torch::Tensor xb = X.index_select(0, idx), yb = Y.index_select(0, idx);
      sgd.zero_grad();
      const torch::Tensor loss = F::cross_entropy(model.forward(xb), yb);
      loss.backward();
      sgd.step();
      loss_sum += loss.item<double>();
      if (on_batch) on_batch(epoch, b + 1, batches);
    }
    EpochStats st;
    st.epoch = epoch;
    st.loss = loss_sum / static_cast<double>(batches);
    if (validation.size() > 0) {
      const auto pred = predict_with(model, VX);
      std::int64_t ok = 0;
      for (std::size_t k = 0; k < pred.size(); ++k) ok += pred[k] == validation.y[k];
      st.validation_accuracy = 100.0 * static_cast<double>(ok) / static_cast<double>(validation.size());
    }
    st.seconds = sw.seconds();
    result.epochs.push_back(st);
    if (on_epoch) on_epoch(st);
  }
  result.net = model.to_network();
  if (!opt.quant.empty()) result.quant = model.quant_spec();
  result.seconds = total.seconds();
  return result;
}

std::vector<int> torch_predict(const Network& net, const Dataset& d, int threads, const QuantSpec& quant) {
  set_threads(threads);
  TorchNet model(net, 0.0, false, quant);
  return predict_with(model, to_tensor(d));
}

}  // namespace rapidnn
