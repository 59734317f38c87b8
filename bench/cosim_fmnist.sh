#!/usr/bin/env bash
# Co-simulates the full 784-512-512-10 Fashion-MNIST design at (w, u) = (16, 64) (16 lanes, 16
# neurons per RNA: 65 RNAs, one image every 802 cycles, input-bound) over all
# 10,000 test images: prints emit time, Verilator build time, wall time, cycles per inference,
# throughput and simulated cycles per second. Run after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-cosim}
mkdir -p "$out"
build/rapidnn compose -m models/fmnist-mlp-784-512-512-10.onnx -d fashion-mnist --w 16 --u 64 -o "$out/composed"
build/rapidnn emit -c "$out/composed" -o "$out/rtl" --rna-share 16 --lanes 16
rm -rf "$out/rtl.cosim-verilator"   # measure the build
time build/rapidnn cosim -c "$out/composed" -r "$out/rtl" -d fashion-mnist --samples 0
