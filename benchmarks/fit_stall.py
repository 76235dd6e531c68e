"""Reproduce the seconds AlexNet's fit() can spend returning, and the grader's way around them.

After its last epoch, and after its callbacks' on_train_end, Keras's fit() (TensorFlow backend)
sometimes takes seconds to return: the time goes in tearing down fit()'s own tf.data iterator.
On the 2-core development machine it was intermittent: 6 to 20 s in five of eight runs of one
epoch on 5,000 samples, with or without a profiler, from either data source. The grader never
calls fit(): it feeds shuffled full batches to train_on_batch (autograder/training.py), with
OMP_NUM_THREADS fixed, and that loop has no iterator to tear down.

Each case runs REPEATS times, each in a fresh process with 2 TensorFlow threads:
- fit() on 5,000 samples (78 full batches and a partial one), OMP_NUM_THREADS unset;
- the grader's train_on_batch loop on 4,992 samples, OMP_NUM_THREADS=2.

    .venv/bin/python benchmarks/fit_stall.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

REPEATS = 3
CASES = [
    ("fit() on 5,000 samples, OMP_NUM_THREADS unset", "fit", 5000, None),
    ("grader's train_on_batch loop, 4,992 samples", "loop", 4992, "2"),
]


def run_case(how: str, samples: int) -> None:
    """In a child process: train once and print 'seconds_total seconds_after_last_batch'."""
    import keras
    import numpy as np

    import datasets
    from autograder.assignments import get_assignment
    from autograder.engine.plugin import load_module_from_path

    (x_train, y_train), _ = datasets.load("mnist")
    x = (x_train[:samples].astype("float32") / 255.0)[..., np.newaxis]
    y = y_train[:samples].astype("int64")
    keras.utils.set_random_seed(0)
    model = load_module_from_path(get_assignment("alexnet").solution_path, "_reference_alexnet").build_alexnet()
    model.compile(optimizer=keras.optimizers.Adam(3e-4), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    last_batch = [0.0]

    class LastBatch(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            last_batch[0] = time.perf_counter()

    started = time.perf_counter()
    if how == "fit":
        model.fit(x, y, epochs=1, batch_size=64, verbose=0, callbacks=[LastBatch()])
    else:
        order = np.random.default_rng(0).permutation(samples)
        for start in range(0, samples, 64):
            model.train_on_batch(x[order[start:start + 64]], y[order[start:start + 64]])
        last_batch[0] = time.perf_counter()
    returned = time.perf_counter()
    print(f"{returned - started:.1f} {returned - last_batch[0]:.1f}")


def main() -> None:
    if len(sys.argv) == 3:
        run_case(sys.argv[1], int(sys.argv[2]))
        return
    for label, how, samples, omp in CASES * REPEATS:
        env = {key: value for key, value in os.environ.items() if key != "OMP_NUM_THREADS"}
        env.update(TF_NUM_INTRAOP_THREADS="2", TF_NUM_INTEROP_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3",
                   CUDA_VISIBLE_DEVICES="", KERAS_BACKEND="tensorflow")
        if omp:
            env["OMP_NUM_THREADS"] = omp
        run = subprocess.run([sys.executable, __file__, how, str(samples)], env=env, capture_output=True, text=True)
        total, after = run.stdout.split()[-2:]
        print(f"{label:48s} {float(total):5.1f} s, of which {float(after):4.1f} s after training ended", flush=True)


if __name__ == "__main__":
    main()
