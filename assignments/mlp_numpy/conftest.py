"""Lets plain `pytest` run the public tests in this folder on mlp_numpy.py (or on the file that
AUTOGRADER_SUBMISSION names): one line per test with its points and, for a failure, the reason
and the lines of your code where it raised; then the public score, as `autograder check` gives it."""

from autograder.engine.local import configure_handout as pytest_configure  # noqa: F401
from autograder.engine.local import submission_fixture_for

submission = submission_fixture_for(__file__, "mlp_numpy.py")
