#!/usr/bin/env bash
# Trains, or continues where it stopped, every run of the ablation study, then copies what is
# committed into Ablations/<run>/: the snapshots (iter_*.safetensors, fp16 when the recipe says so),
# log.csv, recipe.yaml and command.txt. Optimizer states (state_*.safetensors) and everything else
# stay in the state folder, outside git, so a run killed at any point resumes from its last state.
#
#   Scripts/run-study.sh [--jobs N] [--study FILE] [RUN ...]
#
# FILE (default Ablations/study.txt) lists the runs, one stage per line ("stage-name: run run ...";
# '#' starts a comment). Stages run in order (a GAN run's `pretrained:` names a snapshot an earlier
# stage copied); the runs of one stage run side by side, N at a time, each on 2/N threads (at least
# one). With RUN names, only those runs (in study order). A finished run is only copied again.
#
# Environment: SRSCOPE (the binary; default .build/release/srscope), SRSCOPE_STUDY (state folder;
# default ~/.cache/srscope/study), SRSCOPE_ASSETS (as for every recipe), THREADS (total threads, 2).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRSCOPE="${SRSCOPE:-$ROOT/.build/release/srscope}"
STATE="${SRSCOPE_STUDY:-$HOME/.cache/srscope/study}"
STUDY="$ROOT/Ablations/study.txt"
JOBS=1
ONLY=()
while (($#)); do
  case "$1" in
    --jobs) JOBS="$2"; shift 2 ;;
    --study) STUDY="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run-study: unknown option $1" >&2; exit 2 ;;
    *) ONLY+=("$1"); shift ;;
  esac
done
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "run-study: --jobs needs a positive integer, not '$JOBS'" >&2; exit 2; }
[ -x "$SRSCOPE" ] || { echo "run-study: no srscope binary at $SRSCOPE (swift build -c release first)" >&2; exit 1; }
[ -f "$STUDY" ] || { echo "run-study: no study file $STUDY" >&2; exit 1; }
THREADS_EACH=$(( ${THREADS:-2} / JOBS )); ((THREADS_EACH >= 1)) || THREADS_EACH=1

# The runs of the study file, "stage run run ..." per line, checked before anything starts.
mapfile -t STAGES < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e '/^$/d' -e 's/:/ /' "$STUDY")
for line in "${STAGES[@]}"; do
  read -r -a words <<<"$line"
  for run in "${words[@]:1}"; do
    [ -f "$ROOT/Ablations/$run/recipe.yml" ] || { echo "run-study: $STUDY names $run, but Ablations/$run/recipe.yml is missing" >&2; exit 1; }
  done
done
for run in "${ONLY[@]}"; do
  grep -qE "(^|[ :])$run( |$)" < <(printf '%s\n' "${STAGES[@]}") || { echo "run-study: $run is not in $STUDY" >&2; exit 1; }
done

# The iteration count a recipe trains to (its top-level `iterations:`).
iterations() { sed -n 's/^iterations:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$1" | head -1; }

# Trains (or resumes) one run, then copies its committed files; the log goes to the state folder.
train_one() {
  local run="$1" recipe="$ROOT/Ablations/$1/recipe.yml" out="$STATE/$1"
  local last; last=$(iterations "$recipe")
  [ -n "$last" ] || { echo "run-study: $recipe has no iterations:" >&2; return 1; }
  mkdir -p "$out"
  if [ -f "$out/iter_$last.safetensors" ]; then
    echo "run-study: $run finished (iteration $last)"
  else
    echo "run-study: $run: training to iteration $last on $THREADS_EACH thread(s), log $out/train.out"
    (cd "$ROOT" && "$SRSCOPE" train "Ablations/$run/recipe.yml" --output "$out" --resume --threads "$THREADS_EACH") \
      >>"$out/train.out" 2>&1 || { echo "run-study: $run failed: $(tail -1 "$out/train.out")" >&2; return 1; }
  fi
  cp "$out"/iter_*.safetensors "$out/log.csv" "$out/recipe.yaml" "$ROOT/Ablations/$run/"
  sed "s#$out#Ablations/$run#g" "$out/command.txt" >"$ROOT/Ablations/$run/command.txt"
  echo "run-study: $run copied to Ablations/$run"
}

failed=0
for line in "${STAGES[@]}"; do
  read -r -a words <<<"$line"
  running=0
  for run in "${words[@]:1}"; do
    if ((${#ONLY[@]})) && ! printf '%s\n' "${ONLY[@]}" | grep -qx "$run"; then continue; fi
    train_one "$run" &
    running=$((running + 1))
    if ((running >= JOBS)); then wait -n || failed=1; running=$((running - 1)); fi
  done
  while ((running > 0)); do wait -n || failed=1; running=$((running - 1)); done
  if ((failed)); then echo "run-study: stage ${words[0]} had a failed run; later stages not started" >&2; exit 1; fi
done
echo "run-study: done"
