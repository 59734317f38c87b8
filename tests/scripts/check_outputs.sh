#!/usr/bin/env bash
# Every generated output, byte for byte (tests/scripts/output_digest.sh), against
# tests/fixtures/output_digest.txt; and against the digest from before the flow was made a
# library (output_digest.before-issue-13.txt): the only lines allowed to differ are the design
# directories' files.f and template files (a design holds only the templates it instantiates) and
# the hidden-layer tile modules, which gained the accumulator-sum trace hook for co-simulation
# (lines under `ifdef RAPIDNN_TRACE only: synthesis and plain simulation read the same logic);
# since issue 15 also rnn_rna.v (its adder tree as narrow as the products allow), the counter
# tiles (counters as wide as a neuron's most taps on one weight index) and the designs of the
# shared-row form (*-shared-rtl/, new); since issue 20 every design's Verilog and design.json (the
# input port's features per beat, operand isolation of the activation blocks, unsigned template
# ports, per-RNA sum arrays): the artifacts and every table image stay as they were; since issue
# 17 the tops, rnn_pingpong.v and design.json (buffers with several readers, each with its own
# bank pointer and done/valid bit); since issue 19 the tops, tiles, rnn_am.v, rnn_nearest.v and
# rnn_input_enc.v (a level select port, tied to 0 in a design of one codebook level); and with
# the programmable tables (issue 19 again) the tops, tiles, files.f, rnn_rna.v, rnn_am.v,
# rnn_nearest.v and rnn_input_enc.v (a configuration port, tied off where the tables are
# constant) and the new rnn_ram.v and rnn_cfg_port.v.
# A deliberate change of output regenerates the fixture:
#   tests/scripts/output_digest.sh build/rapidnn /tmp/digest > tests/fixtures/output_digest.txt
# Exit 77 (skipped) when Debian's dataset-fashion-mnist is not installed.
set -euo pipefail
BIN=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/../fixtures
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  echo "skipped: dataset-fashion-mnist is not installed"; exit 77
fi
"$HERE/output_digest.sh" "$BIN" "$WORK/tree" > "$WORK.digest.txt"
if ! diff -u "$FIX/output_digest.txt" "$WORK.digest.txt"; then
  echo "FAILED: generated outputs differ from tests/fixtures/output_digest.txt (lines above)"; exit 1
fi
extra=$(diff <(LC_ALL=C sort "$FIX/output_digest.before-issue-13.txt") <(LC_ALL=C sort "$WORK.digest.txt") |
  grep '^[<>]' | grep -Ev '  [^ ]+-rtl/(files\.f|design\.json|[a-z0-9_]+\.v)$' |
  grep -Ev '^> [0-9a-f]+  [^ ]+-shared-rtl/' || true)
if [ -n "$extra" ]; then
  echo "FAILED: outputs changed since before the redesign beyond files.f and unused templates:"; echo "$extra"; exit 1
fi
gone=$(diff <(LC_ALL=C sort "$FIX/output_digest.before-issue-13.txt") <(LC_ALL=C sort "$WORK.digest.txt") | grep -c '^<' || true)
echo "outputs: $(wc -l < "$WORK.digest.txt") files byte-identical to the fixture; against the pre-redesign digest only Verilog, files.f and design.json of designs ($gone lines) differ"
