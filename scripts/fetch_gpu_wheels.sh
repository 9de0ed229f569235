#!/usr/bin/env bash
# Prepares what `recbole-ctx bench gpu` needs on the GPU machine, which receives only the
# working tree and has no network: wheels (Python 3.12, manylinux x86_64) of the packages
# its image lacks in .whl/, and the real Gowalla and Diginetica files in .gpu_data/.
# Both folders are ignored through .git/info/exclude (never committed) and travel as
# carried paths (together ~15 MiB of the 64 MiB limit).  Run once from the checkout's root.
set -euo pipefail
cd "$(dirname "$0")/.."
exclude=.git/info/exclude
mkdir -p "$(dirname "$exclude")"
for path in /.whl/ /.gpu_data/; do grep -qxF "$path" "$exclude" 2>/dev/null || echo "$path" >>"$exclude"; done

# The GPU image has torch, torch_geometric, numpy, scipy, pandas (3.x), tensorboard, tqdm,
# pyyaml, psutil, scikit-learn, tabulate, colorama (/work/.library/device/KINDS.md).  Missing,
# of what the check imports (traced: every distribution in sys.modules after importing the
# bench, RecBole's Trainer, data layer, LightGCN and SRGNN): recbole, colorlog, texttable.
# RecBole's other requirements (ray, plotly, thop, hyperopt) are imported lazily or, for
# ray, replaced by recbole_ctx.compat.  WITH_PANDAS=2.3.3 also carries this venv's pandas
# (and its pytz, tzdata) instead of the image's pandas 3.
PY=${PYTHON:-python3}
wheels=(recbole==1.2.1 colorlog==4.7.2 texttable==1.7.2)
if [[ -n "${WITH_PANDAS:-}" ]]; then wheels+=("pandas==$WITH_PANDAS" pytz tzdata); fi
rm -rf .whl && mkdir .whl
"$PY" -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .whl "${wheels[@]}"
for whl in .whl/*.whl; do echo "$whl: $(unzip -p "$whl" '*/METADATA' | grep '^Requires-Dist' | grep -v extra | \
  sed 's/Requires-Dist: //' | tr '\n' ' ')"; done

# The data: only the files the check reads (Gowalla 6.6 MiB, Diginetica 5.4 MiB).
SHARED=${SHARED_DATA:-../shared/data}
rm -rf .gpu_data && mkdir -p .gpu_data/gowalla .gpu_data/diginetica
cp "$SHARED"/gowalla/train.txt "$SHARED"/gowalla/test.txt .gpu_data/gowalla/
cp "$SHARED"/diginetica/all_train_seq.txt "$SHARED"/diginetica/test.txt .gpu_data/diginetica/
du -sh .whl .gpu_data
