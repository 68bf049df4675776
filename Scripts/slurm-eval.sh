#!/usr/bin/env bash
# One shard of `srscope eval` per Slurm array task; merge the shards when all have finished.
#
#   sbatch --array=1-8 Scripts/slurm-eval.sh OUTDIR --manifest Ablations/ablations.yml
#   srscope eval --merge OUTDIR/shard-*-of-8.json --format markdown      # after the array ends
#
# Every task evaluates a fixed slice of the (model, image) pairs (`--shard K/N`) and writes
# OUTDIR/shard-K-of-N.json; outputs are cached in $SRSCOPE_CACHE (safe to share between tasks
# and hosts). The array may start at 0 or 1. SRSCOPE (default: srscope on PATH) names the binary.
#SBATCH --job-name=srscope-eval
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
set -euo pipefail
out=${1:?usage: slurm-eval.sh OUTDIR [srscope eval options...]}; shift
count=${SLURM_ARRAY_TASK_COUNT:?not a Slurm array task (submit with sbatch --array=1-N)}
k=$(( SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-1} + 1 ))
mkdir -p "$out"
exec "${SRSCOPE:-srscope}" eval "$@" --shard "$k/$count" --output "$out/shard-$k-of-$count.json" \
  --threads "${SLURM_CPUS_PER_TASK:-2}"
