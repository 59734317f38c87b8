// Liberty cells -> Verilog simulation models, and their proof against the vendor's models (see
// gate_cells.h).
#include "synth/gate_cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/fileio.h"
#include "core/process.h"

namespace rapidnn {
namespace {

namespace fs = std::filesystem;

// Liberty syntax: groups `type (args) { ... }`, simple attributes `name : value ;` and complex
// attributes `name (args) ;`. Only what the models need is kept.
struct Group {
  std::string type;
  std::vector<std::string> args;
  std::map<std::string, std::string> attrs;
  std::vector<Group> groups;
};

class LibertyParser {
 public:
  LibertyParser(const std::string& text, std::string file) : t_(text), file_(std::move(file)) {}

  Group parse() {
    Group root;
    statements(root, false);
    return root;
  }

 private:
  const std::string& t_;
  std::string file_;
  std::size_t i_ = 0;

  int line() const { return 1 + static_cast<int>(std::count(t_.begin(), t_.begin() + static_cast<std::ptrdiff_t>(i_), '\n')); }

  void skip() {
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (std::isspace(static_cast<unsigned char>(c))) ++i_;
      else if (c == '\\' && i_ + 1 < t_.size() && (t_[i_ + 1] == '\n' || t_[i_ + 1] == '\r')) i_ += 2;
      else if (t_.compare(i_, 2, "/*") == 0) {
        const auto e = t_.find("*/", i_ + 2);
        i_ = e == std::string::npos ? t_.size() : e + 2;
      } else if (t_.compare(i_, 2, "//") == 0) {
        const auto e = t_.find('\n', i_);
        i_ = e == std::string::npos ? t_.size() : e;
      } else break;
    }
  }

  // A word, a quoted string (unquoted), or one punctuation character.
  std::string token() {
    skip();
    if (i_ >= t_.size()) return "";
    const char c = t_[i_];
    if (c == '"') {
      const auto e = t_.find('"', i_ + 1);
      if (e == std::string::npos) fail(file_, "line {}: unterminated string", line());
      std::string s = t_.substr(i_ + 1, e - i_ - 1);
      i_ = e + 1;
      return "\"" + s;  // marked as a string
    }
    if (std::string_view("(){}:;,").find(c) != std::string_view::npos) {
      ++i_;
      return std::string(1, c);
    }
    const std::size_t b = i_;
    while (i_ < t_.size() && !std::isspace(static_cast<unsigned char>(t_[i_])) &&
           std::string_view("(){}:;,\"").find(t_[i_]) == std::string_view::npos)
      ++i_;
    return t_.substr(b, i_ - b);
  }

  static std::string unquote(const std::string& s) { return !s.empty() && s[0] == '"' ? s.substr(1) : s; }

  void expect(const std::string& tok, const char* what) {
    const std::string got = token();
    if (got != what) fail(file_, "line {}: expected '{}' in {}, found '{}'", line(), what, tok, unquote(got));
  }

  void statements(Group& g, bool braced) {
    for (;;) {
      const std::string name = token();
      if (name.empty()) {
        if (braced) fail(file_, "unexpected end of file inside group '{}'", g.type);
        return;
      }
      if (name == "}") {
        if (!braced) fail(file_, "line {}: unbalanced '}}'", line());
        return;
      }
      if (name == ";") continue;
      const std::string next = token();
      if (next == ":") {
        std::string value;
        for (std::string v = token(); v != ";"; v = token()) {
          if (v.empty() || v == "}") fail(file_, "line {}: attribute '{}' has no ';'", line(), name);
          if (!value.empty()) value += ' ';
          value += unquote(v);
        }
        g.attrs[name] = value;
      } else if (next == "(") {
        Group child;
        child.type = name;
        for (std::string v = token(); v != ")"; v = token()) {
          if (v.empty()) fail(file_, "line {}: '{}(' is not closed", line(), name);
          if (v != ",") child.args.push_back(unquote(v));
        }
        skip();
        if (i_ < t_.size() && t_[i_] == '{') {
          ++i_;
          statements(child, true);
          g.groups.push_back(std::move(child));
        } else {
          std::string joined;
          for (const auto& a : child.args) {
            if (!joined.empty()) joined += ',';
            joined += a;
          }
          g.attrs[name] = joined;  // a complex attribute
        }
      } else {
        fail(file_, "line {}: '{}' is followed by '{}', not ':' or '('", line(), name, unquote(next));
      }
    }
  }
};

// Liberty boolean functions: ! and ' (not), ^ (xor), & * or juxtaposition (and), | + (or), in
// that order of precedence; 0 and 1 constants.
class FunctionParser {
 public:
  explicit FunctionParser(const std::string& f) : f_(f) {}
  std::string parse() {
    std::string e = disjunction();
    skip();
    if (i_ != f_.size()) bad("unexpected '" + f_.substr(i_, 1) + "'");
    return e;
  }

