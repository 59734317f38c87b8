// The sweep job: ComposeJobOptions + a (w, u) grid -> delta-e, table bits and WCSS per point.
#include "flow/sweep_job.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "composer/artifact.h"
#include "core/progress.h"

namespace rapidnn::flow {

SweepOutcome run_sweep_job(const ComposeJobOptions& o, const std::vector<int>& w, const std::vector<int>& u,
                           const std::string& artifacts_dir) {
  for (int x : w) check_compose_params(x, 2, o.q);
  for (int x : u) check_compose_params(2, x, o.q);
  const int max_w = *std::max_element(w.begin(), w.end()), max_u = *std::max_element(u.begin(), u.end());
  SweepOutcome out{prepare_compose_job(o, max_w, max_u), {}};
  const ComposeJob& job = out.job;
  Progress bar("sweep", static_cast<std::int64_t>(w.size() * u.size()));
  for (int wi : w)
    for (int ui : u) {
      const ComposedNetwork cn = assemble(job.state, wi, ui, o.q);
      SweepPoint p{wi, ui, evaluate_golden(cn, job, o.threads).accuracy, 0.0, cn.table_bits().total(), 0.0, 0.0};
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

}  // namespace rapidnn::flow
