#!/usr/bin/env bash
# The full 10,000-image co-simulation of the default design (784-512-512-10 at (16, 64), 16 lanes,
# 16 neurons per RNA) as one process and as N shards through GNU parallel on this machine: builds
# the Verilator model once (the shards share it), times both runs, merges the shards and compares
# the merged result with the single run's, byte for byte. Prints both wall times and their ratio.
#
# Usage: bench/cosim_shards.sh [OUT_DIR] [SHARDS] [IMAGES]   (default out/bench-cosim-shards, 2, 0 = all)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-cosim-shards}
shards=${2:-2}
images=${3:-0}
bin=build/rapidnn
command -v parallel >/dev/null || { echo "cosim_shards: GNU parallel is missing: apt-get install parallel" >&2; exit 2; }
mkdir -p "$out"
$bin compose -m models/fmnist-mlp-784-512-512-10.onnx -d fashion-mnist --w 16 --u 64 -o "$out/composed" > /dev/null
$bin emit -c "$out/composed" -o "$out/rtl" --rna-share 16 --lanes 16 > /dev/null
echo "build (shared by every run below):"
$bin cosim -c "$out/composed" -r "$out/rtl" -d fashion-mnist --samples 1 | grep -E '^simulator' | sed 's/^/  /'
cosim=("$bin" cosim -c "$out/composed" -r "$out/rtl" -d fashion-mnist --samples "$images")

now() { date +%s.%N; }
start=$(now)
"${cosim[@]}" --result "$out/one.json" > "$out/one.log"
one=$(echo "$(now) - $start" | bc)
grep -E '^(compared|cycles|simulation)' "$out/one.log" | sed 's/^/  one process: /'

rm -rf "$out/shards"
start=$(now)
parallel --halt now,fail=1 -j "$shards" "$(printf '%q ' "${cosim[@]}") --shard {}/$shards --shard-dir $out/shards > $out/shard-{}.log" \
  ::: $(seq 0 $((shards - 1)))
$bin merge "$out/shards" --result "$out/merged.json" > "$out/merge.log"
many=$(echo "$(now) - $start" | bc)
grep -hE '^(shard|simulation)' "$out"/shard-*.log | sed 's/^/  /'

cmp "$out/one.json" "$out/merged.json"
printf 'one process %.1f s; %d shards through GNU parallel, merged: %.1f s; speedup %.2fx; merged result byte-identical (%s)\n' \
  "$one" "$shards" "$many" "$(echo "$one / $many" | bc -l)" "$(grep -o '"images":[0-9]*' "$out/one.json")"
