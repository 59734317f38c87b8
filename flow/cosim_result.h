// The co-simulation's result document (`rapidnn cosim --result`) and its shards: every image's
// class, which the RTL produced and the co-simulation proved equal to the golden model's, with the
// label and the totals. It holds nothing that depends on how the images were split (cycle counts
// of a stream do), so the shards of a run (flow/shard.h; contiguous blocks of images) merge into
// the document one process writes, byte for byte.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/shard.h"
#include "sim/cosim.h"

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

// A shard's measured cycles (cycles.json beside its result): what depends on the split, kept out
// of the result document.
std::string cosim_cycles_document(const CosimResult& r, const CycleCheck& cc);

// The flow's cosim stage record of a run's shards: latency and interval of the first shard (every
// shard streams from an idle design, as one process does), cycles summed, simulation time the
// longest shard's, cycles/s the sum over that time.
nlohmann::json merge_cosim_cycles(const std::vector<LoadedShard>& shards);

}  // namespace rapidnn::flow
