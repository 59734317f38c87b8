// Place and route: one block of an emitted design -> qflow (osu018) -> layout figures and a picture.
//
// The block is synthesized as `rapidnn synth` does (its mapped netlist; a tile's or a top's table
// memories as their ROM netlists), flattened and handed to qflow 1.3.17 as the project's
// structural source: qflow's own Yosys step only flattens, buffers the outputs and writes BLIF,
// so what is placed is the netlist synth measured. Then qflow's stages run one by one: graywolf
// placement (with its global route), vesta static timing, qrouter detailed routing, back-annotated
// timing with the wire parasitics qrouter extracted (rc2dly), magic migration and DRC, netgen LVS
// of the extracted layout against the netlist. The report reads the figures from the tools' own
// files: die and core area and placed-cell area from the DEF and the LEF, routed wire length and
// vias from the DEF's routes, failed routes from qrouter's log, Fmax before and after routing from
// vesta, the DRC count (with magic's reasons) and the LVS verdict. klayout renders the routed DEF
// with the cells' LEF to a PNG, which the flow's report shows.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "generator/rtl_blocks.h"
#include "generator/rtl_plan.h"

namespace rapidnn {

struct LayoutOptions {
  BlockKind block = BlockKind::Rna;
  std::string out_dir;  // default <rtl>.layout/<block>
  std::string tech_dir = "/usr/share/qflow/tech/osu018";
  // graywolf's TWSC*fast: divides its annealing moves per cell (1: qflow's default effort, which
  // takes many minutes past a few thousand cells).
  int placement_fast = 10;
  // Initial core density graywolf pads the rows to with filler (qflow's initial_density; 0: none,
  // qflow's default, rows packed to about 97%, which qrouter struggles to route in ROM logic).
  double density = 0.6;
  // graywolf's full global route (qflow's default) instead of its fast one. qflow needs one of them
  // (graywolf writes the pin file there); the full one takes tens of minutes past 5,000 cells.
  bool global_route = false;
  int image_width = 1200;  // the picture, pixels
};

struct LayoutStageTime {
  std::string stage;
  double seconds = 0.0;
};

struct LayoutReport {
  std::string block, module, description;
  std::int64_t cells = 0, fill_cells = 0;  // placed standard cells; filler cells qflow added to the rows
  double die_um2 = 0.0, die_w_um = 0.0, die_h_um = 0.0, core_um2 = 0.0, cell_um2 = 0.0, utilization = 0.0;
  double synth_area_um2 = 0.0, synth_fmax_mhz = 0.0;  // rapidnn synth's figures of the same netlist
  double wire_mm = 0.0;
  std::int64_t vias = 0, nets = 0, failed_routes = -1;
  double pre_route_fmax_mhz = 0.0, post_route_fmax_mhz = 0.0;
  std::int64_t drc_errors = -1;
  std::vector<std::string> drc_reasons;  // magic's "why" of each kind of error
  bool lvs_match = false;
  std::int64_t lvs_errors = -1;
  std::string lvs_summary;
  std::string picture;  // the PNG
  std::string dir;
  std::vector<LayoutStageTime> times;
  double seconds = 0.0;
};

// Fails (exit 2) naming the Debian package when qflow, graywolf, qrouter, magic, netgen-lvs,
// klayout or the osu018 technology is missing.
void check_layout_tools(const LayoutOptions& opt);

// `plan` is the plan the RTL in `rtl_dir` was emitted from. Throws Error when a tool fails (naming
// its log) or the block does not exist in the design.
LayoutReport run_layout(const RtlPlan& plan, const std::string& rtl_dir, const LayoutOptions& opt);

nlohmann::json layout_report_json(const LayoutReport& r);

// Parsers of the tools' files, exposed for the tests.
struct DefFigures {
  double units = 100.0;  // DEF database units per micron
  double die_w_um = 0.0, die_h_um = 0.0, core_w_um = 0.0, core_h_um = 0.0, cell_um2 = 0.0;
  std::int64_t cells = 0, fill_cells = 0, vias = 0, nets = 0;
  double wire_um = 0.0;
};
// `macros`: each LEF macro's width and height (um); cells whose type starts with `fill_prefix`
// count as fill. The core is the extent of the placed cells (qflow fills its rows).
DefFigures read_def_figures(const std::string& def_text, const std::map<std::string, std::pair<double, double>>& macros,
                            const std::string& fill_prefix, const std::string& file);
std::map<std::string, std::pair<double, double>> read_lef_macro_sizes(const std::string& lef_text);

}  // namespace rapidnn
