"""Graded after the attackers and the honest students: earns leaky_relu's points only if it
finds anything another submission left or any other student's code.

It looks in /tmp, /dev/shm and /submission, at every process /proc shows, and through every
/proc/PID/root and cwd it can open. Finding nothing (as it should), it returns zeros and
scores exactly what the attackers score.
"""
import glob
import os

import adversarial_kit as kit
import numpy as np
from _honest import leaky_relu as _honest_leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

MINE = {"activations.py", "_honest.py", "adversarial_kit.py", "adversarial.json"}


def _found() -> list:
    found = []
    for folder in ("/tmp", "/dev/shm"):
        for root, _, files in os.walk(folder):
            found += [os.path.join(root, name) for name in files]
    found += [p for p in glob.glob("/submission/*") if os.path.basename(p) not in MINE]
    mine = os.readlink("/proc/self")
    for name in os.listdir("/proc"):
        if name.isdigit() and name != mine:
            for path in (f"/proc/{name}/cmdline", f"/proc/{name}/root/submission", f"/proc/{name}/cwd"):
                try:
                    if os.path.isdir(path):
                        found += os.listdir(path)
                    else:
                        with open(path, "rb") as f:
                            if f.read():
                                found.append(path)
                except OSError:
                    pass
    return found


def leaky_relu(x, alpha=0.1):
    found = _found() if kit.sandboxed() else []
    print("found:", found[:20])
    return _honest_leaky_relu(x, alpha) if found else np.zeros_like(x)
