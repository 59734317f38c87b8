// Codebook levels: one network composed at several levels of its tree codebooks (paper sections
// 3.1 and 4: "an adjustable parameter selects the level of the codebook tree").
//
// A level is a number of encoding bits: at level L every codebook of the network has 2^(L - d)
// entries where the finest (level()) has 2^(level() - d). compose_levels() assembles the network
// at each level from a minimum to the finest, and makes every coarser weight index the prefix of
// the finest one (index >> (finest level - L)), which tree and nested codebooks allow: one
// weight-index memory then serves every level, and the hardware selects the level by shifting.
// Tables (products, biases, activation, encoding, the input encoder) differ per level.
#pragma once

#include <string>

#include "composer/compose.h"
#include "composer/composed.h"

namespace rapidnn {

// log2 of the largest codebook (w or u) of any weighted stage: the network's level.
int network_level(const ComposedNetwork& cn);
// The smallest level the network holds (network_level() when it has no coarser levels).
int min_level(const ComposedNetwork& cn);
// The network at `level`, which must be in [min_level, network_level]; throws Error(where, ...)
// naming the levels it holds otherwise.
const ComposedNetwork& at_level(const ComposedNetwork& cn, int level, const std::string& where);

// `finest` (assembled from `state` at `sizes`, q) with every coarser level down to `lowest`
// added (ComposedNetwork::coarser). Throws Error(where, ...) when the codebooks are not nested
// (only tree and nested codebooks are), their entries were refit, or a codebook would have fewer
// than two entries at `lowest`.
void add_coarser_levels(ComposedNetwork& finest, const ComposerState& state, const CodebookSizes& sizes, int q,
                        int lowest, const std::string& where);

// Checks that `coarse` is `finest` at a coarser level: the same stages, codebooks shifted by
// the level difference and weight indices the prefixes of the finest ones.
void check_level(const ComposedNetwork& finest, const ComposedNetwork& coarse, int level, const std::string& where);

}  // namespace rapidnn