 private:
  const std::string& f_;
  std::size_t i_ = 0;

  [[noreturn]] void bad(const std::string& why) const { fail("", "liberty function \"{}\": {}", f_, why); }
  void skip() {
    while (i_ < f_.size() && std::isspace(static_cast<unsigned char>(f_[i_]))) ++i_;
  }
  char peek() {
    skip();
    return i_ < f_.size() ? f_[i_] : '\0';
  }
  static bool starts_factor(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '(' || c == '!'; }

  std::string disjunction() {
    std::string e = conjunction();
    while (peek() == '+' || peek() == '|') {
      ++i_;
      e = "(" + e + " | " + conjunction() + ")";
    }
    return e;
  }
  std::string conjunction() {
    std::string e = exclusive();
    for (;;) {
      const char c = peek();
      if (c == '&' || c == '*') ++i_;
      else if (!starts_factor(c)) break;
      e = "(" + e + " & " + exclusive() + ")";
    }
    return e;
  }
  std::string exclusive() {
    std::string e = unary();
    while (peek() == '^') {
      ++i_;
      e = "(" + e + " ^ " + unary() + ")";
    }
    return e;
  }
  std::string unary() {
    if (peek() == '!') {
      ++i_;
      return "~" + unary();
    }
    std::string e = primary();
    while (peek() == '\'') {
      ++i_;
      e = "~" + e;
    }
    return e;
  }
  std::string primary() {
    const char c = peek();
    if (c == '(') {
      ++i_;
      std::string e = disjunction();
      if (peek() != ')') bad("missing ')'");
      ++i_;
      return e;  // every operator's result is parenthesized already
    }
    if (c == '0' || c == '1') {
      ++i_;
      return c == '1' ? "1'b1" : "1'b0";
    }
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_')) bad(c ? "unexpected '" + std::string(1, c) + "'" : "ends early");
    const std::size_t b = i_;
    while (i_ < f_.size() && (std::isalnum(static_cast<unsigned char>(f_[i_])) || f_[i_] == '_')) ++i_;
    return f_.substr(b, i_ - b);
  }
};

// "CLK" -> {posedge, CLK}; "(!CLK)" / "CLK'" -> {negedge, CLK}; else empty.
std::pair<std::string, std::string> edge_of(const std::string& expr) {
  std::string s;
  for (const char c : expr)
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')') s += c;
  bool neg = false;
  if (!s.empty() && s[0] == '!') {
    neg = true;
    s.erase(0, 1);
  } else if (!s.empty() && s.back() == '\'') {
    neg = true;
    s.pop_back();
  }
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
    return {};
  return {neg ? "negedge" : "posedge", s};
}

