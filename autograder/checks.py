"""Comparison helpers that grading tests use to judge a student's output.

Each helper runs its checks in a fixed order and stops at the first that fails:

    type -> shape -> dtype -> non-finite -> values

(The earlier stages, "not attempted" and "missing name", are raised by the code that
calls the student's function, before any output exists.)

A failure raises :class:`CheckFailure`, whose message is safe to show a student: it may
state the expected *shape* or *dtype* (the handout states them anyway), how many positions
are wrong and the size of the relative error as a power-of-ten band, but never an expected
value or a hidden input, nor anything from which one could be solved (an absolute error
beside a relative one gives ``expected = abs / rel``).

This module depends on numpy and ``autograder.i18n`` (the standard library's gettext) alone, so
that a student handout can ship it. Messages are in the language ``autograder.i18n`` chose.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from enum import Enum

import numpy as np

from autograder.i18n import N_, _, _f


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


# How each stage reads in a table of results (the values above are ids, stored in gradebooks).
_STAGE_LABELS = {
    Stage.IMPORT: N_("import"), Stage.NOT_ATTEMPTED: N_("not attempted"), Stage.MISSING: N_("missing"),
    Stage.EXCEPTION: N_("exception"), Stage.TIMEOUT: N_("timeout"), Stage.CRASH: N_("crash"),
    Stage.TYPE: N_("type"), Stage.SHAPE: N_("shape"), Stage.DTYPE: N_("dtype"), Stage.FINITE: N_("finite"),
    Stage.VALUES: N_("values"), Stage.PASSED: N_("passed"),
}


def stage_label(stage: str) -> str:
    """A stage's id (``"shape"``) as a reader sees it, in the current language; other ids as they are."""
    try:
        return _(_STAGE_LABELS[Stage(stage)])
    except ValueError:
        return stage


class CheckFailure(AssertionError):
    """A student's output failed a check; ``str(self)`` is student-safe feedback."""

    def __init__(self, stage: Stage, message: str):
        super().__init__(message)
        self.stage = stage
        self.message = message


# Terminal escape sequences: CSI (ESC [ ... final byte, or the 8-bit CSI), terminated
# OSC/DCS/APC/PM/SOS strings (up to BEL or ESC \\) and two-byte ESC sequences. An unterminated
# string loses only its introducer (a control character): what follows it stays visible, and the
# scan stops at the next introducer, so cleaning stays linear in the text's length.
_ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
                      r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9b-\x9f]*(?:\x07|\x1b\\|\x9c)"
                      r"|\x1b[ -~]?")
# Control and format characters (Cc, Cf: bidi overrides, zero-width joiners), lone surrogates
# (which no UTF-8 file can hold) and line/paragraph separators.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ELLIPSIS = "…"


def printable(text, limit: int, *, single_line: bool = True, keep: str = "start") -> str:
    """``text`` as it may be shown anywhere: terminal escape sequences and control characters
    removed, at most ``limit`` bytes of UTF-8 (an ellipsis marks a cut).

    Whatever a student's code chose (an exception's message, its type's name, a file name, what
    it printed) passes through here before it reaches a gradebook, a report or a terminal: an
    escape sequence could rewrite an instructor's terminal, and text without a cap is a channel
    of any size. The cap counts bytes, not characters, so that it bounds what the text can carry
    (8 bits a byte) whatever the script. ``single_line`` turns line breaks and tabs into spaces
    (a message, a type's name, a location); otherwise they stay (printed output). ``keep`` is
    "start" or "end" (the tail of printed output).
    """
    text = str(text)
    # Cleaning only removes characters: what survives the cap lies in a bounded prefix or suffix.
    window = 8 * limit + 64
    text = text[:window] if keep == "start" else text[-window:]
    text = _ESCAPES.sub("", text.replace("\r\n", "\n"))
    kept = []
    for char in text:
        if char in "\n\t":
            kept.append(" " if single_line else char)
        elif unicodedata.category(char) not in _UNPRINTABLE:
            kept.append(char)
    text = "".join(kept)
    if single_line:
        text = re.sub(r"\s+", " ", text).strip()
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = max(limit - len(ELLIPSIS.encode("utf-8")), 0)
    if keep == "start":
        return data[:room].decode("utf-8", errors="ignore") + ELLIPSIS
    return ELLIPSIS + data[len(data) - room:].decode("utf-8", errors="ignore")


