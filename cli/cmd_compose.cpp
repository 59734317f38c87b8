// rapidnn compose: codebooks and tables at one (w, u), the golden model's accuracy, the artifact.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "composer/artifact.h"
#include "composer/levels.h"
#include "core/progress.h"

namespace rapidnn::cli {

struct ComposeOptions {
  flow::ComposeJobOptions job;
  flow::RetrainJobOptions retrain;
  std::vector<int> w{16}, u{64};
  std::string output;
};

static void run_compose(const ComposeOptions& o) {
  const std::string out =
      o.output.empty() ? fmt::format("composed-w{}-u{}", fmt::join(o.w, "-"), fmt::join(o.u, "-")) : o.output;
  flow::ComposeOutcome c;
  flow::compose_to_artifact(o.job, o.retrain, o.w, o.u, out, c);
  const ComposedNetwork& cn = c.composed;
  const auto bits = cn.table_bits();
  fmt::print("model      {}\n", o.job.model);
  fmt::print("calibrate  {}\n", c.job.calibration_note);
  fmt::print("codebooks  {}, w={}, u={}, q={}, {}-bit products\n", o.job.codebook, fmt::join(o.w, ","),
             fmt::join(o.u, ","), o.job.q, o.job.product_bits);
  fmt::print("choices    {} weighting, {} input codebooks, bias correction {}{}{}{}\n", to_string(cn.config.weighting),
             to_string(cn.config.inputs), cn.config.bias_correction ? "on" : "off",
             cn.config.refit_codebooks ? ", weight codebooks refit" : "",
             cn.config.global_codebook ? ", one weight and one input codebook for every layer" : "",
             cn.config.choose_calibration ? " (chosen by the golden model on the held-out samples)" : "");
  const auto wc = codebook_wcss(*c.state, layer_sizes(*c.state, o.w, o.u));
  fmt::print("{:>3} {:<8} {:<18} {:>6} {:>7} {:>4} {:>4} {:>5} {:>4} {:>14} {:>11} {:>11}\n", "#", "stage", "name", "units",
             "fan-in", "w", "u", "q", "acc", "AM", "WCSS(w)", "WCSS(u)");
  for (std::size_t i = 0; i < cn.stages.size(); ++i) {
    const Stage& s = cn.stages[i];
    if (!s.weighted()) {
      fmt::print("{:>3} {:<8} {:<18}\n", i, to_string(s.kind), s.name.substr(0, 18));
      continue;
    }
    const std::string am = s.is_output ? "argmax" : s.act_table ? fmt::format("{} table", to_string(s.act)) : "comparator";
    fmt::print("{:>3} {:<8} {:<18} {:>6} {:>7} {:>4} {:>4} {:>5} {:>4} {:>14} {:>11.4e} {:>11.4e}\n", i,
               to_string(s.kind), s.name.substr(0, 18), s.units, s.fan_in, s.w, s.u,
               s.act_table ? std::to_string(s.q()) : "-", s.acc_bits, am, wc[i].weights, wc[i].inputs);
  }
  fmt::print("float      {:.2f}%\n", c.job.float_accuracy);
  fmt::print("rapidnn    {:.2f}% (golden integer model)\n", c.golden.accuracy);
  fmt::print("delta-e    {:+.2f} points\n", c.delta_e);
  for (const auto& [level, g] : c.levels)
    fmt::print("level {}    {:.2f}% (golden, codebooks {} bits smaller), delta-e {:+.2f}\n", level, g.accuracy,
               network_level(cn) - level, c.job.float_accuracy - g.accuracy);
  fmt::print("tables     {} bits ({:.1f} KiB): weight indices {}, products {}, biases {}, activation/encoding {}, "
             "input encoder {}\n",
             bits.total(), static_cast<double>(bits.total()) / 8192.0, bits.weight_idx, bits.product, bits.bias,
             bits.am, bits.input_lut);
  fmt::print("time       compose {:.2f} s (clustering {:.2f} s, tables {:.2f} s), golden evaluation {:.2f} s\n",
             c.job.prepare_seconds + c.assemble_seconds, c.job.prepare_seconds, c.assemble_seconds, c.golden.seconds);
  fmt::print("artifact   {}/ (manifest.json + table images)\n", out);
}

void setup_compose(CLI::App& app) {
  auto o = std::make_shared<ComposeOptions>();
  auto* cmd = app.add_subcommand(
      "compose",
      "Reinterpret a model as lookup tables (paper section 3): weight and input codebooks, product tables, "
      "activation/encoding tables, fixed point. Prints float and reinterpreted accuracy, delta-e and table sizes; "
      "writes the artifact directory");
  add_compose_options(*cmd, o->job);
  add_retrain_options(*cmd, o->retrain);
  cmd->add_option("--w", o->w,
                  "Weight codebook size (power of two, 2 to 256), or one per weighted layer (Dense, Conv, average "
                  "pooling, in order; a pooling's entry is unused), comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--u", o->u, "Input codebook size (power of two, 2 to 256), or one per weighted layer, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--levels", o->job.lowest_level,
                  "Also compose every coarser level of the codebook trees down to this one (level = log2 of the "
                  "largest codebook; tree or nested codebooks): one artifact for a design whose level is chosen at "
                  "run time (rapidnn emit, cosim --level)")
      ->check(CLI::Range(1, 8));
  cmd->add_option("--output,-o", o->output, "Artifact directory (default composed-w<W>-u<U>)");
  cmd->callback([o] { run_compose(*o); });
}

}  // namespace rapidnn::cli
