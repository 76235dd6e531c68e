"""Writes fake results (full marks) everywhere it can think of, and overwrites every classmate's
lenet.py it can find."""
import adversarial_kit as kit
from _honest import layer_output_shapes  # noqa: F401

kit.write_everywhere()
kit.tamper_with_classmates("lenet", "write_and_tamper")


def build_lenet():
    kit.write_everywhere()
    kit.tamper_with_classmates("lenet", "write_and_tamper")
    return None
