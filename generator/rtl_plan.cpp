// RTL planning: ComposedNetwork + RtlOptions -> RtlPlan (structure, widths, table images, cycles).
#include "generator/rtl_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "composer/artifact.h"
#include "composer/levels.h"
#include "generator/cfg_map.h"
#include "core/error.h"

namespace rapidnn {

namespace {

// Sets `n` bits of `v` starting at `pos` in the LSB-first bit vector.
void put_bits(std::vector<std::uint8_t>& bits, std::size_t pos, int n, std::uint64_t v) {
  for (int i = 0; i < n; ++i) bits[pos + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((v >> i) & 1u);
}

RtlImage image(std::string file, int width, bool is_signed) {
  RtlImage im;
  im.file = std::move(file);
  im.width = width;
  im.is_signed = is_signed;
  return im;
}

// Appends a word of `bits` (LSB first) to the image, as a value when it fits 63 bits.
void push_word(RtlImage& im, const std::vector<std::uint8_t>& bits) {
  if (im.width <= 63) {
    std::int64_t v = 0;
    for (int i = 0; i < im.width; ++i) v |= static_cast<std::int64_t>(bits[static_cast<std::size_t>(i)]) << i;
    im.values.push_back(v);
  } else {
    im.wide.push_back(bits);
  }
}

// The spatial geometry of a convolution or pooling stage: input and output sizes, window, padding.
void copy_window(const Stage& s, RtlStage& t) {
  t.channels = s.in_shape[0];
  t.ih = s.in_shape[1];
  t.iw = s.in_shape[2];
  t.oh = s.out_shape[1];
  t.ow = s.out_shape[2];
  t.kh = s.kernel_h;
  t.kw = s.kernel_w;
  t.sh = s.stride_h;
  t.sw = s.stride_w;
  t.pt = s.pad.top;
  t.pl = s.pad.left;
}

// The most taps any neuron (output channel) has on one weight index: no pair counter of that
// neuron can count more.
std::int64_t max_taps_per_weight(const Stage& s) {
  if (s.kind == StageKind::AvgPool || s.weight_idx.empty()) return s.fan_in;
  std::int64_t most = 0;
  std::vector<std::int64_t> n(static_cast<std::size_t>(s.w));
  const auto fan = static_cast<std::size_t>(s.fan_in);
  for (std::size_t k = 0; k < s.weight_idx.size(); k += fan) {
    std::fill(n.begin(), n.end(), 0);
    for (std::size_t j = 0; j < fan; ++j) most = std::max(most, ++n[s.weight_idx[k + j]]);
  }
  return most;
}

using Floors = RtlWidths;

void plan_tile(const ComposedNetwork& cn, const Stage& s, RtlStage& t, const RtlOptions& opt, const RtlStage* floor) {
  const bool conv = s.kind == StageKind::Conv, avg = s.kind == StageKind::AvgPool;
  t.units = s.units;
  t.fan_in = s.fan_in;
  t.lanes = static_cast<int>(std::min<std::int64_t>(opt.lanes, s.fan_in));
  t.beats = static_cast<int>((s.fan_in + t.lanes - 1) / t.lanes);
  // Average pooling reads a different channel per neuron, so its channels share one RNA.
  t.rnas = avg ? 1 : static_cast<int>((s.units + opt.rna_share - 1) / opt.rna_share);
  t.groups = static_cast<int>((s.units + t.rnas - 1) / t.rnas);
  if (s.kind == StageKind::Dense) {
    t.channels = s.fan_in;
  } else {
    copy_window(s, t);
    if (avg) t.chan_stride = t.ih * t.iw;
  }
  t.wiw = std::max(clog2(s.w), floor ? floor->wiw : 1);
  t.xiw = std::max(clog2(s.u), floor ? floor->xiw : 1);
  t.x_signed = !s.input_codebook.empty() && s.input_codebook.front() < 0;
  t.tables_per_rna = conv ? t.groups : 1;
  t.table_bits = clog2(t.tables_per_rna);
  // Widths from the tables' real ranges: products as wide as the largest entry needs (at most the
  // artifact's declared width); a pair counter as wide as the most taps any neuron has on one
  // weight index (the most a counter of that neuron can reach).
  std::int64_t pmin = 0, pmax = 0;
  for (auto v : s.product) {
    pmin = std::min<std::int64_t>(pmin, v);
    pmax = std::max<std::int64_t>(pmax, v);
  }
  t.product_bits = std::max(std::min(s.product_bits, signed_bits_for(pmin, pmax)), floor ? floor->product_bits : 1);
  t.bias_bits = std::max(s.bias_bits, floor ? floor->bias_bits : 1);
  t.acc_bits = std::max(s.acc_bits, floor ? floor->acc_bits : 1);
  t.count_bits = clog2(std::max<std::int64_t>(max_taps_per_weight(s), t.lanes) + 1);  // at least a beat's increment
  t.positions = t.oh * t.ow;
  t.group_bits = clog2(t.groups);
  t.pos_bits = clog2(t.positions);
  t.widx_addr_bits = clog2(static_cast<std::int64_t>(t.groups) * t.beats);
  t.tap_addr_bits = clog2(t.beats);
  t.pair_bits = t.wiw + t.xiw;
  const std::int64_t pos = t.positions;
  const std::int64_t pairs = std::int64_t{1} << (t.wiw + t.xiw);
  t.cycles = 2 + t.groups * pos * (t.beats + (opt.accumulate == RtlAccumulate::Count ? pairs : 0) + 1);
  const bool shared = opt.accumulate == RtlAccumulate::Shared;

  // Product images: [table][2^wiw][2^xiw], tables padded to a power of two when more than one.
  const std::string base = fmt::format("s{}_{}", t.stage, t.name);
  const int rows = 1 << t.wiw, cols = 1 << t.xiw;
  // Shared form: the same entries as rows, word {table, x} = the 2^wiw products of input x.
  auto row_image = [&](const std::string& file, const std::vector<std::int64_t>& tables) {
    RtlImage im = image(file, rows * t.product_bits, false);
    const std::int64_t slots = t.tables_per_rna > 1 ? (std::int64_t{1} << t.table_bits) : 1;
    const std::uint64_t mask = (std::uint64_t{1} << t.product_bits) - 1;
    for (std::int64_t k = 0; k < slots; ++k)
      for (int xi = 0; xi < cols; ++xi) {
        std::vector<std::uint8_t> bits(static_cast<std::size_t>(im.width), 0);
        const std::int64_t table = k < static_cast<std::int64_t>(tables.size()) ? tables[static_cast<std::size_t>(k)] : -1;
        if (table >= 0 && xi < s.u)
          for (int wi = 0; wi < s.w; ++wi)
            put_bits(bits, static_cast<std::size_t>(wi * t.product_bits), t.product_bits,
                     static_cast<std::uint64_t>(static_cast<std::int64_t>(
                         s.product[(static_cast<std::size_t>(table) * static_cast<std::size_t>(s.w) + static_cast<std::size_t>(wi)) *
                                       static_cast<std::size_t>(s.u) +
                                   static_cast<std::size_t>(xi)])) &
                         mask);
        push_word(im, bits);
      }
    return im;
  };
  auto product_image = [&](const std::string& file, const std::vector<std::int64_t>& tables) {
    if (shared) return row_image(file, tables);
    RtlImage im = image(file, t.product_bits, true);
    const std::int64_t slots = t.tables_per_rna > 1 ? (std::int64_t{1} << t.table_bits) : 1;
    im.values.assign(static_cast<std::size_t>(slots * rows * cols), 0);
    for (std::size_t k = 0; k < tables.size(); ++k) {
      if (tables[k] < 0) continue;  // a group past the last channel
      for (int wi = 0; wi < s.w; ++wi)
        for (int xi = 0; xi < s.u; ++xi)
          im.values[(k * static_cast<std::size_t>(rows) + static_cast<std::size_t>(wi)) * static_cast<std::size_t>(cols) +
                    static_cast<std::size_t>(xi)] =
              s.product[(static_cast<std::size_t>(tables[k]) * static_cast<std::size_t>(s.w) + static_cast<std::size_t>(wi)) *
                            static_cast<std::size_t>(s.u) +
                        static_cast<std::size_t>(xi)];
    }
    return im;
  };
  if (conv) {
    for (int r = 0; r < t.rnas; ++r) {
      std::vector<std::int64_t> tables;
      for (int g = 0; g < t.groups; ++g) {
        const std::int64_t n = static_cast<std::int64_t>(g) * t.rnas + r;
        tables.push_back(n < s.units ? n : -1);
      }
      t.products.push_back(product_image(fmt::format("{}_{}_r{}.hex", base, shared ? "prow" : "prod", r), tables));
    }
  } else {
    t.products.push_back(product_image(base + (shared ? "_prow.hex" : "_prod.hex"), {0}));
  }

  // Weight indices: word g*beats + b holds, for RNA r and lane l, the index of neuron g*R + r at tap b*L + l.
  t.widx = image(base + "_widx.hex", t.rnas * t.lanes * t.wiw, false);
  for (int g = 0; g < t.groups; ++g)
    for (int b = 0; b < t.beats; ++b) {
      std::vector<std::uint8_t> bits(static_cast<std::size_t>(t.widx.width), 0);
      for (int r = 0; r < t.rnas; ++r) {
        const std::int64_t n = static_cast<std::int64_t>(g) * t.rnas + r;
        for (int l = 0; l < t.lanes; ++l) {
          const std::int64_t k = static_cast<std::int64_t>(b) * t.lanes + l;
          if (avg || n >= s.units || k >= s.fan_in) continue;
          put_bits(bits, static_cast<std::size_t>((r * t.lanes + l) * t.wiw), t.wiw,
                   s.weight_idx[static_cast<std::size_t>(n * s.fan_in + k)]);
        }
      }
      push_word(t.widx, bits);
    }
  // Biases: word g holds neuron g*R + r's bias at RNA r.
  t.bias = image(base + "_bias.hex", t.rnas * t.bias_bits, false);
  for (int g = 0; g < t.groups; ++g) {
    std::vector<std::uint8_t> bits(static_cast<std::size_t>(t.bias.width), 0);
    for (int r = 0; r < t.rnas; ++r) {
      const std::int64_t n = static_cast<std::int64_t>(g) * t.rnas + r;
      if (n < s.units)
        put_bits(bits, static_cast<std::size_t>(r * t.bias_bits), t.bias_bits,
                 static_cast<std::uint64_t>(static_cast<std::int64_t>(s.bias[static_cast<std::size_t>(n)])));
    }
    push_word(t.bias, bits);
  }
  // Taps: word b, lane l = {valid, ky, kx, offset} of tap b*L + l relative to the window origin.
  const std::int64_t in_numel = numel(s.in_shape);
  t.tap_off_bits = clog2(in_numel);
  t.ky_bits = clog2(t.kh);
  t.kx_bits = clog2(t.kw);
  const int tapw = 1 + t.ky_bits + t.kx_bits + t.tap_off_bits;
  t.taps = image(base + "_taps.hex", t.lanes * tapw, false);
  for (int b = 0; b < t.beats; ++b) {
    std::vector<std::uint8_t> bits(static_cast<std::size_t>(t.taps.width), 0);
    for (int l = 0; l < t.lanes; ++l) {
      const std::int64_t k = static_cast<std::int64_t>(b) * t.lanes + l;
      if (k >= s.fan_in) continue;
      std::int64_t c = 0, ky = 0, kx = 0;
      if (s.kind == StageKind::Dense) {
        c = k;
      } else {
        c = avg ? 0 : k / (t.kh * t.kw);
        ky = (k / t.kw) % t.kh;
        kx = k % t.kw;
      }
      const std::int64_t off = s.kind == StageKind::Dense ? k : c * t.ih * t.iw + ky * t.iw + kx;
      const auto at = static_cast<std::size_t>(l * tapw);
      put_bits(bits, at, t.tap_off_bits, static_cast<std::uint64_t>(off));
      put_bits(bits, at + static_cast<std::size_t>(t.tap_off_bits), t.kx_bits, static_cast<std::uint64_t>(kx));
      put_bits(bits, at + static_cast<std::size_t>(t.tap_off_bits + t.kx_bits), t.ky_bits, static_cast<std::uint64_t>(ky));
      bits[at + static_cast<std::size_t>(tapw - 1)] = 1;
    }
    push_word(t.taps, bits);
  }

  // Activation + encoding.
  if (!s.is_output) {
    t.enc_entries = std::max(s.out_u, floor ? floor->enc_entries : 0);
    t.out_index_bits = std::max(clog2(s.out_u), floor ? floor->out_index_bits : 1);
    t.am_value_bits = std::max({t.acc_bits, s.am_bits, floor ? floor->am_value_bits : 1});
    t.enc = image(base + "_enc.hex", t.am_value_bits, true);
    t.enc.values = s.enc;
    // A coarser level's table repeats its last entry: a repeated entry is never the nearest.
    t.enc.values.resize(static_cast<std::size_t>(t.enc_entries), s.enc.empty() ? 0 : s.enc.back());
    if (!s.act_table) {
      t.am_mode = AmMode::Comparator;
      // The fused form drops ReLU's comparator when every entry is >= 0; a level design keeps it
      // (one structure for every level; clamping is exact either way).
      t.am_clamp = opt.fused_am && !floor && !opt.programmable ? (s.act == ActKind::ReLU && !s.enc.empty() && s.enc.front() < 0)
                                          : s.act == ActKind::ReLU;
    } else {
      t.am_mode = opt.fused_am ? AmMode::Fused : AmMode::Tables;
      t.q = s.q();
      t.q_bits = clog2(t.q);
      t.act_y = image(base + "_act_y.hex", t.am_value_bits, true);
      t.act_y.values = s.act_y;
      const std::size_t qpad = std::size_t{1} << t.q_bits;
      t.act_z = image(base + "_act_z.hex", t.am_value_bits, true);
      t.act_z.values = s.act_z;
      t.act_z.values.resize(qpad, 0);
      t.fused = image(base + "_fused.hex", t.out_index_bits, false);
      for (auto v : s.fused_idx) t.fused.values.push_back(v);
      t.fused.values.resize(qpad, 0);
    }
  }
  (void)cn;
}

// Adds `ports` read ports for plan stage `stage` to buffer `b` (extending its reader when that
// stage already reads it); returns (reader index, first port).
std::pair<int, int> add_reader(RtlBuffer& b, int stage, int ports) {
  if (b.readers.empty() || b.readers.back().stage != stage) {
    if (b.readers.size() >= 255) fail("", "buffer {} would have more than 255 readers", b.id);
    b.readers.push_back(RtlReader{stage, b.read_ports, 0});
  }
  const int first = b.read_ports;
  b.readers.back().ports += ports;
  b.read_ports += ports;
  return {static_cast<int>(b.readers.size()) - 1, first};
}

bool is_reserved_word(const std::string& s) {
  static const char* const kWords[] = {
      "always", "and", "assign", "automatic", "begin", "bit", "buf", "byte", "case", "casex", "casez", "cell",
      "class", "config", "const", "deassign", "default", "defparam", "design", "disable", "do", "edge", "else",
      "end", "endcase", "endclass", "endconfig", "endfunction", "endgenerate", "endinterface", "endmodule",
      "endpackage", "endprimitive", "endprogram", "endspecify", "endtable", "endtask", "enum", "event", "for",
      "force", "forever", "fork", "function", "generate", "genvar", "if", "initial", "inout", "input", "int",
      "integer", "interface", "join", "localparam", "logic", "longint", "macromodule", "module", "nand", "negedge",
      "nor", "not", "or", "output", "package", "parameter", "posedge", "primitive", "program", "real", "reg",
      "release", "repeat", "return", "shortint", "signed", "specify", "static", "string", "struct", "supply0",
      "supply1", "table", "task", "time", "tri", "typedef", "union", "unsigned", "var", "void", "wait", "while",
      "wire", "wor", "xnor", "xor"};
  for (const char* w : kWords)
    if (s == w) return true;
  return false;
}

std::string legal_name(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_');
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "n" + out;
  if (out.size() > 24) out.resize(24);
  return out;
}

}  // namespace

std::int64_t RtlPlan::interval() const {
  std::int64_t m = input_beats;
  for (const auto& s : stages) m = std::max(m, s.cycles);
  return m;
}

static RtlPlan plan_one(const ComposedNetwork& cn, const RtlOptions& opt, const std::string& source, const Floors* floors) {
  cn.validate(source);
  for (std::size_t k = 0; k < cn.stages.size(); ++k)
    if (cn.stages[k].kind == StageKind::Flatten && cn.stages[k].skip != kNoSkip)
      fail(source, "stage {} '{}' adds a residual skip to a flatten, which has no hardware", k, cn.stages[k].name);
  kLanesRange.check(opt.lanes, source, "--lanes");
  kRnaShareRange.check(opt.rna_share, source, "--rna-share");
  kFeaturesPerBeatRange.check(opt.features_per_beat, source, "--features-per-beat");
  if (opt.features_per_beat > numel(cn.input_shape))
    fail(source, "--features-per-beat {} is above the {} features of a sample", opt.features_per_beat,
         numel(cn.input_shape));
  std::int64_t max_fan = 0, max_units = 0;
  for (const auto& s : cn.stages)
    if (s.weighted()) {
      max_fan = std::max(max_fan, s.fan_in);
      max_units = std::max(max_units, s.units);
    }
  if (opt.lanes > max_fan)
    fail(source, "--lanes {} is above every layer's fan-in (the largest is {})", opt.lanes, max_fan);
  if (opt.rna_share > max_units)
    fail(source, "--rna-share {} is above every layer's neuron count (the largest is {})", opt.rna_share, max_units);
  bool legal_top = !opt.top.empty() && std::isalpha(static_cast<unsigned char>(opt.top[0]));
  for (char c : opt.top) legal_top &= std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  if (!legal_top) fail(source, "--top '{}' is not a Verilog identifier", opt.top);
  if (is_reserved_word(opt.top))
    fail(source, "--top '{}' is a Verilog or SystemVerilog keyword; choose another module name", opt.top);
  if (opt.top.rfind("rnn_", 0) == 0 || opt.top.rfind("synth_", 0) == 0)
    fail(source, "--top '{}': names starting rnn_ or synth_ belong to rapidnn's own modules; choose another", opt.top);

  RtlPlan p;
  p.options = opt;
  p.network = cn.name;
  p.artifact_fingerprint = artifact_fingerprint(cn);
  p.uniform = cn.config.method == CodebookMethod::Uniform;
  p.global_codebook = cn.config.global_codebook;
  p.raw_bits = cn.input.raw_bits;
  p.input_numel = numel(cn.input_shape);
  p.input_index_bits = std::max(clog2(cn.input.u), floors ? floors->input_index_bits : 1);
  p.input_lut = image("input_lut.hex", p.input_index_bits, false);
  for (auto v : cn.input.lut) p.input_lut.values.push_back(v);
  p.input_beats = (p.input_numel + opt.features_per_beat - 1) / opt.features_per_beat;
  // The input encoder's lane f writes entries k * F + f: write port f of the first buffer.
  p.buffers.push_back(RtlBuffer{0, p.input_numel, p.input_index_bits, clog2(p.input_numel), opt.features_per_beat, 0, 1, {}});

  // The buffer each stage's output lives in (a flatten's is its source's: it has no hardware).
  std::vector<int> buffer_of(cn.stages.size(), 0);
  const auto buffer_for = [&](int producer) { return producer == kFromInput ? 0 : buffer_of[static_cast<std::size_t>(producer)]; };
  for (std::size_t i = 0; i < cn.stages.size(); ++i) {
    const Stage& s = cn.stages[i];
    const int in_buffer = buffer_for(cn.source_of(i));
    if (s.kind == StageKind::Flatten) {
      buffer_of[i] = in_buffer;
      continue;
    }
    RtlStage t;
    t.stage = static_cast<int>(i);
    t.kind = s.kind;
    t.name = legal_name(s.name);
    t.output = s.is_output;
    t.in_buffer = in_buffer;
    const int in_bits = p.buffers[static_cast<std::size_t>(in_buffer)].index_bits;
    int ports = 0;
    RtlBuffer out;
    out.id = static_cast<int>(i) + 1;
    out.depth = numel(s.out_shape);
    out.addr_bits = clog2(out.depth);
    if (s.kind == StageKind::MaxPool) {
      copy_window(s, t);
      t.cycles = 2 + t.channels * t.oh * t.ow;
      ports = t.kh * t.kw;
      out.index_bits = in_bits;
    } else if (s.kind == StageKind::Concat) {
      t.channels = s.out_shape[0];
      t.oh = s.out_shape.size() > 1 ? s.out_shape[1] : 1;
      t.ow = s.out_shape.size() > 2 ? s.out_shape[2] : 1;
      t.cycles = 2 + out.depth;
      ports = 1;
      out.index_bits = in_bits;
    } else {
      if (floors && p.stages.size() >= floors->stages.size())
        fail(source, "stage {} '{}' has no place in the design's {} stages", i, s.name, floors->stages.size());
      const RtlStage* floor = floors ? &floors->stages[p.stages.size()] : nullptr;
      if (in_bits != std::max(clog2(s.u), floor ? floor->xiw : 1))
        fail(source, "stage {} '{}': its input buffer holds {}-bit indices, its codebook needs {}", i, s.name, in_bits,
             clog2(s.u));
      plan_tile(cn, s, t, opt, floor);
      ports = t.lanes;
      out.index_bits = t.out_index_bits;
      out.write_ports = t.rnas;
      out.positions = t.oh * t.ow;
      if (s.is_output) {
        p.classes = numel(s.out_shape);
        p.class_bits = clog2(p.classes);
        p.score_bits = std::max(t.acc_bits, floors ? floors->score_bits : 1);
        p.score_addr_bits = clog2(p.classes);
        p.output_relu = s.act == ActKind::ReLU;
      }
    }
    const int pos = static_cast<int>(p.stages.size());
    const auto [in_reader, in_port] = add_reader(p.buffers[static_cast<std::size_t>(in_buffer)], pos, ports);
    t.in_reader = in_reader;
    t.in_port = in_port;
    if (s.kind == StageKind::Concat) {
      t.skip_buffer = buffer_for(s.skip);
      if (p.buffers[static_cast<std::size_t>(t.skip_buffer)].index_bits != in_bits)
        fail(source, "stage {} '{}': its inputs hold indices of different widths", i, s.name);
      std::tie(t.skip_reader, t.skip_port) = add_reader(p.buffers[static_cast<std::size_t>(t.skip_buffer)], pos, 1);
    } else if (s.skip != kNoSkip) {
      t.skip_buffer = buffer_for(s.skip);
      RtlBuffer& sb = p.buffers[static_cast<std::size_t>(t.skip_buffer)];
      const int skip_bits = clog2(static_cast<std::int64_t>(s.skip_lut.size()));
      if (sb.depth != numel(s.out_shape) || (floors ? sb.index_bits < skip_bits : sb.index_bits != skip_bits))
        fail(source, "stage {} '{}': its residual skip buffer ({} entries of {} bits) does not match its output", i, s.name,
             sb.depth, sb.index_bits);
      std::tie(t.skip_reader, t.skip_port) = add_reader(sb, pos, t.rnas);
      t.skip_lut = image(fmt::format("s{}_{}_skip.hex", t.stage, t.name), t.acc_bits, true);
      t.skip_lut.values = s.skip_lut;
      t.skip_lut.values.resize(std::size_t{1} << sb.index_bits, 0);  // a coarser level's codes are fewer
    }
    if (!s.is_output) {
      buffer_of[i] = static_cast<int>(p.buffers.size());
      t.out_buffer = buffer_of[i];
      p.buffers.push_back(std::move(out));
    }
    p.stages.push_back(std::move(t));
  }
  for (const auto& b : p.buffers)
    if (b.readers.empty()) fail(source, "buffer {} has no reader (a dead branch the composer should have rejected)", b.id);
  if (p.stages.empty() || !p.stages.back().output) fail(source, "the network has no output stage");
  return p;
}

// The widest of each plan's widths.
RtlWidths widest_widths(const std::vector<RtlPlan>& plans) {
  Floors f;
  f.stages = plans.front().stages;
  for (const RtlPlan& p : plans) {
    f.input_index_bits = std::max(f.input_index_bits, p.input_index_bits);
    f.score_bits = std::max(f.score_bits, p.score_bits);
    for (std::size_t k = 0; k < p.stages.size(); ++k) {
      RtlStage& a = f.stages[k];
      const RtlStage& b = p.stages[k];
      for (const auto& [name, m] : kRtlWidthFields) a.*m = std::max(a.*m, b.*m);
    }
  }
  return f;
}

namespace {

// Every level must plan to one structure: the same stages, widths and buffers.
void check_same_structure(const RtlPlan& a, const RtlPlan& b, int level, const std::string& source) {
  auto differ = [&](const std::string& what) {
    fail(source, "codebook level {} plans another structure than the finest level ({})", level, what);
  };
  if (a.stages.size() != b.stages.size() || a.buffers.size() != b.buffers.size()) differ("stages or buffers");
  if (a.input_index_bits != b.input_index_bits || a.score_bits != b.score_bits) differ("input or score widths");
  for (std::size_t k = 0; k < a.buffers.size(); ++k)
    if (a.buffers[k].index_bits != b.buffers[k].index_bits || a.buffers[k].read_ports != b.buffers[k].read_ports)
      differ(fmt::format("buffer {}", k));
  for (std::size_t k = 0; k < a.stages.size(); ++k) {
    const RtlStage& x = a.stages[k];
    const RtlStage& y = b.stages[k];
    if (std::tie(x.kind, x.lanes, x.rnas, x.groups, x.beats, x.wiw, x.xiw, x.product_bits, x.bias_bits, x.acc_bits,
                 x.am_mode, x.am_clamp, x.am_value_bits, x.enc_entries, x.out_index_bits, x.q, x.cycles) !=
        std::tie(y.kind, y.lanes, y.rnas, y.groups, y.beats, y.wiw, y.xiw, y.product_bits, y.bias_bits, y.acc_bits,
                 y.am_mode, y.am_clamp, y.am_value_bits, y.enc_entries, y.out_index_bits, y.q, y.cycles))
      differ(fmt::format("stage {} '{}'", x.stage, x.name));
  }
}

// The images of every level, one after another (level_min first), each padded with zero words
// to `region` words, then zero regions up to `slots`: word {level - level_min, address}.
RtlImage stack_levels(const std::vector<const RtlImage*>& levels, std::size_t region, std::size_t slots) {
  RtlImage out = *levels.back();
  out.values.clear();
  out.wide.clear();
  const std::vector<std::uint8_t> zero(static_cast<std::size_t>(out.width), 0);
  for (std::size_t k = 0; k < slots; ++k) {
    const RtlImage* im = k < levels.size() ? levels[k] : nullptr;
    for (std::size_t i = 0; i < region; ++i) {
      const bool have = im && i < im->words();
      if (out.width <= 63) out.values.push_back(have ? im->values[i] : 0);
      else out.wide.push_back(have ? im->wide[i] : zero);
    }
  }
  return out;
}

}  // namespace

// A programmable plan: direct accumulation and one codebook level, then its memory map.
static RtlPlan with_cfg_map(RtlPlan p, const std::string& source) {
  if (!p.options.programmable) return p;
  if (p.options.accumulate != AccumulateForm::Direct)
    fail(source, "--programmable tables are built for direct accumulation; --accumulate {} is not",
         to_string(p.options.accumulate));
  p.cfg = plan_cfg_map(p, source);
  return p;
}

RtlPlan plan_rtl(const ComposedNetwork& cn, const RtlOptions& opt, const std::string& source, const RtlWidths* widths) {
  if (opt.programmable && !cn.coarser.empty())
    fail(source, "--programmable is not built for a design of several codebook levels (compose without --levels)");
  if (widths && cn.coarser.empty()) {
    RtlPlan p = plan_one(cn, opt, source, widths);
    if (p.stages.size() != widths->stages.size())
      fail(source, "plans {} stages, the design has {}", p.stages.size(), widths->stages.size());
    return with_cfg_map(std::move(p), source);
  }
  if (widths) fail(source, "a design of several codebook levels takes no other network's widths");
  if (cn.coarser.empty()) return with_cfg_map(plan_one(cn, opt, source, nullptr), source);
  if (opt.accumulate != AccumulateForm::Direct)
    fail(source, "a design of several codebook levels accumulates directly; --accumulate {} is not built for levels",
         to_string(opt.accumulate));
  const int top = network_level(cn), low = min_level(cn), n = top - low + 1;
  std::vector<const ComposedNetwork*> nets;  // level_min first
  for (int level = low; level <= top; ++level) nets.push_back(&at_level(cn, level, source));
  std::vector<RtlPlan> plans;
  for (const auto* c : nets) plans.push_back(plan_one(*c, opt, source, nullptr));
  const Floors floors = widest_widths(plans);
  plans.clear();
  for (const auto* c : nets) plans.push_back(plan_one(*c, opt, source, &floors));
  for (int k = 0; k + 1 < n; ++k) check_same_structure(plans.back(), plans[static_cast<std::size_t>(k)], low + k, source);

  RtlPlan p = plans.back();
  p.artifact_fingerprint = artifact_fingerprint(cn);
  p.level_min = low;
  p.level_max = top;
  p.level_sel_bits = clog2(n);
  const auto levels_of = [&](auto get) {
    std::vector<const RtlImage*> v;
    for (const RtlPlan& q : plans) v.push_back(get(q));
    return v;
  };
  const auto un = static_cast<std::size_t>(n);
  p.input_lut = stack_levels(levels_of([](const RtlPlan& q) { return &q.input_lut; }), std::size_t{1} << p.raw_bits, un);
  for (std::size_t k = 0; k < p.stages.size(); ++k) {
    RtlStage& t = p.stages[k];
    if (!t.tile()) continue;
    t.level_bits = p.level_sel_bits;
    t.levels = n;
    for (const auto* c : nets) {
      const Stage& s = c->stages[static_cast<std::size_t>(t.stage)];
      t.level_entries += static_cast<std::int64_t>(s.w) * s.u;
    }
    const auto of = [&](RtlImage RtlStage::*m) { return levels_of([&](const RtlPlan& q) { return &(q.stages[k].*m); }); };
    for (std::size_t r = 0; r < t.products.size(); ++r)
      t.products[r] = stack_levels(levels_of([&](const RtlPlan& q) { return &q.stages[k].products[r]; }),
                                   t.products[r].words(), std::size_t{1} << p.level_sel_bits);
    t.bias = stack_levels(of(&RtlStage::bias), std::size_t{1} << t.group_bits, un);
    if (t.skip_buffer >= 0) t.skip_lut = stack_levels(of(&RtlStage::skip_lut), t.skip_lut.words(), un);
    if (t.output) continue;
    t.enc = stack_levels(of(&RtlStage::enc), static_cast<std::size_t>(t.enc_entries), un);
    if (t.am_mode != AmMode::Comparator) {
      t.act_y = stack_levels(of(&RtlStage::act_y), static_cast<std::size_t>(t.q), un);
      t.act_z = stack_levels(of(&RtlStage::act_z), std::size_t{1} << t.q_bits, un);
      t.fused = stack_levels(of(&RtlStage::fused), std::size_t{1} << t.q_bits, un);
    }
  }
  return p;
}

}  // namespace rapidnn
