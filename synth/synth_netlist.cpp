// Yosys JSON netlist (hierarchical, mapped) -> flat structural Verilog (see synth_netlist.h).
#include "synth/synth_netlist.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/fileio.h"

namespace rapidnn {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Nets 0..3 are the constants 0, 1, x, z; every other net is a fresh id. Nets that a module
// boundary joins (an output port that is an input port inside, a port tied to a constant) are
// merged with a union-find whose roots prefer constants.
constexpr std::int64_t kConstants = 4;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}


struct Flattener {
  Flattener(const json& m, std::string f) : modules(m), file(std::move(f)) {}
  const json& modules;
  std::string file;
  std::vector<std::int64_t> parent{0, 1, 2, 3};
  struct Cell {
    std::string type;
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> pins;
    std::string reg;  // a flip-flop whose Q is a named RTL signal bit: its reference; a black box: its instance path
  };
  // Per module: each bit's first public name (netnames in key order) as a reference, e.g.
  // "acc_o[3]", "bank0_q[17][1]", "wsel_q".
  std::unordered_map<const json*, std::unordered_map<std::int64_t, std::string>> bit_names;
  std::vector<Cell> cells;
  std::int64_t black_boxes = 0;

  std::int64_t fresh() {
    parent.push_back(static_cast<std::int64_t>(parent.size()));
    return parent.back();
  }
  std::int64_t find(std::int64_t n) {
    while (parent[static_cast<std::size_t>(n)] != n) {
      parent[static_cast<std::size_t>(n)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(n)])];
      n = parent[static_cast<std::size_t>(n)];
    }
    return n;
  }
  void unite(std::int64_t a, std::int64_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (a < kConstants && b < kConstants) return;  // two constants joined: a contradiction Yosys never writes
    if (b < kConstants) std::swap(a, b);
    parent[static_cast<std::size_t>(b)] = a;
  }

  std::int64_t constant(const std::string& s) const {
    if (s == "0") return 0;
    if (s == "1") return 1;
    if (s == "x") return 2;
    if (s == "z") return 3;
    fail(file, "unknown constant bit '{}' in the netlist", s);
  }

  // A bit of a connection: a constant, or a module-local net id mapped to a global net.
  std::int64_t net(const json& bit, std::unordered_map<std::int64_t, std::int64_t>& local) {
    if (bit.is_string()) return constant(bit.get<std::string>());
    if (!bit.is_number_integer()) fail(file, "a connection bit is neither a net nor a constant");
    const auto [it, added] = local.try_emplace(bit.get<std::int64_t>(), 0);
    if (added) it->second = fresh();
    return it->second;
  }

  static bool black_box(const json& m) {
    const auto a = m.find("attributes");
    if (a == m.end()) return false;
    const auto b = a->find("blackbox");
    if (b == a->end()) return false;
    if (b->is_string()) return b->get<std::string>().find('1') != std::string::npos;
    return b->is_number() && b->get<double>() != 0;
  }

  const std::unordered_map<std::int64_t, std::string>& names_of(const json& mod) {
    const auto [it, added] = bit_names.try_emplace(&mod);
    if (!added) return it->second;
    const auto nn = mod.find("netnames");
    if (nn == mod.end()) return it->second;
    for (const auto& [name, n] : nn->items()) {
      if (n.value("hide_name", 0) != 0 || name.find('$') != std::string::npos) continue;
      const json& bits = n.at("bits");
      const std::int64_t width = static_cast<std::int64_t>(bits.size()), offset = n.value("offset", 0);
      const bool upto = n.value("upto", 0) != 0;
      for (std::int64_t i = 0; i < width; ++i) {
        const json& b = bits[static_cast<std::size_t>(i)];
        if (!b.is_number_integer()) continue;
        // One bit wide: the signal itself (a scalar reg, or a 1-bit word of a memory).
        const std::string ref = width == 1 && offset == 0 ? name
                                                          : fmt::format("{}[{}]", name, upto ? offset + width - 1 - i : offset + i);
        it->second.try_emplace(b.get<std::int64_t>(), ref);
      }
    }
    return it->second;
  }

  std::string prefix;  // hierarchical path of the module being expanded ("" or "u_s0.g_rna[3].u_rna.")

  void expand(const json& mod, std::unordered_map<std::int64_t, std::int64_t>& local, int depth) {
    if (depth > 64) fail(file, "the module hierarchy is deeper than 64 levels (a recursive module?)");
    const auto cs = mod.find("cells");
    if (cs == mod.end()) return;
    for (const auto& [name, cell] : cs->items()) {
      const std::string type = cell.at("type").get<std::string>();
      const json& conns = cell.at("connections");
      const auto sub = modules.find(type);
      // A liberty cell, or a black box kept as an instance of an undefined module (OpenSTA makes it
      // a black box): written as it is.
      const bool leaf = sub == modules.end();
      if (leaf || black_box(*sub)) {
        Cell c;
        c.type = type;
        for (const auto& [pin, bits] : conns.items()) {
          std::vector<std::int64_t> nets;
          for (const auto& b : bits) nets.push_back(net(b, local));
          c.pins.emplace_back(pin, std::move(nets));
        }
        if (leaf && conns.contains("CLK") && conns.contains("Q") && conns.at("Q").size() == 1 &&
            conns.at("Q")[0].is_number_integer()) {
          const auto& names = names_of(mod);
          if (const auto it = names.find(conns.at("Q")[0].get<std::int64_t>()); it != names.end())
            c.reg = prefix + it->second;
        }
        if (!leaf) c.reg = prefix + name;  // a black box: its instance path
        cells.push_back(std::move(c));
        black_boxes += leaf ? 0 : 1;
        continue;
      }
      std::unordered_map<std::int64_t, std::int64_t> inner;
      const auto ports = sub->find("ports");
      if (ports != sub->end())
        for (const auto& [pname, port] : ports->items()) {
          const json& bits = port.at("bits");
          const auto conn = conns.find(pname);
          for (std::size_t i = 0; i < bits.size(); ++i) {
            const std::int64_t outer =
                conn != conns.end() && i < conn->size() ? net((*conn)[i], local) : fresh();  // unconnected: its own net
            if (bits[i].is_string()) {
              unite(constant(bits[i].get<std::string>()), outer);
              continue;
            }
            const auto [it, added] = inner.try_emplace(bits[i].get<std::int64_t>(), outer);
            if (!added) unite(it->second, outer);
          }
        }
      const std::string saved = prefix;
      prefix += name + ".";
      expand(*sub, inner, depth + 1);
      prefix = saved;
    }
  }
};

