"""one_hot_alphabet spins on the CPU for 20 s, then sleeps for 11 days."""
import time

from _honest import id_dataset, onehot_dataset  # noqa: F401 - the honest part: 8 points


def one_hot_alphabet():
    until = time.monotonic() + 20
    while time.monotonic() < until:
        pass
    time.sleep(10 ** 6)
