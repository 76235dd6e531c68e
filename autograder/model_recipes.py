"""The grader's training recipe and minimum test accuracy for each model assignment.

Recipes are small on purpose: a class must be gradable on a laptop CPU (targets: MLP and LeNet
at most 30 s per submission, AlexNet at most 120 s, everything included). Sample counts are
whole multiples of the batch size (see ``training._batches``).

Each threshold sits between the reference and the known-wrong architectures, measured over 5 seeds
by ``benchmarks/model_thresholds.py`` (evidence: ``benchmarks/results/model_thresholds.json``):
every hidden activation sigmoid, hidden activations missing (linear), average instead of max
pooling, and every layer but the output layer frozen. The threshold is the higher of the midpoint
between the best such architecture (its best seed) and the reference's worst seed, rounded down to
0.005, and the reference rule (its worst seed minus max(0.03, 3 standard deviations), rounded down
to 0.01). The gap must be at least 0.02, so each side gets at least 0.01, and the threshold sits
below the demo cohort's accepted alternatives (other padding, layer order, layer width).

Every one of those architectures is already failed by the architecture or parameter-count check;
the accuracy check fails them too where the accuracy can tell them apart. Some cannot be told
apart by any recipe within the time targets, and do not drive the threshold (the evidence says why
for each): a CNN without relu still has max pooling as its nonlinearity and reaches the reference's
accuracy (in AlexNet it learns faster than the reference in the recipe's 100 steps), and average
pooling is a correct pooling (the original LeNet's; in AlexNet it learns more slowly, within 0.013
of the reference's worst seed). The thresholds these leave: LeNet 0.955 and the MLP 0.93, at the
midpoint above sigmoid hidden activations (best seeds 0.942 and 0.915, reference worst 0.972 and
0.950); AlexNet 0.87, the reference rule (worst seed 0.903; sigmoid and frozen stay under 0.2).
Missing BatchNormalization or Dropout is measured too, but is not a learning defect (the MLP
without either, and AlexNet without Dropout, reach the reference's accuracy or more). A
sigmoid output layer trains exactly like softmax on the TensorFlow backend (Keras takes the
logits), so only the architecture check sees it. A model that cannot learn (learning rate 0, or
every weight initialized to zero) stays near 0.1.
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
    "mnist_mlp": 0.93,
    "lenet": 0.955,
    "alexnet": 0.87,
}
