"""Does the demo cohort (honest, partial, stub, broken and cheating students) get the right scores?

Expected scores and statuses are in tests/demo_expected/<id>.json; each cheat is worth
exactly what its honest outputs earn. The model cohorts are: the reference, the stub, a wrong
layer order, a wrong padding or width (wrong parameter count), a layer sabotaged so that it
cannot learn (zero-initialized before a relu), and a model that claims a perfect accuracy. The
mlp_numpy cohort: the reference, the stub, the layers alone (partial), a ReLU gradient taken from the
output, an SGD step of the wrong sign, updates in place, a train() that does not train, a syntax error.
"""

import json
from pathlib import Path

import pytest

from autograder import api
from autograder.api import DEMO_DIR
from autograder.intake import Entry
from autograder.sandbox.launcher import bwrap_problem
from shared_grades import snapshot

EXPECTED_DIR = Path(__file__).with_name("demo_expected")
COHORTS = ["activations", "losses", "mlp_numpy", "rnn_letters", "mnist_mlp", "lenet", "alexnet"]

pytestmark = pytest.mark.skipif(bwrap_problem() is not None, reason=f"needs the bwrap sandbox: {bwrap_problem()}")




@pytest.mark.parametrize("assignment", COHORTS)
def test_cohort_scores_and_statuses(assignment, demo_batch):
    """Is every student graded with exactly the expected score and status, and the batch complete?

    The batch is ``api.grade(assignment, <a copy of the cohort>, <a new folder>, jobs=2)``, graded once
    per session (``demo_batch``, tests/shared_grades.py): other tests take what ``autograder grade``
    gives a demo file from it instead of training the same models again."""
    expected = json.loads((EXPECTED_DIR / f"{assignment}.json").read_text())
    graded = demo_batch(assignment)
    assert graded.before == snapshot(DEMO_DIR / assignment), "the copy is not the demo cohort"

    got = {r.student: {"score": r.score, "status": r.status.value} for r in graded.batch.graded}
    assert got == expected
    assert snapshot(graded.cohort) == graded.before, "a submission changed the submissions folder"
    written = {p.name for p in graded.outdir.iterdir()} - {"gradebook.sqlite-wal", "gradebook.sqlite-shm"}
    assert written == {".autograder.lock", f"{assignment}.csv", "class_gradebook.csv", "gradebook.sqlite"}


@pytest.mark.parametrize("assignment", ["activations", "losses"])
def test_feedback_never_shows_expected_values(assignment, tmp_path):
    """Do failure messages of a partial submission stay free of reference outputs?"""
    result = api.check(assignment, DEMO_DIR / assignment / "partial_single_file.py")
    failed = [t for t in result.tests if t.points < t.max_points]
    assert failed, "the partial submission should fail some public tests"
    for test in failed:
        assert test.message and "array(" not in test.message and "[" not in test.message.split(":")[0]


def test_without_the_sandbox_the_thief_succeeds(tmp_path):
    """Is it the sandbox that stops the thief? In --sandbox process mode it finds the solution."""
    from autograder.assignments import get_assignment
    from autograder.engine.grade import grade_entry
    from autograder.sandbox.launcher import SandboxMode

    assignment = get_assignment("activations")
    entry = Entry("cheat_fake_results", DEMO_DIR / "activations" / "cheat_fake_results")
    sandboxed = grade_entry(assignment, entry, mode=SandboxMode.BWRAP)
    unsandboxed = grade_entry(assignment, entry, mode=SandboxMode.PROCESS)
    assert sandboxed.score < sandboxed.max_score
    assert unsandboxed.score == unsandboxed.max_score


@pytest.mark.parametrize("assignment_id", sorted(p.parent.name for p in DEMO_DIR.glob("*/stub")))
def test_the_demo_stub_is_the_handouts_stub(assignment_id):
    """The cohort's stub student submits the stub as released, so its wording stays the handout's."""
    from autograder.assignments import get_assignment

    assignment = get_assignment(assignment_id)
    assert (DEMO_DIR / assignment_id / "stub" / assignment.module_filename).read_text() == \
        assignment.stub_path.read_text()
