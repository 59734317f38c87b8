// The sweep job: ComposeJobOptions + a (w, u) grid -> delta-e, table bits and WCSS per point.
#include "flow/sweep_job.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "composer/artifact.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "flow/runner.h"

#include <nlohmann/json.hpp>

namespace rapidnn::flow {

SweepOutcome run_sweep_job(const ComposeJobOptions& o, const std::vector<int>& w, const std::vector<int>& u,
                           const std::string& artifacts_dir, const Shard* shard) {
  for (int x : w) check_compose_params(x, 2, o.q);
  for (int x : u) check_compose_params(2, x, o.q);
  const int max_w = *std::max_element(w.begin(), w.end()), max_u = *std::max_element(u.begin(), u.end());
  SweepOutcome out{prepare_compose_job(o, max_w, max_u), {}};
  const ComposeJob& job = out.job;
  const auto total = static_cast<std::int64_t>(w.size() * u.size());
  std::int64_t mine = 0;
  for (std::int64_t k = 0; k < total; ++k) mine += !shard || shard->owns(k);
  Progress bar("sweep", mine);
  std::int64_t item = -1;
  for (int wi : w)
    for (int ui : u) {
      if (++item, shard && !shard->owns(item)) continue;
      const ComposedNetwork cn = assemble(job.state, wi, ui, o.q);
      SweepPoint p{item, wi, ui, evaluate_golden(cn, job, o.threads).accuracy, 0.0, cn.table_bits().total(), 0.0, 0.0};
      p.delta_e = job.float_accuracy - p.rapidnn_accuracy;
      for (const auto& x : codebook_wcss(job.state, wi, ui)) p.wcss_weights += x.weights, p.wcss_inputs += x.inputs;
      fmt::print("w={} u={} delta-e {:+.2f}\n", wi, ui, p.delta_e);
      if (!artifacts_dir.empty())
        write_artifact(cn, (std::filesystem::path(artifacts_dir) / fmt::format("w{}-u{}", wi, ui)).string(),
                       {{"delta_e", p.delta_e}});
      out.points.push_back(p);
      bar.advance();
    }
  bar.finish();
  return out;
}

std::string sweep_csv_row(const SweepPoint& p, const ComposeJobOptions& o, double float_accuracy) {
  return fmt::format("{},{},{},{},{:.2f},{:.2f},{:.2f},{},{:.6e},{:.6e}\n", p.w, p.u, o.q, o.codebook, float_accuracy,
                     p.rapidnn_accuracy, p.delta_e, p.table_bits, p.wcss_weights, p.wcss_inputs);
}

std::filesystem::path write_sweep_shard(const SweepOutcome& r, const ComposeJobOptions& o, const std::vector<int>& w,
                                        const std::vector<int>& u, const Shard& shard,
                                        const std::filesystem::path& shard_dir) {
  std::string csv = kSweepCsvHeader;
  ShardManifest m{"sweep", sweep_run_key(o, w, u), shard, static_cast<std::int64_t>(w.size() * u.size()), {}};
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : r.points) {
    csv += sweep_csv_row(p, o, r.job.float_accuracy);
    m.items.push_back(p.item);
    points.push_back({{"item", p.item}, {"w", p.w}, {"u", p.u}, {"rapidnn_accuracy", p.rapidnn_accuracy},
                      {"delta_e", p.delta_e}, {"table_bits", p.table_bits}, {"wcss_weights", p.wcss_weights},
                      {"wcss_inputs", p.wcss_inputs}});
  }
  const nlohmann::json doc = {{"float_accuracy", r.job.float_accuracy}, {"points", points}};
  return write_shard(shard_dir, m, {{"points.csv", csv}, {"points.json", doc.dump(1) + "\n"}});
}

std::pair<std::vector<SweepPoint>, double> read_sweep_shards(const std::vector<LoadedShard>& shards) {
  std::vector<std::vector<SweepPoint>> parts;
  double float_accuracy = 0.0;
  for (const auto& s : shards) {
    const auto file = s.dir / "points.json";
    try {
      const auto j = nlohmann::json::parse(read_file(file));
      float_accuracy = j.at("float_accuracy").get<double>();
      std::vector<SweepPoint> ps;
      for (const auto& p : j.at("points"))
        ps.push_back({p.at("item"), p.at("w"), p.at("u"), p.at("rapidnn_accuracy"), p.at("delta_e"), p.at("table_bits"),
                      p.at("wcss_weights"), p.at("wcss_inputs")});
      if (ps.size() != s.manifest.items.size())
        fail(file.string(), "has {} points; its shard.json lists {}", ps.size(), s.manifest.items.size());
      parts.push_back(std::move(ps));
    } catch (const nlohmann::json::exception& e) {
      fail(file.string(), "is not a sweep shard's points: {}", e.what());
    }
  }
  std::vector<SweepPoint> all;
  for (const auto& [s, r] : item_order(shards)) all.push_back(parts[s][r]);
  return {all, float_accuracy};
}

std::string sweep_run_key(const ComposeJobOptions& o, const std::vector<int>& w, const std::vector<int>& u) {
  nlohmann::json j = {{"model", content_hash(o.model)},
                            {"dataset", content_hash(o.data.dataset)},
                            {"scale", o.data.scale ? nlohmann::json(*o.data.scale) : nlohmann::json()},
                            {"offset", o.data.offset},
                            {"q", o.q},
                            {"codebook", o.codebook},
                            {"input_codebooks", o.input_codebooks},
                            {"weighting", o.weighting},
                            {"bias_correction", o.bias_correction},
                            {"refit_codebooks", o.refit_codebooks},
                            {"choose_calibration", o.choose_calibration},
                            {"sample", o.sample},
                            {"calibration", o.calibration},
                            {"seed", o.seed},
                            {"product_bits", o.product_bits},
                            {"w", w},
                            {"u", u}};
  if (!o.data.input_range.empty()) j["input_range"] = o.data.input_range;  // earlier keys stay valid
  if (o.global_codebook) j["global_codebook"] = true;
  return fingerprint(j.dump());
}

}  // namespace rapidnn::flow
