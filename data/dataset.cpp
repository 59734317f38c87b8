// IDX and CSV readers, dataset name resolution, seeded splits.
#include "data/dataset.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/fileio.h"

namespace rapidnn {

namespace {

std::string read_maybe_gzip(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(path, "no such file");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail(path, "cannot open for reading");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int got = gzread(f, buf, sizeof buf);
    if (got < 0) {
      int errnum = 0;
      std::string msg = gzerror(f, &errnum);
      gzclose(f);
      fail(path, "corrupt gzip stream ({})", msg);
    }
    if (got == 0) break;
    out.append(buf, static_cast<std::size_t>(got));
  }
  // A truncated gzip member reads as a short stream without error from gzread; gzclose reports it.
  int errnum = 0;
  const char* msg = gzerror(f, &errnum);
  const std::string err = (errnum != Z_OK && errnum != Z_STREAM_END) ? std::string(msg) : std::string();
  gzclose(f);
  if (!err.empty()) fail(path, "corrupt or truncated gzip stream ({})", err);
  return out;
}

float default_scale_for(bool idx, const Preprocess& pre) {
  if (pre.input_range) {
    const auto [lo, hi] = *pre.input_range;
    if (pre.scale || pre.offset != 0.0f) fail("--input-range", "replaces --scale and --offset; give one or the other");
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
      fail("--input-range", "{},{} is not a range of finite numbers, low before high", lo, hi);
  }
  if (pre.scale && (!std::isfinite(*pre.scale) || *pre.scale == 0.0f))
    fail("--scale", "{} is not a finite, non-zero number", *pre.scale);
  if (!std::isfinite(pre.offset)) fail("--offset", "{} is not a finite number", pre.offset);
  return pre.scale.value_or(idx ? 1.0f / 255.0f : 1.0f);
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  const std::string bytes = read_maybe_gzip(path);
  if (bytes.size() < 4) fail(path, "not an IDX file: {} bytes is shorter than the 4-byte header", bytes.size());
  const auto* b = reinterpret_cast<const std::uint8_t*>(bytes.data());
  if (b[0] != 0 || b[1] != 0)
    fail(path, "not an IDX file: bad magic {:02x}{:02x}{:02x}{:02x} (expected 0000 then type and rank)", b[0], b[1],
         b[2], b[3]);
  if (b[2] != 0x08) fail(path, "IDX element type 0x{:02x} is not supported (only unsigned bytes, 0x08)", b[2]);
  const int rank = b[3];
  if (rank < 1 || rank > 4) fail(path, "IDX rank {} is not supported (1 to 4)", rank);
  if (bytes.size() < 4u + 4u * static_cast<unsigned>(rank)) fail(path, "truncated IDX header");
  IdxArray a;
  std::int64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const std::uint8_t* p = b + 4 + 4 * i;
    const std::int64_t d = (std::int64_t{p[0]} << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
    if (d <= 0) fail(path, "IDX dimension {} is {}", i, d);
    a.dims.push_back(d);
    count *= d;
  }
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
  const std::size_t have = bytes.size() - header;
  if (have < static_cast<std::size_t>(count))
    fail(path, "short data: header promises {} bytes, file has {}", count, have);
  if (have > static_cast<std::size_t>(count))
    fail(path, "{} trailing bytes after the {} bytes the header promises", have - static_cast<std::size_t>(count),
         count);
  a.data.assign(b + header, b + header + count);
  return a;
}

Dataset load_idx_pair(const std::string& images, const std::string& labels, const Preprocess& pre) {
  if (pre.input_range)  // before reading anything
    fail(images, "--input-range quantizes real-valued CSV features; IDX files hold raw integers already");
  const IdxArray im = read_idx(images);
  const IdxArray lb = read_idx(labels);
  if (im.dims.size() < 2) fail(images, "IDX images need rank 2 or more, got rank {}", im.dims.size());
  if (lb.dims.size() != 1) fail(labels, "IDX labels need rank 1, got rank {}", lb.dims.size());
  if (im.dims[0] != lb.dims[0])
    fail(labels, "{} labels for {} images in {}", lb.dims[0], im.dims[0], images);
  Dataset d;
  d.source = images;
  d.labels_source = labels;
  if (im.dims.size() == 3) d.sample_shape = {1, im.dims[1], im.dims[2]};
  else d.sample_shape.assign(im.dims.begin() + 1, im.dims.end());
  const float scale = default_scale_for(true, pre);
  d.pre_scale = scale;
  d.pre_offset = pre.offset;
  d.x.resize(im.data.size());
  for (std::size_t i = 0; i < im.data.size(); ++i) d.x[i] = static_cast<float>(im.data[i]) * scale + pre.offset;
  d.y.assign(lb.data.begin(), lb.data.end());
  d.num_classes = 1 + *std::max_element(d.y.begin(), d.y.end());
  return d;
}

Dataset load_csv(const std::string& path, const Preprocess& pre) {
  const std::string text = read_file(path);
  std::istringstream in(text);
  std::string line;
  Dataset d;
  d.source = path;
  std::int64_t features = -1;
  const float checked = default_scale_for(false, pre);  // validates the range too
  const float scale = pre.input_range ? (pre.input_range->second - pre.input_range->first) / kRangeLevels : checked;
  const float offset = pre.input_range ? pre.input_range->first : pre.offset;
  d.pre_scale = scale;
  d.pre_offset = offset;
  // With a range: the nearest of its 256 levels (values outside it clamp to its ends).
  auto value_of = [&](double v) {
    if (!pre.input_range) return static_cast<float>(v) * scale + offset;
    const double raw = std::clamp(std::round((v - offset) / scale), 0.0, static_cast<double>(kRangeLevels));
    return static_cast<float>(raw) * scale + offset;
  };
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<double> vals;
    std::size_t pos = 0;
    bool numeric = true;
    while (pos <= line.size()) {
      std::size_t comma = line.find(',', pos);
      if (comma == std::string::npos) comma = line.size();
      const std::string cell = line.substr(pos, comma - pos);
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      if (cell.empty() || end == cell.c_str() || *end != '\0') {
        const std::string rest(end ? end : "");
        if (rest.find_first_not_of(" \t") != std::string::npos || cell.empty()) numeric = false;
      }
      if (numeric && !std::isfinite(v))
        fail(path, "line {}: value '{}' is not a finite number", line_no, cell);
      vals.push_back(v);
      pos = comma + 1;
    }
    if (!numeric) {
      if (d.y.empty() && features < 0) continue;  // header row
      fail(path, "line {}: not a number in '{}'", line_no, line.substr(0, 60));
    }
    if (vals.size() < 2) fail(path, "line {}: need at least one feature and a label", line_no);
    const std::int64_t f = static_cast<std::int64_t>(vals.size()) - 1;
    if (features < 0) features = f;
    if (f != features) fail(path, "line {}: {} features, earlier lines have {}", line_no, f, features);
    const double label = vals.back();
    if (label < 0 || label != static_cast<int>(label))
      fail(path, "line {}: label {} is not a non-negative integer", line_no, label);
    for (std::int64_t k = 0; k < f; ++k) d.x.push_back(value_of(vals[static_cast<std::size_t>(k)]));
    d.y.push_back(static_cast<int>(label));
  }
  if (d.y.empty()) fail(path, "no samples");
  d.sample_shape = {features};
  d.num_classes = 1 + *std::max_element(d.y.begin(), d.y.end());
  return d;
}