LibertyCell cell_of(const Group& g) {
  LibertyCell c;
  c.name = g.args.empty() ? "" : g.args[0];
  for (const auto& p : g.groups) {
    if (p.type == "ff" || p.type == "latch" || p.type == "statetable") {
      if (p.type != "ff") {
        c.unsupported = true;
        c.why = "a " + p.type + " group";
        continue;
      }
      c.sequential = true;
      if (p.args.size() == 2) {
        c.iq = p.args[0];
        c.iqn = p.args[1];
      }
      const auto get = [&](const char* k) { return p.attrs.count(k) ? p.attrs.at(k) : std::string(); };
      c.next_state = get("next_state");
      c.clocked_on = get("clocked_on");
      c.clear = get("clear");
      c.preset = get("preset");
      c.clear_preset_var1 = get("clear_preset_var1");
      if (c.iq.empty() || c.next_state.empty() || edge_of(c.clocked_on).first.empty() ||
          (!c.clear.empty() && edge_of(c.clear).first.empty()) || (!c.preset.empty() && edge_of(c.preset).first.empty())) {
        c.unsupported = true;
        c.why = "an ff group the models cannot express";
      }
    }
    if (p.type != "pin" || p.args.empty()) continue;
    const auto dir = p.attrs.find("direction");
    if (dir == p.attrs.end()) continue;
    if (dir->second == "input") c.inputs.push_back(p.args[0]);
    else if (dir->second == "output") {
      const auto fn = p.attrs.find("function");
      if (fn == p.attrs.end()) {
        c.unsupported = true;
        c.why = "output " + p.args[0] + " has no function";
      }
      if (p.attrs.count("three_state")) {
        c.unsupported = true;
        c.why = "a tri-state output";
      }
      c.outputs.emplace_back(p.args[0], fn == p.attrs.end() ? "" : fn->second);
    } else {
      c.unsupported = true;
      c.why = "an " + dir->second + " pin";
    }
  }
  return c;
}

std::string model_of(const LibertyCell& c, const std::string& prefix) {
  std::string ports;
  for (const auto& i : c.inputs) ports += (ports.empty() ? "" : ", ") + i;
  for (const auto& [o, f] : c.outputs) ports += (ports.empty() ? "" : ", ") + o;
  std::string m = fmt::format("module {}{} ({});\n", prefix, c.name, ports);
  for (const auto& i : c.inputs) m += fmt::format("  input wire {};\n", i);
  for (const auto& [o, f] : c.outputs) m += fmt::format("  output wire {};\n", o);
  if (c.sequential) {
    const auto [ck_edge, ck] = edge_of(c.clocked_on);
    std::string sens = ck_edge + " " + ck;
    std::vector<std::string> async;  // condition, value, in priority order
    const auto add = [&](const std::string& expr, const char* value) {
      const auto [e, pin] = edge_of(expr);
      sens += " or " + e + " " + pin;
      async.push_back(fmt::format("if ({}) {} <= {};", liberty_function_verilog(expr), c.iq, value));
    };
    const bool preset_first = c.clear_preset_var1 == "H";
    if (preset_first && !c.preset.empty()) add(c.preset, "1'b1");
    if (!c.clear.empty()) add(c.clear, "1'b0");
    if (!preset_first && !c.preset.empty()) add(c.preset, "1'b1");
    m += fmt::format("  reg {};\n", c.iq);
    if (!c.iqn.empty()) m += fmt::format("  wire {} = ~{};\n", c.iqn, c.iq);
    m += fmt::format("  always @({})\n", sens);
    std::string indent = "    ";
    for (const auto& a : async) {
      m += indent + a + "\n" + indent + "else\n";
      indent += "  ";
    }
    m += fmt::format("{}{} <= {};\n", indent, c.iq, liberty_function_verilog(c.next_state));
  }
  for (const auto& [o, f] : c.outputs) m += fmt::format("  assign {} = {};\n", o, liberty_function_verilog(f));
  m += "endmodule\n";
  return m;
}

const LibertyCell& find_cell(const std::vector<LibertyCell>& lib, const std::string& name, const std::string& liberty) {
  for (const auto& c : lib)
    if (c.name == name) {
      if (c.unsupported) fail(liberty, "cell {} cannot be simulated: it has {}", name, c.why);
      return c;
    }
  fail(liberty, "has no cell '{}' (the netlist uses it)", name);
}

