from autograder.engine.local import register_markers as pytest_configure  # noqa: F401
from autograder.engine.local import submission_fixture_for

submission = submission_fixture_for(__file__, "optimizers.py")