std::string fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

Preprocess DatasetOptions::preprocess() const {
  Preprocess p{scale, offset, std::nullopt};
  if (input_range.size() == 2) p.input_range = std::pair{input_range[0], input_range[1]};
  else if (!input_range.empty()) fail("--input-range", "takes two numbers, LO,HI; got {}", input_range.size());
  return p;
}

namespace {

std::string find_idx(const fs::path& dir, const std::vector<std::string>& prefixes, const std::string& kind) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    for (const auto& p : prefixes)
      if (n.rfind(p, 0) == 0 && n.find(kind) != std::string::npos) hits.push_back(e.path().string());
  }
  std::sort(hits.begin(), hits.end());
  return hits.empty() ? std::string() : hits.front();
}

}  // namespace

DatasetSplits load_dataset(const std::string& spec, const Preprocess& pre, bool with_train) {
  std::string dir = spec;
  if (spec == "fashion-mnist") {
    dir = fashion_mnist_dir();
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      fail(spec, "dataset not installed: {} is missing (apt-get install dataset-fashion-mnist)", dir);
  }
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail(spec, "no such dataset: not a known name (fashion-mnist), directory or CSV file");
  DatasetSplits s;
  if (!fs::is_directory(dir, ec)) {
    s.test = load_csv(dir, pre);
    s.description = fmt::format("{}: {} samples (test split only)", dir, s.test.size());
    return s;
  }
  const fs::path p(dir);
  const std::string tr_im = find_idx(p, {"train"}, "images"), tr_lb = find_idx(p, {"train"}, "labels");
  const std::string te_im = find_idx(p, {"t10k", "test"}, "images"), te_lb = find_idx(p, {"t10k", "test"}, "labels");
  if (!te_im.empty() && !te_lb.empty()) {
    s.test = load_idx_pair(te_im, te_lb, pre);
    if (with_train && !tr_im.empty() && !tr_lb.empty()) s.train = load_idx_pair(tr_im, tr_lb, pre);
  } else if (fs::exists(p / "test.csv")) {
    s.test = load_csv((p / "test.csv").string(), pre);
    if (with_train && fs::exists(p / "train.csv")) s.train = load_csv((p / "train.csv").string(), pre);
  } else {
    fail(dir, "no test split found: expected t10k-*/test-* images and labels IDX files, or test.csv");
  }
  if (s.train && s.train->sample_shape != s.test.sample_shape)
    fail(dir, "train samples {} and test samples {} differ in shape", to_string(s.train->sample_shape),
         to_string(s.test.sample_shape));
  s.description = s.train ? fmt::format("{}: {} train, {} test", dir, s.train->size(), s.test.size())
                          : fmt::format("{}: {} test (no train split)", dir, s.test.size());
  return s;
}