// The liberty's cells: output pins and area (a scan of cell(...), pin(...), direction and area).
struct Library {
  struct CellInfo {
    std::vector<std::string> inputs, outputs;
    double area = 0;
  };
  std::map<std::string, CellInfo> cells;
};

Library read_library(const std::string& file) {
  const std::string text = read_file(file);
  Library lib;
  Library::CellInfo* cell = nullptr;
  std::string pin;
  std::size_t i = 0;
  const auto word = [&](std::size_t& k) {
    const std::size_t b = k;
    while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '_' || text[k] == '.' ||
                               text[k] == '-' || text[k] == '+'))
      ++k;
    return text.substr(b, k - b);
  };
  const auto skip = [&](std::size_t& k) {
    while (k < text.size() && (std::isspace(static_cast<unsigned char>(text[k])) || text[k] == '"')) ++k;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {  // a comment
      const auto e = text.find("*/", i + 2);
      i = e == std::string::npos ? text.size() : e + 2;
      continue;
    }
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_')) {
      ++i;
      continue;
    }
    const std::string w = word(i);
    std::size_t k = i;
    skip(k);
    if ((w == "cell" || w == "pin") && k < text.size() && text[k] == '(') {
      ++k;
      skip(k);
      const std::string name = word(k);
      if (w == "cell") {
        cell = &lib.cells[name];
        pin.clear();
      } else {
        pin = name;
      }
      i = k;
    } else if ((w == "direction" || w == "area") && k < text.size() && text[k] == ':') {
      ++k;
      skip(k);
      const std::string v = word(k);
      if (cell && w == "area" && cell->area == 0) cell->area = std::atof(v.c_str());
      if (cell && w == "direction" && !pin.empty()) {
        (v == "output" ? cell->outputs : cell->inputs).push_back(pin);
        pin.clear();
      }
      i = k;
    }
  }
  if (lib.cells.empty()) fail(file, "holds no liberty cells");
  return lib;
}

