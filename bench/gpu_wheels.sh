#!/usr/bin/env bash
# Make bench/gpu-wheels/: the wheels bench/gpu_check.sh installs on a GPU host with no network.
# That host's python3 is 3.12 with its own CUDA build of PyTorch, numpy, matplotlib and pyparsing;
# it lacks pydot (the transformer's diagram checks). Run here, where PyPI is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
rm -rf bench/gpu-wheels && mkdir -p bench/gpu-wheels
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d bench/gpu-wheels "pydot>=3.0,<5"
ls -l bench/gpu-wheels
