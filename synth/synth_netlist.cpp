// Yosys JSON netlist (hierarchical, mapped) -> flat structural Verilog (see synth_netlist.h).
#include "synth/synth_netlist.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
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

struct Flattener {
  Flattener(const json& m, std::string f) : modules(m), file(std::move(f)) {}
  const json& modules;
  std::string file;
  std::vector<std::int64_t> parent{0, 1, 2, 3};
  struct Cell {
    std::string type;
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> pins;
  };
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
      expand(*sub, inner, depth + 1);
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
                         const FlatNetlistStats& stats) {
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
                                    const FanoutRepair& repair) {
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
  write_file_atomic(verilog_file, verilog_text(f, ports, top, json_file.filename().string(), stats));
  return stats;
}

}  // namespace rapidnn
