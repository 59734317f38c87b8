// One synthesis run: wrapper and scripts written, Yosys and OpenSTA run, their reports parsed.
#include "synth/synth_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"
#include "core/progress.h"
#include "generator/emit_rtl.h"
#include "synth/synth_netlist.h"

namespace rapidnn {
namespace {

// Yosys' hierarchical stat -> area per module kind: each module's own cells ("Chip area for module")
// times its instances under the top ("design hierarchy"), keyed by the name without its
// $paramod$<hash>\\ prefix, in order of first appearance.
std::vector<std::pair<std::string, double>> module_areas(const std::string& stat) {
  const auto kind = [](const std::string& name) {
    const auto at = name.rfind('\\');
    return at == std::string::npos ? name : name.substr(at + 1);
  };
  std::map<std::string, double> own;
  const std::regex area(R"(Chip area for module '([^']*)': ([0-9.eE+-]+))");
  for (std::sregex_iterator it(stat.begin(), stat.end(), area), end; it != end; ++it) own[(*it)[1]] = std::stod((*it)[2]);
  std::vector<std::pair<std::string, double>> out;
  const auto hier = stat.find("=== design hierarchy ===");
  if (hier == std::string::npos) return out;
  std::istringstream in(stat.substr(hier));
  std::string line;
  std::getline(in, line);
  bool started = false;
  // Each line counts instances in its parent, the line above it with less indentation.
  std::vector<std::pair<std::size_t, double>> parents;  // (indentation, instances in the design)
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    long long count = 0;
    if (!(fields >> name >> count)) {
      if (started) break;  // the blank line after the list
      continue;
    }
    started = true;
    const std::size_t indent = line.find_first_not_of(' ');
    while (!parents.empty() && parents.back().first >= indent) parents.pop_back();
    const double instances = static_cast<double>(count) * (parents.empty() ? 1.0 : parents.back().second);
    parents.emplace_back(indent, instances);
    const auto o = own.find(name);
    if (o == own.end()) continue;  // a black box (rnn_rom): reported as a memory
    const std::string k = kind(name);
    auto e = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == k; });
    if (e == out.end()) out.emplace_back(k, 0.0), e = out.end() - 1;
    e->second += o->second * instances;
  }
  return out;
}


namespace fs = std::filesystem;

std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [k, v] : vars)
    for (std::size_t at; (at = text.find(k)) != std::string::npos;) text.replace(at, k.size(), v);
  return text;
}

const char* script(const std::string& name) {
  for (const auto& s : synth_scripts())
    if (name == s.file) return s.text;
  fail("", "embedded synthesis script {} is missing", name);
}

