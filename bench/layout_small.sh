#!/usr/bin/env bash
# Place and route of a whole small tile and one RNA, from one flow run: a small CNN
# (cnn:1x28x28-c8k3-p2-f32-10, trained in-tool for 2 epochs on Fashion-MNIST), composed at (4, 4),
# emitted with 1 lane and 8 neurons per RNA (the first layer, a 3x3 convolution of 8 channels, is
# one RNA time-multiplexed over its channels), co-simulated on 50 test images, synthesized, and its
# first-layer tile and RNA placed and routed through qflow with osu018 (stage `layout`). Prints
# per block: cells, die and core area, utilization, wire, failed routes, Fmax before and after
# routing, DRC, LVS and the seconds of each qflow stage, and whether the block finished within
# 5 minutes. Core density 0.7 (the tool's default is 0.6): measured faster to route and smaller. The report (out-dir/flow/report/index.html) shows both layouts.
# Run after scripts/setup.sh; about 10 minutes on 2 cores.
#   bench/layout_small.sh [out-dir] [ARCH]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-layout-small}
arch=${2:-cnn:1x28x28-c8k3-p2-f32-10}
mkdir -p "$out"
cat > "$out/flow.json" <<JSON
{
  "out": "flow",
  "model": "",
  "train": {"arch": "$arch", "epochs": 2},
  "compose": {"w": 4, "u": 4},
  "sweep": {"enabled": false},
  "rtl": {"lanes": 1, "rna_share": 8, "accumulate": "direct"},
  "cosim": {"samples": 50},
  "synth": {"blocks": ["rna", "tile"]},
  "layout": {"enabled": true, "blocks": ["rna", "tile"], "density": 0.7}
}
JSON
start=$(date +%s)
build/rapidnn flow "$out/flow.json" | tee "$out/flow.txt"
echo "wall time: $(( $(date +%s) - start )) s"
/usr/bin/python3 - "$out/flow/report/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"\n{'block':<6} {'cells':>6} {'die um2':>9} {'core um2':>9} {'util':>6} {'wire mm':>8} {'failed':>6} "
      f"{'Fmax pre':>8} {'post':>6} {'DRC':>4} {'LVS':>6} {'seconds':>8}  stages")
for b in r["layout"]["blocks"]:
    stages = ", ".join(f"{k} {v:.0f}" for k, v in b["stage_seconds"].items())
    print(f"{b['block']:<6} {b['cells']:>6} {b['die_um2']:>9.0f} {b['core_um2']:>9.0f} {b['utilization']:>6.1%} "
          f"{b['wire_mm']:>8.1f} {b['failed_routes']:>6} {b['pre_route_fmax_mhz']:>8.1f} {b['post_route_fmax_mhz']:>6.1f} "
          f"{b['drc_errors']:>4} {'match' if b['lvs_match'] else 'differ':>6} {b['seconds']:>8.1f}  {stages}")
    print(f"       within 5 minutes: {'yes' if b['seconds'] <= 300 else 'no'}")
PY
