#!/usr/bin/env bash
# The 784-512-512-10 Fashion-MNIST design at (16, 64), 4 lanes, 32 neurons per RNA (16 RNAs per
# tile): one RNA, one NDCAM block, the controller and one tile of 16 RNAs (with its memories),
# synthesized together with Yosys + osu018 and timed with OpenSTA. Prints the table and the wall
# time (the target is 5 minutes on 2 cores). Run after scripts/setup.sh.
#   bench/synth_blocks.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-synth-blocks}
mkdir -p "$out"
build/rapidnn compose -m models/fmnist-mlp-784-512-512-10.onnx -d fashion-mnist --w 16 --u 64 -o "$out/art" > "$out/compose.txt"
build/rapidnn emit -c "$out/art" -o "$out/rtl" --lanes 4 --rna-share 32 > "$out/emit.txt"
start=$(date +%s.%N)
build/rapidnn synth -c "$out/art" -r "$out/rtl" --block rna,ndcam,controller,tile --json "$out/synth.json" --work-dir "$out/synth"
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "wall time of the four blocks: %.1f s\n", b - a }'
