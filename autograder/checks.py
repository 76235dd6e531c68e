"""Comparison helpers that grading tests use to judge a student's output.

Each helper runs its checks in a fixed order and stops at the first that fails:

    type -> shape -> dtype -> non-finite -> values

(The earlier stages, "not attempted" and "missing name", are raised by the code that
calls the student's function, before any output exists.)

A failure raises :class:`CheckFailure`, whose message is safe to show a student: it may
state the expected *shape* or *dtype* (the handout states them anyway) and the size of
an error, but never an expected value or a hidden input.

This module depends on numpy alone, so that a student handout can ship it.
"""

from __future__ import annotations

import numbers
from enum import Enum

import numpy as np


class Stage(str, Enum):
    """Where a grading test stopped, in the order the checks run."""

    IMPORT = "import"
    NOT_ATTEMPTED = "not_attempted"
    MISSING = "missing"
    EXCEPTION = "exception"
    TIMEOUT = "timeout"
    CRASH = "crash"
    TYPE = "type"
    SHAPE = "shape"
    DTYPE = "dtype"
    FINITE = "finite"
    VALUES = "values"
    PASSED = "passed"


class CheckFailure(AssertionError):
    """A student's output failed a check; ``str(self)`` is student-safe feedback."""

    def __init__(self, stage: Stage, message: str):
        super().__init__(message)
        self.stage = stage
        self.message = message


def _describe_type(value) -> str:
    # Values the sandbox could not copy back arrive as stand-ins that carry the type's name.
    foreign = getattr(value, "_autograder_type_name", None)
    if foreign is not None:
        return foreign
    cls = type(value)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def expect_array(
    got,
    expected: np.ndarray,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-7,
    check_dtype: bool = True,
    what: str = "output",
) -> None:
    """Check that ``got`` is a numpy array matching ``expected``.

    Values compare as ``|got - expected| <= atol + rtol * |expected|`` element-wise;
    positions where ``expected`` is +-inf or NaN must hold the same non-finite value.
    """
    expected = np.asarray(expected)
    if type(got) is not np.ndarray:
        raise CheckFailure(
            Stage.TYPE, f"{what} should be a numpy.ndarray, but it is a {_describe_type(got)}."
        )
    if got.shape != expected.shape:
        raise CheckFailure(
            Stage.SHAPE, f"{what} has shape {got.shape}, but it should have shape {expected.shape}."
        )
    if check_dtype and got.dtype != expected.dtype:
        raise CheckFailure(
            Stage.DTYPE, f"{what} has dtype {got.dtype}, but it should have dtype {expected.dtype}."
        )
    if not np.issubdtype(got.dtype, np.number) and got.dtype != np.bool_:
        raise CheckFailure(Stage.DTYPE, f"{what} has non-numeric dtype {got.dtype}.")
    _expect_finite_where_expected(got, expected, what)
    _expect_close(got, expected, rtol=rtol, atol=atol, what=what)


def expect_scalar(
    got,
    expected: float,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-7,
    what: str = "output",
) -> None:
    """Check that ``got`` is a real number (Python, numpy scalar or 0-d array) close to ``expected``."""
    is_number = isinstance(got, numbers.Real) and not isinstance(got, bool)
    is_zero_d = type(got) is np.ndarray and got.shape == ()
    if not (is_number or is_zero_d):
        if type(got) is np.ndarray:
            raise CheckFailure(
                Stage.SHAPE,
                f"{what} should be a single number (shape ()), but it has shape {got.shape}.",
            )
        raise CheckFailure(
            Stage.TYPE, f"{what} should be a real number, but it is a {_describe_type(got)}."
        )
    got_array = np.asarray(got, dtype=np.float64)
    _expect_finite_where_expected(got_array, np.asarray(expected, dtype=np.float64), what)
    _expect_close(got_array, np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol, what=what)


def expect_equal(got, expected, *, what: str = "output") -> None:
    """Check exact equality of plain Python values (ints, strings, tuples of them).

    The message names the type or length that differs, never the expected value.
    """
    if type(got) is not type(expected):
        raise CheckFailure(
            Stage.TYPE,
            f"{what} should be a {_describe_type(expected)}, but it is a {_describe_type(got)}.",
        )
    if isinstance(expected, (tuple, list)) and len(got) != len(expected):
        raise CheckFailure(
            Stage.SHAPE, f"{what} has {len(got)} items, but it should have {len(expected)}."
        )
    if got != expected:
        raise CheckFailure(Stage.VALUES, f"{what} has the right type but a wrong value.")


def expect_true(condition: bool, message: str, *, stage: Stage = Stage.VALUES) -> None:
    """Fail with a student-safe ``message`` unless ``condition`` holds.

    Grading tests use this instead of a bare ``assert``, whose message could show values.
    """
    if not condition:
        raise CheckFailure(stage, message)


def _expect_finite_where_expected(got: np.ndarray, expected: np.ndarray, what: str) -> None:
    if not np.issubdtype(got.dtype, np.inexact):
        return
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if np.any(bad):
        count = int(np.count_nonzero(bad))
        raise CheckFailure(
            Stage.FINITE,
            f"{what} contains NaN or infinity at {count} of {got.size} positions where a finite "
            "number was expected (look for overflow in exp or division by zero).",
        )


def _expect_close(got: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float, what: str) -> None:
    got64 = got.astype(np.float64)
    expected64 = expected.astype(np.float64)
    finite = np.isfinite(expected64)
    # Non-finite expectations (e.g. a loss of +inf) must be matched exactly.
    if np.any(~finite) and not np.array_equal(got64[~finite], expected64[~finite], equal_nan=True):
        raise CheckFailure(Stage.VALUES, f"{what} is wrong where the result should be infinite or NaN.")
    error = np.abs(got64[finite] - expected64[finite])
    allowed = atol + rtol * np.abs(expected64[finite])
    if error.size and np.any(error > allowed):
        wrong = int(np.count_nonzero(error > allowed))
        max_abs = float(error.max())
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(expected64[finite] != 0, error / np.abs(expected64[finite]), np.inf)
        max_rel = float(np.max(relative[error > allowed]))
        raise CheckFailure(
            Stage.VALUES,
            f"{what} is inaccurate at {wrong} of {error.size} positions: max abs error {max_abs:.3g}, "
            f"max rel error {max_rel:.3g} (allowed: atol={atol:g}, rtol={rtol:g}).",
        )


# What a grading test measures besides its verdict (a model's test accuracy, its training curve),
# for the instructor report and the feedback files. The grading plugin takes what was recorded
# during each test's call into that test's TestResult; outside a grading run nothing takes the
# records, and each one replaces the last of its name.
_measured_metrics: dict[str, float] = {}
_measured_curves: dict[str, list[float]] = {}


def record_metric(name: str, value: float) -> None:
    """Report a number this test measured (e.g. ``test_accuracy``); never an expected value."""
    _measured_metrics[name] = float(value)


def record_curve(name: str, values) -> None:
    """Report a curve this test measured (e.g. ``loss`` by ``step``): a list of numbers."""
    _measured_curves[name] = [float(v) for v in values]


def take_measurements() -> tuple[dict[str, float], dict[str, list[float]]]:
    """Everything recorded since the last take, which is then forgotten."""
    metrics, curves = dict(_measured_metrics), {name: list(v) for name, v in _measured_curves.items()}
    _measured_metrics.clear()
    _measured_curves.clear()
    return metrics, curves
