// Option binding for the composer, retraining and training jobs.
#include "cli/options.h"

#include <fmt/format.h>

#include "cli/common.h"

namespace rapidnn::cli {

using flow::ComposeJobOptions;
using flow::RetrainJobOptions;
using flow::TrainJobOptions;

void add_compose_options(CLI::App& cmd, ComposeJobOptions& o) {
  cmd.add_option("--model,-m", o.model, "Trained model (.onnx)")->required();
  add_dataset_options(cmd, o.data, true);
  cmd.add_option("--q", o.q,
                 fmt::format("Rows of each activation table (sigmoid, tanh, softsign; ReLU is a comparator; {})",
                             kQRange.text()))
      ->capture_default_str();
  cmd.add_option("--codebook", o.codebook,
                 "Clustering: optimal (exact flat k-means per level; the default, best measured delta-e), tree (the "
                 "paper's recursive 2-means; fewer bits = a coarser level of one tree), nested (optimal at the "
                 "finest level, merged upward into a tree)")
      ->capture_default_str();
  cmd.add_option("--input-codebooks", o.input_codebooks,
                 "Where input codebooks are clustered from: float (the float network's activations) or composed "
                 "(the composed network's own, stage by stage: what each layer really receives)")
      ->check(words_of(kInputCodebooks))
      ->capture_default_str();
  cmd.add_option("--codebook-weighting", o.weighting,
                 "What each clustered value counts for: plain (once: codebooks minimize the operands' own error) or "
                 "output (a weight by the mean square of the inputs it multiplies, an input by the squared weights "
                 "it meets: codebooks minimize each layer's output error)")
      ->check(words_of(kCodebookWeightings))
      ->capture_default_str();
  cmd.add_flag("--bias-correction", o.bias_correction,
               "Move each neuron's bias by the mean shift quantization causes in its pre-activation over the "
               "calibration sample, stage by stage");
  cmd.add_flag("--refit-codebooks", o.refit_codebooks,
               "Solve each Dense/Conv layer's weight codebook entries by least squares so that its outputs from "
               "the quantized inputs it receives match the float network's over the calibration sample, stage by "
               "stage (weights keep their clusters)");
  cmd.add_flag("--global-codebook", o.global_codebook,
               "One weight codebook and one input codebook for every layer, clustered from all layers' weights and "
               "inputs: every layer's product table is then the same table (the BasisN idea)");
  cmd.add_flag("--choose-calibration", o.choose_calibration,
               "Try every combination of the four above and keep the one the golden model classifies held-out "
               "samples best with (5000 training samples disjoint from the calibration sample, or a test-only "
               "dataset's calibration part); the plain one unless another is right on more of them by two "
               "standard errors; the artifact records the choice");
  cmd.add_option("--sample", o.sample, "Fraction of the training split sampled for input codebooks")->capture_default_str();
  cmd.add_option("--calibration", o.calibration,
                 "For datasets with only a test split: seeded test samples held out for calibration (default 10%); "
                 "accuracy is measured on the rest")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--seed", o.seed, "Seed for the calibration sample")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd.add_option("--product-bits", o.product_bits,
                 fmt::format("Signed width of product-table entries ({})", kProductBitsRange.text()))
      ->capture_default_str();
  cmd.add_option("--threads,-j", o.threads, "Threads for evaluation (0: all cores)")->check(within(kThreadsRange));
}

void add_retrain_options(CLI::App& cmd, RetrainJobOptions& o) {
  cmd.add_flag("--retrain", o.enabled,
               "Cluster-aware retraining (paper section 3.2): retrain from the centroids with quantized weights and "
               "layer inputs in the forward pass, re-cluster, repeat while validation delta-e > epsilon");
  cmd.add_option("--iterations", o.iterations, "Retraining rounds at most")->capture_default_str();
  cmd.add_option("--epochs", o.epochs, "Epochs per retraining round")->capture_default_str();
  cmd.add_option("--epsilon", o.epsilon, "Stop once validation delta-e (points) is at most this")->capture_default_str();
  cmd.add_option("--retrain-lr", o.lr, "Peak learning rate (one cosine schedule over all rounds)")->capture_default_str();
  cmd.add_option("--retrain-dropout", o.dropout, "Dropout on hidden fully-connected layers while retraining")
      ->capture_default_str();
  cmd.add_option("--validation", o.validation, "Training samples held out to measure delta-e while retraining")
      ->capture_default_str();
}

void add_train_options(CLI::App& cmd, TrainJobOptions& o) {
  cmd.add_option("--arch,-a", o.arch,
                 "Architecture: mlp:784-512-512-10, or cnn:CxHxW-c32k3-p2-c64k3-c64k3-f512-10 "
                 "(cNkK[sS][pP] conv+ReLU, rN[sS] residual block, pK max pool, aK avg pool, fN dense+ReLU, last N = "
                 "classes)")
      ->capture_default_str();
  add_dataset_options(cmd, o.data, false);
  cmd.add_option("--epochs,-e", o.epochs, "Training epochs")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd.add_option("--batch", o.batch, "Mini-batch size")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  cmd.add_option("--lr", o.lr, "Peak learning rate of SGD (cosine-annealed to 0)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str();
  cmd.add_option("--dropout", o.dropout, "Dropout rate on hidden fully-connected layers")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd.add_option("--validation", o.validation,
                 "Training samples held out (seeded) for validation; the rest train")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--seed", o.seed, "Seed for initialisation, dropout, batch order and the split")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--threads,-j", o.threads, "Threads (0: all cores; fix it for bit-identical reruns)")->check(within(kThreadsRange));
}

}  // namespace rapidnn::cli