// The buffer for fanout repair: the named one, else the plain (not clock, not tri-state) buffer
// of largest area, as the strongest.
std::string pick_buffer(const Library& lib, const FanoutRepair& r) {
  if (!r.buffer.empty()) {
    const auto it = lib.cells.find(r.buffer);
    if (it == lib.cells.end() || it->second.inputs.size() != 1 || it->second.outputs.size() != 1)
      fail(r.liberty, "has no one-input buffer cell '{}'", r.buffer);
    return r.buffer;
  }
  std::string best;
  double area = -1;
  for (const auto& [name, c] : lib.cells)
    if (name.rfind("BUF", 0) == 0 && c.inputs.size() == 1 && c.outputs.size() == 1 && c.area > area) {
      best = name;
      area = c.area;
    }
  return best;
}

bool plain_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (const char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string identifier(const std::string& s) { return plain_identifier(s) ? s : "\\" + s + " "; }

struct Port {
  std::string name, dir;
  std::vector<std::int64_t> nets;
};

// The top's ports and every cell below it, flattened into f.
std::vector<Port> flatten_top(const json& doc, const std::string& top, const std::string& file, Flattener& f) {
  const json& mods = doc.at("modules");
  const auto topm = mods.find(top);
  if (topm == mods.end()) fail(file, "has no module '{}'", top);
  std::unordered_map<std::int64_t, std::int64_t> local;
  std::vector<Port> ports;
  try {
    if (const auto ps = topm->find("ports"); ps != topm->end())
      for (const auto& [name, p] : ps->items()) {
        Port port{name, p.at("direction").get<std::string>(), {}};
        for (const auto& b : p.at("bits")) port.nets.push_back(f.net(b, local));
        ports.push_back(std::move(port));
      }
    f.expand(*topm, local, 0);
  } catch (const json::exception& e) {
    fail(file, "malformed netlist: {}", e.what());
  }
  return ports;
}

// Buffer trees on every cell-driven net with more than repair.max_fanout loads (FanoutRepair).
FlatNetlistStats repair_fanout(Flattener& f, const std::vector<Port>& ports, const FanoutRepair& repair) {
  FlatNetlistStats stats;
  stats.black_boxes = f.black_boxes;
  if (repair.max_fanout > 1) {
    const Library lib = read_library(repair.liberty);
    const std::string buf = pick_buffer(lib, repair);
    if (!buf.empty()) {
      const Library::CellInfo& bi = lib.cells.at(buf);
      // Loads (cell, pin, bit) and whether a cell drives the net, per net root.
      struct Load {
        std::size_t cell, pin, bit;
      };
      std::unordered_map<std::int64_t, std::vector<Load>> loads;
      std::unordered_map<std::int64_t, bool> driven;
      std::vector<std::int64_t> nets;  // in order of first use: deterministic trees
      for (std::size_t c = 0; c < f.cells.size(); ++c) {
        const auto li = lib.cells.find(f.cells[c].type);
        for (std::size_t p = 0; p < f.cells[c].pins.size(); ++p) {
          const std::string& pin = f.cells[c].pins[p].first;
          const bool out = li != lib.cells.end() &&
                           std::find(li->second.outputs.begin(), li->second.outputs.end(), pin) != li->second.outputs.end();
          for (std::size_t b = 0; b < f.cells[c].pins[p].second.size(); ++b) {
            const std::int64_t n = f.find(f.cells[c].pins[p].second[b]);
            if (n < kConstants) continue;
            if (!loads.count(n) && !driven.count(n)) nets.push_back(n);
            if (out) driven[n] = true;
            else loads[n].push_back({c, p, b});
          }
        }
      }
      std::int64_t clock = -1;
      for (const auto& p : ports)
        if (p.name == repair.clock && p.nets.size() == 1) clock = f.find(p.nets[0]);
      const auto k = static_cast<std::size_t>(repair.max_fanout);
      for (const std::int64_t n : nets) {
        if (n == clock || !driven.count(n)) continue;
        std::vector<Load> level = loads[n];
        while (level.size() > k) {  // one more level of buffers, each driving at most k of them
          std::vector<Load> up;
          for (std::size_t at = 0; at < level.size(); at += k) {
            const std::int64_t m = f.fresh();
            for (std::size_t j = at; j < std::min(level.size(), at + k); ++j)
              f.cells[level[j].cell].pins[level[j].pin].second[level[j].bit] = m;
            Flattener::Cell b;
            b.type = buf;
            b.pins = {{bi.inputs[0], {n}}, {bi.outputs[0], {m}}};
            f.cells.push_back(std::move(b));
            up.push_back({f.cells.size() - 1, 0, 0});
            ++stats.buffers;
            stats.buffer_area_um2 += bi.area;
          }
          level = std::move(up);
        }
      }
    }
  }
  stats.cells = static_cast<std::int64_t>(f.cells.size()) - f.black_boxes;
  return stats;
}

// The flat module's text.
std::string verilog_text(Flattener& f, const std::vector<Port>& ports, const std::string& top, const std::string& source,
                         const FlatNetlistStats& stats, std::string* registers) {
  // A net that holds a top port bit is named after it (inputs first), as Yosys names them, so
  // ports connect to cells directly; other nets get dense names in order of first use, so the
  // text does not depend on the ids' history.
  const auto port_bit = [](const Port& p, std::size_t i) {
    return p.nets.size() == 1 ? identifier(p.name) : fmt::format("{}[{}]", identifier(p.name), i);
  };
  std::unordered_map<std::int64_t, std::string> named;
  for (const char* dir : {"input", "output"})
    for (const auto& p : ports)
      if (p.dir == dir)
        for (std::size_t i = 0; i < p.nets.size(); ++i) {
          const std::int64_t n = f.find(p.nets[i]);
          if (n >= kConstants) named.try_emplace(n, port_bit(p, i));
        }
  std::unordered_map<std::int64_t, std::int64_t> dense;
  std::vector<std::int64_t> order;
  const auto name = [&](std::int64_t n) -> std::string {
    n = f.find(n);
    if (n == 0 || n == 2) return "1'b0";  // x: any value; 0
    if (n == 1) return "1'b1";
    if (n == 3) return "";  // z: left unconnected
    if (const auto it = named.find(n); it != named.end()) return it->second;
    const auto [it, added] = dense.try_emplace(n, static_cast<std::int64_t>(order.size()));
    if (added) order.push_back(n);
    return fmt::format("n{}", it->second);
  };
  std::string body;
  body.reserve(f.cells.size() * 64);
  for (const auto& p : ports)
    for (std::size_t i = 0; i < p.nets.size(); ++i) {
      const std::string n = name(p.nets[i]), bit = port_bit(p, i);
      if (n.empty() || n == bit) continue;
      if (p.dir == "output") body += fmt::format("  assign {} = {};\n", bit, n);  // a constant, or another port's net
      else if (n[0] != '1') body += fmt::format("  assign {} = {};\n", n, bit);
    }
  // A cell pin tied to a constant connects to the port rnn_tie0 or rnn_tie1 instead: the Debian
  // OpenSTA's report_power crashes on constant-driven pins (and on set_case_analysis), so sta.tcl
  // gives these ports no activity. (Mapping module by module leaves such pins where a parent ties
  // a child's input.)
  bool tie[2] = {false, false};
  const auto pin_net = [&](std::int64_t n) -> std::string {
    const std::string v = name(n);
    if (v == "1'b0" || v == "1'b1") {
      tie[v == "1'b1"] = true;
      return v == "1'b1" ? "rnn_tie1" : "rnn_tie0";
    }
    return v;
  };
  for (std::size_t k = 0; k < f.cells.size(); ++k) {
    const auto& c = f.cells[k];
    body += fmt::format("  {} c{} (", identifier(c.type), k);
    bool first = true;
    for (const auto& [pin, nets] : c.pins) {
      std::string v;
      if (nets.size() == 1) v = pin_net(nets[0]);
      else {
        for (auto it = nets.rbegin(); it != nets.rend(); ++it) {
          const std::string n = pin_net(*it);
          v += (v.empty() ? "{" : ", ") + (n.empty() ? pin_net(0) : n);
        }
        v += "}";
      }
      if (v.empty()) continue;
      body += fmt::format("{}.{}({})", first ? "" : ", ", identifier(pin), v);
      first = false;
    }
    body += ");\n";
  }
  if (registers) {
    *registers = fmt::format("# generated by rapidnn {} from {} -- DO NOT EDIT.\n# RTL names in '{}': each flip-flop whose Q is a named "
                             "RTL signal bit, and each pin bit of each black box (a memory); cell, type, net, RTL "
                             "reference (below the top)\n",
                             RAPIDNN_VERSION, source, top);
    for (std::size_t k = 0; k < f.cells.size(); ++k) {
      const auto& c = f.cells[k];
      if (c.reg.empty()) continue;
      const bool box = c.pins.end() == std::find_if(c.pins.begin(), c.pins.end(), [](const auto& p) { return p.first == "CLK"; });
      for (const auto& [pin, nets] : c.pins) {
        if (!box && !(pin == "Q" && nets.size() == 1)) continue;
        for (std::size_t i = 0; i < nets.size(); ++i) {
          const std::string q = name(nets[i]);
          if (q.empty() || q[0] == '1') continue;  // a constant or unconnected bit
          *registers += box ? fmt::format("c{}\t{}\t{}\t{}.{}[{}]\n", k, c.type, q, c.reg, pin, i)
                            : fmt::format("c{}\t{}\t{}\t{}\n", k, c.type, q, c.reg);
        }
      }
    }
  }
  std::string out = fmt::format("// generated by rapidnn {} from {} -- DO NOT EDIT.\n// Flat netlist of '{}' for OpenSTA ({} "
                                "cells, {} of them fanout buffers; {} black boxes).\n",
                                RAPIDNN_VERSION, source, top, stats.cells, stats.buffers,
                                f.black_boxes);
  out += fmt::format("module {} (", identifier(top));
  for (std::size_t i = 0; i < ports.size(); ++i) out += fmt::format("{}{}", i ? ", " : "", identifier(ports[i].name));
  for (int v = 0; v < 2; ++v)
    if (tie[v]) out += fmt::format(", rnn_tie{}", v);
  out += ");\n";
  for (int v = 0; v < 2; ++v)
    if (tie[v]) out += fmt::format("  input rnn_tie{};  // constant {}\n", v, v);
  for (const auto& p : ports) {
    const std::string dir = p.dir == "output" ? "output" : p.dir == "inout" ? "inout" : "input";
    if (p.nets.size() == 1) out += fmt::format("  {} {};\n", dir, identifier(p.name));
    else out += fmt::format("  {} [{}:0] {};\n", dir, p.nets.size() - 1, identifier(p.name));
  }
  for (std::size_t i = 0; i < order.size(); ++i) out += fmt::format("  wire n{};\n", i);
  out += body + "endmodule\n";
  return out;
}

}  // namespace