std::int64_t parse_int_after(const std::string& text, const std::string& key) {
  const auto at = text.rfind(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

}  // namespace

void time_netlist(BlockReport& r, const fs::path& dir, const std::string& rtl_dir, const SynthOptions& o) {
  const std::vector<std::pair<std::string, std::string>> vars{
      {"@TOP@", r.module}, {"@OUT@", dir.string()}, {"@LIBERTY@", fs::absolute(o.liberty).string()},
      {"@PERIOD@", fmt::format("{}", o.period_ns)}, {"@ACTIVITY@", fmt::format("{}", o.input_activity)}};
  std::smatch m;
  write_file_atomic(dir / "sta.tcl", fill(script("sta.tcl"), vars));
  ProcessResult pr = run_process({"sta", "-no_splash", "-exit", (dir / "sta.tcl").string()}, rtl_dir);
  write_file_atomic(dir / "sta.log", pr.output);
  if (pr.exit_code != 0 || pr.output.find("Error") != std::string::npos)
    fail((dir / "sta.log").string(), "OpenSTA could not time block {}:\n{}", r.block,
         pr.output.substr(0, std::min<std::size_t>(pr.output.size(), 2000)));
  // "max_delay/setup group clk" then a row "endpoint  required  actual  slack (MET)".
  const auto g = pr.output.find("group clk");
  if (pr.exit_code == 0 && g != std::string::npos) {
    const std::regex row(R"(\n\S+.*?\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+) \((MET|VIOLATED)\))");
    const std::string tail = pr.output.substr(g);
    if (std::regex_search(tail, m, row)) {
      r.critical_ns = std::stod(m[2]);
      r.fmax_mhz = r.critical_ns > 0 ? 1000.0 / r.critical_ns : 0.0;
    }
  }
  // "Total  internal  switching  leakage  total  100.0%" (Watts).
  const std::regex power(R"(\nTotal\s+\S+\s+\S+\s+\S+\s+([0-9.eE+-]+))");
  if (std::regex_search(pr.output, m, power)) {
    r.power_mw = std::stod(m[1]) * 1e3;
    r.energy_pj_per_cycle = r.power_mw * o.period_ns;  // mW x ns = pJ
  } else {
    fail((dir / "sta.log").string(), "OpenSTA printed no power report for block {}", r.block);
  }
}

BlockReport run_synth_block(const RtlBlock& b, const std::string& rtl_dir, const fs::path& work,
                            const SynthOptions& o) {
  Stopwatch sw;
  BlockReport r;
  r.block = b.name;
  r.module = b.module;
  r.description = b.description;
  r.memory_bits = b.memory_bits;
  r.crossbar_model_um2 = static_cast<double>(b.memory_bits) * kCrossbarUm2PerBit;
  const fs::path dir = fs::absolute(work / b.name);
  r.script = b.large ? "fast" : "full";
  fs::create_directories(dir);
  std::string files;
  std::istringstream list(read_file(fs::path(rtl_dir) / "files.f"));
  for (std::string l; std::getline(list, l);)
    if (!l.empty()) files += fmt::format(" {}", l);
  for (const auto& t : b.templates) {  // templates the design need not have (the baseline's rnn_mac.v)
    write_file_atomic(dir / t, rtl_template_text(t));
    const auto at = files.find(" " + t);
    if (at != std::string::npos) files.erase(at, t.size() + 1);
    files += fmt::format(" {}", (dir / t).string());
  }
  if (b.cut_roms) {
    write_file_atomic(dir / "rnn_rom_blackbox.v", rom_blackbox_text());
    const auto at = files.find(" rnn_rom.v");
    if (at != std::string::npos) files.replace(at, 10, " " + (dir / "rnn_rom_blackbox.v").string());
  }
  if (!b.wrapper.empty()) {
    write_file_atomic(dir / (b.module + ".v"), b.wrapper);
    files += fmt::format(" {}", (dir / (b.module + ".v")).string());
  }
  const std::vector<std::pair<std::string, std::string>> vars{
      {"@FILES@", files}, {"@TOP@", b.module}, {"@OUT@", dir.string()}, {"@LIBERTY@", fs::absolute(o.liberty).string()},
      {"@PERIOD@", fmt::format("{}", o.period_ns)}, {"@ACTIVITY@", fmt::format("{}", o.input_activity)},
      {"@SYNTH_FLAGS@", b.large ? "-noabc" : ""}, {"@DCH@", b.large ? "" : "dch,-f;"},
      {"@FLATTEN@", b.large ? "" : "-flatten"}, {"@FLATTEN_MAP@", b.large ? "" : "flatten"},
      {"@WRITE@", b.large ? fmt::format("write_json {}", (dir / "netlist.json").string())
                          : fmt::format("write_verilog -noattr -simple-lhs {}", (dir / "netlist.v").string())}};
  write_file_atomic(dir / "synth.ys", fill(script("synth_generic.ys"), vars) + fill(script("synth_liberty.ys"), vars));
  ProcessResult pr = run_process({"yosys", "-q", "-l", (dir / "yosys.log").string(), "-s", (dir / "synth.ys").string()}, rtl_dir);
  if (pr.exit_code != 0) fail(rtl_dir, "yosys failed on block {} (log: {}):\n{}", b.name, (dir / "yosys.log").string(), pr.output);
  const std::string cmos = read_file(dir / "stat_cmos.txt"), lib = read_file(dir / "stat_liberty.txt");
  r.transistors = parse_int_after(cmos, "Estimated number of transistors:");
  r.cells = parse_int_after(lib, "Number of cells:");
  // A hierarchical netlist's total is "Chip area for top module"; a flat one has one module.
  const std::regex top_area(R"(Chip area for top module '[^']*': ([0-9.eE+-]+))");
  const std::regex area(R"(Chip area for module '[^']*': ([0-9.eE+-]+))");
  std::smatch m;
  if (std::regex_search(lib, m, top_area) || std::regex_search(lib, m, area)) r.area_um2 = std::stod(m[1]);
  if (b.large) r.module_areas = module_areas(lib);
  if (b.large) {  // the hierarchical netlist, flattened and its cross-module fanout buffered, for OpenSTA
    FanoutRepair repair;
    repair.liberty = o.liberty;
    const FlatNetlistStats fs = write_flat_netlist(dir / "netlist.json", b.module, dir / "netlist.v", repair, dir / "registers.tsv");
    r.area_um2 += fs.buffer_area_um2;
    r.cells += fs.buffers;
    r.fanout_buffers = fs.buffers;
  }
  time_netlist(r, dir, rtl_dir, o);
  r.seconds = sw.seconds();
  return r;
}

}  // namespace rapidnn