MAX_TYPE_NAME_BYTES = 80


def _describe_type(value) -> str:
    # Values the sandbox could not copy back arrive as stand-ins that carry the type's name,
    # which the student's code chose (a class can be named anything).
    foreign = getattr(value, "_autograder_type_name", None)
    if foreign is not None:
        return printable(foreign, MAX_TYPE_NAME_BYTES)
    cls = type(value)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _what(what: str | None) -> str:
    """What a message calls the checked value: the test's own words, or "output"."""
    return _("output") if what is None else what


def expect_array(
    got,
    expected: np.ndarray,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-7,
    check_dtype: bool = True,
    what: str | None = None,
) -> None:
    """Check that ``got`` is a numpy array matching ``expected``.

    Values compare as ``|got - expected| <= atol + rtol * |expected|`` element-wise;
    positions where ``expected`` is +-inf or NaN must hold the same non-finite value.
    """
    what = _what(what)
    expected = np.asarray(expected)
    if type(got) is not np.ndarray:
        raise CheckFailure(Stage.TYPE, _f("{what} should be a numpy.ndarray, but it is a {type}.",
                                          what=what, type=_describe_type(got)))
    if got.shape != expected.shape:
        raise CheckFailure(Stage.SHAPE, _f("{what} has shape {got}, but it should have shape {expected}.",
                                           what=what, got=got.shape, expected=expected.shape))
    if check_dtype and got.dtype != expected.dtype:
        raise CheckFailure(Stage.DTYPE, _f("{what} has dtype {got}, but it should have dtype {expected}.",
                                           what=what, got=got.dtype, expected=expected.dtype))
    if not np.issubdtype(got.dtype, np.number) and got.dtype != np.bool_:
        raise CheckFailure(Stage.DTYPE, _f("{what} has non-numeric dtype {dtype}.", what=what, dtype=got.dtype))
    _expect_finite_where_expected(got, expected, what)
    _expect_close(got, expected, rtol=rtol, atol=atol, what=what)


def expect_scalar(
    got,
    expected: float,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-7,
    what: str | None = None,
) -> None:
    """Check that ``got`` is a real number (Python, numpy scalar or 0-d array) close to ``expected``."""
    what = _what(what)
    is_number = isinstance(got, numbers.Real) and not isinstance(got, bool)
    is_zero_d = type(got) is np.ndarray and got.shape == ()
    if not (is_number or is_zero_d):
        if type(got) is np.ndarray:
            raise CheckFailure(Stage.SHAPE, _f("{what} should be a single number (shape ()), but it has shape {got}.",
                                               what=what, got=got.shape))
        raise CheckFailure(Stage.TYPE, _f("{what} should be a real number, but it is a {type}.",
                                          what=what, type=_describe_type(got)))
    if type(got) is np.ndarray and got.dtype.kind not in "biuf":
        raise CheckFailure(Stage.DTYPE, _f("{what} should be a real number, but it has dtype {dtype}.",
                                           what=what, dtype=got.dtype))
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except OverflowError:  # a Python int such as 10**400: no float holds it
        raise CheckFailure(Stage.FINITE, _f("{what} is a number too large for a float (above 1.8e308 in "
                                            "magnitude): look for overflow.", what=what)) from None
    _expect_finite_where_expected(got_array, np.asarray(expected, dtype=np.float64), what)
    _expect_close(got_array, np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol, what=what)


