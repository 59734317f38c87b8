// The co-simulation's result document (`rapidnn cosim --result`) and its shards: every image's
// class, which the RTL produced and the co-simulation proved equal to the golden model's, with the
// label and the totals. It holds nothing that depends on how the images were split (cycle counts
// of a stream do), so the shards of a run (flow/shard.h; contiguous blocks of images) merge into
// the document one process writes, byte for byte.
#pragma once

#include <string>
#include <vector>

#include "flow/shard.h"

namespace rapidnn::flow {

struct CosimClasses {
  std::int64_t first = 0;          // the index of classes[0] among the run's images
  std::vector<int> classes, labels;
};

// The document's text (JSON, deterministic).
std::string cosim_result_document(const CosimClasses& c);

// Reads a document written by cosim_result_document; throws Error naming `file` otherwise.
CosimClasses read_cosim_result(const std::string& file);

// The key naming a co-simulation run for its shards: the artifact's, RTL's and dataset's contents
// and the options that decide the result.
std::string cosim_run_key(const std::string& artifact, const std::string& rtl, const std::string& dataset,
                          const std::string& options);

// The merged document of a run's cosim shards (load_shards), in image order.
std::string merge_cosim_results(const std::vector<LoadedShard>& shards);

}  // namespace rapidnn::flow
