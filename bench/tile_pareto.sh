#!/usr/bin/env bash
# Whole lookup tiles against whole multiply-accumulate tiles, from one flow run, on the shipped
# 784-512-512-10 Fashion-MNIST MLP (first layer). The design point is composed at (W, U), retrained
# when RETRAIN=1 (default: (4, 16), retrained), and its tile is synthesized with every table memory
# as ROM logic (16 lanes, 16 neurons per RNA) beside the 8-bit MAC tile and the equal-accuracy
# uniform MAC tile (the smallest weight x input widths whose test accuracy reaches the design's),
# same controller, lanes, groups and cycles. The sweep then synthesizes, per (w, u) in
# {4, 16, 64}^2 and per accumulate form (direct, count, shared), the whole tile at the sweep's
# lanes and sharing (4 lanes, 64 neurons per RNA) beside both MAC tiles at that configuration.
# Prints both tables (delta-e, tile area, logic and memory area, energy per inference, Fmax,
# cycles, ratios to the 8-bit MAC tile). Run after scripts/setup.sh; about 30 minutes on 2 cores.
#   bench/tile_pareto.sh [out-dir] [W] [U] [RETRAIN] [FORMS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-tile-pareto}
w=${2:-4}
u=${3:-16}
retrain=${4:-1}
forms=${5:-"direct count shared"}
mkdir -p "$out"
forms_json=$(printf '"%s",' $forms)
cat > "$out/flow.json" <<JSON
{
  "out": "flow",
  "compose": {"w": $w, "u": $u, "retrain": {"enabled": $([ "$retrain" = 1 ] && echo true || echo false)}},
  "sweep": {"forms": [${forms_json%,}]},
  "cosim": {"enabled": false},
  "synth": {"blocks": ["tile"]}
}
JSON
start=$(date +%s)
build/rapidnn flow "$out/flow.json" | tee "$out/flow.txt"
echo "wall time: $(( $(date +%s) - start )) s"
/usr/bin/python3 - "$out/flow/report/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def table(title, tiles):
    mac8 = next(t for t in tiles if t["name"] == "mac8")
    print(f"\n{title}")
    print(f"{'tile':<26} {'delta-e':>7} {'area mm2':>9} {'logic':>7} {'memory':>7} {'area/MAC8':>9}"
          f" {'nJ/inf':>8} {'E/MAC8':>6} {'MHz':>5} {'cycles':>7}")
    for t in tiles:
        print(f"{t['label']:<26} {t['delta_e']:>+7.2f} {t['area_um2']/1e6:>9.2f} {t['logic_um2']/1e6:>7.2f}"
              f" {t['memory_um2']/1e6:>7.2f} {t['area_um2']/mac8['area_um2']:>9.2f}"
              f" {t['energy_nj_per_inference']:>8.1f} {t['energy_nj_per_inference']/mac8['energy_nj_per_inference']:>6.2f}"
              f" {t['fmax_mhz']:>5.0f} {t['cycles']:>7}")
b = r["baselines"]
print(f"float accuracy {b['float_accuracy']:.2f}%; design {r['compose']['rapidnn_accuracy']:.2f}%"
      f" (delta-e {r['compose']['delta_e']:+.2f}); equal-accuracy MAC: {b['equal']['weight_bits']}-bit x"
      f" {b['equal']['input_bits']}-bit, {b['equal']['accuracy']:.2f}%{'' if b['reached'] else ' (target not reached)'}")
s = r["synth"]["tiles"]
table(f"design tiles ({r['emit']['rtl']['lanes']} lanes, {r['emit']['rtl']['rna_share']} neurons per RNA)", s)
ss = r["sweep_synth"]
table(f"sweep tiles ({ss['lanes']} lanes, {ss['rna_share']} neurons per RNA)", ss["tiles"])
PY
