// Gate-level co-simulation (see gatesim.h): netlist + register map + memory netlists -> a
// lockstep Verilator model beside the RTL -> the harness's verdict, and at a difference the
// cells that explain it.
#include "synth/gatesim.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"
#include "core/progress.h"
#include "generator/rtl_blocks.h"
#include "sim/cosim.h"
#include "synth/gate_cells.h"
#include "synth/synth_netlist.h"
#include "synth/synth_rom.h"
#include "synth/synth.h"

namespace rapidnn {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kLockstepTop = "rnn_gatesim_top";

// A hierarchical reference the simulator resolves: plain names with constant indices.
bool plain_reference(const std::string& s) {
  static const std::regex re(R"(^[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])*)*$)");
  return std::regex_match(s, re);
}

// The ROM netlist of each black box, as Verilog modules: the black box's module (its Yosys name,
// escaped) instantiates the ROM netlists of its memory's column slices.
struct Roms {
  std::string verilog;
  std::set<std::string> cell_types;
  std::int64_t memories = 0;
};

std::int64_t binary_param(const json& params, const char* name, const std::string& file) {
  const auto it = params.find(name);
  if (it == params.end()) fail(file, "a black box has no parameter {}", name);
  if (it->is_number_integer()) return it->get<std::int64_t>();
  const std::string s = it->get<std::string>();
  std::int64_t v = 0;
  for (const char c : s) v = v * 2 + (c == '1');
  return v;
}

Roms rom_models(const FlatNetlist& n, const std::set<std::string>& black_boxes, const RtlPlan& plan, const std::string& rtl_dir,
                const fs::path& synth_dir, const std::set<std::string>& liberty_cells) {
  Roms out;
  if (black_boxes.empty()) return out;
  const fs::path json_file = synth_dir / "top" / "netlist.json";
  json doc;
  try {
    doc = json::parse(read_file(json_file));
  } catch (const json::exception& e) {
    fail(json_file.string(), "not a Yosys JSON netlist: {}", e.what());
  }
  // The top's memories, and the tile's (the same images: synth compiles a memory seen before once).
  const BlockSet set = plan_blocks(plan, {BlockKind::Top, BlockKind::Tile});
  std::vector<RtlBlock> slices;
  for (const auto& m : set.memories)
    for (auto& s : memory_slices(m)) slices.push_back(std::move(s));
  // A slice's netlist, or that of a slice with the same image and columns (synth compiles each
  // distinct one once per process).
  const auto netlist_of = [&](const RtlBlock& s) -> fs::path {
    const fs::path own = synth_dir / s.name / "netlist.v";
    if (fs::exists(own)) return own;
    const std::string bits = read_file(fs::path(rtl_dir) / s.image);
    for (const auto& o : slices)
      if (o.depth == s.depth && o.col_lo == s.col_lo && o.col_hi == s.col_hi && fs::exists(synth_dir / o.name / "netlist.v") &&
          read_file(fs::path(rtl_dir) / o.image) == bits)
        return synth_dir / o.name / "netlist.v";
    SynthOptions so;  // compiled for another design of the synthesizing process: again, here
    run_rom_block(s, rtl_dir, synth_dir, so);
    return own;
  };
  static const std::regex cell_line(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s+[A-Za-z_\\][^\s(]*\s*\()");
  std::int64_t k = 0;
  (void)n;
  for (const auto& type : black_boxes) {
    const auto mod = doc.at("modules").find(type);
    if (mod == doc.at("modules").end()) fail(json_file.string(), "has no module '{}' (the netlist's black box)", type);
    const json& params = mod->value("parameter_default_values", json::object());
    const std::int64_t aw = binary_param(params, "AW", json_file.string());
    const std::int64_t width = binary_param(params, "WIDTH", json_file.string());
    const std::string image = params.value("INIT_FILE", std::string());
    std::vector<const RtlBlock*> mine;
    for (const auto& s : slices)
      if (s.image == image) mine.push_back(&s);
    if (mine.empty()) fail(json_file.string(), "black box {} reads image '{}', which is none of the design's memories", type, image);
    // Each slice once, even when several memories share the image.
    std::map<std::int64_t, const RtlBlock*> by_col;
    for (const auto* s : mine) by_col.try_emplace(s->col_lo, s);
    std::string inst;
    std::int64_t covered = 0;
    for (const auto& [lo, s] : by_col) {
      std::string text = read_file(netlist_of(*s));
      const std::string mod_name = fmt::format("rnn_glrom{}", k++);
      const auto at = text.find("module synth_rom");
      if (at == std::string::npos) fail(netlist_of(*s).string(), "is not a ROM netlist (no module synth_rom)");
      text.replace(at, 16, "module " + mod_name);
      const auto head_end = text.find(");", at);
      const std::string head = text.substr(at, head_end - at);
      std::string conns;
      static const std::regex port(R"(\b([ad])([0-9]+)\b)");
      std::set<std::pair<char, int>> seen;
      for (auto it = std::sregex_iterator(head.begin(), head.end(), port); it != std::sregex_iterator(); ++it) {
        const char kind = (*it)[1].str()[0];
        const int idx = std::stoi((*it)[2].str());
        if (!seen.insert({kind, idx}).second) continue;
        if (kind == 'd' && idx >= s->col_hi - s->col_lo) fail(netlist_of(*s).string(), "output d{} is past the slice", idx);
        conns += fmt::format("{}.{}{}({}[{}])", conns.empty() ? "" : ", ", kind, idx, kind == 'a' ? "addr_i" : "data_o",
                             kind == 'a' ? idx : s->col_lo + idx);
        covered += kind == 'd';
      }
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, cell_line) && liberty_cells.count(m[1].str())) out.cell_types.insert(m[1].str());
      }
      out.verilog += text + "\n";
      inst += fmt::format("  {} u_slice{} ({});\n", mod_name, lo, conns);
    }
    if (covered != width) fail(json_file.string(), "black box {}: its ROM netlists give {} of {} data bits", type, covered, width);
    out.verilog += fmt::format("module \\{} (addr_i, data_o);\n  input wire [{}:0] addr_i;\n  output wire [{}:0] data_o;\n{}endmodule\n\n",
                               type, std::max<std::int64_t>(aw, 1) - 1, width - 1, inst);
    ++out.memories;
  }
  return out;
}

