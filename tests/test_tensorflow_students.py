"""An honest student of a TensorFlow course writes ``import tensorflow as tf`` in a NumPy
assignment, computes with ``tf.math`` and returns ``.numpy()``: the three graders agree on
full marks.

The README promises that `autograder grade`, the exported Gradescope autograder and `otter
run` on the exported otter autograder give the same points. Before issue 14 they did not for
this student: the public pytest and otter gave full marks, while `grade` and Gradescope gave
0 (``import_error``: the sandbox's address-space cap failed to map TensorFlow's library).
Here `grade` runs in this checkout's environment, Gradescope's ``run_autograder`` in an image
built from the zip alone (``tests/gradescope_image.py``), and otter on its own generated zip.
"""

from __future__ import annotations

import shutil

import pytest

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from gradescope_image import check_results, exported_zip, shared_image
from test_otter_export import generated_otter_zip, otter_run

STUDENTS = REPO_ROOT / "tests" / "submissions" / "tensorflow"
ASSIGNMENTS = ("activations", "losses")


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_grade_gradescope_and_otter_give_full_marks(assignment_id, request, tmp_path, tmp_path_factory):
    assignment = get_assignment(assignment_id)
    student = STUDENTS / assignment.module_filename
    assert "import tensorflow as tf" in student.read_text()

    # autograder grade, in the sandbox.
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copyfile(student, cohort / f"tf_student{student.suffix}")
    batch = api.grade(assignment_id, cohort, tmp_path / "gradebook")
    (graded,) = batch.graded
    assert graded.status.value == "graded", graded.detail
    maximum = graded.max_score
    assert graded.score == maximum, [(t.name, t.message) for t in graded.tests if t.points < t.max_points]

    # Gradescope's run_autograder, in an image built from the zip alone.
    image = shared_image(request.config)
    image.install(exported_zip(request.config, assignment_id))
    run, results = image.grade({assignment.module_filename: student})
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    check_results(results, assignment_id)
    assert results["score"] == maximum, [(t["name"], t["output"]) for t in results["tests"] if t["status"] == "failed"]

    # otter run, on the autograder zip `otter generate` builds from the export.
    total, passed = otter_run(generated_otter_zip(tmp_path_factory, assignment_id), student, tmp_path / "otter-run")
    assert total == maximum and all(passed.values()), [name for name, ok in passed.items() if not ok]
