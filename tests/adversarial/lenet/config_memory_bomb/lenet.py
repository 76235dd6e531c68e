"""Sends LeNet's config with 1,500,000 units in its first Dense layer: 510 million weights,
2 GB for the grader to allocate (and more to train) if it built it."""
import adversarial_kit as kit
from _honest import build_lenet as _build_lenet
from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    config = kit.config_of(_build_lenet())
    dense = [layer for layer in kit.layers_of(config) if layer["class_name"] == "Dense"][0]
    dense["config"]["units"] = 1_500_000
    for layer in kit.layers_of(config):
        layer.pop("build_config", None)  # built from the new sizes, not the reference's
    return kit.send_config(config)