// A point compared every cycle: a flip-flop's Q or an output bit, in both models.
struct Point {
  std::string gl, rtl, label;
  std::string cell;  // the flip-flop or memory (empty: an output bit)
  std::string net;   // its net in the netlist
  bool flop = false;
};

std::string port_bit(const FlatNetlist::Port& p, int i) { return p.width == 0 ? p.name : fmt::format("{}[{}]", p.name, i); }

std::string lockstep_top(const FlatNetlist& n, const std::string& rtl_top, const std::vector<Point>& points) {
  std::string ports, rtl_conn, gl_conn, wires;
  for (const auto& p : n.ports) {
    if (p.name.rfind("rnn_tie", 0) == 0) continue;
    const std::string range = p.width ? fmt::format("[{}:0] ", p.width - 1) : "";
    ports += fmt::format("{}  {} wire {}{}", ports.empty() ? "" : ",\n", p.dir, range, p.name);
    const bool out = p.dir == "output";
    if (out) wires += fmt::format("  wire {}rtl_{};\n", range, p.name);
    rtl_conn += fmt::format("{}.{}({}{})", rtl_conn.empty() ? "" : ", ", p.name, out ? "rtl_" : "", p.name);
    gl_conn += fmt::format("{}.{}({})", gl_conn.empty() ? "" : ", ", p.name, p.name);
  }
  for (const auto& p : n.ports)
    if (p.name.rfind("rnn_tie", 0) == 0) gl_conn += fmt::format(", .{}(1'b{})", p.name, p.name == "rnn_tie1" ? 1 : 0);
  std::string compare;
  for (std::size_t c = 0; c * 64 < points.size(); ++c) {
    std::string g, r;
    const std::size_t end = std::min(points.size(), (c + 1) * 64);
    for (std::size_t j = end; j-- > c * 64;) {  // MSB first: point c*64 + j is bit j
      g += (g.empty() ? "" : ", ") + points[j].gl;
      r += (r.empty() ? "" : ", ") + points[j].rtl;
    }
    compare += fmt::format("      if ({{{0}}} != {{{1}}}) begin\n        rnn_gl_diverge({2}, 64'({{{0}}}), 64'({{{1}}}), cycle_q, fed_q);\n"
                           "        diverged_q <= 1'b1;\n      end\n",
                           g, r, c);
  }
  return fmt::format(R"(// generated by rapidnn {ver} -- DO NOT EDIT.
// Lockstep top of the gate-level co-simulation: the RTL ({top}) and its netlist ({top}_gl) on
// the same inputs; the outputs are the netlist's. At every rising edge out of reset, every output
// bit and every mapped flip-flop ({points} points) is compared with the RTL signal it implements.
`default_nettype none
module {lock} (
{ports}
);
{wires}  {top} u_rtl ({rtl_conn});
  {top}_gl u_gl ({gl_conn});

  import "DPI-C" function void rnn_gl_diverge(input int chunk, input longint got, input longint want,
                                              input longint cycle, input longint fed);
  import "DPI-C" function void rnn_gl_stop();
  reg [63:0] cycle_q, fed_q;
  reg diverged_q;
  always @(posedge clk_i) begin
    if (!rst_ni) begin
      cycle_q <= 64'd0;
      fed_q <= 64'd0;
      diverged_q <= 1'b0;
    end else begin
      cycle_q <= cycle_q + 64'd1;
      if (in_valid_i && in_ready_o) fed_q <= fed_q + 64'd1;
      if (diverged_q) rnn_gl_stop();
{compare}    end
  end
endmodule
`default_nettype wire
)",
                     fmt::arg("ver", RAPIDNN_VERSION), fmt::arg("top", rtl_top), fmt::arg("lock", kLockstepTop),
                     fmt::arg("points", points.size()), fmt::arg("ports", ports), fmt::arg("wires", wires),
                     fmt::arg("rtl_conn", rtl_conn), fmt::arg("gl_conn", gl_conn), fmt::arg("compare", compare));
}

