#!/usr/bin/env bash
# A real Slurm job array on this machine: starts a one-node Slurm cluster (munge, slurmctld, slurmd;
# Debian's slurm-wlm and munge) with its state in a private directory, submits a sweep as an
# N-task job array (each task one shard, from SLURM_ARRAY_TASK_ID), merges after it with
# --dependency=afterok, and compares the merged CSV with one process's, byte for byte. Stops the
# daemons it started on exit.
#
# Usage: bench/slurm_sweep.sh [OUT_DIR] [SHARDS] [MODEL]   (as root; default /tmp/rapidnn-slurm, 3,
# models/fmnist-mlp-784-32-10.onnx on Debian's Fashion-MNIST)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$(realpath -m "${1:-/tmp/rapidnn-slurm}")
SHARDS=${2:-3}
MODEL=$(realpath "${3:-models/fmnist-mlp-784-32-10.onnx}")
BIN="$ROOT/build/rapidnn"
GRID=(sweep -m "$MODEL" -d fashion-mnist --w 4,16,64 --u 4,16,64 -j 1)

[ "$(id -u)" -eq 0 ] || { echo "slurm_sweep: run as root (it starts munged, slurmctld and slurmd)" >&2; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm_sweep: installing Debian's slurm-wlm and munge"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge
fi
[ -x "$BIN" ] || { echo "slurm_sweep: $BIN is missing: run scripts/setup.sh" >&2; exit 2; }

rm -rf "$OUT"
mkdir -p "$OUT"/{state,spool,munge,run}
chmod 700 "$OUT/munge"
NODE=$(hostname -s)
CPUS=$(nproc)
MEM=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
export SLURM_CONF="$OUT/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=rapidnn
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$OUT/run/munge.socket
StateSaveLocation=$OUT/state
SlurmdSpoolDir=$OUT/spool
SlurmctldPidFile=$OUT/run/slurmctld.pid
SlurmdPidFile=$OUT/run/slurmd.pid
SlurmctldLogFile=$OUT/slurmctld.log
SlurmdLogFile=$OUT/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$NODE CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=local Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# munge: its own socket and key copy, so a system munged (if any) is left alone.
cp /etc/munge/munge.key "$OUT/munge/munge.key"
chmod 400 "$OUT/munge/munge.key"
munged --force --foreground --socket="$OUT/run/munge.socket" --key-file="$OUT/munge/munge.key" \
  --pid-file="$OUT/run/munged.pid" --log-file="$OUT/munged.log" --seed-file="$OUT/munge/seed" \
  > "$OUT/munged.out" 2>&1 &
PIDS+=($!)
sleep 1
slurmctld -D -i -f "$SLURM_CONF" > "$OUT/slurmctld.out" 2>&1 &
PIDS+=($!)
sleep 2
slurmd -D -f "$SLURM_CONF" > "$OUT/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 30); do
  sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
  sleep 1
done
sinfo || { echo "slurm_sweep: the cluster did not come up; see $OUT/*.log" >&2; exit 1; }

echo "one process:"
start=$(date +%s.%N)
"$BIN" "${GRID[@]}" --csv "$OUT/one.csv" > "$OUT/one.log"
echo "  $(echo "$(date +%s.%N) - $start" | bc) s"

echo "job array of $SHARDS tasks, then the merge:"
start=$(date +%s.%N)
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --cpus-per-task=1 -o "$OUT/task-%a.log" -D "$OUT" \
  --wrap "$(printf '%q ' "$BIN" "${GRID[@]}") --shard-dir $OUT/shards")
merge=$(sbatch --parsable --dependency=afterok:"$array" -o "$OUT/merge.log" -D "$OUT" \
  --wrap "$(printf '%q ' "$BIN" merge "$OUT/shards" --csv "$OUT/merged.csv")")
echo "  array job $array, merge job $merge"
while squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; do sleep 1; done
echo "  $(echo "$(date +%s.%N) - $start" | bc) s"
cat "$OUT"/task-*.log "$OUT/merge.log" | grep -E '^(shard|merged)' | sed 's/^/  /'
if cmp -s "$OUT/one.csv" "$OUT/merged.csv"; then
  echo "merged CSV byte-identical to one process's ($(wc -l < "$OUT/one.csv") lines)"
else
  echo "slurm_sweep: merged CSV differs from one process's (or is missing); see $OUT" >&2
  exit 1
fi