def expect_equal(got, expected, *, what: str | None = None) -> None:
    """Check exact equality of plain Python values (ints, strings, tuples of them).

    The message names the type or length that differs, never the expected value.
    """
    what = _what(what)
    if type(got) is not type(expected):
        raise CheckFailure(Stage.TYPE, _f("{what} should be a {expected}, but it is a {type}.",
                                          what=what, expected=_describe_type(expected), type=_describe_type(got)))
    if isinstance(expected, (tuple, list)) and len(got) != len(expected):
        raise CheckFailure(Stage.SHAPE, _f("{what} has {got} items, but it should have {expected}.",
                                           what=what, got=len(got), expected=len(expected)))
    if not _same(got, expected):
        raise CheckFailure(Stage.VALUES, _f("{what} has the right type but a wrong value.", what=what))


def _same(got, expected) -> bool:
    """Exact equality, item by item, of the same types. ``got != expected`` would let a student's
    value decide: an array inside a tuple makes the comparison raise ("truth value of an array is
    ambiguous"), which would be an internal grader error instead of a failed test."""
    if type(got) is not type(expected):
        return False
    if isinstance(expected, (tuple, list)):
        return len(got) == len(expected) and all(_same(g, e) for g, e in zip(got, expected))
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(_same(got[k], expected[k]) for k in expected)
    try:
        return bool(got == expected)
    except (ValueError, TypeError, OverflowError):
        return False


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
        raise CheckFailure(Stage.FINITE, _f("{what} contains NaN or infinity at {count} of {size} positions where a "
                                            "finite number was expected (look for overflow in exp or division by "
                                            "zero).", what=what, count=count, size=got.size))


def _expect_close(got: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float, what: str) -> None:
    got64 = got.astype(np.float64)
    expected64 = expected.astype(np.float64)
    finite = np.isfinite(expected64)
    # Non-finite expectations (e.g. a loss of +inf) must be matched exactly.
    if np.any(~finite) and not np.array_equal(got64[~finite], expected64[~finite], equal_nan=True):
        raise CheckFailure(Stage.VALUES, _f("{what} is wrong where the result should be infinite or NaN.", what=what))
    error = np.abs(got64[finite] - expected64[finite])
    allowed = atol + rtol * np.abs(expected64[finite])
    if error.size and np.any(error > allowed):
        wrong = error > allowed
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = error[wrong] / np.abs(expected64[finite][wrong])  # inf where expected is 0
        raise CheckFailure(Stage.VALUES, _f("{what} is inaccurate at {count} of {size} positions: the largest "
                                            "relative error is {band} (allowed: atol={atol}, rtol={rtol}).",
                                            what=what, count=int(np.count_nonzero(wrong)), size=error.size,
                                            band=relative_error_band(float(np.max(relative))),
                                            atol=format(atol, "g"), rtol=format(rtol, "g")))


def relative_error_band(relative: float) -> str:
    """A relative error as the power-of-ten band it falls in ("between 1% and 10%").

    Feedback gives this band alone: never the absolute error, never the error's sign, never more
    digits. With the student's own output g, an absolute error a and a relative error r would give
    the expected value exactly (|e| = a / r); the band leaves e anywhere in a range a factor of
    ten wide in |g - e| / |e| (at most about 4 bits per failed test, however many submissions).
    Errors of 100% or more, and any error where the expected value is 0, share one band, so that
    the band never says that an expected value is 0.
    """
    if not relative < 1.0:  # inf (expected 0) and NaN included
        return _("100% or more")
    if relative < 1e-15:
        return _f("below {limit}", limit="1e-15")
    exponent = math.floor(math.log10(relative))
    low, high = 10.0 ** exponent, 10.0 ** (exponent + 1)
    if exponent >= -4:
        return _f("between {low} and {high}", low=format(100 * low, ".10g") + "%", high=format(100 * high, ".10g") + "%")
    return _f("between {low} and {high}", low=format(low, ".0e"), high=format(high, ".0e"))


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


# ----------------------------------------------------------------------------- contract helpers
# For tests that check what a function returns (its type, length, shape, dtype) apart from, or
# before, its values: random arrays, the items of a returned pair, a returned dict's fields.
# Each raises at the stage its check belongs to, so that feedback keeps the order above.