FlatNetlistStats write_flat_netlist(const fs::path& json_file, const std::string& top, const fs::path& verilog_file,
                                    const FanoutRepair& repair, const fs::path& register_map) {
  json doc;
  try {
    doc = json::parse(read_file(json_file));
  } catch (const json::exception& e) {
    fail(json_file.string(), "not a Yosys JSON netlist: {}", e.what());
  }
  const auto mods = doc.find("modules");
  if (mods == doc.end() || !mods->is_object()) fail(json_file.string(), "has no modules");
  Flattener f(*mods, json_file.string());
  const std::vector<Port> ports = flatten_top(doc, top, json_file.string(), f);
  const FlatNetlistStats stats = repair_fanout(f, ports, repair);
  std::string registers;
  write_file_atomic(verilog_file, verilog_text(f, ports, top, json_file.filename().string(), stats,
                                               register_map.empty() ? nullptr : &registers));
  if (!register_map.empty()) write_file_atomic(register_map, registers);
  return stats;
}

FlatNetlist read_flat_netlist(const std::string& file) {
  FlatNetlist n;
  n.text = read_file(file);
  std::istringstream in(n.text);
  int line_no = 0;
  const auto bad = [&](const std::string& why) { fail(file, "line {}: {} (not a netlist written by rapidnn synth)", line_no, why); };
  for (std::string raw; std::getline(in, raw);) {
    ++line_no;
    std::string line = trim(raw.substr(0, raw.find("//")));
    if (line.empty()) continue;
    if (line.rfind("module ", 0) == 0) {
      if (!n.top.empty()) bad("a second module");
      n.top = trim(line.substr(7, line.find('(') - 7));
      continue;
    }
    if (line == "endmodule") break;
    if (n.top.empty()) bad("text before the module");
    if (line.rfind("input ", 0) == 0 || line.rfind("output ", 0) == 0 || line.rfind("inout ", 0) == 0) {
      FlatNetlist::Port p;
      p.dir = line.substr(0, line.find(' '));
      std::string rest = trim(line.substr(p.dir.size()));
      if (!rest.empty() && rest[0] == '[') {
        const auto colon = rest.find(':');
        p.width = std::stoi(rest.substr(1, colon - 1)) + 1;
        rest = trim(rest.substr(rest.find(']') + 1));
      }
      p.name = trim(rest.substr(0, rest.find(';')));
      n.ports.push_back(p);
      continue;
    }
    if (line.rfind("wire ", 0) == 0) continue;
    if (line.rfind("assign ", 0) == 0) {
      const auto eq = line.find('=');
      if (eq == std::string::npos) bad("an assign without '='");
      n.assigns.emplace_back(trim(line.substr(7, eq - 7)), trim(line.substr(eq + 1, line.rfind(';') - eq - 1)));
      continue;
    }
    // TYPE NAME (.PIN(net), .PIN({msb, ..., lsb}));  TYPE may be an escaped identifier.
    FlatNetlist::Cell c;
    std::size_t i = 0;
    if (line[0] == '\\') {
      const auto sp = line.find(' ');
      c.type = line.substr(1, sp - 1);
      i = sp;
    } else {
      i = line.find(' ');
      c.type = line.substr(0, i);
    }
    const auto open = line.find('(', i);
    if (i == std::string::npos || open == std::string::npos) bad("not a cell instance");
    c.name = trim(line.substr(i, open - i));
    for (std::size_t p = line.find('.', open); p != std::string::npos && p < line.size(); p = line.find('.', p)) {
      const auto lp = line.find('(', p);
      if (lp == std::string::npos) bad("a pin without '('");
      const std::string pin = line.substr(p + 1, lp - p - 1);
      std::size_t rp;
      std::vector<std::string> nets;
      if (line[lp + 1] == '{') {
        rp = line.find('}', lp);
        if (rp == std::string::npos) bad("an unclosed '{'");
        std::istringstream parts(line.substr(lp + 2, rp - lp - 2));
        for (std::string part; std::getline(parts, part, ',');) nets.insert(nets.begin(), trim(part));
        rp = line.find(')', rp);
      } else {
        rp = line.find(')', lp);
        nets.push_back(trim(line.substr(lp + 1, rp - lp - 1)));
      }
      if (rp == std::string::npos) bad("an unclosed pin connection");
      c.pins.emplace_back(pin, std::move(nets));
      p = rp + 1;
    }
    n.cells.push_back(std::move(c));
  }
  if (n.top.empty()) fail(file, "holds no module");
  return n;
}

std::vector<NetlistName> read_netlist_names(const std::string& file) {
  if (!fs::exists(file))
    fail(file, "the register map is missing: synthesize the top again with this rapidnn (rapidnn synth --block top)");
  std::vector<NetlistName> out;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream w(line);
    NetlistName r;
    if (!std::getline(w, r.cell, '\t') || !std::getline(w, r.type, '\t') || !std::getline(w, r.net, '\t') ||
        !std::getline(w, r.ref))
      fail(file, "malformed line '{}'", line);
    out.push_back(r);
  }
  return out;
}

}  // namespace rapidnn
