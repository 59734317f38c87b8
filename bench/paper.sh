#!/usr/bin/env bash
# The RAPIDNN paper's evaluation on its benchmarks, one command: per benchmark (MNIST's topology on
# Fashion-MNIST, ISOLET, CIFAR-10's CNN; bench/paper/<name>.json) a cached flow, then one report
# beside the paper's numbers (out/paper/report/index.html and report.md). ISOLET and CIFAR-10 are
# read from ../shared/ext (skipped when absent). Arguments go to `rapidnn paper` (--only isolet,
# --out DIR, --force). Prints the whole run's wall time and peak memory at the end.
# Run after scripts/setup.sh; from scratch it takes about two hours on 2 cores, a rerun seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
build/rapidnn paper "$@"
