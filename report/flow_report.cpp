// Flow report: results JSON -> HTML (inline SVG, inline CSS, a render-check script) and Markdown.
#include "report/flow_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "generator/rtl_blocks.h"
#include "report/svg_plot.h"
#include "report/table.h"

namespace rapidnn::report {
namespace {

using nlohmann::json;

const json* block(const json& synth, BlockKind kind) {
  const std::string name = kBlockKinds.name(kind);
  for (const auto& b : synth.at("blocks"))
    if (b.value("block", std::string()) == name) return &b;
  return nullptr;
}

std::string pct(double v) { return fmt::format("{:.2f}%", v); }
std::string signed2(double v) { return fmt::format("{:+.2f}", v); }
std::string big(double v) { return fmt::format("{:.0f}", v); }

constexpr const char* kCss = R"(
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2430; background: #f5f6f8; }
header { background: #1f3a5f; color: #fff; padding: 22px 36px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; opacity: .85; }
main { max-width: 1080px; margin: 0 auto; padding: 20px 24px 60px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin: 8px 0 18px; }
.card { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.card .k { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #5b6677; }
.card .v { font-size: 22px; font-weight: 600; }
.card .n { font-size: 12px; color: #5b6677; }
section { background: #fff; border-radius: 8px; padding: 14px 20px; margin: 14px 0; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h2 { font-size: 18px; margin: 4px 0 10px; }
figure { margin: 8px 0 14px; }
figcaption { font-size: 13px; color: #5b6677; max-width: 760px; }
svg.plot { max-width: 100%; height: auto; background: #fff; }
svg .ptitle { font-size: 15px; font-weight: 600; fill: #1d2430; }
svg .small { font-size: 11px; fill: #39424f; }
svg .axis { font-size: 12px; fill: #39424f; }
svg .cell { font-size: 12px; font-weight: 600; fill: #1d2430; }
svg .grid { stroke: #e3e6ea; stroke-width: 1; }
svg .ref { stroke: #c4453c; stroke-width: 1.5; stroke-dasharray: 5 4; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e6ea; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f2f5; }
.ok { color: #2d7d46; font-weight: 600; }
code { background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
)";

// Lays the page out, then lists each plot's size and number of drawn marks (for headless checks).
constexpr const char* kRenderCheck = R"(<pre id="render-check" hidden></pre>
<script>
(function () {
  var rows = [];
  document.querySelectorAll('svg.plot').forEach(function (s) {
    var b = s.getBBox(), r = s.getBoundingClientRect(), marks = 0;
    s.querySelectorAll('.mark').forEach(function (m) {
      var mb = m.getBBox();
      if (mb.width > 0 && mb.height > 0) marks++;
    });
    rows.push(s.id + ' ' + Math.round(r.width) + 'x' + Math.round(r.height) + ' marks=' + marks +
              ' drawn=' + (b.width > 0 && b.height > 0 && marks > 0));
  });
  document.getElementById('render-check').textContent = rows.join('\n');
})();
</script>
)";


// Memory technology as a stated choice: each whole tile's throughput per area and per watt with
// its tables as built (standard-cell ROM) and as the paper's crossbar, beside the paper's figures.
void memory_technology_section(const json& tiles, std::string& body, std::string& md) {
  Table t{{"tile", "memory technology", "area mm2", "Fmax MHz", "nJ per inference", "GOPS/s", "GOPS/s/mm2", "GOPS/s/W"}, {}};
  const json* any = nullptr;
  for (const auto& e : tiles) {
    if (!e.contains("efficiency")) continue;
    any = &e.at("efficiency");
    for (const auto& r : e.at("efficiency").at("rows"))
      t.rows.push_back({e.value("label", std::string()), r.value("technology", std::string()),
                        fmt::format("{:.4f}", r.value("area_mm2", 0.0)), fmt::format("{:.0f}", r.value("fmax_mhz", 0.0)),
                        fmt::format("{:.1f}", r.value("energy_nj_per_inference", 0.0)),
                        fmt::format("{:.2f}", r.value("gops", 0.0)), fmt::format("{:.1f}", r.value("gops_per_mm2", 0.0)),
                        fmt::format("{:.1f}", r.value("gops_per_w", 0.0))});
  }
  if (!any) return;
  const json& p = any->at("paper");
  t.rows.push_back({"paper (whole accelerator)", fmt::format("crossbar, {:.0f} nm", p.value("node_nm", 0.0)), "", "", "", "",
                    fmt::format("{:.1f}", p.value("gops_per_mm2", 0.0)), fmt::format("{:.1f}", p.value("gops_per_w", 0.0))});
  std::string crossbar;
  for (const auto& r : any->at("rows"))
    if (r.value("modelled", false)) crossbar = r.value("basis", std::string());
  const std::string note = fmt::format(
      "An operation is {}. Built: measured (Yosys + osu018, OpenSTA; power {}). Scaled rows are a scaling, not a "
      "measurement: {}. Crossbar: {}. The paper's figures are for its whole accelerator (section 5.5), from HSPICE "
      "post-layout simulation at 45 nm.",
      any->value("operation", std::string()), any->value("power", std::string()), any->value("scaling", std::string()),
      crossbar);
  body += "<section><h2>Memory technology: GOPS/s per mm2 and per watt</h2>\n" + t.html() +
          fmt::format("<p>{}</p>", escape_xml(note)) + "</section>\n";
  md += "## Memory technology (GOPS/s/mm2, GOPS/s/W)\n\n" + t.md() + "\n" + note + "\n";
}

// One design of several codebook levels (compose.levels): each level's accuracy, the golden
// model's on the evaluation set and the RTL's on the co-simulated images (bit-exact), and cycles.
void levels_section(const json& r, std::string& body, std::string& md) {
  const json& comp = r.at("compose");
  if (!comp.contains("levels")) return;
  std::map<int, double> golden;
  int finest = 0;
  for (const auto& l : comp.at("levels")) {
    golden[l.value("level", 0)] = l.value("rapidnn_accuracy", 0.0);
    finest = std::max(finest, l.value("level", 0) + 1);
  }
  golden[finest] = comp.value("rapidnn_accuracy", 0.0);
  std::map<int, json> sim;
  if (r.contains("cosim") && r.at("cosim").contains("levels"))
    for (const auto& l : r.at("cosim").at("levels")) sim[l.value("level", 0)] = l;
  Table t{{"level", "codebooks", "golden accuracy", "RTL accuracy (co-simulated images, bit-exact)", "latency cycles",
           "interval cycles"},
          {}};
  const int w = comp.value("w", 0), u = comp.value("u", 0);
  for (auto it = golden.rbegin(); it != golden.rend(); ++it) {
    const int level = it->first, shift = finest - level;
    const auto s = sim.find(level);
    t.rows.push_back({std::to_string(level), fmt::format("({}, {})", std::max(1, w >> shift), std::max(1, u >> shift)),
                      pct(it->second), s == sim.end() ? "-" : pct(s->second.value("rtl_accuracy", 0.0)),
                      s == sim.end() ? "-" : std::to_string(s->second.value("latency_cycles", 0)),
                      s == sim.end() ? "-" : fmt::format("{:.0f}", s->second.value("interval_cycles", 0.0))});
  }
  const std::string note = fmt::format(
      "One emitted design holds every level from {} to {}; its level register selects one between images "
      "(docs/reconfigurable.md). Golden accuracy: the integer model on the evaluation set; RTL accuracy: the co-simulated "
      "test images run at that level on the one build, every buffer entry and class bit-exact with the golden model at "
      "that level. Every level takes the same cycles: the structure is the finest level's.",
      golden.begin()->first, finest);
  body += "<section><h2>Codebook levels on one design</h2>\n" + t.html() + fmt::format("<p>{}</p>", escape_xml(note)) +
          "</section>\n";
  md += "## Codebook levels on one design\n\n" + t.md() + "\n" + note + "\n\n";
}

}  // namespace

std::string html_page(const std::string& title, const std::string& subtitle, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\">\n<title>" +
         escape_xml(title) + "</title>\n<style>" + kCss + "</style></head>\n<body>\n<header><h1>" + escape_xml(title) +
         "</h1><p>" + escape_xml(subtitle) + "</p></header>\n<main>\n" + body + "</main>\n" + kRenderCheck +
         "</body></html>\n";
}

FlowReport render_flow_report(const json& r) {
  FlowReport out;
  const json& cfg = r.at("config");
  const json& comp = r.at("compose");
  const json& emit = r.at("emit");
  const json& model = r.at("model");
  std::string body, md;
  const std::string title = fmt::format("rapidnn flow report: ({}, {}) lookup accelerator", comp.value("w", 0), comp.value("u", 0));
  md += "# " + title + "\n\n";
  md += fmt::format("Configuration: `{}`; rapidnn {}. The HTML page (`index.html`) has the plots.\n\n",
                    r.value("config_source", std::string()), r.value("version", std::string()));

  // Summary cards.
  struct Card {
    std::string k, v, n;
  };
  std::vector<Card> cards{
      {"float accuracy", pct(comp.value("float_accuracy", 0.0)), model.value("trained", false) ? "trained in-tool" : "given model"},
      {"rapidnn accuracy", pct(comp.value("rapidnn_accuracy", 0.0)), "golden integer model"},
      {"delta-e", signed2(comp.value("delta_e", 0.0)) + " pts",
       fmt::format("at (w, u) = ({}, {}){}", comp.value("w", 0), comp.value("u", 0),
                   comp.contains("retrain") ? fmt::format(", retrained ({} rounds)", comp.at("retrain").value("iterations", 0))
                                            : "")},
      {"latency", fmt::format("{} cycles", emit.value("latency_cycles", 0)), "per inference"},
      {"interval", fmt::format("{:.0f} cycles", emit.value("interval_cycles", 0.0)), "between results"}};
  if (r.contains("cosim")) {
    const json& c = r.at("cosim");
    cards.push_back({"co-simulation", fmt::format("{} / {}", c.value("samples", 0), c.value("samples", 0)),
                     fmt::format("images bit-exact ({})", c.value("simulator", std::string()))});
  }
  double fmax = 0;
  if (r.contains("synth")) {
    for (const auto& b : r.at("synth").at("blocks"))
      if (b.value("block", std::string()).rfind("mac", 0) != 0 && b.value("fmax_mhz", 0.0) > 0)
        fmax = fmax == 0 ? b.value("fmax_mhz", 0.0) : std::min(fmax, b.value("fmax_mhz", 0.0));
    if (fmax > 0)
      cards.push_back({"throughput", fmt::format("{:.0f} /s", fmax * 1e6 / std::max(1.0, emit.value("interval_cycles", 1.0))),
                       fmt::format("inferences at {:.0f} MHz (slowest block)", fmax)});
  }
  body += "<div class=\"cards\">";
  Table summary{{"figure", "value", "note"}, {}};
  for (const auto& c : cards) {
    body += fmt::format("<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"n\">{}</div></div>",
                        escape_xml(c.k), escape_xml(c.v), escape_xml(c.n));
    summary.rows.push_back({c.k, c.v, c.n});
  }
  body += "</div>\n";
  md += "## Summary\n\n" + summary.md();

  // Accuracy over (w, u).
  if (r.contains("sweep")) {
    const json& s = r.at("sweep");
    std::vector<std::string> rows, cols;
    for (const auto& w : s.at("w")) rows.push_back(std::to_string(w.get<int>()));
    for (const auto& u : s.at("u")) cols.push_back(std::to_string(u.get<int>()));
    const auto grid = s.at("delta_e").get<std::vector<std::vector<double>>>();
    body += "<section><h2>Accuracy: delta-e over (w, u)</h2>\n";
    body += svg_heatmap("fig-delta-e", "delta-e (points lost) over weight and input clusters",
                        "Paper Figure 10: accuracy lost by the lookup model against the float model on the test set, "
                        "without retraining; rows w (weight clusters), columns u (input clusters). Lower is better.",
                        rows, cols, grid, "w", "u", "{:+.2f}");
    body += "</section>\n";
    out.plots.push_back("fig-delta-e");
    Table t{{"w \\ u"}, {}};
    for (const auto& c : cols) t.head.push_back(c);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      t.rows.push_back({rows[i]});
      for (double v : grid[i]) t.rows.back().push_back(signed2(v));
    }
    md += "## delta-e over (w, u) (Figure 10)\n\n" + t.md();
  }

  // Area breakdown.
  if (r.contains("synth")) {
    const json& s = r.at("synth");
    body += "<section><h2>Area</h2>\n";
    const json* rna = block(s, BlockKind::Rna);
    const json* nd = block(s, BlockKind::Ndcam);
    const json* ctl = block(s, BlockKind::Controller);
    const json* mac = block(s, BlockKind::Mac);
    const json* tile = block(s, BlockKind::Tile);
    const json* mtile = block(s, BlockKind::MacTile);
    if (s.contains("tiles") && !s.at("tiles").empty()) {
      // Whole tiles, as synthesized: the design's lookup tile and both MAC baselines.
      std::vector<std::string> names;
      std::vector<std::vector<Segment>> segs;
      const json& tiles = s.at("tiles");
      double mac8_area = 0, mac8_energy = 0;
      for (const auto& e : tiles)
        if (e.value("name", std::string()) == "mac8")
          mac8_area = e.value("area_um2", 0.0), mac8_energy = e.value("energy_nj_per_inference", 0.0);
      Table tt{{"tile", "delta-e", "area um2", "logic um2", "memories um2", "area / 8-bit MAC", "nJ per inference",
                "energy / 8-bit MAC", "Fmax MHz", "cycles", "done after s"},
               {}};
      for (const auto& e : tiles) {
        names.push_back(e.value("label", std::string()));
        segs.push_back({{"logic", e.value("logic_um2", 0.0)}, {"memories (ROM logic)", e.value("memory_um2", 0.0)}});
        tt.rows.push_back({e.value("label", std::string()), signed2(e.value("delta_e", 0.0)), big(e.value("area_um2", 0.0)),
                           big(e.value("logic_um2", 0.0)), big(e.value("memory_um2", 0.0)),
                           fmt::format("{:.2f}", e.value("area_um2", 0.0) / std::max(1e-9, mac8_area)),
                           fmt::format("{:.1f}", e.value("energy_nj_per_inference", 0.0)),
                           fmt::format("{:.2f}", e.value("energy_nj_per_inference", 0.0) / std::max(1e-9, mac8_energy)),
                           fmt::format("{:.0f}", e.value("fmax_mhz", 0.0)), std::to_string(e.value("cycles", 0)),
                           e.contains("done_after_s") ? fmt::format("{:.0f}", e.value("done_after_s", 0.0)) : ""});
      }
      body += svg_stacked("fig-area", "Area: whole first-layer tiles",
                          "Paper Figure 14, synthesized whole (Yosys + osu018; every table memory synthesized as ROM "
                          "logic): the design's lookup tile beside the 8-bit MAC tile and the uniform MAC tile of the "
                          "smallest widths reaching the design's accuracy, all with the same controller, lanes, groups "
                          "and cycles.",
                          names, segs, "um2");
      body += tt.html();
      constexpr const char* kDoneAfter =
          "Done after: seconds from the start of the synth stage until the tile (its logic and every memory) was "
          "synthesized; the lookup tile and the MAC tiles synthesize concurrently, two workers each, the MAC tiles one "
          "after the other.";
      body += fmt::format("<p>{}</p>", kDoneAfter);
      md += "## Whole first-layer tiles\n\n" + tt.md() + "\n" + kDoneAfter + "\n";
      out.plots.push_back("fig-area");
      memory_technology_section(tiles, body, md);
    } else if (tile && mtile) {
      // Both tiles synthesized: logic, and memories as ROM logic where synthesized, else by the crossbar model.
      const auto segs = [](const json& b) {
        double logic = b.value("area_um2", 0.0), rom = 0, model = 0;
        for (const auto& m : b.at("memories")) {
          logic -= m.value("area_um2", 0.0);
          if (m.value("synthesized", true)) rom += m.value("area_um2", 0.0);
          else model += m.value("crossbar_model_um2", 0.0);
        }
        std::vector<Segment> v{{"logic", logic}};
        if (rom > 0) v.push_back({"memories (ROM logic)", rom});
        if (model > 0) v.push_back({"memories (crossbar)", model});
        return v;
      };
      body += svg_stacked("fig-area", "Area: lookup tile and multiply-accumulate tile",
                          "Paper Figure 14: the first layer's tile and the baseline tile (same controller, lanes and "
                          "cycles; 8-bit MAC neurons), synthesized with Yosys + osu018. Memories the tool did not "
                          "synthesize are the paper's crossbar model (Table 1).",
                          {"lookup tile", "MAC tile"}, {segs(*tile), segs(*mtile)}, "um2");
      out.plots.push_back("fig-area");
    } else if (s.contains("first_tile") && rna && mac) {
      const json& ft = s.at("first_tile");
      const double n = ft.value("rnas", 0);
      std::vector<Segment> lut{{"lookup RNAs", n * rna->value("area_um2", 0.0)}};
      if (nd) lut.push_back({"NDCAMs", n * nd->value("area_um2", 0.0)});
      if (ctl) lut.push_back({"controller", ctl->value("area_um2", 0.0)});
      lut.push_back({"weights (crossbar)",
                     ft.value("memory_crossbar_um2", 0.0)});
      std::vector<Segment> base{{"MAC neurons", n * mac->value("area_um2", 0.0)}};
      if (nd) base.push_back({"NDCAMs", n * nd->value("area_um2", 0.0)});
      if (ctl) base.push_back({"controller", ctl->value("area_um2", 0.0)});
      base.push_back({"weights (crossbar)",
                      ft.value("mac_memory_crossbar_um2", 0.0)});
      body += svg_stacked(
          "fig-area", fmt::format("Area of one tile of '{}' ({} RNAs)", ft.value("name", std::string()), n),
          "Paper Figure 14: the first layer's tile built from synthesized blocks (Yosys + osu018: one RNA, one NDCAM, "
          "the controller, each times its count) beside the same tile with multiply-accumulate neurons (8-bit weights). "
          "Weight memories are the paper's crossbar model (Table 1), not synthesis. A lone RNA cannot share the input "
          "side of its table lookups as a tile's RNAs do, so this overstates the lookup tile: `rapidnn synth --block "
          "tile,mac-tile` synthesizes both tiles.",
          {"lookup tile", "MAC tile"}, {lut, base}, "um2");
      out.plots.push_back("fig-area");
    }
    Table t{{"block", "area um2", "cells", "transistors", "table bits", "crossbar um2 (model)", "path ns", "Fmax MHz",
             "pJ/cycle"},
            {}};
    for (const auto& b : s.at("blocks"))
      t.rows.push_back({b.value("block", std::string()), big(b.value("area_um2", 0.0)), std::to_string(b.value("cells", 0)),
                        std::to_string(b.value("transistors", 0)), std::to_string(b.value("table_bits", 0)),
                        fmt::format("{:.1f}", b.value("crossbar_model_um2", 0.0)),
                        fmt::format("{:.2f}", b.value("critical_path_ns", 0.0)), fmt::format("{:.0f}", b.value("fmax_mhz", 0.0)),
                        fmt::format("{:.1f}", b.value("energy_pj_per_cycle", 0.0))});
    body += t.html();
    body += fmt::format("<p>Liberty <code>{}</code>; power by OpenSTA, vectorless (input activity {}), at a {} ns clock.</p>",
                        escape_xml(s.value("liberty", std::string())), s.value("activity", 0.0), s.value("period_ns", 0.0));
    body += "</section>\n";
    md += "## Synthesized blocks\n\n" + t.md();
  }

  // Cycles and throughput.
  {
    std::vector<std::string> cats;
    std::vector<double> cyc;
    Table t{{"layer", "kind", "units", "RNAs", "lanes", "beats", "cycles"}, {}};
    for (const auto& s : emit.at("stages")) {
      cats.push_back(s.value("name", std::string()));
      cyc.push_back(s.value("cycles", 0.0));
      t.rows.push_back({s.value("name", std::string()), s.value("kind", std::string()), std::to_string(s.value("units", 0)),
                        std::to_string(s.value("rnas", 0)), std::to_string(s.value("lanes", 0)),
                        std::to_string(s.value("beats", 0)), std::to_string(s.value("cycles", 0))});
    }
    cats.insert(cats.begin(), "input");
    cyc.insert(cyc.begin(), emit.value("input_cycles", 0.0));
    body += "<section><h2>Cycles and throughput</h2>\n";
    body += svg_bars("fig-cycles", "Cycles per image, by pipeline stage",
                     fmt::format("Each layer's tile works on one image while the next works on the previous one; the "
                                 "slowest stage sets the interval ({:.0f} cycles, dashed). Latency {} cycles.{}",
                                 emit.value("interval_cycles", 0.0), emit.value("latency_cycles", 0),
                                 r.contains("cosim") ? " The co-simulated RTL took exactly the predicted cycles." : ""),
                     cats, {{"cycles", cyc}}, "cycles", emit.value("interval_cycles", 0.0), "interval");
    out.plots.push_back("fig-cycles");
    body += t.html();
    if (r.contains("cosim")) {
      const json& c = r.at("cosim");
      body += fmt::format(
          "<p class=\"ok\">Co-simulation: {} test images through the RTL ({}), every layer's outputs and every class "
          "bit-exact against the golden model; latency {} cycles (predicted {}), one result every {:.1f} cycles "
          "(predicted {:.1f}).</p>\n",
          c.value("samples", 0), escape_xml(c.value("simulator", std::string())), c.value("latency_cycles", 0),
          c.value("predicted_latency_cycles", 0), c.value("interval_cycles", 0.0), c.value("predicted_interval_cycles", 0.0));
      md += fmt::format("Co-simulation: {} test images bit-exact ({}), latency {} cycles (predicted {}).\n\n",
                        c.value("samples", 0), c.value("simulator", std::string()), c.value("latency_cycles", 0),
                        c.value("predicted_latency_cycles", 0));
    }
    body += "</section>\n";
    md += "## Cycles per stage\n\n" + t.md();
  }
  levels_section(r, body, md);

  // The Pareto front: accuracy loss against tile area and energy, every tile synthesized.
  {
    std::vector<Point> area_pts, energy_pts;
    const auto add = [&](const json& e, const std::string& label) {
      area_pts.push_back({e.value("delta_e", 0.0), e.value("area_um2", 0.0) / 1e6, label});
      energy_pts.push_back({e.value("delta_e", 0.0), e.value("energy_nj_per_inference", 0.0), label});
    };
    // One configuration per plot (same lanes and cycles): the sweep's tiles, else the design's.
    std::string where = "the design's lanes and sharing";
    if (r.contains("sweep_synth") && r.at("sweep_synth").contains("tiles")) {
      for (const auto& e : r.at("sweep_synth").at("tiles")) add(e, e.value("label", std::string()));
      where = fmt::format("{} lanes, {} neurons per RNA", r.at("sweep_synth").value("lanes", 0),
                          r.at("sweep_synth").value("rna_share", 0));
    } else if (r.contains("synth") && r.at("synth").contains("tiles")) {
      for (const auto& e : r.at("synth").at("tiles")) add(e, e.value("label", std::string()));
    }
    if (!area_pts.empty()) {
      body += "<section><h2>Accuracy against tile area and energy</h2>\n";
      body += svg_scatter("fig-pareto-area", "delta-e against tile area",
                          "Every synthesized first-layer tile at " + where + ": the sweep's lookup points in each "
                          "accumulate form and both MAC baselines (8-bit, and the uniform widths reaching the design's "
                          "accuracy), same controller, lanes and cycles. Lower left is better: points no other point "
                          "beats on both axes form the Pareto front.",
                          area_pts, "delta-e (points)", "tile area (mm2)", false);
      body += svg_scatter("fig-pareto-energy", "delta-e against energy per inference",
                          "The same tiles: energy of one inference on the tile (vectorless OpenSTA power x period x the "
                          "tile's cycles per sample).",
                          energy_pts, "delta-e (points)", "energy per inference (nJ)", false);
      body += "</section>\n";
      out.plots.push_back("fig-pareto-area");
      out.plots.push_back("fig-pareto-energy");
    }
  }

  // Lookup versus multiplier, and energy-delay versus accuracy.
  if (r.contains("sweep_synth") && r.at("sweep_synth").contains("points")) {
    const json& ss = r.at("sweep_synth");
    std::vector<std::string> cats;
    std::vector<double> area, energy, edp;
    std::vector<Point> pts;
    Table t{{"(w, u)", "delta-e", "RNA um2", "MAC um2", "area LUT/MAC", "energy LUT/MAC", "RNA MHz", "MAC MHz",
             "EDP LUT/MAC"},
            {}};
    for (const auto& p : ss.at("points")) {
      const json& a = p.at("rna");
      const json& m = p.at("mac");
      const double lat = p.value("latency_cycles", 0.0), iv = p.value("interval_cycles", 0.0);
      const auto e = [&](const json& b) {
        return b.value("energy_pj_per_cycle", 0.0) * iv * lat / std::max(1e-9, b.value("fmax_mhz", 0.0));
      };
      const std::string name = fmt::format("({}, {})", p.value("w", 0), p.value("u", 0));
      cats.push_back(name);
      area.push_back(a.value("area_um2", 0.0) / std::max(1e-9, m.value("area_um2", 0.0)));
      energy.push_back(a.value("energy_pj_per_cycle", 0.0) / std::max(1e-9, m.value("energy_pj_per_cycle", 0.0)));
      edp.push_back(e(a) / std::max(1e-12, e(m)));
      pts.push_back({p.value("delta_e", 0.0), edp.back(), name});
      t.rows.push_back({name, signed2(p.value("delta_e", 0.0)), big(a.value("area_um2", 0.0)), big(m.value("area_um2", 0.0)),
                        fmt::format("{:.2f}", area.back()), fmt::format("{:.2f}", energy.back()),
                        fmt::format("{:.0f}", a.value("fmax_mhz", 0.0)), fmt::format("{:.0f}", m.value("fmax_mhz", 0.0)),
                        fmt::format("{:.2f}", edp.back())});
    }
    body += "<section><h2>Lookup tables versus multipliers</h2>\n";
    body += svg_bars("fig-lut-mac", "Lookup neuron / multiply-accumulate neuron",
                     fmt::format("One neuron with {} lanes, synthesized per (w, u) beside an 8-bit x 8-bit MAC neuron with "
                                 "the same lanes and cycles (Yosys + osu018, OpenSTA). Below the dashed line the lookup "
                                 "neuron wins.",
                                 ss.value("lanes", 0)),
                     cats, {{"area", area}, {"energy per cycle", energy}}, "ratio (LUT / MAC)", 1.0, "equal");
    body += svg_scatter("fig-edp", "Energy-delay against accuracy loss",
                        "Paper Figure 12: energy-delay product of one inference on the lookup neuron relative to the "
                        "MAC neuron (vectorless power x interval x latency / Fmax), against delta-e, per (w, u). Lower "
                        "left is better.",
                        pts, "delta-e (points)", "EDP, LUT / MAC", true);
    body += t.html() + "</section>\n";
    out.plots.push_back("fig-lut-mac");
    out.plots.push_back("fig-edp");
    md += "## Lookup versus multiply-accumulate neuron per (w, u) (Figures 11 and 12)\n\n" + t.md();
  }

  // Place and route.
  if (r.contains("layout")) {
    Table t{{"block", "cells", "die um2", "core um2", "utilization", "wire mm", "vias", "failed routes",
             "Fmax MHz (routed)", "Fmax MHz (placed)", "DRC errors", "LVS", "seconds"},
            {}};
    std::string pics;
    for (const auto& b : r.at("layout").at("blocks")) {
      const std::string name = b.value("block", std::string());
      t.rows.push_back({name, std::to_string(b.value("cells", 0)),
                        fmt::format("{:.0f} ({:.0f} x {:.0f} um)", b.value("die_um2", 0.0), b.value("die_w_um", 0.0),
                                    b.value("die_h_um", 0.0)),
                        big(b.value("core_um2", 0.0)), fmt::format("{:.1f}%", 100.0 * b.value("utilization", 0.0)),
                        fmt::format("{:.2f}", b.value("wire_mm", 0.0)), std::to_string(b.value("vias", 0)),
                        std::to_string(b.value("failed_routes", -1)), fmt::format("{:.1f}", b.value("post_route_fmax_mhz", 0.0)),
                        fmt::format("{:.1f}", b.value("pre_route_fmax_mhz", 0.0)), std::to_string(b.value("drc_errors", -1)),
                        b.value("lvs_match", false) ? "match" : "MISMATCH", fmt::format("{:.0f}", b.value("seconds", 0.0))});
      if (b.contains("picture_base64"))
        pics += fmt::format("<figure><img src=\"data:image/png;base64,{}\" alt=\"layout of {}\" style=\"max-width:100%\">"
                            "<figcaption>{}: the routed layout (klayout rendering of qflow's DEF over the osu018 cells' "
                            "LEF). {}</figcaption></figure>\n",
                            b.at("picture_base64").get<std::string>(), escape_xml(name), escape_xml(name),
                            escape_xml(b.value("description", std::string())));
    }
    const std::string note =
        "qflow 1.3.17 with osu018 (180 nm): graywolf placement, qrouter routing, vesta timing before routing and with "
        "the wire parasitics qrouter extracted, magic DRC, netgen LVS of the extracted layout against the netlist "
        "rapidnn synth mapped (plus qflow's output and fanout buffers). Utilization: placed cell area over the core "
        "(the rows qflow fills). DRC counts magic's errors as reported; the reasons are in layout.json.";
    body += "<section><h2>Place and route</h2>\n" + t.html() + "<p>" + escape_xml(note) + "</p>\n" + pics + "</section>\n";
    md += "## Place and route\n\n" + t.md() + "\n" + note + "\n\n";
  }

  // Stages.
  {
    Table t{{"stage", "key", "seconds"}, {}};
    for (const auto& s : r.at("stages"))
      t.rows.push_back({s.value("name", std::string()), s.value("key", std::string()), fmt::format("{:.1f}", s.value("seconds", 0.0))});
    body += "<section><h2>Stages</h2>\n" + t.html();
    body += fmt::format("<p>Configuration:</p><pre>{}</pre></section>\n", escape_xml(cfg.dump(2)));
    md += "## Stages\n\n" + t.md();
  }

  out.html = html_page(title,
                       fmt::format("{} on {}; generated by rapidnn {} (DO NOT EDIT)",
                                   model.value("trained", false) ? model.value("arch", std::string())
                                                                 : model.value("source", std::string()),
                                   cfg.value("dataset", std::string()), r.value("version", std::string())),
                       body);
  out.markdown = md;
  return out;
}

}  // namespace rapidnn::report
