#!/usr/bin/env bash
# The paper's fully parallel configuration of the 784-512-512-10 Fashion-MNIST design at
# (w, u) = (16, 64): one RNA per neuron (1,034 RNAs), 8 lanes, 8 raw features per input beat.
# Emits it, builds it with Verilator from scratch (hierarchical: each distinct RNA and activation
# block verilated once) and co-simulates IMAGES test images bit for bit; prints the emit table,
# the build time, latency, interval and simulated cycles/s. For comparison, the default design
# (16 lanes, 16 neurons per RNA, one feature per beat) takes one image every 802 cycles.
#
# Usage: bench/cosim_parallel.sh [OUT_DIR] [IMAGES] [FEATURES_PER_BEAT]   (default out/bench-parallel, 1000, 8)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-parallel}
images=${2:-1000}
beat=${3:-8}
mkdir -p "$out"
build/rapidnn compose -m models/fmnist-mlp-784-512-512-10.onnx -d fashion-mnist --w 16 --u 64 -o "$out/composed" > /dev/null
build/rapidnn emit -c "$out/composed" -o "$out/rtl" --rna-share 1 --lanes 8 --features-per-beat "$beat"
rm -rf "$out/rtl.cosim-verilator"   # measure the build
time build/rapidnn cosim -c "$out/composed" -r "$out/rtl" -d fashion-mnist --samples "$images"
