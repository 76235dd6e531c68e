"""Writes fake results (full marks) everywhere it can think of, and overwrites every classmate's
rnn_letters.py it can find."""
import adversarial_kit as kit
from _honest import id_dataset, onehot_dataset  # noqa: F401 - the honest part: 8 points

kit.write_everywhere()
kit.tamper_with_classmates("rnn_letters", "write_and_tamper")


def one_hot_alphabet():
    kit.write_everywhere()
    kit.tamper_with_classmates("rnn_letters", "write_and_tamper")
    return None
