"""Both functions write malformed replies straight into the grader's pipe: an array whose size
overflows, and a header nested too deeply to parse."""
import adversarial_kit as kit


def build_lenet():
    kit.forge_frame(1)


def layer_output_shapes():
    kit.forge_frame(2)
