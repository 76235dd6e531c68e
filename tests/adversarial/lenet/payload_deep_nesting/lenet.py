"""Sends a config nested a million levels deep (2 MB), for the grader's JSON parser."""
import adversarial_kit as kit
from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return kit.send_config("[" * 1_000_000 + "]" * 1_000_000)
