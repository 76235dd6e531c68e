"""Checks for model assignments: architecture, parameter counts, learning.

Grading tests call these with what ``submission.build_x()`` returned: in the sandbox that is
a ``KerasModelSpec`` (config only), rebuilt here by the grader; in a student's local run it
is the student's own ``keras.Model``.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailure, Stage, record_curve, record_metric
from autograder.i18n import N_, _, _f
from autograder.keras_models import (count_parameters, expect_same_architecture, not_a_model, rebuild, spec_of,
                                     subclass_failure)
from autograder.sandbox.child.protocol import KerasModelSpec
from autograder.training import TIME_BUDGET_FLOOR_S, Budget, Recipe, train_and_evaluate, training_budget

# A model fresh from its initializers classifies about 10% of the digits right. One that does
# much better before any training carries trained weights in its config (Constant initializers,
# say): it would pass the learning check even if it could not learn at all (every layer frozen).
MAX_ACCURACY_BEFORE_TRAINING = 0.5  # on the first 1000 test images (training.EVALUATION_BATCH)


def as_model(value, *, what: str | None = None):
    """A Keras model from a submission's return value (rebuilt if it came from the sandbox).
    ``what`` names it in messages ("the function" by default).

    The rebuilt model is kept on the spec: the checks that look at it share one rebuild
    (AlexNet's takes about a second); training always rebuilds afresh, after seeding.
    """
    what = _("the function") if what is None else what
    if isinstance(value, KerasModelSpec):
        if getattr(value, "_rebuilt", None) is None:
            value._rebuilt = rebuild(value)
        return value._rebuilt
    import keras

    if not isinstance(value, keras.Model):
        raise not_a_model(value, what=what)
    if not type(value).__module__.startswith("keras."):  # a student's run: the grader would refuse it
        raise subclass_failure(type(value).__name__, what=what)
    return value


# How a task may ask for a model to be built, and the class Keras gives such a model.
MODEL_KINDS = {"Sequential": "keras.Sequential([...])",
               "Functional": N_("the functional API (keras.Input, layers called on tensors, keras.Model(inputs, "
                                "outputs))")}


def check_architecture(value, reference_model, *, what: str | None = None, kind: str | None = None) -> None:
    """Same layer types, in order, with the same output shapes, activations and settings; and, where
    the task says how to build it (``kind``: "Sequential" or "Functional"), built that way.
    ``what`` names the model in messages ("model" by default)."""
    what = _("model") if what is None else what
    model = as_model(value, what=what)
    if kind is not None and type(model).__name__ != kind:
        if type(model).__name__ == "Sequential":
            message = _f("{what} should be built with {how}, but it is a Sequential model.",
                         what=what, how=_(MODEL_KINDS[kind]))
        else:
            message = _f("{what} should be built with {how}, but it is a functional model.",
                         what=what, how=_(MODEL_KINDS[kind]))
        raise CheckFailure(Stage.TYPE, message)
    expect_same_architecture(model, reference_model, what=what)


def check_parameter_counts(value, reference_model, *, what: str | None = None) -> None:
    """Same numbers of trainable and non-trainable parameters as the architecture asks for.
    ``what`` names the model in messages ("model" by default)."""
    what = _("model") if what is None else what
    model = as_model(value, what=what)
    got = (count_parameters(model.trainable_weights), count_parameters(model.non_trainable_weights))
    expected = (count_parameters(reference_model.trainable_weights), count_parameters(reference_model.non_trainable_weights))
    if got != expected:
        raise CheckFailure(
            Stage.VALUES,
            _f("{what} has {trainable} trainable and {non_trainable} non-trainable parameters; the architecture "
               "has {expected_trainable} and {expected_non_trainable}.",
               what=what, trainable=format(got[0], ","), non_trainable=format(got[1], ","),
               expected_trainable=format(expected[0], ","), expected_non_trainable=format(expected[1], ",")),
        )


def check_learns(value, recipe: Recipe, minimum_accuracy: float, *, what: str | None = None,
                 reference_model=None) -> float:
    """Train with the grader's recipe (in this process) and require a minimum test accuracy,
    reached by learning: a model that is already accurate before training is refused.

    The grader's time on the student's model is bounded by a budget derived from
    ``reference_model``'s own time under the recipe on this machine (training.training_budget);
    without one, by TIME_BUDGET_FLOOR_S alone. A model over budget fails this test, and only it.
    ``what`` names the model in messages ("model" by default)."""
    what = _("model") if what is None else what
    if not isinstance(value, KerasModelSpec):
        import keras

        if not isinstance(value, keras.Model):  # it did not leave the sandbox as a model: say why
            raise not_a_model(value, what=what)
        as_model(value, what=what)  # a subclass is refused with its reason
        raise CheckFailure(Stage.TYPE, _f("{what} can only be trained by the grader (run `autograder check`).",
                                          what=what))
    budget = (training_budget(spec_of(reference_model), recipe) if reference_model is not None
              else Budget(TIME_BUDGET_FLOOR_S))
    def refuse_if_already_accurate(untrained: float) -> None:
        if untrained > MAX_ACCURACY_BEFORE_TRAINING:
            raise CheckFailure(
                Stage.VALUES,
                _f("{what} reaches {accuracy} test accuracy before any training: its weights come from its "
                   "config (e.g. Constant initializers), not from learning. Use Keras's default initializers; the "
                   "grader checks that your architecture learns.", what=what, accuracy=format(untrained, ".2f")),
            )

    report = train_and_evaluate(value, recipe, before_training=refuse_if_already_accurate, budget=budget, what=what)
    # For the instructor's report and the student's feedback (the threshold is in the message anyway).
    record_metric("test_accuracy", report.test_accuracy)
    record_metric("required_test_accuracy", minimum_accuracy)
    record_metric("train_seconds", report.train_seconds)
    for name, values in report.curve.items():
        record_curve(name, values)
    if report.test_accuracy < minimum_accuracy:
        raise CheckFailure(Stage.VALUES, learning_failure(report, recipe, minimum_accuracy, what=what))
    return report.test_accuracy


def learning_failure(report, recipe: Recipe, minimum_accuracy: float, *, what: str | None = None) -> str:
    """Why a model's test accuracy is under the threshold, from what its training showed.

    A model that fits its training batches (its last epoch's training accuracy reaches the
    threshold) but not the test images learned; what it learned does not carry over to
    evaluation. Otherwise it did not learn. The numbers shown are the student's own accuracies,
    the threshold and the recipe, all of which the handout or the feedback states anyway.
    ``what`` names the model ("model" by default)."""
    what = _("model") if what is None else what
    steps = recipe.epochs * (recipe.train_samples // recipe.batch_size)
    # TRANSLATORS: {dataset} is mnist or fashion_mnist, {optimizer} a Keras optimizer class (Adam, SGD).
    setting = _f("after the grader's training recipe ({samples} {dataset} images, {epochs} epoch(s), {steps} steps "
                 "of {batch_size}, {optimizer} lr={learning_rate})",
                 samples=recipe.train_samples, dataset=recipe.dataset, epochs=recipe.epochs, steps=steps,
                 batch_size=recipe.batch_size, optimizer=recipe.optimizer,
                 learning_rate=format(recipe.learning_rate, "g"))
    trained = (report.history or {}).get("accuracy") or []
    if trained and trained[-1] >= minimum_accuracy:
        # TRANSLATORS: {setting} is the phrase "after the grader's training recipe (...)".
        return _f("{setting} {what} reaches {train_accuracy} accuracy on its training batches in the last epoch but "
                  "{test_accuracy} on the test images; at least {minimum} is required. It learns, but what it "
                  "learned does not carry over to evaluation. Usual causes: a BatchNormalization whose momentum is "
                  "close to 1 (at test time it uses its moving mean and variance, which after {steps} steps still "
                  "hold momentum**{steps} of their initial values); overfitting (a layer too large, or missing "
                  "dropout); or inputs prepared differently in training and at test time (a noise, dropout or "
                  "normalization layer placed before the first layer that learns).",
                  setting=setting, what=what, train_accuracy=format(trained[-1], ".3f"),
                  test_accuracy=format(report.test_accuracy, ".3f"), minimum=format(minimum_accuracy, ".3f"),
                  steps=steps)
    # TRANSLATORS: {setting} is the phrase "after the grader's training recipe (...)".
    return _f("{setting} {what} reaches {test_accuracy} test accuracy; at least {minimum} is required. Check "
              "activations, initializers and trainable flags: a layer that cannot learn stops the whole network.",
              setting=setting, what=what, test_accuracy=format(report.test_accuracy, ".3f"),
              minimum=format(minimum_accuracy, ".3f"))


# ----------------------------------------------------------------------------- public checks
# Public tests compare a student's model with the architecture the handout states (no reference
# solution ships with a handout): the handout's table of layers, as a model built here.


def model_from_table(input_shape, table, *, name: str | None = None):
    """``keras.Input(input_shape)`` followed by one built-in layer per row of ``table``: a row is
    ``(class name in keras.layers, keyword arguments)``, as the handout's architecture table
    gives them. Compare a student's model with it through check_architecture and
    check_parameter_counts, as the hidden tests compare it with the reference."""
    import keras

    layers = [getattr(keras.layers, class_name)(**dict(arguments)) for class_name, arguments in table]
    return keras.Sequential([keras.Input(shape=tuple(input_shape)), *layers], name=name)


def model_for(submission, model):
    """What to pass to a submission's function that takes a trained model: the model itself where
    the function runs in this process (``pytest`` in a handout folder), its config and weights
    where it runs in the sandbox (``autograder check``), which turns them back into a model."""
    from autograder.engine.local import LocalSubmission

    if isinstance(submission, LocalSubmission):
        return model
    return spec_of(model, with_weights=True)


def model_as_graded(value, *, what: str | None = None):
    """``value`` as the grader receives it: a model built in this process (a local check) leaves as
    its config, as it leaves the sandbox, and the checks then rebuild it from Keras's built-in
    classes only (keras_models.rebuild). So a model the grader cannot rebuild (a Lambda layer, a
    custom layer, a subclassed model) fails a local check as it fails in grading. ``what`` names it
    in messages ("the model" by default)."""
    what = _("the model") if what is None else what
    if isinstance(value, KerasModelSpec):
        return value
    model = as_model(value, what=what)
    import json

    import keras

    try:
        config_json = json.dumps(keras.saving.serialize_keras_object(model))
    except Exception as error:  # noqa: BLE001 - the sandbox reports an unsavable config the same way
        raise CheckFailure(
            Stage.TYPE,
            _f("{what}'s config cannot be saved ({error}), so the grader cannot rebuild it. Build it from Keras's "
               "built-in layers with keras.Sequential or the functional API (no Lambda layers, custom layers or "
               "subclasses).", what=what, error=type(error).__name__),
        ) from None
    return KerasModelSpec(config_json, type(model).__name__)
