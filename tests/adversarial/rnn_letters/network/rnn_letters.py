"""Connects to an external address and to a listener on the grader machine's 127.0.0.1;
one_hot_alphabet answers right only if it got through."""
import numpy as np

import adversarial_kit as kit
from _honest import one_hot_alphabet as _one_hot_alphabet
from _honest import id_dataset, onehot_dataset  # noqa: F401 - the honest part: 8 points


def one_hot_alphabet():
    return _one_hot_alphabet() if kit.reach_network() else np.zeros((5, 5), dtype=np.float32)
