"""Class 3: change the limits, priority and CPU affinity of every process it can name, so that
every later submission forked from the same sandbox inherits them (an address-space limit of
64 MB fails any import of numpy; a file-size limit of 1 byte, any output).

leaky_relu tries prlimit(2), setpriority(2) and sched_setaffinity(2) on every pid /proc lists
and on pids 1..4096, and on its user and process group. Its own tests then fail honestly.
"""
import os
import resource

import adversarial_kit as kit
import numpy as np
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def _squeeze(pid: int) -> list:
    done = []
    for limit, value in ((resource.RLIMIT_AS, 64 * 2**20), (resource.RLIMIT_FSIZE, 1),
                         (resource.RLIMIT_NOFILE, 4), (resource.RLIMIT_NPROC, 1)):
        try:
            resource.prlimit(pid, limit, (value, value))
            done.append(f"prlimit {pid}")
        except (OSError, ValueError):
            pass
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
        done.append(f"nice {pid}")
    except OSError:
        pass
    try:
        os.sched_setaffinity(pid, {0})
        done.append(f"affinity {pid}")
    except OSError:
        pass
    return done


def leaky_relu(x, alpha=0.1):
    if kit.sandboxed():
        me = os.getpid()
        pids = {int(p) for p in os.listdir("/proc") if p.isdigit()} | set(range(1, 4097))
        done = [step for pid in sorted(pids - {me}) for step in _squeeze(pid)]
        for which in (os.PRIO_USER, os.PRIO_PGRP):
            try:
                os.setpriority(which, 0, 19)
            except OSError:
                pass
        print("changed:", done[:20])
    return np.zeros_like(x)