constexpr const char* kHook = R"(// generated by rapidnn -- DO NOT EDIT.
// DPI hooks of the gate-level lockstep top: each differing chunk of compared points is printed;
// the cycle after the first difference ends the run.
#include <cstdio>
#include <cstdlib>
extern "C" void rnn_gl_diverge(int chunk, long long got, long long want, long long cycle, long long fed) {
  std::printf("GLDIFF %lld %lld %d %llx %llx\n", cycle, fed, chunk, static_cast<unsigned long long>(got),
              static_cast<unsigned long long>(want));
}
extern "C" void rnn_gl_stop() {
  std::printf("MISMATCH gate-level netlist against the RTL\n");
  std::fflush(stdout);
  std::exit(1);
}
)";

// Cells in the fan-in cone of a point, with their distance from it: back through combinational
// cells, black boxes and unmapped flip-flops, stopping at mapped flip-flops (equal a cycle before)
// and at the top's inputs.
std::unordered_map<std::size_t, int> cone(const FlatNetlist& n, const std::unordered_map<std::string, std::size_t>& driver,
                                          const std::unordered_map<std::string, std::set<std::string>>& outputs_of,
                                          const std::unordered_set<std::string>& mapped, const Point& p) {
  std::unordered_map<std::size_t, int> dist;
  std::deque<std::pair<std::string, int>> todo;
  const auto inputs_of = [&](std::size_t c, int d) {
    const auto& cell = n.cells[c];
    const auto outs = outputs_of.find(cell.type);
    for (const auto& [pin, nets] : cell.pins)
      if (outs == outputs_of.end() || !outs->second.count(pin))
        for (const auto& net : nets) todo.emplace_back(net, d + 1);
  };
  if (!p.cell.empty()) {
    for (std::size_t c = 0; c < n.cells.size(); ++c)
      if (n.cells[c].name == p.cell) {
        dist[c] = 0;
        inputs_of(c, 0);
        break;
      }
  } else {
    todo.emplace_back(p.net, 0);
  }
  while (!todo.empty()) {
    const auto [net, d] = todo.front();
    todo.pop_front();
    const auto it = driver.find(net);
    if (it == driver.end()) continue;
    const std::size_t c = it->second;
    if (dist.count(c)) continue;
    dist[c] = d;
    if (mapped.count(n.cells[c].name)) continue;  // equal one cycle before: not followed
    inputs_of(c, d);
  }
  return dist;
}

