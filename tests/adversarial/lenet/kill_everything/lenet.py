"""build_lenet stops and kills every process it may signal, its parent, and its process group."""
import adversarial_kit as kit
from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    kit.kill_everything()
