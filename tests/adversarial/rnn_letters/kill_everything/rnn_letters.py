"""one_hot_alphabet stops and kills every process it may signal, its parent, and its process group."""
import adversarial_kit as kit
from _honest import id_dataset, onehot_dataset  # noqa: F401 - the honest part: 8 points


def one_hot_alphabet():
    kit.kill_everything()