struct Localized {
  std::vector<std::string> suspects;
  std::int64_t count = 0;
  bool intersected = true;
};

Localized localize(const FlatNetlist& n, const std::vector<LibertyCell>& lib, const std::vector<Point>& diverging,
                   const std::unordered_set<std::string>& mapped) {
  std::unordered_map<std::string, std::set<std::string>> outputs_of;
  for (const auto& c : lib)
    for (const auto& [o, f] : c.outputs) outputs_of[c.name].insert(o);
  std::unordered_map<std::string, std::size_t> driver;
  for (std::size_t c = 0; c < n.cells.size(); ++c) {
    const auto outs = outputs_of.find(n.cells[c].type);
    for (const auto& [pin, nets] : n.cells[c].pins)
      if (outs != outputs_of.end() ? outs->second.count(pin) > 0 : pin == "data_o")
        for (const auto& net : nets) driver[net] = c;
  }
  for (const auto& [lhs, rhs] : n.assigns)  // an output port bit named by another net
    if (const auto it = driver.find(rhs); it != driver.end()) driver.try_emplace(lhs, it->second);
  // Flip-flops first: with them equal a cycle before, the fault is in each of their cones; an
  // output differing alongside may only reflect a differing flip-flop.
  std::vector<Point> roots;
  for (const auto& p : diverging)
    if (p.flop) roots.push_back(p);
  if (roots.empty()) roots = diverging;
  if (roots.size() > 64) roots.resize(64);
  std::unordered_map<std::size_t, int> common;
  bool first = true;
  for (const auto& p : roots) {
    const auto c = cone(n, driver, outputs_of, mapped, p);
    if (first) {
      common = c;
      first = false;
      continue;
    }
    for (auto it = common.begin(); it != common.end();) {
      const auto o = c.find(it->first);
      if (o == c.end()) it = common.erase(it);
      else {
        it->second += o->second;
        ++it;
      }
    }
  }
  Localized out;
  if (common.empty() && !roots.empty()) {  // more than one fault, or an unmapped state: the first point's cone
    out.intersected = false;
    common = cone(n, driver, outputs_of, mapped, roots[0]);
  }
  std::vector<std::pair<int, std::size_t>> order;
  for (const auto& [c, d] : common) order.emplace_back(d, c);
  std::sort(order.begin(), order.end());
  out.count = static_cast<std::int64_t>(order.size());
  for (std::size_t i = 0; i < order.size() && i < 12; ++i) {
    const auto& cell = n.cells[order[i].second];
    std::string outs;
    for (const auto& [pin, nets] : cell.pins)
      if (outputs_of.count(cell.type) ? outputs_of.at(cell.type).count(pin) > 0 : pin == "data_o")
        outs += fmt::format("{}{}={}", outs.empty() ? "" : ", ", pin, nets.size() == 1 ? nets[0] : fmt::format("{} bits", nets.size()));
    out.suspects.push_back(fmt::format("{} {} ({})", cell.name, cell.type, outs));
  }
  return out;
}

}  // namespace

std::string gatesim_build_dir(const std::string& rtl_dir, const GateSimOptions& opt) {
  const fs::path build = fs::absolute(opt.build_dir.empty() ? fs::path(rtl_dir + ".gatesim") : fs::path(opt.build_dir));
  check_replaceable(build, "gatesim-build");
  if (fs::equivalent(fs::absolute(rtl_dir), build)) fail(build.string(), "is the RTL directory, not a build directory");
  return build.string();
}

