#!/usr/bin/env bash
# The GPU lane in one short check (bench/README.md, "The GPU lane"). Run from anywhere:
#   bench/gpu_check.sh            on a GPU host: probe, seq2seq on CUDA vs CPU, references, burst
#   bench/gpu_check.sh --cpu      the same steps with every sandbox on the CPU (CI runs this half)
# No network and no install step beyond the wheels carried in bench/gpu-wheels/ (made here by
# bench/gpu_wheels.sh); they go to a folder outside the repository, so sandboxes may see them.
# Without a GPU (and without --cpu) it says so in one line and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if compgen -G "bench/gpu-wheels/*.whl" >/dev/null; then
  SITE=${SEQLAB_GPU_SITE:-/tmp/seqlab-gpu/site-packages}
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target "$SITE" bench/gpu-wheels/*.whl || { echo "gpu: cannot install bench/gpu-wheels" >&2; exit 1; }
  export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONUNBUFFERED=1
# The whole check stays under 5 minutes; past that something is wrong, and it says so.
timeout --signal=TERM --kill-after=10 290 "$PY" bench/gpu_check.py "$@"
rc=$?
[ $rc -eq 124 ] && echo "gpu: the check ran past its 290 s limit" >&2
exit $rc
