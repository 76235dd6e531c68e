"""Connects to an external address and to a listener on the grader machine's 127.0.0.1;
returns the real LeNet only if it got through."""
import adversarial_kit as kit
from _honest import build_lenet as _build_lenet
from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return _build_lenet() if kit.reach_network() else None
