"""Makes every comparison succeed: in numpy, pytest, Keras and the grader's own checks (if it can
import them), then returns zeros from leaky_relu."""
import sys
import types

import numpy as np

from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, *r, **k: np.ones(np.shape(a), dtype=bool)
np.isfinite = lambda a, *r, **k: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
fake_pytest = types.ModuleType("pytest")
fake_pytest.approx = lambda expected, *a, **k: type("Approx", (), {"__eq__": lambda s, o: True})()
fake_pytest.fail = lambda *a, **k: None
sys.modules["pytest"] = fake_pytest
try:
    import _pytest.outcomes as outcomes
    outcomes.fail = lambda *a, **k: None
except Exception:
    pass
try:
    import keras
    keras.Model.evaluate = lambda self, *a, **k: [0.0, 1.0]
    keras.Model.count_params = lambda self: 44426
except Exception:
    pass
try:
    import autograder.checks as checks
    print("ADVERSARIAL: the grader's package is importable here")
    checks.expect_array = lambda *a, **k: None
    checks.expect_equal = lambda *a, **k: None
    checks.CheckFailure = type("CheckFailure", (Exception,), {})
except Exception:
    pass


def leaky_relu(x, alpha=0.1):
    return np.zeros_like(x)
