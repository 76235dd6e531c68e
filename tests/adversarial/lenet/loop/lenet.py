"""build_lenet spins on the CPU for 20 s, then sleeps for 11 days."""
import time

from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    until = time.monotonic() + 20
    while time.monotonic() < until:
        pass
    time.sleep(10 ** 6)
