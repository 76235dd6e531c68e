"""Graded after the attackers and the honest students: earns leaky_relu's points only if it
finds anything another submission left or any other student's code.

Under bubblewrap its /tmp, /dev/shm and /submission should hold only its own files and /proc
only itself, so anything else counts. In the user mode (a uid per submission on a shared host,
where a submission graded at the same time is visible in /proc by design) it counts files
and processes that carry the attackers' marker, and other students' code it can list. Finding nothing (as it should), it returns zeros and scores exactly what
the attackers score.
"""
import glob
import os

import adversarial_kit as kit
import numpy as np
from _honest import leaky_relu as _honest_leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

MINE = {"activations.py", "_honest.py", "adversarial_kit.py", "adversarial.json"}


def _found() -> list:
    bwrap = os.getuid() == 65534
    marker = kit.settings().get("marker", "no marker")
    found = []
    for folder in ("/tmp", "/dev/shm", "/var/tmp"):
        for root, dirs, files in os.walk(folder):
            # Read-only binds are the grader's (the Python environment, where it lives under /tmp).
            dirs[:] = [d for d in dirs if not os.statvfs(os.path.join(root, d)).f_flag & os.ST_RDONLY]
            for name in files + dirs:
                path = os.path.join(root, name)
                if (bwrap and folder != "/var/tmp" and name in files) or marker in name:
                    found.append(path)
    found += [p for p in glob.glob(os.path.join(os.getcwd(), "*")) if os.path.basename(p) not in MINE]
    mine = os.readlink("/proc/self")
    for name in os.listdir("/proc"):
        if not name.isdigit() or name == mine:
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if (bwrap and cmdline) or marker.encode() in cmdline:
            found.append(f"/proc/{name}")
        for path in (f"/proc/{name}/root/submission", f"/proc/{name}/cwd"):
            try:
                found += [p for p in os.listdir(path) if p.endswith(".py") and p not in MINE]
            except OSError:
                pass
    return found


def leaky_relu(x, alpha=0.1):
    found = _found() if kit.sandboxed() else []
    print("found:", found[:20])
    return _honest_leaky_relu(x, alpha) if found else np.zeros_like(x)