// The Icarus testbench block of one cell: derived model and vendor model side by side.
std::string proof_block(const LibertyCell& c, std::size_t k, int events) {
  const std::size_t n = c.inputs.size(), m = c.outputs.size();
  std::string b = fmt::format("  reg [{}:0] v{};\n  wire [{}:0] r{}, d{};\n", std::max<std::size_t>(n, 1) - 1, k, m - 1, k, k);
  std::string conn_r, conn_d;
  for (std::size_t i = 0; i < n; ++i) {
    conn_r += fmt::format("{}.{}(v{}[{}])", conn_r.empty() ? "" : ", ", c.inputs[i], k, i);
  }
  conn_d = conn_r;
  for (std::size_t o = 0; o < m; ++o) {
    conn_r += fmt::format(", .{}(r{}[{}])", c.outputs[o].first, k, o);
    conn_d += fmt::format(", .{}(d{}[{}])", c.outputs[o].first, k, o);
  }
  b += fmt::format("  {} ref{} ({});\n  rnn_lib_{} der{} ({});\n", c.name, k, conn_r, c.name, k, conn_d);
  b += fmt::format("  integer i{0}, j{0}, seen{0};\n  initial begin\n    seen{0} = 0;\n", k);
  if (!c.sequential) {
    b += fmt::format("    for (i{0} = 0; i{0} < {1}; i{0} = i{0} + 1) begin\n      v{0} = i{0}; #1;\n"
                     "      if (r{0} !== d{0}) $display(\"DIFF {2} inputs %b vendor %b derived %b\", v{0}, r{0}, d{0});\n"
                     "      seen{0} = seen{0} + 1;\n    end\n",
                     k, 1u << n, c.name);
  } else {
    // Seeded events: the clock toggles half the time; data, clear and preset change otherwise;
    // clear and preset are never active together (the liberty's clear_preset_var1 case).
    std::string assigns;
    const auto idx = [&](const std::string& pin) {
      for (std::size_t i = 0; i < n; ++i)
        if (c.inputs[i] == pin) return static_cast<int>(i);
      return -1;
    };
    const auto ck = idx(edge_of(c.clocked_on).second);
    const auto cl = c.clear.empty() ? -1 : idx(edge_of(c.clear).second);
    const auto pr = c.preset.empty() ? -1 : idx(edge_of(c.preset).second);
    const bool cl_low = !c.clear.empty() && edge_of(c.clear).first == "negedge";
    const bool pr_low = !c.preset.empty() && edge_of(c.preset).first == "negedge";
    std::string idle;  // clear and preset inactive
    if (cl >= 0) idle += fmt::format(" v{}[{}] = {};", k, cl, cl_low ? 1 : 0);
    if (pr >= 0) idle += fmt::format(" v{}[{}] = {};", k, pr, pr_low ? 1 : 0);
    b += fmt::format("    v{0} = 0;{1} #1;\n    for (i{0} = 0; i{0} < {2}; i{0} = i{0} + 1) begin\n"
                     "      j{0} = $random(seed) & 15;\n",
                     k, idle, events);
    b += fmt::format("      if (j{0} < 8) v{0}[{1}] = ~v{0}[{1}];\n", k, ck);
    b += fmt::format("      else if (j{0} < 13) v{0} = ($random(seed) & ~({2}'d1 << {1})) | (v{0} & ({2}'d1 << {1}));\n", k, ck, n);
    b += fmt::format("      else if (j{0} < 15) begin{1} end\n", k, idle);
    if (cl >= 0 || pr >= 0) {
      std::string act;
      if (cl >= 0) act += fmt::format("if ($random(seed) & 1) v{}[{}] = {}; ", k, cl, cl_low ? 0 : 1);
      if (pr >= 0)
        act += fmt::format("if ({}) v{}[{}] = {};", cl >= 0 ? fmt::format("v{}[{}] == {}", k, cl, cl_low ? 1 : 0) : "1", k, pr,
                           pr_low ? 0 : 1);
      b += fmt::format("      else begin{} {} end\n", idle, act);
    }
    // Outside the idle step, a random data change may have hit clear or preset: keep them apart.
    if (cl >= 0 && pr >= 0)
      b += fmt::format("      if (v{0}[{1}] == {2} && v{0}[{3}] == {4}) v{0}[{3}] = {5};\n", k, cl, cl_low ? 0 : 1, pr,
                       pr_low ? 0 : 1, pr_low ? 1 : 0);
    b += fmt::format("      #1;\n      for (j{0} = 0; j{0} < {1}; j{0} = j{0} + 1)\n"
                     "        if (r{0}[j{0}] !== 1'bx) begin\n          seen{0} = seen{0} + 1;\n"
                     "          if (r{0}[j{0}] !== d{0}[j{0}]) $display(\"DIFF {2} event %0d inputs %b vendor %b derived %b\", "
                     "i{0}, v{0}, r{0}, d{0});\n        end\n    end\n",
                     k, m, c.name);
  }
  b += fmt::format("    $display(\"DONE {} %0d\", seen{});\n  end\n", c.name, k);
  return b;
}

}  // namespace

