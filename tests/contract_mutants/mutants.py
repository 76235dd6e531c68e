"""Contract mutants: each reference solution with exactly one contract mistake.

A contract mistake is one that the handout's rules forbid and the hidden tests grade: a wrong
return type, shape or dtype, NaN or infinity, a wrong layer type, activation, setting or
parameter count, a broken convention of a returned structure (keys, ints, order, encoding). Each
mutant must fail at least one public test (tests/test_public_contract.py proves it), so that a
student learns about such a mistake before submitting.

Each mutant is rendered from solutions/ when the tests run (``write_all``), never kept as a copy:
each edit must match its reference exactly once, so a changed reference fails loudly instead of
leaving a stale mutant. ``python tests/contract_mutants/mutants.py FOLDER`` writes them to FOLDER
as <assignment>/<name>.py, to read them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edits import apply_edits  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]


@dataclass(frozen=True)
class Mutant:
    assignment: str
    name: str
    mistake: str  # the one contract mistake, for the file's docstring
    edits: tuple  # (function name, old text, new text): old must occur exactly once in that function
    public_stage: str  # the stage at which a public test must catch it
    hidden: tuple  # hidden tests it loses (all of them must lose points)


def M(assignment, name, mistake, edits, public_stage, hidden):
    return Mutant(assignment, name, mistake, tuple(edits), public_stage, tuple(hidden))


def _activations():
    a = "activations"
    softmax_return = "return (exp_shifted / np.sum(exp_shifted, axis=axis, keepdims=True)).astype(x.dtype, copy=False)"
    tanh_return = "return (np.sign(x) * (-t / (2.0 + t))).astype(x.dtype, copy=False)"
    relu_return = "return np.maximum(x, 0).astype(x.dtype, copy=False)"
    leaky_return = "return np.where(x >= 0, x, alpha * x).astype(x.dtype, copy=False)"
    return [
        M(a, "sigmoid_returns_list", "sigmoid returns a list", [("sigmoid", "    return out\n", "    return out.tolist()\n")],
          "type", ["test_sigmoid_values[float32]", "test_sigmoid_values[float64]", "test_sigmoid_other_shapes",
                   "test_sigmoid_extreme_inputs[float32]", "test_sigmoid_extreme_inputs[float64]"]),
        M(a, "sigmoid_float64", "sigmoid returns float64 for a float32 input",
          [("sigmoid", "    return out\n", "    return out.astype(np.float64)\n")],
          "dtype", ["test_sigmoid_values[float32]", "test_sigmoid_other_shapes", "test_sigmoid_extreme_inputs[float32]"]),
        M(a, "sigmoid_squeezed", "sigmoid drops axes of length 1 (np.squeeze)",
          [("sigmoid", "    return out\n", "    return np.squeeze(out)\n")], "shape", ["test_sigmoid_other_shapes"]),
        M(a, "sigmoid_naive_overflow", "sigmoid computes exp(x) / (1 + exp(x)) for x >= 0: NaN at +1000",
          [("sigmoid", "out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))",
            "out[positive] = np.exp(x[positive]) / (1.0 + np.exp(x[positive]))")],
          "finite", ["test_sigmoid_extreme_inputs[float32]", "test_sigmoid_extreme_inputs[float64]"]),
        M(a, "tanh_float64", "tanh returns float64 for a float32 input",
          [("tanh", tanh_return, "return np.sign(x) * (-t / (2.0 + t)).astype(np.float64)")],
          "dtype", ["test_tanh_values[float32]", "test_tanh_extreme_inputs[float32]"]),
        M(a, "tanh_naive_overflow", "tanh computes (exp(x) - exp(-x)) / (exp(x) + exp(-x)): NaN at +-1000",
          [("tanh", "    t = np.expm1(-2.0 * np.abs(x))\n    " + tanh_return,
            "    return ((np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))).astype(x.dtype, copy=False)")],
          "finite", ["test_tanh_extreme_inputs[float32]", "test_tanh_extreme_inputs[float64]"]),
        M(a, "tanh_float32_overflow", "tanh clips x to +-350 and computes exp(x): finite in float64, NaN in float32",
          [("tanh", "    t = np.expm1(-2.0 * np.abs(x))\n    " + tanh_return,
            "    z = np.clip(x, -350.0, 350.0)\n"
            "    return ((np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))).astype(x.dtype, copy=False)")],
          "finite", ["test_tanh_extreme_inputs[float32]"]),
        M(a, "tanh_flattened", "tanh returns a flattened array", [("tanh", tanh_return, tanh_return + ".ravel()")],
          "shape", ["test_tanh_values[float32]", "test_tanh_values[float64]"]),
        M(a, "relu_flattened", "relu returns x.ravel()-shaped output", [("relu", relu_return, relu_return + ".ravel()")],
          "shape", ["test_relu_values[float32]", "test_relu_values[float64]", "test_relu_other_shapes"]),
        M(a, "relu_returns_list", "relu returns a list", [("relu", relu_return, relu_return + ".tolist()")],
          "type", ["test_relu_values[float32]", "test_relu_values[float64]", "test_relu_other_shapes"]),
        M(a, "relu_float64", "relu returns float64 for a float32 input",
          [("relu", relu_return, "return np.maximum(x, 0).astype(np.float64)")],
          "dtype", ["test_relu_values[float32]", "test_relu_other_shapes"]),
        M(a, "leaky_relu_float64", "leaky_relu multiplies by np.float64(alpha): float64 for a float32 input",
          [("leaky_relu", leaky_return, "return np.where(x >= 0, x, np.float64(alpha) * x)")],
          "dtype", ["test_leaky_relu_default_alpha[float32]", "test_leaky_relu_other_alphas"]),
        M(a, "leaky_relu_flattened", "leaky_relu returns a flattened array",
          [("leaky_relu", leaky_return, leaky_return + ".ravel()")],
          "shape", ["test_leaky_relu_default_alpha[float32]", "test_leaky_relu_default_alpha[float64]",
                    "test_leaky_relu_other_alphas"]),
        M(a, "softmax_float64", "softmax returns float64 for a float32 input",
          [("softmax", softmax_return, "return exp_shifted.astype(np.float64) / np.sum(exp_shifted, axis=axis, keepdims=True)")],
          "dtype", ["test_softmax_last_axis[float32]", "test_softmax_other_axes", "test_softmax_extreme_logits[float32]"]),
        M(a, "softmax_naive_overflow", "softmax does not subtract the maximum: NaN at +1000",
          [("softmax", "shifted = x - np.max(x, axis=axis, keepdims=True)", "shifted = x")],
          "finite", ["test_softmax_extreme_logits[float32]", "test_softmax_extreme_logits[float64]"]),
        M(a, "softmax_returns_list", "softmax returns a list", [("softmax", softmax_return, softmax_return + ".tolist()")],
          "type", ["test_softmax_last_axis[float32]", "test_softmax_last_axis[float64]", "test_softmax_other_axes"]),
        M(a, "softmax_flattened", "softmax returns a flattened array",
          [("softmax", softmax_return, softmax_return + ".ravel()")],
          "shape", ["test_softmax_last_axis[float32]", "test_softmax_last_axis[float64]", "test_softmax_other_axes"]),
    ]


def _losses():
    a = "losses"
    return [
        M(a, "cce_per_sample", "categorical_crossentropy returns the per-sample losses, not their mean",
          [("categorical_crossentropy", "return _batch_mean(-np.sum(y_true * log_p, axis=-1))",
            "return -np.sum(y_true * log_p, axis=-1)")],
          "shape", ["test_categorical_crossentropy_probabilities[float64]", "test_categorical_crossentropy_from_logits[float64]"]),
        M(a, "mae_per_sample", "mean_absolute_error returns the per-sample losses, not their mean",
          [("mean_absolute_error", "return _batch_mean(np.mean(np.abs(y_true - y_pred), axis=-1))",
            "return np.mean(np.abs(y_true - y_pred), axis=-1)")],
          "shape", ["test_mean_absolute_error[float32]", "test_mean_absolute_error[float64]"]),
        M(a, "mse_returns_list", "mean_squared_error returns a list holding the loss",
          [("mean_squared_error", "return _batch_mean(np.mean(np.square(y_true - y_pred), axis=-1))",
            "return [_batch_mean(np.mean(np.square(y_true - y_pred), axis=-1))]")],
          "type", ["test_mean_squared_error[float32]", "test_mean_squared_error[float64]"]),
        M(a, "huber_array_of_one", "huber returns an array of shape (1,)",
          [("huber", "return _batch_mean(np.mean(elementwise, axis=-1))",
            "return np.array([_batch_mean(np.mean(elementwise, axis=-1))])")],
          "shape", ["test_huber_default_delta[float32]", "test_huber_custom_delta[delta_0.5]"]),
        M(a, "cce_no_clipping", "categorical_crossentropy does not clip: NaN or infinity at probabilities 0 and 1",
          [("categorical_crossentropy", "log_p = np.log(np.clip(p, EPSILON, 1.0 - EPSILON))", "log_p = np.log(p)")],
          "finite", ["test_categorical_crossentropy_probabilities_of_exactly_0_and_1"]),
        M(a, "cce_logits_unstable", "categorical_crossentropy computes log(softmax(z)) naively: NaN at +-1000",
          [("categorical_crossentropy", "log_p = _log_softmax(y_pred)",
            "log_p = np.log(np.exp(y_pred) / np.sum(np.exp(y_pred), axis=-1, keepdims=True))")],
          "finite", ["test_categorical_crossentropy_large_logits[float32]",
                     "test_categorical_crossentropy_large_logits[float64]"]),
        M(a, "bce_logits_unstable", "binary_crossentropy takes log(sigmoid(x)): NaN or infinity at +-1000",
          [("binary_crossentropy", "elementwise = np.maximum(x, 0) - x * y_true + np.log1p(np.exp(-np.abs(x)))",
            "p = 1.0 / (1.0 + np.exp(-x))\n        elementwise = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))")],
          "finite", ["test_binary_crossentropy_large_logits[float32]", "test_binary_crossentropy_large_logits[float64]"]),
        M(a, "bce_no_clipping", "binary_crossentropy does not clip: NaN or infinity at probabilities 0 and 1",
          [("binary_crossentropy", "p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)", "p = y_pred")],
          "finite", ["test_binary_crossentropy_probabilities_of_exactly_0_and_1"]),
    ]


def _initializers():
    a = "initializers"
    return [
        M(a, "compute_fans_returns_list", "compute_fans returns a list for kernels",
          [("compute_fans", "return shape[0], shape[1]", "return [shape[0], shape[1]]"),
           ("compute_fans", "return shape[-2] * receptive_field, shape[-1] * receptive_field",
            "return [shape[-2] * receptive_field, shape[-1] * receptive_field]")],
          "type", ["test_compute_fans_dense_kernels", "test_compute_fans_conv_kernels"]),
        M(a, "compute_fans_floats", "compute_fans returns floats",
          [("compute_fans", "return shape[0], shape[1]", "return float(shape[0]), float(shape[1])"),
           ("compute_fans", "return shape[-2] * receptive_field, shape[-1] * receptive_field",
            "return float(shape[-2] * receptive_field), float(shape[-1] * receptive_field)")],
          "type", ["test_compute_fans_dense_kernels", "test_compute_fans_conv_kernels"]),
        M(a, "compute_fans_2d_and_4d_only", "compute_fans handles Dense and Conv2D kernels only (not (), (n,), 3-D, 5-D)",
          [("compute_fans", "    if len(shape) < 1:\n        return 1, 1\n    if len(shape) == 1:\n        return shape[0], shape[0]\n", ""),
           ("compute_fans", "    receptive_field = 1\n    for n in shape[:-2]:\n        receptive_field *= n\n"
                            "    return shape[-2] * receptive_field, shape[-1] * receptive_field",
            "    kh, kw, cin, cout = shape\n    return kh * kw * cin, kh * kw * cout")],
          "exception", ["test_compute_fans_other_ranks", "test_glorot_normal_shape_dtype_and_seed"]),
        M(a, "glorot_normal_ignores_dtype", "glorot_normal always returns float32",
          [("glorot_normal", 'return _variance_scaling(shape, seed, dtype, 1.0, "fan_avg", "truncated_normal")',
            'return _variance_scaling(shape, seed, "float32", 1.0, "fan_avg", "truncated_normal")')],
          "dtype", ["test_glorot_normal_shape_dtype_and_seed", "test_glorot_normal_truncated_at_2_sigma"]),
        M(a, "truncated_normal_float64_default", "truncated_normal's dtype defaults to float64",
          [("truncated_normal", 'stddev=0.05, dtype="float32"):', 'stddev=0.05, dtype="float64"):')],
          "dtype", ["test_truncated_normal_shape_dtype_and_seed", "test_truncated_normal_std_after_truncation"]),
        M(a, "he_uniform_ignores_seed", "he_uniform draws from an unseeded generator",
          [("he_uniform", 'return _variance_scaling(shape, seed, dtype, 2.0, "fan_in", "uniform")',
            'return _variance_scaling(shape, None, dtype, 2.0, "fan_in", "uniform")')],
          "values", ["test_he_uniform_shape_dtype_and_seed"]),
        M(a, "glorot_uniform_one_seed", "glorot_uniform gives the same array for every seed",
          [("glorot_uniform", 'return _variance_scaling(shape, seed, dtype, 1.0, "fan_avg", "uniform")',
            'return _variance_scaling(shape, 0, dtype, 1.0, "fan_avg", "uniform")')],
          "values", ["test_glorot_uniform_shape_dtype_and_seed"]),
        M(a, "standard_uniform_flattened", "standard_uniform returns a flat array of prod(shape) values",
          [("standard_uniform", "return rng.uniform(-limit, limit, size=shape).astype(dtype)",
            "return rng.uniform(-limit, limit, size=math.prod(shape)).astype(dtype)")],
          "shape", ["test_standard_uniform_shape_dtype_and_seed", "test_standard_uniform_limit_is_1_over_sqrt_fan_in"]),
        M(a, "random_normal_returns_list", "random_normal returns a list",
          [("random_normal", "return (mean + stddev * rng.standard_normal(shape)).astype(dtype)",
            "return (mean + stddev * rng.standard_normal(shape)).astype(dtype).tolist()")],
          "type", ["test_random_normal_shape_dtype_and_seed", "test_random_normal_mean_and_std"]),
    ]


def _optimizers():
    a = "optimizers"
    rms_update = "new_params.append(w - _c(learning_rate, w) * g / np.sqrt(v + _c(epsilon, w)))"
    return [
        M(a, "sgd_params_flattened", "sgd_step returns flattened params",
          [("sgd_step", "new = [w - g * _c(learning_rate, w) for w, g in zip(params, grads)]",
            "new = [(w - g * _c(learning_rate, w)).ravel() for w, g in zip(params, grads)]")],
          "shape", ["test_random_quadratics[sgd]"]),
        M(a, "adam_float64_params", "adam_step returns float64 params for float32 params",
          [("adam_step", "new_params.append(w - (m * alpha) / (np.sqrt(v) + dt(epsilon)))",
            "new_params.append((w - (m * alpha) / (np.sqrt(v) + dt(epsilon))).astype(np.float64))")],
          "dtype", ["test_state_float32_and_resume[adam]"]),
        M(a, "rmsprop_state_float64", "rmsprop_step keeps its state in float64 for float32 params",
          [("rmsprop_step", "v = _c(rho, w) * np.asarray(v, dtype=w.dtype) + _c(1.0 - rho, w) * (g * g)",
            "v = rho * np.asarray(v, dtype=np.float64) + (1.0 - rho) * (g * g)"),
           ("rmsprop_step", rms_update, "new_params.append((w - _c(learning_rate, w) * g / np.sqrt(v + _c(epsilon, w))).astype(w.dtype))")],
          "dtype", ["test_state_float32_and_resume[rmsprop]"]),
        M(a, "adagrad_state_key_renamed", "adagrad_step names its state 'accumulators', not 'accumulator'",
          [("adagrad_step", "state = _start(params, state, accumulator=initial_accumulator_value)",
            "state = _start(params, state, accumulators=initial_accumulator_value)"),
           ("adagrad_step", 'zip(params, grads, state["accumulator"])', 'zip(params, grads, state["accumulators"])'),
           ("adagrad_step", '"accumulator": accumulators}', '"accumulators": accumulators}')],
          "type", ["test_state_float32_and_resume[adagrad]"]),
        M(a, "adam_iterations_float", "adam_step's state['iterations'] is a float",
          [("adam_step", 'return new_params, {"iterations": t, "m": ms, "v": vs}',
            'return new_params, {"iterations": float(t), "m": ms, "v": vs}')],
          "type", ["test_state_float32_and_resume[adam]"]),
        M(a, "ema_momentum_state_as_dict", "ema_momentum_step keeps state['m'] as a dict {index: array}",
          [("ema_momentum_step", 'zip(params, grads, state["m"])',
            'zip(params, grads, state["m"].values() if isinstance(state["m"], dict) else state["m"])'),
           ("ema_momentum_step", '"m": ms}', '"m": dict(enumerate(ms))}')],
          "type", ["test_state_float32_and_resume[ema_momentum]"]),
        M(a, "momentum_reads_own_key", "momentum_step reads its velocity from a key of its own, not from 'velocity'",
          [("momentum_step", "state = _start(params, state, velocity=0.0)",
            "state = _start(params, state, velocity=0.0, own_velocity=0.0)"),
           ("momentum_step", 'zip(params, grads, state["velocity"])', 'zip(params, grads, state["own_velocity"])'),
           ("momentum_step", '"velocity": velocity}', '"velocity": velocity, "own_velocity": velocity}')],
          "exception", ["test_state_float32_and_resume[momentum]"]),
        M(a, "adam_default_learning_rate", "adam_step's learning_rate defaults to 0.01, not Keras's 0.001",
          [("adam_step", "def adam_step(params, grads, state=None, learning_rate=0.001,",
            "def adam_step(params, grads, state=None, learning_rate=0.01,")],
          "values", ["test_state_float32_and_resume[adam]"]),
        M(a, "loss_curve_scalar_w0_only", "loss_curve takes float(w0): fails for a vector w0",
          [("loss_curve", "w = np.array(w0, dtype=np.float64, ndmin=1)", "w = np.array([float(w0)])")],
          "exception", ["test_loss_curve_ema_momentum_and_nesterov_vector_w0"]),
        M(a, "loss_curve_float32", "loss_curve returns float32",
          [("loss_curve", "return np.array(losses, dtype=np.float64)", "return np.array(losses, dtype=np.float32)")],
          "dtype", ["test_loss_curve_sgd_and_momentum", "test_loss_curve_adagrad_rmsprop_adam"]),
        M(a, "loss_curve_without_ema_momentum", "loss_curve does not know the rule 'ema_momentum'",
          [(None, '    "ema_momentum": ema_momentum_step,\n', "")],
          "exception", ["test_loss_curve_ema_momentum_and_nesterov_vector_w0"]),
    ]


def _regularization():
    a = "regularization"
    return [
        M(a, "l2_penalty_per_row", "l2_penalty returns one number per row",
          [("l2_penalty", "return float(w.dtype.type(l2) * np.sum(np.square(w)))",
            "return w.dtype.type(l2) * np.sum(np.square(w), axis=-1)")],
          "shape", ["test_l2_penalty_values[float32]", "test_l2_penalty_values[float64]"]),
        M(a, "l1_gradient_float64", "l1_gradient returns float64 for float32 weights",
          [("l1_gradient", "return (w.dtype.type(l1) * np.sign(w)).astype(w.dtype)",
            "return (w.dtype.type(l1) * np.sign(w)).astype(np.float64)")],
          "dtype", ["test_l1_gradient_values_with_zeros"]),
        M(a, "l1l2_gradient_flattened", "l1l2_gradient returns a flattened array",
          [("l1l2_gradient", "return (dt(l1) * np.sign(w) + dt(2.0 * l2) * w).astype(w.dtype)",
            "return (dt(l1) * np.sign(w) + dt(2.0 * l2) * w).astype(w.dtype).ravel()")],
          "shape", ["test_l1l2_gradient_values"]),
        M(a, "l1l2_defaults_0_01", "l1l2_penalty's factors default to 0.01, not Keras's 0.0",
          [("l1l2_penalty", "def l1l2_penalty(weights, l1=0.0, l2=0.0):", "def l1l2_penalty(weights, l1=0.01, l2=0.01):")],
          "values", ["test_regularizer_default_factors"]),
        M(a, "dropout_float64_output", "dropout returns float64 for a float32 input in training",
          [("dropout", "return np.where(dropped, x.dtype.type(0), x / x.dtype.type(1.0 - rate)).astype(x.dtype)",
            "return np.where(dropped, x.dtype.type(0), x / x.dtype.type(1.0 - rate)).astype(np.float64)")],
          "dtype", ["test_dropout_kept_values_scaled_by_inverse_keep_probability"]),
        M(a, "dropout_rate_is_keep_probability", "dropout drops each value with probability 1 - rate",
          [("dropout", "dropped = rng.random(x.shape) < rate", "dropped = rng.random(x.shape) < 1.0 - rate")],
          "values", ["test_dropout_fraction_dropped"]),
        M(a, "dropout_one_seed", "dropout draws the same mask whatever the seed",
          [("dropout", "rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)",
            "rng = np.random.default_rng(0)")],
          "values", ["test_dropout_same_seed_same_mask"]),
        M(a, "batch_norm_statistics_over_axis_0", "batch_norm takes the statistics over axis 0 only (wrong for images)",
          [("batch_norm", "axes = tuple(range(x.ndim - 1))", "axes = 0")],
          "shape", ["test_batch_norm_training_output_conv_float32", "test_batch_norm_moving_mean_update"]),
        M(a, "batch_norm_y_float64", "batch_norm returns y in float64 for a float32 input",
          [("batch_norm", "return y.astype(x.dtype), new_mean, new_variance",
            "return y.astype(np.float64), new_mean, new_variance")],
          "dtype", ["test_batch_norm_training_output_conv_float32", "test_batch_norm_inference_uses_moving_statistics"]),
        M(a, "batch_norm_inference_statistics_float64", "batch_norm returns the moving statistics in float64 at inference",
          [("batch_norm", "new_mean, new_variance = moving_mean.copy(), moving_variance.copy()",
            "new_mean, new_variance = moving_mean.astype(np.float64), moving_variance.astype(np.float64)")],
          "dtype", ["test_batch_norm_inference_uses_moving_statistics"]),
        M(a, "early_stopping_returns_tuple", "early_stopping returns a tuple, not a dict",
          [("early_stopping", 'return {"stopped_epoch": int(stopped_epoch), "best_epoch": int(best_epoch), "epochs_run": int(epochs_run)}',
            "return (int(stopped_epoch), int(best_epoch), int(epochs_run))")],
          "type", ["test_early_stopping_patience_min_mode", "test_early_stopping_seeded_histories"]),
        M(a, "early_stopping_float_epochs", "early_stopping returns floats",
          [("early_stopping", 'return {"stopped_epoch": int(stopped_epoch), "best_epoch": int(best_epoch), "epochs_run": int(epochs_run)}',
            'return {"stopped_epoch": float(stopped_epoch), "best_epoch": float(best_epoch), "epochs_run": float(epochs_run)}')],
          "type", ["test_early_stopping_patience_min_mode", "test_early_stopping_seeded_histories"]),
        M(a, "early_stopping_without_start_from_epoch", "early_stopping has no start_from_epoch argument",
          [("early_stopping", 'baseline=None, start_from_epoch=0):', "baseline=None):"),
           ("early_stopping", "        if epoch < start_from_epoch:\n            continue\n", "")],
          "exception", ["test_early_stopping_start_from_epoch"]),
        M(a, "early_stopping_never_stopped_not_0", "early_stopping reports the last epoch as stopped_epoch when it never stopped",
          [("early_stopping", '    return {"stopped_epoch": int(stopped_epoch),',
            '    stopped_epoch = stopped_epoch or epochs_run - 1\n    return {"stopped_epoch": int(stopped_epoch),')],
          "values", ["test_early_stopping_never_stops"]),
    ]


def _mnist_mlp():
    a = "mnist_mlp"
    return [
        M(a, "mlp_without_softmax", "build_mlp's output layer has no softmax",
          [("build_mlp", 'layers.Dense(10, activation="softmax"),', "layers.Dense(10),")],
          "values", ["test_sequential_architecture"]),
        M(a, "functional_sigmoid_hidden_layer", "build_mlp_functional's first Dense uses sigmoid",
          [("_hidden_block", 'x = layers.Dense(512, activation="relu")(x)', 'x = layers.Dense(512, activation="sigmoid")(x)')],
          "values", ["test_functional_architecture"]),
        M(a, "mlp_dropout_0_5", "build_mlp's first Dropout has rate 0.5",
          [("build_mlp", "layers.BatchNormalization(),\n            layers.Dropout(0.2),\n            layers.Dense(512, kernel",
            "layers.BatchNormalization(),\n            layers.Dropout(0.5),\n            layers.Dense(512, kernel")],
          "values", ["test_sequential_architecture"]),
        M(a, "mlp_without_regularizer", "build_mlp's second Dense has no L2 regularizer",
          [("build_mlp", "layers.Dense(512, kernel_regularizer=regularizers.l2(0.01)),", "layers.Dense(512),")],
          "values", ["test_sequential_architecture"]),
        M(a, "mlp_activation_before_batchnorm", "build_mlp applies the relu before the second BatchNormalization",
          [("build_mlp", 'layers.BatchNormalization(),\n            layers.Activation("relu"),',
            'layers.Activation("relu"),\n            layers.BatchNormalization(),')],
          "type", ["test_sequential_architecture"]),
        M(a, "functional_frozen_batchnorm", "build_mlp_functional's first BatchNormalization is frozen",
          [("_hidden_block", "x = layers.BatchNormalization()(x)\n    x = layers.Dropout",
            "x = layers.BatchNormalization(trainable=False)(x)\n    x = layers.Dropout")],
          "values", ["test_functional_architecture"]),
        M(a, "mlp_sequential_built_functional", "build_mlp returns a functional model, not a keras.Sequential",
          [("build_mlp", "def build_mlp():\n    return keras.Sequential(",
            "def build_mlp():\n    return build_mlp_functional()\n\n\ndef _unused_sequential():\n    return keras.Sequential(")],
          "type", ["test_sequential_architecture"]),
        M(a, "functional_built_sequential", "build_mlp_functional returns a keras.Sequential",
          [("build_mlp_functional", "    inputs = keras.Input(shape=(784,))\n",
            "    return build_mlp()\n    inputs = keras.Input(shape=(784,))\n")],
          "type", ["test_functional_architecture"]),
        M(a, "mlp_first_dense_sigmoid", "build_mlp's first Dense uses sigmoid",
          [("build_mlp", 'layers.Dense(512, activation="relu"),', 'layers.Dense(512, activation="sigmoid"),')],
          "values", ["test_sequential_architecture"]),
        M(a, "mlp_batchnorm_torch_settings", "the first BatchNormalization of both models has PyTorch's momentum=0.1 "
          "and epsilon=1e-5, not Keras's defaults",
          [("build_mlp", "layers.BatchNormalization(),\n            layers.Dropout(0.2),\n            layers.Dense(512, kernel",
            "layers.BatchNormalization(momentum=0.1, epsilon=1e-5),\n            layers.Dropout(0.2),\n"
            "            layers.Dense(512, kernel"),
           ("_hidden_block", "x = layers.BatchNormalization()(x)\n    x = layers.Dropout",
            "x = layers.BatchNormalization(momentum=0.1, epsilon=1e-5)(x)\n    x = layers.Dropout")],
          "values", ["test_sequential_architecture", "test_functional_architecture"]),
        M(a, "mlp_sigmoid_activation_layer", "build_mlp's Activation layer is a sigmoid",
          [("build_mlp", 'layers.Activation("relu"),', 'layers.Activation("sigmoid"),')],
          "values", ["test_sequential_architecture"]),
        M(a, "mlp_dense_without_bias", "build_mlp's second Dense has no bias (use_bias=False)",
          [("build_mlp", "layers.Dense(512, kernel_regularizer=regularizers.l2(0.01)),",
            "layers.Dense(512, kernel_regularizer=regularizers.l2(0.01), use_bias=False),")],
          "values", ["test_sequential_architecture", "test_sequential_parameter_counts"]),
        M(a, "mlp_input_28x28", "build_mlp takes 28x28 images, not flattened (784,) vectors",
          [("build_mlp", "keras.Input(shape=(784,)),", "keras.Input(shape=(28, 28)),")],
          "shape", ["test_sequential_architecture"]),
        M(a, "mlp_lambda_activation", "build_mlp applies its relu in a Lambda layer, which the grader cannot rebuild",
          [("build_mlp", 'layers.Activation("relu"),', "layers.Lambda(lambda t: keras.ops.relu(t)),")],
          "type", ["test_sequential_architecture", "test_sequential_parameter_counts"]),
        M(a, "mlp_subclassed", "build_mlp returns a subclass of keras.Model whose constructor takes an argument",
          [("build_mlp", "def build_mlp():\n    return keras.Sequential(",
            "class MLP(keras.Model):\n    def __init__(self, units):\n        super().__init__()\n"
            "        self.units = units\n        self.block = build_mlp_functional()\n\n"
            "    def call(self, x):\n        return self.block(x)\n\n\n"
            "def build_mlp():\n    model = MLP(512)\n    model(keras.ops.ones((1, 784)))\n    return model\n\n\n"
            "def _unused_sequential():\n    return keras.Sequential(")],
          "type", ["test_sequential_architecture", "test_sequential_parameter_counts", "test_sequential_learns_mnist"]),
        M(a, "mlp_frozen_batchnorm", "build_mlp's first BatchNormalization is frozen",
          [("build_mlp", "layers.BatchNormalization(),\n            layers.Dropout(0.2),\n            layers.Dense(512, kernel",
            "layers.BatchNormalization(trainable=False),\n            layers.Dropout(0.2),\n"
            "            layers.Dense(512, kernel")],
          "values", ["test_sequential_architecture", "test_sequential_parameter_counts"]),
    ]


def _lenet():
    a = "lenet"
    return [
        M(a, "lenet_without_softmax", "LeNet without its final softmax",
          [("build_lenet", 'layers.Dense(10, activation="softmax"),', "layers.Dense(10),")],
          "values", ["test_architecture"]),
        M(a, "lenet_tanh_dense", "LeNet's Dense(120) uses tanh",
          [("build_lenet", 'layers.Dense(120, activation="relu"),', 'layers.Dense(120, activation="tanh"),')],
          "values", ["test_architecture"]),
        M(a, "lenet_average_pooling", "LeNet's first pooling layer is an AveragePooling2D",
          [("build_lenet", 'layers.Conv2D(filters=6, kernel_size=5, activation="relu"),\n            layers.MaxPooling2D(',
            'layers.Conv2D(filters=6, kernel_size=5, activation="relu"),\n            layers.AveragePooling2D(')],
          "type", ["test_architecture"]),
        M(a, "lenet_lambda_layer", "LeNet flattens with a Lambda layer, which the grader cannot rebuild",
          [("build_lenet", "layers.Flatten(),", "layers.Lambda(lambda t: keras.ops.reshape(t, (-1, 256))),")],
          "type", ["test_architecture", "test_parameter_counts"]),
        M(a, "lenet_shapes_as_lists", "layer_output_shapes gives each shape as a list",
          [("layer_output_shapes", "shapes.append(tuple(int(n) for n in x.shape))", "shapes.append([int(n) for n in x.shape])")],
          "type", ["test_layer_output_shapes"]),
        M(a, "lenet_shapes_without_last_layer", "layer_output_shapes leaves out the last layer",
          [("layer_output_shapes", "    return shapes\n", "    return shapes[:-1]\n")],
          "shape", ["test_layer_output_shapes"]),
        M(a, "lenet_shapes_with_the_input", "layer_output_shapes records the input's shape before the first layer's",
          [("layer_output_shapes", "    shapes = []\n", "    shapes = [tuple(int(n) for n in x.shape)]\n")],
          "shape", ["test_layer_output_shapes"]),
        M(a, "lenet_input_32x32", "LeNet takes 32x32 images",
          [("build_lenet", "keras.Input(shape=(28, 28, 1)),", "keras.Input(shape=(32, 32, 1)),")],
          "shape", ["test_architecture", "test_parameter_counts"]),
        M(a, "lenet_tanh_first_conv", "LeNet's first Conv2D uses tanh",
          [("build_lenet", 'layers.Conv2D(filters=6, kernel_size=5, activation="relu"),',
            'layers.Conv2D(filters=6, kernel_size=5, activation="tanh"),')],
          "values", ["test_architecture"]),
        M(a, "lenet_first_conv_same_padding", "LeNet's first Conv2D pads 'same'",
          [("build_lenet", 'layers.Conv2D(filters=6, kernel_size=5, activation="relu"),',
            'layers.Conv2D(filters=6, kernel_size=5, activation="relu", padding="same"),')],
          "shape", ["test_architecture", "test_parameter_counts"]),
        M(a, "lenet_conv_without_bias", "LeNet's second Conv2D has no bias",
          [("build_lenet", 'layers.Conv2D(filters=16, kernel_size=5, activation="relu"),',
            'layers.Conv2D(filters=16, kernel_size=5, activation="relu", use_bias=False),')],
          "values", ["test_architecture", "test_parameter_counts"]),
        M(a, "lenet_global_pooling_for_flatten", "LeNet reduces its feature maps with GlobalAveragePooling2D, not Flatten",
          [("build_lenet", "layers.Flatten(),", "layers.GlobalAveragePooling2D(),")],
          "type", ["test_architecture", "test_parameter_counts"]),
        M(a, "lenet_dense_100", "LeNet's second Dense has 100 units, not 84",
          [("build_lenet", 'layers.Dense(84, activation="relu"),', 'layers.Dense(100, activation="relu"),')],
          "shape", ["test_architecture", "test_parameter_counts"]),
        M(a, "lenet_frozen_dense", "LeNet's Dense(84) is frozen",
          [("build_lenet", 'layers.Dense(84, activation="relu"),', 'layers.Dense(84, activation="relu", trainable=False),')],
          "values", ["test_architecture", "test_parameter_counts"]),
    ]


def _alexnet():
    a = "alexnet"
    return [
        M(a, "alexnet_without_softmax", "AlexNet without its final softmax",
          [("build_alexnet", 'layers.Dense(10, activation="softmax"),', "layers.Dense(10),")],
          "values", ["test_architecture"]),
        M(a, "alexnet_dropout_0_5", "AlexNet's first Dropout has rate 0.5",
          [("build_alexnet", 'layers.Dense(4096, activation="relu"), layers.Dropout(0.4),',
            'layers.Dense(4096, activation="relu"), layers.Dropout(0.5),')],
          "values", ["test_architecture"]),
        M(a, "alexnet_average_pooling", "AlexNet pools with AveragePooling2D",
          [("build_alexnet", "return layers.MaxPooling2D(", "return layers.AveragePooling2D(")],
          "type", ["test_architecture"]),
        M(a, "alexnet_tanh_convolutions", "AlexNet's convolutions use tanh",
          [("build_alexnet", 'padding="same", activation="relu")', 'padding="same", activation="tanh")')],
          "values", ["test_architecture"]),
        M(a, "alexnet_input_32x32", "AlexNet takes 32x32 images",
          [("build_alexnet", "keras.Input(shape=(28, 28, 1)),", "keras.Input(shape=(32, 32, 1)),")],
          "shape", ["test_architecture"]),
        M(a, "alexnet_last_pool_valid_padding", "AlexNet's last MaxPooling2D pads 'valid'",
          [("build_alexnet", "conv(64), conv(128), conv(256), pool(),",
            'conv(64), conv(128), conv(256), layers.MaxPooling2D(pool_size=(2, 2), strides=2, padding="valid"),')],
          "shape", ["test_architecture", "test_parameter_counts"]),
        M(a, "alexnet_first_pool_size_3", "AlexNet's first MaxPooling2D is 3x3",
          [("build_alexnet", "conv(16), pool(),",
            'conv(16), layers.MaxPooling2D(pool_size=(3, 3), strides=2, padding="same"),')],
          "values", ["test_architecture"]),
        M(a, "alexnet_second_pool_strides_1", "AlexNet's second MaxPooling2D has strides 1",
          [("build_alexnet", "conv(32), pool(),",
            'conv(32), layers.MaxPooling2D(pool_size=(2, 2), strides=1, padding="same"),')],
          "shape", ["test_architecture", "test_parameter_counts"]),
        *[M(a, f"alexnet_conv{filters}_halved", f"AlexNet's Conv2D({filters}) has {filters // 2} filters",
            [("build_alexnet", f"conv({filters}),", f"conv({filters // 2}),")],
            "shape", ["test_architecture", "test_parameter_counts"]) for filters in (16, 32, 64, 128, 256)],
        M(a, "alexnet_global_pooling_for_flatten", "AlexNet reduces its feature maps with GlobalMaxPooling2D, not Flatten",
          [("build_alexnet", "layers.Flatten(),", "layers.GlobalMaxPooling2D(),")],
          "type", ["test_architecture", "test_parameter_counts"]),
        M(a, "alexnet_lambda_flatten", "AlexNet flattens with a Lambda layer, which the grader cannot rebuild",
          [("build_alexnet", "layers.Flatten(),", "layers.Lambda(lambda t: keras.ops.reshape(t, (-1, 4096))),")],
          "type", ["test_architecture", "test_parameter_counts"]),
        M(a, "alexnet_dense_4096_tanh", "AlexNet's Dense(4096) uses tanh",
          [("build_alexnet", 'layers.Dense(4096, activation="relu"),', 'layers.Dense(4096, activation="tanh"),')],
          "values", ["test_architecture"]),
        M(a, "alexnet_dense_2048_sigmoid", "AlexNet's Dense(2048) uses sigmoid",
          [("build_alexnet", 'layers.Dense(2048, activation="relu"),', 'layers.Dense(2048, activation="sigmoid"),')],
          "values", ["test_architecture"]),
        M(a, "alexnet_second_dropout_0_5", "AlexNet's second Dropout has rate 0.5",
          [("build_alexnet", 'layers.Dense(2048, activation="relu"), layers.Dropout(0.4),',
            'layers.Dense(2048, activation="relu"), layers.Dropout(0.5),')],
          "values", ["test_architecture"]),
        M(a, "alexnet_dense_1024_units_512", "AlexNet's Dense(1024) has 512 units",
          [("build_alexnet", 'layers.Dense(1024, activation="relu"),', 'layers.Dense(512, activation="relu"),')],
          "shape", ["test_architecture", "test_parameter_counts"]),
        M(a, "alexnet_third_dropout_0_2", "AlexNet's third Dropout has rate 0.2",
          [("build_alexnet", 'layers.Dense(1024, activation="relu"), layers.Dropout(0.4),',
            'layers.Dense(1024, activation="relu"), layers.Dropout(0.2),')],
          "values", ["test_architecture"]),
        M(a, "alexnet_output_without_bias", "AlexNet's output Dense has no bias",
          [("build_alexnet", 'layers.Dense(10, activation="softmax"),', 'layers.Dense(10, activation="softmax", use_bias=False),')],
          "values", ["test_architecture", "test_parameter_counts"]),
        M(a, "alexnet_frozen_dense", "AlexNet's Dense(1024) is frozen",
          [("build_alexnet", 'layers.Dense(1024, activation="relu"),', 'layers.Dense(1024, activation="relu", trainable=False),')],
          "values", ["test_architecture", "test_parameter_counts"]),
    ]


def _rnn_letters():
    a = "rnn_letters"
    return [
        M(a, "one_hot_alphabet_float64", "one_hot_alphabet is float64",
          [("one_hot_alphabet", "return np.eye(len(ALPHABET), dtype=np.float32)", "return np.eye(len(ALPHABET), dtype=np.float64)")],
          "dtype", ["test_one_hot_alphabet", "test_onehot_dataset[1_letter]", "test_onehot_dataset[4_letters]"]),
        M(a, "onehot_dataset_returns_list", "onehot_dataset returns a list [x, y]",
          [("onehot_dataset", "return one_hot_alphabet()[ids], targets", "return [one_hot_alphabet()[ids], targets]")],
          "type", ["test_onehot_dataset[1_letter]", "test_onehot_dataset[4_letters]"]),
        M(a, "onehot_dataset_features_before_timesteps", "onehot_dataset's x is [samples, features, timesteps]",
          [("onehot_dataset", "return one_hot_alphabet()[ids], targets", "return one_hot_alphabet()[ids].transpose(0, 2, 1), targets")],
          "shape", ["test_onehot_dataset[1_letter]", "test_onehot_dataset[4_letters]"]),
        M(a, "id_dataset_float_ids", "id_dataset's x holds float32 ids",
          [("id_dataset", "return _windows(timesteps)", "ids, targets = _windows(timesteps)\n    return ids.astype(np.float32), targets")],
          "dtype", ["test_id_dataset[1_letter]", "test_id_dataset[4_letters]"]),
        M(a, "id_dataset_labels_column", "id_dataset's y has shape (5, 1)",
          [("id_dataset", "return _windows(timesteps)", "ids, targets = _windows(timesteps)\n    return ids, targets.reshape(-1, 1)")],
          "shape", ["test_id_dataset[1_letter]", "test_id_dataset[4_letters]"]),
        M(a, "id_dataset_samples_reversed", "id_dataset's samples are not in the order of their first letter",
          [("id_dataset", "return _windows(timesteps)", "ids, targets = _windows(timesteps)\n    return ids[::-1], targets[::-1]")],
          "values", ["test_id_dataset[1_letter]", "test_id_dataset[4_letters]"]),
        M(a, "onehot_rnn_without_softmax", "build_onehot_rnn's Dense has no softmax",
          [("build_onehot_rnn", 'layers.Dense(len(ALPHABET), activation="softmax")', "layers.Dense(len(ALPHABET))")],
          "values", ["test_architecture[onehot_1_letter]", "test_architecture[onehot_4_letters]"]),
        M(a, "onehot_rnn_return_sequences", "build_onehot_rnn's SimpleRNN returns sequences",
          [("build_onehot_rnn", "layers.SimpleRNN(3)", "layers.SimpleRNN(3, return_sequences=True)")],
          "shape", ["test_architecture[onehot_1_letter]", "test_architecture[onehot_4_letters]"]),
        M(a, "embedding_rnn_relu", "build_embedding_rnn's SimpleRNN uses relu",
          [("build_embedding_rnn", "layers.SimpleRNN(3)", 'layers.SimpleRNN(3, activation="relu")')],
          "values", ["test_architecture[embedding_1_letter]", "test_architecture[embedding_4_letters]"]),
        M(a, "lstm_without_softmax", "bonus: build_onehot_lstm's Dense has no softmax",
          [("build_onehot_lstm", 'layers.Dense(len(ALPHABET), activation="softmax")', "layers.Dense(len(ALPHABET))")],
          "values", ["test_bonus_gated_rnn[lstm_1_letter]", "test_bonus_gated_rnn[lstm_4_letters]"]),
        M(a, "gru_4_units", "bonus: build_onehot_gru has GRU(4)",
          [("build_onehot_gru", "layers.GRU(3)", "layers.GRU(4)")],
          "shape", ["test_bonus_gated_rnn[gru_1_letter]", "test_bonus_gated_rnn[gru_4_letters]"]),
        M(a, "predict_next_returns_id", "predict_next returns the letter's id",
          [("predict_next", "return ALPHABET[int(probabilities[0].argmax())]", "return int(probabilities[0].argmax())")],
          "type", ["test_predict_next[onehot_1_letter]", "test_predict_next[embedding_4_letters]"]),
        M(a, "predict_next_always_onehot", "predict_next feeds one-hot codes to an embedding model too",
          [("predict_next", "if len(model.input_shape) == 3:", "if True:")],
          "exception", ["test_predict_next[embedding_1_letter]", "test_predict_next[embedding_4_letters]"]),
        M(a, "one_hot_alphabet_reversed", "one_hot_alphabet's row i encodes letter 4 - i",
          [("one_hot_alphabet", "return np.eye(len(ALPHABET), dtype=np.float32)",
            "return np.eye(len(ALPHABET), dtype=np.float32)[::-1].copy()")],
          "values", ["test_one_hot_alphabet", "test_onehot_dataset[1_letter]", "test_onehot_dataset[4_letters]"]),
        M(a, "id_dataset_ids_from_1", "id_dataset numbers the letters a=1 ... e=5",
          [("id_dataset", "return _windows(timesteps)", "ids, targets = _windows(timesteps)\n    return ids + 1, targets + 1")],
          "values", ["test_id_dataset[1_letter]", "test_id_dataset[4_letters]"]),
        M(a, "one_letter_labels_skip_a_letter", "with one letter in, the labels are two letters ahead (a->c)",
          [("onehot_dataset", "return one_hot_alphabet()[ids], targets",
            "return one_hot_alphabet()[ids], (targets + 1) % 5 if timesteps == 1 else targets")],
          "values", ["test_onehot_dataset[1_letter]"]),
        M(a, "four_letter_labels_repeat_the_last", "with four letters in, the label is the fourth letter (abcd->d)",
          [("onehot_dataset", "return one_hot_alphabet()[ids], targets",
            "return one_hot_alphabet()[ids], ids[:, -1] if timesteps == 4 else targets")],
          "values", ["test_onehot_dataset[4_letters]"]),
        M(a, "onehot_rnn_without_bias", "build_onehot_rnn's SimpleRNN has no bias (44 parameters)",
          [("build_onehot_rnn", "layers.SimpleRNN(3)", "layers.SimpleRNN(3, use_bias=False)")],
          "values", ["test_architecture[onehot_1_letter]", "test_architecture[onehot_4_letters]"]),
        M(a, "embedding_dim_3", "build_embedding_rnn's Embedding has 3 dimensions, not 2",
          [("build_embedding_rnn", "layers.Embedding(len(ALPHABET), 2)", "layers.Embedding(len(ALPHABET), 3)")],
          "values", ["test_architecture[embedding_1_letter]", "test_architecture[embedding_4_letters]"]),
        M(a, "embedding_mask_zero", "build_embedding_rnn's Embedding masks id 0 (mask_zero=True), so the letter a is skipped",
          [("build_embedding_rnn", "layers.Embedding(len(ALPHABET), 2)", "layers.Embedding(len(ALPHABET), 2, mask_zero=True)")],
          "values", ["test_architecture[embedding_1_letter]", "test_architecture[embedding_4_letters]"]),
    ]


def _mlp_numpy():
    a = "mlp_numpy"
    return [
        M(a, "fc_forward_float64", "fc_forward returns float64 for float32 inputs",
          [("fc_forward", "    return np.matmul(x, W)\n", "    return np.matmul(x, W).astype(np.float64)\n")],
          "dtype", ["test_fc_forward[float32]"]),
        M(a, "sgd_step_in_place", "sgd_step updates the weights in place (W -= lr * g) and returns them",
          [("sgd_step", "    return [W - learning_rate * g for W, g in zip(weights, grads)]\n",
            "    for W, g in zip(weights, grads):\n        W -= learning_rate * g\n    return weights\n")],
          "values", ["test_sgd_step"]),
        M(a, "model_backward_returns_one_array", "model_backward returns grad_W1 alone, not [grad_W1, grad_W2]",
          [("model_backward", "    return [grad_W1, grad_W2]\n", "    return grad_W1\n")],
          "type", ["test_model_backward[float32]", "test_model_backward[float64]"]),
        M(a, "train_returns_float64", "train returns float64 weights for float32 inputs",
          [("train", "    return weights\n", "    return [w.astype(np.float64) for w in weights]\n")],
          "dtype", ["test_train_learns_mnist"]),
    ]


MUTANTS = [*_activations(), *_losses(), *_initializers(), *_optimizers(), *_regularization(), *_mnist_mlp(),
           *_lenet(), *_alexnet(), *_rnn_letters(), *_mlp_numpy()]


def render(mutant: Mutant) -> str:
    """The mutant's source: the reference with its edits, under a docstring that names the mistake."""
    header = (f'"""Contract mutant of solutions/{mutant.assignment}/{mutant.assignment}.py: {mutant.mistake}.\n\n'
              f"Generated by tests/contract_mutants/mutants.py; a public test must catch it (stage: "
              f'{mutant.public_stage}).\n"""\n')
    return header + apply_edits(mutant.assignment, mutant.edits, f"{mutant.assignment}/{mutant.name}")


def write_all(folder: Path) -> dict[str, Path]:
    """Render every mutant into ``folder/<assignment>/<name>.py``; "<assignment>/<name>" -> its file."""
    names = [(m.assignment, m.name) for m in MUTANTS]
    assert len(names) == len(set(names)), "duplicate mutant names"
    paths = {}
    for mutant in MUTANTS:
        path = Path(folder) / mutant.assignment / f"{mutant.name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(mutant))
        paths[f"{mutant.assignment}/{mutant.name}"] = path
    return paths


if __name__ == "__main__":
    import sys

    written = write_all(Path(sys.argv[1]))
    print(f"wrote {len(written)} mutants under {sys.argv[1]}")
