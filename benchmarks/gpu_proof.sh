#!/usr/bin/env bash
# The GPU proof (issue 20), as one command on the GPU machine, from the repository root there:
#
#   device run, carry [".whl"], command: bash benchmarks/gpu_proof.sh
#
# .whl/ comes from benchmarks/gpu_wheelhouse.sh (built here, where PyPI is reachable). The
# machine's python3 (3.12, with JAX and PyTorch) gets those wheels in /tmp/site; the checkout is
# used from the working tree as it travels, without an install. benchmarks/gpu_proof.py grades
# the references and a known-wrong student of each model assignment with --device gpu, checks
# their scores against the CPU's, and writes gpu.json (with --backend torch too, if time is
# left) to $OUT (or benchmarks/results/ where $OUT is not set).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-benchmarks/results}"
export PYTHONUNBUFFERED=1
started=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 2
export PYTHONPATH="/tmp/site:$PWD"
if ! ldconfig -p | grep -q 'libseccomp\.so\.2'; then  # the workers' seccomp filter needs it
  for deb in .whl/libseccomp2_*.deb; do dpkg -x "$deb" / && ldconfig; done
fi
{
  echo "== machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python3 -c 'import sys, jax, keras; print(sys.version.split()[0], "jax", jax.__version__, jax.devices(), "keras", keras.__version__)'
  echo "== sandbox (no setup: nothing can be installed there)"
  python3 -c 'from autograder.sandbox.launcher import bwrap_problem, user_mode_problem; print("bwrap:", bwrap_problem() or "ok"); print("user:", user_mode_problem() or "ok")' 
} 2>&1 | tee "$OUT/machine.txt"
python3 benchmarks/gpu_proof.py --backend jax --out "$OUT" 2>&1 | tee "$OUT/gpu_proof_jax.log"
status=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - started ))
if [ "$elapsed" -lt 420 ]; then  # torch too, if at least half the budget is left
  mkdir -p "$OUT/torch"
  python3 benchmarks/gpu_proof.py --backend torch --out "$OUT/torch" 2>&1 | tee "$OUT/gpu_proof_torch.log"
fi
exit "$status"
