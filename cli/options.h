// The composer's, retraining's and training's options bound to a subcommand (shared by compose,
// sweep, train). Vocabularies and ranges come from the libraries that define them.
#pragma once

#include <CLI/CLI.hpp>

#include "flow/compose_job.h"
#include "flow/retrain_job.h"
#include "flow/train_job.h"

namespace rapidnn::cli {

void add_compose_options(CLI::App& cmd, flow::ComposeJobOptions& o);
void add_retrain_options(CLI::App& cmd, flow::RetrainJobOptions& o);
void add_train_options(CLI::App& cmd, flow::TrainJobOptions& o);

}  // namespace rapidnn::cli
