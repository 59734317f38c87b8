#!/usr/bin/env bash
# Lookup tile versus multiply-accumulate tile over w, u in {4, 16, 64} for the shipped
# 784-512-512-10 Fashion-MNIST MLP: the first layer's tile (16 RNAs, 4 lanes, 32 neurons per RNA)
# against the same tile with 8-bit MAC neurons (same controller, lanes and cycles). Logic is
# synthesized (Yosys + osu018, OpenSTA); memories are compared by bits (--memories bits), since
# their ROM logic is the same kind for both. Two points at a time. Run after scripts/setup.sh.
#   bench/synth_tile_sweep.sh [out-dir] ["4 16 64"] ["4 16 64"]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench-tile-sweep}
ws=${2:-"4 16 64"}
us=${3:-"4 16 64"}
mkdir -p "$out"
point() {  # w u [extra blocks]
  local p="$out/w$1-u$2"
  build/rapidnn compose -m models/fmnist-mlp-784-512-512-10.onnx -d fashion-mnist --w "$1" --u "$2" -o "$p.art" > "$p.compose.txt"
  build/rapidnn emit -c "$p.art" -o "$p.rtl" --lanes 4 --rna-share 32 > "$p.emit.txt"
  build/rapidnn synth -c "$p.art" -r "$p.rtl" --block "tile$3" --memories bits --json "$p.synth.json" \
    --work-dir "$p.synth" > "$p.synth.txt"
  echo "w=$1 u=$2 done"
}
export -f point
export out
first=1
for w in $ws; do for u in $us; do
  if [ $first = 1 ]; then echo "$w $u ,mac-tile"; first=0; else echo "$w $u"; fi
done; done | xargs -P 2 -L 1 bash -c 'point "$@"' _
/usr/bin/python3 - "$out" "$ws" "$us" <<'PY'
import json, re, sys
out, ws, us = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
mac = None
rows = []
for w in ws:
    for u in us:
        p = f"{out}/w{w}-u{u}"
        d = float(re.search(r"delta-e\s+([+-][0-9.]+)", open(p + ".compose.txt").read()).group(1))
        s = json.load(open(p + ".synth.json"))
        b = {x["block"]: x for x in s["blocks"]}
        mac = b.get("mac-tile", mac)
        rows.append((int(w), int(u), d, b["tile"], s["latency_cycles"], s["interval_cycles"]))
bits = lambda blk: sum(m["bits"] for m in blk["memories"])
def edp(b, lat, iv):
    return b["energy_pj_per_cycle"] * iv * lat / b["fmax_mhz"]
print(f"{'w':>3} {'u':>3} {'delta-e':>8} {'tile um2':>10} {'MAC tile':>10} {'logic L/M':>9} {'mem bits':>9}"
      f" {'MAC bits':>9} {'bits L/M':>8} {'MHz':>5} {'MAC MHz':>7} {'pJ/cyc':>7} {'MAC pJ':>7} {'EDP L/M':>8}")
for w, u, d, t, lat, iv in rows:
    print(f"{w:>3} {u:>3} {d:>+8.2f} {t['area_um2']:>10.0f} {mac['area_um2']:>10.0f} {t['area_um2'] / mac['area_um2']:>9.2f}"
          f" {bits(t):>9} {bits(mac):>9} {bits(t) / bits(mac):>8.2f} {t['fmax_mhz']:>5.0f} {mac['fmax_mhz']:>7.0f}"
          f" {t['energy_pj_per_cycle']:>7.0f} {mac['energy_pj_per_cycle']:>7.0f} {edp(t, lat, iv) / edp(mac, lat, iv):>8.2f}")
print(f"cycles: {rows[0][4]} per inference, one every {rows[0][5]:.0f}, the same for both tiles."
      " Logic only (memories by bits); energy: OpenSTA vectorless power of the logic.")
PY
