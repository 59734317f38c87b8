#!/usr/bin/env bash
# Digest of everything rapidnn generates for a fixed set of inputs: artifacts (tables and
# manifest), emitted RTL (tops, tiles, templates, $readmemh images, file lists) and the synthesis
# wrappers' inputs. One line per file: "<sha256>  <case>/<path>". design.json is digested without
# the keys that describe its provenance (artifact fingerprint, plan options), which later versions
# may add; every other byte counts. A refactoring that changes no output leaves this unchanged:
#   tests/scripts/output_digest.sh build/rapidnn DIR > digest.txt
set -euo pipefail
BIN=$(realpath "$1")
OUT=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$OUT"; mkdir -p "$OUT"; cd "$OUT"
MLP=$ROOT/models/fmnist-mlp-784-512-512-10.onnx
CNN=$ROOT/tests/fixtures/torch_fmnist_cnn.onnx
q() { "$BIN" "$@" > /dev/null; }
q compose -m "$MLP" -d fashion-mnist --w 16 --u 64 -j 2 -o mlp-16-64
q compose -m "$MLP" -d fashion-mnist --w 4 --u 16 --codebook tree -j 2 -o mlp-4-16-tree
q compose -m "$CNN" -d fashion-mnist --w 4 --u 8 --q 16 -j 2 -o cnn-4-8
q emit -c mlp-16-64 -o mlp-16-64-rtl --lanes 16 --rna-share 16
q emit -c mlp-4-16-tree -o mlp-4-16-count-rtl --lanes 4 --rna-share 32 --accumulate count
q emit -c cnn-4-8 -o cnn-4-8-rtl --lanes 4 --rna-share 4
q emit -c cnn-4-8 -o cnn-4-8-fused-rtl --lanes 8 --rna-share 2 --fused-am --top my_top
q emit -c mlp-4-16-tree -o mlp-4-16-shared-rtl --lanes 4 --rna-share 32 --accumulate shared
q emit -c cnn-4-8 -o cnn-4-8-shared-rtl --lanes 4 --rna-share 4 --accumulate shared
# The marker that makes a directory rapidnn's own (core/fileio.h) is not an output.
for f in $(find . -type f ! -name .rapidnn | LC_ALL=C sort); do
  case "$f" in
    */design.json) python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ("artifact","plan")]; print(json.dumps(d,indent=2,sort_keys=True))' "$f" | sha256sum | sed "s|-\$|${f#./}|";;
    *) sha256sum "$f" | sed 's|  \./|  |';;
  esac
done
