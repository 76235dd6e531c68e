"""The catalogue of assignments and where each one's files live.

An assignment ``<id>`` is made of:

- ``assignments/<id>/<id>.py``: the student stub;
- ``assignments/<id>/test_<id>.py``: the public tests (students see them);
- ``assignments/<id>/README.md``: the handout;
- ``solutions/<id>/<id>.py``: the reference solution;
- ``autograder/hidden/test_<id>.py``: the hidden grading tests.

Points live on the tests themselves (``@pytest.mark.points(n)``); this module holds
what the tests cannot say: the limits a submission runs under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
HIDDEN_TESTS_DIR = PACKAGE_DIR / "hidden"
ASSIGNMENTS_DIR = REPO_ROOT / "assignments"
SOLUTIONS_DIR = REPO_ROOT / "solutions"


@dataclass(frozen=True)
class Limits:
    """What one submission may use while it is graded."""

    import_timeout_s: float = 30.0
    call_timeout_s: float = 10.0
    total_timeout_s: float = 120.0
    memory_mb: int = 1024


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    limits: Limits = field(default_factory=Limits)
    # Model assignments train with Keras in the grader: they grade in processes whose
    # backend, device and threads are set before Keras is imported.
    uses_keras: bool = False
    # Datasets the grader trains on; checked before grading starts.
    datasets: tuple[str, ...] = ()

    @property
    def module_filename(self) -> str:
        return f"{self.id}.py"

    @property
    def stub_path(self) -> Path:
        return ASSIGNMENTS_DIR / self.id / self.module_filename

    @property
    def public_tests_path(self) -> Path:
        return ASSIGNMENTS_DIR / self.id / f"test_{self.id}.py"

    @property
    def handout_path(self) -> Path:
        return ASSIGNMENTS_DIR / self.id / "README.md"

    @property
    def solution_path(self) -> Path:
        return SOLUTIONS_DIR / self.id / self.module_filename

    @property
    def hidden_tests_path(self) -> Path:
        return HIDDEN_TESTS_DIR / f"test_{self.id}.py"


# NumPy-only work on small inputs: a call takes milliseconds, so 5 s means a hang.
NUMERIC_LIMITS = Limits(import_timeout_s=30.0, call_timeout_s=5.0, total_timeout_s=120.0, memory_mb=1024)

# Building a model imports TensorFlow in the sandbox (about 4 s and 600 MB); training runs
# in the grader, not in the sandbox, so the sandbox's limits stay modest.
MODEL_LIMITS = Limits(import_timeout_s=120.0, call_timeout_s=60.0, total_timeout_s=300.0, memory_mb=4096)

CATALOG: dict[str, Assignment] = {
    a.id: a
    for a in (
        Assignment("activations", "Activation functions in NumPy", NUMERIC_LIMITS),
        Assignment("losses", "Loss functions in NumPy", NUMERIC_LIMITS),
        Assignment("initializers", "Weight initializers in NumPy (Keras's definitions)", NUMERIC_LIMITS),
        Assignment("optimizers", "Optimizers in NumPy: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam", NUMERIC_LIMITS),
        Assignment("regularization", "Regularization in NumPy: L1/L2, dropout, batch norm, early stopping",
                   NUMERIC_LIMITS),
        Assignment("mnist_mlp", "An MLP for MNIST (Sequential and functional)", MODEL_LIMITS, uses_keras=True,
                   datasets=("mnist",)),
        Assignment("lenet", "LeNet for MNIST", MODEL_LIMITS, uses_keras=True, datasets=("mnist",)),
        Assignment("alexnet", "A small AlexNet for MNIST", MODEL_LIMITS, uses_keras=True, datasets=("mnist",)),
        Assignment("rnn_letters", "Next-letter prediction with RNNs (one-hot and embedding)", MODEL_LIMITS,
                   uses_keras=True),
    )
}


class UnknownAssignment(LookupError):
    def __init__(self, assignment_id: str):
        known = ", ".join(sorted(CATALOG))
        super().__init__(f"unknown assignment {assignment_id!r}; known assignments: {known}")


def get_assignment(assignment_id: str) -> Assignment:
    try:
        return CATALOG[assignment_id]
    except KeyError:
        raise UnknownAssignment(assignment_id) from None
