#!/usr/bin/env bash
# On the GPU machine (Python 3.12 with torch, no network): install the carried wheels
# (scripts/fetch_gpu_wheels.sh made them) and the checkout on PYTHONPATH, then run
# `recbole-ctx bench gpu`, its output teed to $OUT (or ./gpu-out) for the closing note.
#   scripts/gpu_check.sh [bench gpu options, e.g. --checks models,eval]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu-out}
mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/nvidia-smi.txt" || true
python3 -m recbole_ctx.cli bench gpu --out "$out" "$@" 2>&1 | tee "$out/raw_output.txt"
