// Standard-cell simulation models: liberty cells -> synthesizable Verilog, proved against the
// vendor's own models.
//
// The osu018 Verilog cell models (osu018_stdcells.v, with the liberty in qflow-tech-osu018) use
// user-defined primitives and specify blocks, which Icarus runs but Verilator does not. A
// gate-level co-simulation of a whole design needs Verilator's speed, so each cell's model is
// derived from its liberty description (output pin functions as continuous assignments, ff
// groups as clocked always blocks with their asynchronous clear and preset), and then proved
// equal to the vendor model with Icarus: every input combination of a combinational cell, and a
// long seeded sequence of data, clock, clear and preset events for a sequential one, comparing
// every output after every event. The netlist is then simulated with models that are shown to
// behave as the vendor's.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace rapidnn {

// One liberty cell as the models need it.
struct LibertyCell {
  std::string name;
  std::vector<std::string> inputs;
  std::vector<std::pair<std::string, std::string>> outputs;  // pin, function (liberty syntax)
  bool sequential = false;   // an ff group
  bool unsupported = false;  // a latch, a tri-state output or a function the models cannot express
  std::string why;           // why unsupported
  // ff group
  std::string iq, iqn, next_state, clocked_on, clear, preset, clear_preset_var1;
};

// The cells of a liberty file; throws Error naming the file when it holds none.
std::vector<LibertyCell> read_liberty_cells(const std::string& liberty);

// A liberty boolean function ("(!((A B)+C))", "A^B", "IQ'") as a Verilog expression over the
// same names; throws Error on a malformed one.
std::string liberty_function_verilog(const std::string& function);

// Verilog modules for `cells` (each named `prefix` + the cell's name), from the liberty. Throws
// Error naming the liberty when one of them is missing or unsupported.
std::string cell_models_verilog(const std::vector<LibertyCell>& lib, const std::set<std::string>& cells,
                                const std::string& prefix, const std::string& liberty);

// Proves, with Icarus Verilog in `work_dir`, that the derived model of every cell in `cells`
// behaves as the module of the same name in `reference` (the vendor's Verilog models). Returns
// one line per cell ("NAND2X1: 4 input vectors" / "DFFSR: 4000 events"); throws Error naming the
// cell, the input vector and both outputs at the first difference.
std::vector<std::string> prove_cell_models(const std::vector<LibertyCell>& lib, const std::set<std::string>& cells,
                                           const std::string& liberty, const std::string& reference,
                                           const std::string& work_dir);

}  // namespace rapidnn