Dataset Dataset::subset(const std::vector<std::int64_t>& indices) const {
  Dataset d;
  d.source = source;
  d.labels_source = labels_source;
  d.sample_shape = sample_shape;
  d.num_classes = num_classes;
  d.pre_scale = pre_scale;
  d.pre_offset = pre_offset;
  const std::int64_t f = sample_numel();
  d.x.reserve(indices.size() * static_cast<std::size_t>(f));
  for (auto i : indices) {
    d.x.insert(d.x.end(), sample(i), sample(i) + f);
    d.y.push_back(y[static_cast<std::size_t>(i)]);
  }
  return d;
}

Dataset Dataset::head(std::int64_t n) const {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(std::min(n, size())));
  std::iota(idx.begin(), idx.end(), 0);
  return subset(idx);
}

std::vector<std::int64_t> sample_indices(std::int64_t n, std::int64_t count, std::uint64_t seed) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(seed);
  count = std::min(count, n);
  // Partial Fisher-Yates with our own index draw: std::shuffle's algorithm is implementation-defined.
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t j = i + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n - i));
    std::swap(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
  }
  idx.resize(static_cast<std::size_t>(count));
  std::sort(idx.begin(), idx.end());
  return idx;
}

std::pair<Dataset, Dataset> split_validation(const Dataset& d, std::int64_t validation, std::uint64_t seed) {
  if (validation <= 0 || validation >= d.size())
    fail(d.source, "cannot hold out {} of {} samples for validation", validation, d.size());
  const auto val = sample_indices(d.size(), validation, seed);
  std::vector<std::int64_t> train;
  train.reserve(static_cast<std::size_t>(d.size() - validation));
  std::size_t k = 0;
  for (std::int64_t i = 0; i < d.size(); ++i) {
    if (k < val.size() && val[k] == i) {
      ++k;
      continue;
    }
    train.push_back(i);
  }
  return {d.subset(train), d.subset(val)};
}

void fit_to_model(Dataset& d, const Network& net, const std::string& model_file) {
  if (d.sample_numel() != numel(net.input_shape))
    fail(d.source, "samples of shape {} ({} values) do not fit the input {} ({} values) of model {}",
         to_string(d.sample_shape), d.sample_numel(), to_string(net.input_shape), numel(net.input_shape),
         model_file);
  if (d.num_classes > net.num_classes())
    fail(d.labels_source.empty() ? d.source : d.labels_source, "labels go up to {} but model {} has only {} outputs",
         d.num_classes - 1, model_file,
         net.num_classes());
  d.sample_shape = net.input_shape;
}

}  // namespace rapidnn