GateSimResult run_gatesim(const ComposedNetwork& cn, const RtlPlan& plan, const std::string& rtl_dir,
                          const std::vector<std::uint16_t>& raw, std::int64_t samples, const GateSimOptions& opt) {
  if (samples <= 0) fail("--samples", "must be positive, got {}", samples);
  if (static_cast<std::int64_t>(raw.size()) < samples * plan.input_numel)
    fail("--samples", "{} images requested, {} available", samples, static_cast<std::int64_t>(raw.size()) / plan.input_numel);
  if (opt.jobs < 1 || opt.jobs > 1024) fail("--jobs", "{} is not 1 to 1024", opt.jobs);
  if (find_program("verilator").empty())
    fail("verilator", "not found in PATH; install the Debian package verilator (scripts/setup.sh does)");
  const fs::path build = gatesim_build_dir(rtl_dir, opt);
  const fs::path synth_dir = opt.synth_dir.empty() ? fs::path(rtl_dir + ".synth") : fs::path(opt.synth_dir);
  const std::string netlist_file = opt.netlist.empty() ? (synth_dir / "top" / "netlist.v").string() : opt.netlist;
  if (!fs::exists(netlist_file))
    fail(netlist_file, "no netlist of the top here: run rapidnn synth -c <artifact> -r {} --block top first", rtl_dir);
  GateSimResult res;
  res.samples = samples;
  FlatNetlist n = read_flat_netlist(netlist_file);
  const std::string rtl_top = plan.options.top;
  if (n.top != rtl_top) fail(netlist_file, "is the netlist of '{}', not of this design's top '{}'", n.top, rtl_top);
  const std::vector<NetlistName> regs = read_netlist_names((synth_dir / "top" / "registers.tsv").string());

  // Cells: liberty models for every type used (the top's and the ROM netlists'), proved first.
  const std::vector<LibertyCell> lib = read_liberty_cells(opt.liberty);
  std::set<std::string> liberty_names, used, black_boxes;
  for (const auto& c : lib) liberty_names.insert(c.name);
  std::unordered_map<std::string, std::size_t> cell_index;
  for (std::size_t c = 0; c < n.cells.size(); ++c) {
    cell_index[n.cells[c].name] = c;
    (liberty_names.count(n.cells[c].type) ? used : black_boxes).insert(n.cells[c].type);
  }
  const Roms roms = rom_models(n, black_boxes, plan, rtl_dir, synth_dir, liberty_names);
  used.insert(roms.cell_types.begin(), roms.cell_types.end());
  res.memories = roms.memories;
  res.cells = static_cast<std::int64_t>(n.cells.size());

  claim_output_dir(build, "gatesim-build");
  res.proof = prove_cell_models(lib, used, opt.liberty, opt.cell_models, (build / "prove").string());

  // Compared points: mapped flip-flops whose names both simulators resolve, and every output bit.
  std::vector<Point> points;
  std::unordered_set<std::string> mapped;
  for (const auto& c : n.cells)
    if (std::any_of(c.pins.begin(), c.pins.end(), [](const auto& p) { return p.first == "CLK"; }) && liberty_names.count(c.type))
      ++res.flops;
  for (const auto& r : regs) {
    if (!cell_index.count(r.cell) || !plain_reference(r.ref) || !plain_reference(r.net)) continue;
    points.push_back({"u_gl." + r.net, "u_rtl." + r.ref, r.ref, r.cell, r.net, liberty_names.count(r.type) > 0});
    mapped.insert(r.cell);
    ++(liberty_names.count(r.type) ? res.compared_flops : res.compared_memory_pins);
  }
  for (const auto& p : n.ports) {
    if (p.dir != "output") continue;
    for (int i = 0; i < std::max(p.width, 1); ++i) {
      const std::string bit = port_bit(p, i);
      points.push_back({bit, p.width ? fmt::format("rtl_{}[{}]", p.name, i) : "rtl_" + p.name, "output " + bit, "", bit, false});
    }
  }
  res.compared_outputs = static_cast<std::int64_t>(points.size()) - res.compared_flops - res.compared_memory_pins;

  // Sources: the netlist (its module renamed), cell models, ROM netlists, the lockstep top.
  std::string gl_text = n.text;
  const auto at = gl_text.find("module " + rtl_top + " (");
  if (at == std::string::npos) fail(netlist_file, "has no 'module {} ('", rtl_top);
  gl_text.replace(at, 7 + rtl_top.size(), "module " + rtl_top + "_gl");
  const std::map<std::string, std::string> sources{
      {"gl_netlist.v", gl_text},
      {"gl_cells.v", "// generated by rapidnn -- DO NOT EDIT.\n// Cell models derived from " + opt.liberty + "\n`default_nettype none\n" +
                         cell_models_verilog(lib, used, "", opt.liberty) + "`default_nettype wire\n"},
      {"gl_roms.v", "// generated by rapidnn -- DO NOT EDIT.\n// The ROM netlists of the table memories.\n" + roms.verilog},
      {"gl_lockstep.v", lockstep_top(n, rtl_top, points)},
      {"gatesim_hook.cpp", kHook},
      {"cosim_harness.cpp", sim_source_text("cosim_harness.cpp")},
      {"cosim_top.h", fmt::format("// generated by rapidnn -- DO NOT EDIT\n#include \"V{0}.h\"\n#define VTOP V{0}\n", kLockstepTop)}};
  const std::vector<std::string> flags{"verilator", "--cc", "--exe", "--build", "--top-module", kLockstepTop, "-DRAPIDNN_TRACE",
                                 "--x-assign", "fast", "--x-initial", "fast", "-Wno-fatal", "-Wno-lint", "-Wno-style",
                                 "-Mdir", (build / "obj").string(), "-o", (build / "Vsim").string(), "-CFLAGS",
                                 "-I" + build.string(),
                                 // Gate-level C++ is large and runs once: compiling it unoptimized
                                 // takes a quarter of the time and runs half as fast.
                                 "-MAKEFLAGS", "OPT_FAST=-O0", "-MAKEFLAGS", "OPT_SLOW=-O0"};
  Stopwatch sw;
  res.cached_build = verilate_cached(build, flags, sources, rtl_dir, opt.jobs, "gate-level co-simulation");
  res.build_seconds = sw.seconds();

  CosimOptions copt;
  std::vector<std::string> argv{(build / "Vsim").string()};
  for (auto& a : write_harness_vectors(cn, plan, raw, samples, build / "run", copt)) argv.push_back(std::move(a));
  const ProcessResult pr = run_process(argv, rtl_dir);
  CosimResult cr;
  parse_harness_output(pr, rtl_dir, cr);
  res.cycles = cr.cycles;
  res.sim_seconds = cr.sim_seconds;
  res.cycles_per_second = cr.cycles_per_second;
  res.ok = cr.ok;
  res.mismatch = cr.mismatch;

  // GLDIFF lines: the points that differ at the first differing cycle.
  std::istringstream lines(pr.output);
  std::vector<Point> diverging;
  long long first_cycle = -1, fed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("GLDIFF ", 0) != 0) continue;
    std::istringstream w(line.substr(7));
    long long cycle = 0, f = 0;
    std::size_t chunk = 0;
    std::string got_hex, want_hex;
    w >> cycle >> f >> chunk >> got_hex >> want_hex;
    if (first_cycle >= 0 && cycle != first_cycle) break;
    first_cycle = cycle;
    fed = f;
    const auto got = std::stoull(got_hex, nullptr, 16), want = std::stoull(want_hex, nullptr, 16);
    for (std::size_t j = 0; j < 64 && chunk * 64 + j < points.size(); ++j)
      if (((got ^ want) >> j) & 1) {
        const Point& p = points[chunk * 64 + j];
        diverging.push_back(p);
        res.diverging.push_back(fmt::format("{} ({}): got {}, expected {}", p.label,
                                            p.cell.empty() ? "port" : fmt::format("cell {} {}, net {}", p.cell, n.cells[cell_index.at(p.cell)].type, p.net),
                                            (got >> j) & 1, (want >> j) & 1));
      }
  }
  if (first_cycle >= 0) {
    res.ok = false;
    const Localized loc = localize(n, lib, diverging, mapped);
    res.suspects = loc.suspects;
    res.suspect_count = loc.count;
    const auto image = static_cast<long long>(fed / std::max<std::int64_t>(plan.input_numel, 1));
    res.mismatch = fmt::format("MISMATCH gate-level netlist {}, cycle {} (image {} being fed): {} of {} compared signals differ from the RTL, "
                               "first {}; {} {} cell{} can explain it",
                               netlist_file, first_cycle, image, diverging.size(), points.size(),
                               res.diverging.empty() ? "?" : res.diverging[0], loc.intersected ? "in the intersection of their fan-in cones," : "in the first one's fan-in cone (the cones have no cell in common),",
                               loc.count, loc.count == 1 ? "" : "s");
  }
  return res;
}

}  // namespace rapidnn
