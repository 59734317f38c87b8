// Stage "report": every finished stage's record -> the HTML page, the Markdown page, results.json.
#include <fmt/format.h>

#include "core/fileio.h"
#include "flow/stages.h"
#include "report/flow_report.h"

namespace rapidnn::flow {
namespace {

std::string base64(const std::string& bytes) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t a = static_cast<unsigned char>(bytes[i]);
    const std::uint32_t b = i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) : 0;
    const std::uint32_t c = i + 2 < bytes.size() ? static_cast<unsigned char>(bytes[i + 2]) : 0;
    const std::uint32_t v = (a << 16) | (b << 8) | c;
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kDigits[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kDigits[v & 63] : '=';
  }
  return out;
}

// What the report reads: the configuration and each stage's record.
json results_of(const FlowContext& ctx) {
  const FlowConfig& c = ctx.config;
  json results{{"config", json::parse(flow_config_json(c))}, {"config_source", c.source}, {"version", ctx.version}};
  results["model"] = ctx.model->result.record;
  results["compose"] = ctx.compose->result.record;
  results["emit"] = ctx.emit->result.record;
  if (ctx.sweep) results["sweep"] = ctx.sweep->result.record;
  if (ctx.sweep_retrain) results["sweep_retrain"] = ctx.sweep_retrain->result.record;
  if (ctx.cosim) results["cosim"] = ctx.cosim->result.record;
  if (ctx.baselines) results["baselines"] = ctx.baselines->result.record;
  if (ctx.synth) results["synth"] = ctx.synth->result.record;
  if (ctx.sweep_synth) results["sweep_synth"] = ctx.sweep_synth->result.record;
  if (ctx.layout) results["layout"] = ctx.layout->result.record;
  return results;
}

}  // namespace

ReportOut ReportOut::from_json(const json& j) {
  ReportOut r;
  r.record = j;
  r.plots = j.at("plots").get<std::vector<std::string>>();
  return r;
}

std::string ReportOut::summary() const { return fmt::format("{} plots", plots.size()); }

json ReportStage::inputs(const FlowContext& ctx) {
  json keys = json::object();
  for (const auto& s : *ctx.finished) keys[s.name] = s.key;
  return {{"stage", "report"}, {"stages", keys}, {"version", ctx.version}};
}

ReportOut ReportStage::run(const FlowContext& ctx, const fs::path& dir) {
  json rs = results_of(ctx);
  json st = json::array();
  for (const auto& s : *ctx.finished) st.push_back({{"name", s.name}, {"key", s.key}, {"seconds", s.seconds}});
  rs["stages"] = st;
  // The HTML page carries the layout pictures (results.json only names them).
  json page = rs;
  if (page.contains("layout"))
    for (auto& b : page["layout"]["blocks"])
      if (const fs::path png = ctx.layout->info.dir / b.value("picture", std::string()); fs::is_regular_file(png))
        b["picture_base64"] = base64(read_file(png));
  const report::FlowReport rep = report::render_flow_report(page);
  write_file_atomic(dir / "index.html", rep.html);
  write_file_atomic(dir / "report.md", rep.markdown);
  write_file_atomic(dir / "results.json", rs.dump(2) + "\n");
  return ReportOut::from_json({{"plots", rep.plots}});
}

}  // namespace rapidnn::flow
