"""Sends the reference's config with objects that name Python callables and their arguments, as
a pickle's __reduce__ would: os.system as an initializer, builtins.exec as an activation,
subprocess.Popen as a layer."""
import adversarial_kit as kit
from _honest import build_lenet as _build_lenet
from _honest import layer_output_shapes  # noqa: F401

MARK = kit.pwned_path("builtins")


def build_lenet():
    config = kit.config_of(_build_lenet())
    dense = [layer for layer in kit.layers_of(config) if layer["class_name"] == "Dense"][0]
    dense["config"]["kernel_initializer"] = {"module": "os", "class_name": "system", "registered_name": None,
                                             "config": {"command": f"touch {MARK}"}}
    dense["config"]["activation"] = {"module": "builtins", "class_name": "exec", "registered_name": None,
                                     "config": f"open({MARK!r}, 'w').write('pwned')"}
    kit.layers_of(config).insert(1, {"module": "subprocess", "class_name": "Popen", "registered_name": None,
                                     "config": {"args": ["touch", MARK]}})
    return kit.send_config(config)
