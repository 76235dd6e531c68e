"""Looks for the hidden tests or the reference on disk, in the environment and in other
processes' memory; build_lenet returns the real LeNet only if something was found."""
import adversarial_kit as kit
from _honest import build_lenet as _build_lenet
from _honest import layer_output_shapes  # noqa: F401

STOLEN = kit.steal_from_disk("lenet") or kit.steal_from_environment()


def build_lenet():
    return _build_lenet() if STOLEN or kit.steal_from_memory() else None
