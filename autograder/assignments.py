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

from autograder.i18n import N_

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
    title: str  # English; shown with autograder.i18n._ (the catalog has each title)
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

# NumPy backpropagation (mlp_numpy): every function is NUMERIC work on small inputs, but one call,
# train(), receives the grader's 12,800 MNIST images (43 MB across the pipe) and runs 1,200 SGD
# steps: 0.5 s for the reference on a 2-core machine (benchmarks/results/mlp_numpy_cost.json).
# 20 s lets an honest loop 40 times slower than the reference pass, on a machine grading two
# submissions at once; the 120 s total and 1 GB are NUMERIC's (the data and its copies take ~200 MB).
MLP_NUMPY_LIMITS = Limits(import_timeout_s=30.0, call_timeout_s=20.0, total_timeout_s=120.0, memory_mb=1024)

# Building a model imports TensorFlow in the sandbox (about 4 s and 600 MB); training runs
# in the grader, not in the sandbox, so the sandbox's limits stay modest.
MODEL_LIMITS = Limits(import_timeout_s=120.0, call_timeout_s=60.0, total_timeout_s=300.0, memory_mb=4096)

CATALOG: dict[str, Assignment] = {
    a.id: a
    for a in (
        Assignment("activations", N_("Activation functions in NumPy"), NUMERIC_LIMITS),
        Assignment("losses", N_("Loss functions in NumPy"), NUMERIC_LIMITS),
        Assignment("initializers", N_("Weight initializers in NumPy (Keras's definitions)"), NUMERIC_LIMITS),
        Assignment("optimizers", N_("Optimizers in NumPy: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam"),
                   NUMERIC_LIMITS),
        Assignment("regularization", N_("Regularization in NumPy: L1/L2, dropout, batch norm, early stopping"),
                   NUMERIC_LIMITS),
        Assignment("mlp_numpy", N_("Backpropagation from scratch in NumPy: an MLP for MNIST"), MLP_NUMPY_LIMITS,
                   datasets=("mnist",)),
        Assignment("mnist_mlp", N_("An MLP for MNIST (Sequential and functional)"), MODEL_LIMITS, uses_keras=True,
                   datasets=("mnist",)),
        Assignment("lenet", N_("LeNet for MNIST"), MODEL_LIMITS, uses_keras=True, datasets=("mnist",)),
        Assignment("alexnet", N_("A small AlexNet for MNIST"), MODEL_LIMITS, uses_keras=True, datasets=("mnist",)),
        Assignment("rnn_letters", N_("Next-letter prediction with RNNs (one-hot and embedding)"), MODEL_LIMITS,
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
