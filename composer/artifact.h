// The composer's artifact: a versioned directory the later stages read.
//
//   manifest.json   format "rapidnn-artifact", version, configuration, network
//                   shape, every stage's parameters, codebooks (as real numbers),
//                   fixed-point widths and scales, metrics, and for every table
//                   file its width, entry count and content fingerprint
//   *.hex           table images for $readmemh: one value per line at the
//                   declared width (two's complement, or unsigned for indices)
// The schema is documented in docs/artifact.md. load_artifact() checks every
// field, fingerprint, width and cross-reference and rejects an inconsistent
// artifact with one clear error naming the file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "composer/composed.h"

namespace rapidnn {

// Version 2 adds dataflow beyond a chain (a stage's `source`, a residual `skip` and its
// `skip_lut`); version 3 adds coarser codebook levels (`levels`, each a whole artifact in a
// subdirectory levelL/, composer/levels.h). Each artifact is written at the lowest version that
// holds it (a chain of one level as version 1), so every reader since then reads it.
inline constexpr int kArtifactVersion = 3;
inline constexpr int kLevelsArtifactVersion = 3;
inline constexpr int kDagArtifactVersion = 2;
inline constexpr int kChainArtifactVersion = 1;

// Writes atomically (staging directory, then rename). `metrics` is stored as is.
void write_artifact(const ComposedNetwork& net, const std::string& dir, const nlohmann::json& metrics = {});
ComposedNetwork load_artifact(const std::string& dir, nlohmann::json* metrics = nullptr);

// A fingerprint of what an artifact computes: its tables and its manifest without the metrics and
// the generator version. Equal for a network and the artifact loaded back from writing it; the RTL
// generator records it in design.json so a design and its artifact can be matched.
std::string artifact_fingerprint(const ComposedNetwork& net);

// Text of a $readmemh image of `values` at `bits` (two's complement or unsigned), with a comment header.
std::string hex_image(const std::vector<std::int64_t>& values, int bits, bool is_signed = true);

}  // namespace rapidnn
