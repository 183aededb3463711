#!/usr/bin/env bash
# One command per variant: trains the shared stage I (skipped when its final.pt exists) and then the variant.
# Usage: bash training/train_variant.sh <lare|lare-noextractor|lvr|direct> [minutes for the fine-tune]
# Runs resume from their checkpoints when interrupted and restarted with the same command.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
case "${1:-}" in
  lare|lare-noextractor|lvr|direct) v=$1 ;;
  *) echo "usage: bash training/train_variant.sh <lare|lare-noextractor|lvr|direct> [minutes]" >&2; exit 2 ;;
esac
minutes=${2:-35}
P=/usr/bin/python3
R=training/runs
if [ ! -f $R/stage1/final.pt ]; then
  $P training/train.py stage1 --run-dir $R/stage1 --steps 6000 --minutes 55 --batch 24 --lr 1.5e-3 \
    --curriculum 0.08 --seed 1234
fi
$P training/train.py "$v" --init $R/stage1/final.pt --run-dir "$R/$v" --steps 4000 --minutes "$minutes" \
  --batch 16 --lr 1e-3 --seed 1234