def expect_array_like(got, shape, dtype, *, what: str | None = None, finite: bool = True) -> None:
    """Check that ``got`` is a numpy array of exactly ``shape`` and ``dtype`` (and, with
    ``finite``, holds no NaN or infinity), without looking at its values otherwise.

    ``dtype`` may be a dtype, or one of the kinds "integer" (any signed or unsigned integer
    dtype) and "floating" (any float dtype).
    """
    what = _what(what)
    shape = tuple(shape)
    if type(got) is not np.ndarray:
        raise CheckFailure(Stage.TYPE, _f("{what} should be a numpy.ndarray, but it is a {type}.",
                                          what=what, type=_describe_type(got)))
    if got.shape != shape:
        raise CheckFailure(Stage.SHAPE, _f("{what} has shape {got}, but it should have shape {expected}.",
                                           what=what, got=got.shape, expected=shape))
    if dtype == "integer":
        if got.dtype.kind not in "iu":
            raise CheckFailure(Stage.DTYPE, _f("{what} has dtype {got}, but it should have an integer dtype.",
                                               what=what, got=got.dtype))
    elif dtype == "floating":
        if got.dtype.kind != "f":
            raise CheckFailure(Stage.DTYPE, _f("{what} has dtype {got}, but it should have a float dtype.",
                                               what=what, got=got.dtype))
    elif got.dtype != np.dtype(dtype):
        raise CheckFailure(Stage.DTYPE, _f("{what} has dtype {got}, but it should have dtype {expected}.",
                                           what=what, got=got.dtype, expected=np.dtype(dtype)))
    if finite and got.dtype.kind in "fc" and not np.all(np.isfinite(got)):
        count = int(np.count_nonzero(~np.isfinite(got)))
        raise CheckFailure(Stage.FINITE, _f("{what} contains NaN or infinity at {count} of {size} positions.",
                                            what=what, count=count, size=got.size))


def expect_items(got, length: int, *, what: str | None = None, kinds: tuple = (tuple, list),
                 noun: str | None = None) -> None:
    """Check that ``got`` is one of ``kinds`` (tuple and list by default) with ``length`` items;
    ``noun`` names the kinds in the message ("a tuple or a list" by default)."""
    what = _what(what)
    if type(got) not in kinds:
        raise CheckFailure(Stage.TYPE, _f("{what} should be {noun} of {length} items, but it is a {type}.",
                                          what=what, noun=_("a tuple or a list") if noun is None else noun,
                                          length=length, type=_describe_type(got)))
    if len(got) != length:
        raise CheckFailure(Stage.SHAPE, _f("{what} has {got} items, but it should have {expected}.",
                                           what=what, got=len(got), expected=length))


def expect_int(got, *, what: str | None = None) -> None:
    """Check that ``got`` is an integer (a Python int or a numpy integer; not a bool, not a float)."""
    if not isinstance(got, numbers.Integral) or isinstance(got, (bool, np.bool_)):
        raise CheckFailure(Stage.TYPE, _f("{what} should be an int, but it is a {type}.",
                                          what=_what(what), type=_describe_type(got)))


def expect_keys(got, keys, *, what: str | None = None) -> None:
    """Check that ``got`` is a dict that has every key of ``keys`` (it may have others)."""
    what = _what(what)
    if type(got) is not dict:
        raise CheckFailure(Stage.TYPE, _f("{what} should be a dict, but it is a {type}.",
                                          what=what, type=_describe_type(got)))
    for key in keys:
        if key not in got:
            raise CheckFailure(Stage.TYPE, _f("{what} has no key {key}.", what=what, key=repr(key)))


# ANSI sequences in a library's own error text (Keras bolds its messages: "\x1b[1m...\x1b[0m"), and the
# "[1m" / "[0m" left behind where something already removed the ESC byte (printable does).
_ANSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\[(?:\d+(?:;\d+)*)?m")


def without_ansi(text) -> str:
    """``text`` without ANSI escape sequences, whole (ESC [ 1 m) or with the ESC already gone ([1m):
    Keras's errors reach feedback through here, before printable/student_text clean and cap them."""
    return _ANSI.sub("", str(text))