std::vector<LibertyCell> read_liberty_cells(const std::string& liberty) {
  const std::string text = read_file(liberty);
  const Group root = LibertyParser(text, liberty).parse();
  std::vector<LibertyCell> out;
  for (const auto& lib : root.groups)
    for (const auto& g : lib.groups)
      if (g.type == "cell") out.push_back(cell_of(g));
  if (out.empty()) fail(liberty, "holds no liberty cells");
  return out;
}

std::string liberty_function_verilog(const std::string& function) { return FunctionParser(function).parse(); }

std::string cell_models_verilog(const std::vector<LibertyCell>& lib, const std::set<std::string>& cells,
                                const std::string& prefix, const std::string& liberty) {
  std::string out;
  for (const auto& name : cells) out += model_of(find_cell(lib, name, liberty), prefix);
  return out;
}

std::vector<std::string> prove_cell_models(const std::vector<LibertyCell>& lib, const std::set<std::string>& cells,
                                           const std::string& liberty, const std::string& reference,
                                           const std::string& work_dir) {
  if (find_program("iverilog").empty())
    fail("iverilog", "not found in PATH; install the Debian package iverilog (scripts/setup.sh does)");
  if (!fs::exists(reference)) fail(reference, "the cell models to prove against are missing (Debian package qflow-tech-osu018)");
  constexpr int kEvents = 4000;
  std::string tb = "// generated by rapidnn -- DO NOT EDIT.\n// Derived cell models against the vendor's, every output after every event.\n"
                   "`timescale 1ns/10ps\nmodule rnn_prove;\n  integer seed = 1;\n";
  std::size_t k = 0;
  std::vector<const LibertyCell*> used;
  for (const auto& name : cells) used.push_back(&find_cell(lib, name, liberty));
  for (const auto* c : used) tb += proof_block(*c, k++, kEvents);
  tb += "endmodule\n";
  const fs::path dir(work_dir);
  fs::create_directories(dir);
  write_file_atomic(dir / "prove_tb.v", tb);
  write_file_atomic(dir / "derived_cells.v", "`timescale 1ns/10ps\n" + cell_models_verilog(lib, cells, "rnn_lib_", liberty));
  const ProcessResult c = run_process({"iverilog", "-g2005", "-o", (dir / "prove.vvp").string(), "-s", "rnn_prove",
                                       (dir / "prove_tb.v").string(), (dir / "derived_cells.v").string(), reference});
  if (c.exit_code != 0) fail(reference, "iverilog could not compile the cell-model proof:\n{}", c.output);
  const ProcessResult r = run_process({"vvp", "-n", (dir / "prove.vvp").string()});
  if (r.exit_code != 0) fail(reference, "the cell-model proof did not run (exit {}):\n{}", r.exit_code, r.output);
  std::istringstream lines(r.output);
  std::vector<std::string> out;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("DIFF ", 0) == 0)
      fail(liberty, "the model derived for {} differs from {}: {}", line.substr(5, line.find(' ', 5) - 5), reference, line.substr(5));
    if (line.rfind("DONE ", 0) == 0) {
      std::istringstream w(line.substr(5));
      std::string name;
      long long seen = 0;
      w >> name >> seen;
      const auto* c = *std::find_if(used.begin(), used.end(), [&](const LibertyCell* x) { return x->name == name; });
      if (seen < (c->sequential ? kEvents / 2 : 1))
        fail(reference, "the proof of {} compared only {} known outputs", name, seen);
      out.push_back(c->sequential ? fmt::format("{}: {} events, {} known outputs compared", name, kEvents, seen)
                                  : fmt::format("{}: all {} input vectors", name, seen));
    }
  }
  if (out.size() != used.size()) fail(reference, "the cell-model proof ended early:\n{}", r.output);
  return out;
}

}  // namespace rapidnn
