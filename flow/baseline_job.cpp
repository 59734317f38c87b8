// The baseline job: ComposeJobOptions + a target accuracy -> the 8-bit and the equal-accuracy
// uniform MAC designs (see baseline_job.h).
#include "flow/baseline_job.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "composer/artifact.h"
#include "core/progress.h"

namespace rapidnn::flow {

BaselineOutcome run_baseline_job(const ComposeJobOptions& opt, double target_accuracy, const std::string& dir) {
  ComposeJobOptions o = opt;
  o.codebook = "uniform";
  const ComposeJob job = prepare_compose_job(o, 256, 256);
  BaselineOutcome out;
  out.float_accuracy = job.float_accuracy;
  out.target_accuracy = target_accuracy;
  std::map<std::pair<int, int>, UniformBaseline> seen;
  const auto eval = [&](int bw, int bx) -> const UniformBaseline& {
    auto it = seen.find({bw, bx});
    if (it != seen.end()) return it->second;
    const ComposedNetwork cn = assemble(job.state, 1 << bw, 1 << bx, o.q);
    UniformBaseline b{"", bw, bx, evaluate_golden(cn, job, o.threads).accuracy, 0.0, ""};
    b.delta_e = job.float_accuracy - b.accuracy;
    fmt::print("uniform {}-bit weights x {}-bit inputs: accuracy {:.2f}% (delta-e {:+.2f})\n", bw, bx, b.accuracy, b.delta_e);
    out.tried.push_back(b);
    return seen.emplace(std::pair{bw, bx}, b).first->second;
  };
  const auto write = [&](UniformBaseline b, const std::string& name) {
    b.name = name;
    b.artifact = (std::filesystem::path(dir) / name).string();
    write_artifact(assemble(job.state, 1 << b.weight_bits, 1 << b.input_bits, o.q), b.artifact,
                   {{"delta_e", b.delta_e}, {"baseline", name}});
    return b;
  };
  out.mac8 = write(eval(8, 8), "mac8");
  // The smallest equal widths that reach the target, then every narrower pair around them.
  int b = 2;
  while (b < 8 && eval(b, b).accuracy < target_accuracy) ++b;
  out.reached = eval(b, b).accuracy >= target_accuracy;
  UniformBaseline best = eval(b, b);
  for (int bw = std::max(2, b - 2); bw <= std::min(8, b + 1); ++bw)
    for (int bx = std::max(2, b - 2); bx <= std::min(8, b + 1); ++bx) {
      if (bw * bx > b * b) continue;
      const UniformBaseline& c = eval(bw, bx);
      const auto cost = [](const UniformBaseline& u) { return std::tuple{u.weight_bits * u.input_bits, u.weight_bits + u.input_bits, u.weight_bits}; };
      if (out.reached ? (c.accuracy >= target_accuracy && cost(c) < cost(best)) : c.accuracy > best.accuracy) best = c;
    }
  out.equal = write(best, "mac-equal");
  return out;
}

}  // namespace rapidnn::flow
