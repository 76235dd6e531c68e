"""Make the trained weights that the ``pretrained_weights`` cheats ship in their configs.

    .venv/bin/python tests/adversarial/make_weights.py

lenet: the reference architecture trained on 30,720 MNIST images for 2 epochs (about 97%
test accuracy); rnn_letters: each graded RNN variant trained until it predicts all five
transitions. The cheats freeze these weights into Constant initializers of models that cannot
learn (every layer trainable=False).
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT / "solutions" / "lenet"), str(ROOT / "solutions" / "rnn_letters"), str(ROOT)]


def lenet_weights() -> None:
    import datasets
    import lenet

    (x, y), _ = datasets.load("mnist")
    x = (x[:30720].astype("float32") / 255.0)[..., None]
    keras.utils.set_random_seed(1)
    model = lenet.build_lenet()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y[:30720], batch_size=64, epochs=2, verbose=0)
    np.savez_compressed(HERE / "lenet" / "pretrained_weights" / "weights.npz", *model.get_weights())


def rnn_weights() -> None:
    import rnn_letters

    weights = {}
    for builder, dataset in (("build_onehot_rnn", "onehot_dataset"), ("build_embedding_rnn", "id_dataset")):
        for timesteps in (1, 4):
            x, y = getattr(rnn_letters, dataset)(timesteps)
            keras.utils.set_random_seed(1)
            model = getattr(rnn_letters, builder)(timesteps)
            model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
            while not np.array_equal(np.asarray(model.predict_on_batch(x)).argmax(-1), y):
                model.train_on_batch(x, y)
            weights[f"{builder}({timesteps})"] = [np.asarray(w).tolist() for w in model.get_weights()]
    (HERE / "rnn_letters" / "pretrained_weights" / "weights.json").write_text(json.dumps(weights))


if __name__ == "__main__":
    lenet_weights()
    rnn_weights()
