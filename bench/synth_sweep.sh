#!/usr/bin/env bash
# Lookup neuron versus multiply-accumulate neuron over w, u in {4, 16, 64} (the axes of the
# paper's Figures 11 and 12) for the shipped 784-512-512-10 Fashion-MNIST MLP: composes each
# point (no retraining), emits it (4 lanes, 32 neurons per RNA), synthesizes one RNA and the
# baseline MAC neuron with Yosys + osu018 + OpenSTA, and prints delta-e, areas, transistors,
# Fmax, cycles per inference, energy per inference and energy-delay (OpenSTA vectorless power).
# Run after scripts/setup.sh. (`rapidnn flow` runs the same sweep and plots it.)
#   bench/synth_sweep.sh [out-dir] ["4 16 64"] ["4 16 64"]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-synth}
ws=${2:-"4 16 64"}
us=${3:-"4 16 64"}
mkdir -p "$out"
for w in $ws; do
  for u in $us; do
    p="$out/w$w-u$u"
    build/rapidnn compose -m models/fmnist-mlp-784-512-512-10.onnx -d fashion-mnist --w "$w" --u "$u" -o "$p.art" > "$p.compose.txt"
    build/rapidnn emit -c "$p.art" -o "$p.rtl" --lanes 4 --rna-share 32 > "$p.emit.txt"
    build/rapidnn synth -c "$p.art" -r "$p.rtl" --block rna,mac --json "$p.synth.json" > "$p.synth.txt"
    echo "w=$w u=$u done"
  done
done
/usr/bin/python3 - "$out" "$ws" "$us" <<'PY'
import json, re, sys
out, ws, us = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
rows = []
for w in ws:
    for u in us:
        p = f"{out}/w{w}-u{u}"
        d = float(re.search(r"delta-e\s+([+-][0-9.]+)", open(p + ".compose.txt").read()).group(1))
        s = json.load(open(p + ".synth.json"))
        b = {x["block"]: x for x in s["blocks"]}
        rows.append((int(w), int(u), d, b["rna"], b["mac"], s["latency_cycles"], s["interval_cycles"]))
def energy(b, r):  # nJ per inference: energy per cycle x the cycles of one interval
    return b["energy_pj_per_cycle"] * r[6] / 1e3
def edp(b, r):  # nJ x us: energy per inference x latency at Fmax
    return energy(b, r) * r[5] / b["fmax_mhz"]
print(f"{'w':>3} {'u':>3} {'delta-e':>8} {'RNA um2':>10} {'MAC um2':>10} {'LUT/MAC':>8} {'RNA tr':>9} {'MAC tr':>9}"
      f" {'RNA MHz':>8} {'MAC MHz':>8} {'cycles':>7} {'RNA nJ':>8} {'MAC nJ':>8} {'EDP L/M':>8}")
for r in rows:
    rna, mac = r[3], r[4]
    print(f"{r[0]:>3} {r[1]:>3} {r[2]:>+8.2f} {rna['area_um2']:>10.0f} {mac['area_um2']:>10.0f}"
          f" {rna['area_um2'] / mac['area_um2']:>8.2f} {rna['transistors']:>9} {mac['transistors']:>9}"
          f" {rna['fmax_mhz']:>8.1f} {mac['fmax_mhz']:>8.1f} {r[5]:>7} {energy(rna, r):>8.1f} {energy(mac, r):>8.1f}"
          f" {edp(rna, r) / edp(mac, r):>8.2f}")
print("energy: OpenSTA report_power, vectorless (input activity 0.1), per inference = energy per cycle x interval;"
      " EDP = energy x latency / Fmax, lookup over MAC neuron")
PY
