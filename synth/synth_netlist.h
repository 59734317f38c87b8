// Flat gate-level netlist for OpenSTA: Yosys's hierarchical mapped netlist (write_json) -> one
// flat structural Verilog module.
//
// A tile or top is mapped module by module (each distinct module once, so a tile's 32 identical
// RNAs cost one ABC run), but OpenSTA must see it flat: the old OpenSTA in Debian crashes in
// report_power on a hierarchical netlist, and only a flat netlist shows a net's real loads across
// module boundaries (a controller output that drives every RNA). Yosys's own flatten and
// write_verilog take minutes on such a netlist; this writer takes seconds.
//
// Every module instance is expanded; a cell whose type is a liberty cell is written with its named
// pins (high-fanout nets buffered, see FanoutRepair); an instance of a black box (a memory
// synthesized apart) stays an instance of an undefined module, which OpenSTA makes a black box:
// paths start after it (the block's figures add the memory's access time apart).
// Nets are named n<id>, cells c<id>; the top keeps its port names. Deterministic: the same JSON
// gives the same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace rapidnn {

struct FlatNetlistStats {
  std::int64_t cells = 0;        // liberty cells written, buffers included
  std::int64_t black_boxes = 0;  // black-box instances (not in cells)
  std::int64_t buffers = 0;      // buffers inserted on high-fanout nets
  double buffer_area_um2 = 0;    // their area (the liberty's)
};

// Fanout repair, as a placer's buffering would do it: every net driven by a cell with more than
// `max_fanout` loads gets a balanced tree of `buffer` cells (none: 0). Only a net that crosses a
// module boundary can still have that many after ABC, which buffers every net inside a module. The
// clock port's net is left alone (OpenSTA takes the clock as ideal).
struct FanoutRepair {
  std::string liberty;       // pin directions and the buffer's area come from it
  std::string buffer;        // e.g. BUFX4; empty: the liberty's strongest plain buffer
  int max_fanout = 10;       // ABC's own buffering limit
  std::string clock = "clk_i";
};

// Reads `json_file` (Yosys write_json of a mapped design), flattens module `top`, repairs its
// fanout and writes it atomically to `verilog_file`. Fails naming the file on a malformed netlist.
// With `register_map`, also writes there (atomically) one line per flip-flop whose Q is a named
// RTL signal bit, "c<k> TYPE Q-net RTL-reference", tab-separated, the reference a hierarchical
// name below the top ("u_b0.bank0_q[17][1]"), and one per connected pin bit of each black box
// ("c<k> TYPE net u_s0.u_widx.addr_i[3]"): what the gate-level co-simulation compares and what
// simulated switching activity is annotated on.
FlatNetlistStats write_flat_netlist(const std::filesystem::path& json_file, const std::string& top,
                                    const std::filesystem::path& verilog_file, const FanoutRepair& repair,
                                    const std::filesystem::path& register_map = {});

// The flat netlist write_flat_netlist writes, read back: ports, assigns, one cell a line.
struct FlatNetlist {
  struct Port {
    std::string dir, name;
    int width = 0;  // 0: a scalar
  };
  struct Cell {
    std::string type, name;
    std::vector<std::pair<std::string, std::vector<std::string>>> pins;  // nets LSB first
  };
  std::string top, text;
  std::vector<Port> ports;
  std::vector<Cell> cells;
  std::vector<std::pair<std::string, std::string>> assigns;
};
// Throws Error naming the file when it is not such a netlist.
FlatNetlist read_flat_netlist(const std::string& file);

// A line of the register map (write_flat_netlist's `register_map`).
struct NetlistName {
  std::string cell, type, net, ref;
};
// Throws Error naming the file when it is missing or malformed.
std::vector<NetlistName> read_netlist_names(const std::string& file);

}  // namespace rapidnn
