"""The grader's training recipe and minimum test accuracy for each model assignment.

Recipes are small on purpose: a class must be gradable on a laptop CPU (targets: MLP and LeNet
at most 30 s per submission, AlexNet at most 120 s, everything included). Sample counts are
whole multiples of the batch size (see ``training._batches``).

Each threshold is the lowest reference accuracy over 5 seeds minus max(0.03, 3 standard
deviations), rounded down to 0.01; ``benchmarks/model_thresholds.py`` measures it and writes
the evidence to ``benchmarks/results/model_thresholds.json``. A model that cannot learn
(learning rate 0, or every weight initialized to zero) stays near 0.1.
"""

from autograder.training import Recipe

RECIPES = {
    "mnist_mlp": Recipe(dataset="mnist", train_samples=30_720, epochs=2, batch_size=128, optimizer="Adam",
                        learning_rate=1e-3, input_shape=(784,)),
    "lenet": Recipe(dataset="mnist", train_samples=30_720, epochs=2, batch_size=64, optimizer="Adam",
                    learning_rate=1e-3),
    "alexnet": Recipe(dataset="mnist", train_samples=6_400, epochs=1, batch_size=64, optimizer="Adam",
                      learning_rate=3e-4),
}

MIN_TEST_ACCURACY = {
    "mnist_mlp": 0.92,
    "lenet": 0.94,
    "alexnet": 0.84,
}
