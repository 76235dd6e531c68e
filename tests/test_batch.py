"""Does bulk grading score a class right, survive interruption and never double-grade?"""

import csv
import shutil

import pytest

from autograder import api
from autograder.assignments import get_assignment
from autograder.batch import BatchError
from autograder.gradebook import Gradebook

ASSIGNMENT = get_assignment("activations")


@pytest.fixture
def cohort(tmp_path):
    """Three students: the reference, the stub and the reference as a lone .py file."""
    folder = tmp_path / "submissions"
    for student, source in (("ada", ASSIGNMENT.solution_path), ("bo", ASSIGNMENT.stub_path)):
        (folder / student).mkdir(parents=True)
        shutil.copy(source, folder / student / ASSIGNMENT.module_filename)
    shutil.copy(ASSIGNMENT.solution_path, folder / "cy.py")
    return folder


def scores(batch):
    return {r.student: r.score for r in batch.graded}


def test_grades_and_writes_csvs(cohort, tmp_path):
    """Does a batch give full marks to the reference, zero to the stub, and write both CSVs?"""
    batch = api.grade("activations", cohort, tmp_path / "out")
    full = batch.graded[0].max_score
    assert scores(batch) == {"ada": full, "bo": 0.0, "cy": full}
    rows = list(csv.DictReader(open(batch.csv_path)))
    assert [(r["student"], r["status"], float(r["percent"])) for r in rows] == [
        ("ada", "graded", 100.0), ("bo", "graded", 0.0), ("cy", "graded", 100.0)]
    class_rows = list(csv.DictReader(open(batch.class_csv_path)))
    assert [float(r["total"]) for r in class_rows] == [full, 0.0, full]


def test_rerun_grades_only_new_or_changed_submissions(cohort, tmp_path):
    """After a finished batch, is an unchanged student skipped and a changed one regraded?"""
    out = tmp_path / "out"
    api.grade("activations", cohort, out)
    shutil.copy(ASSIGNMENT.solution_path, cohort / "bo" / ASSIGNMENT.module_filename)
    shutil.copy(ASSIGNMENT.solution_path, cohort / "dee.py")
    batch = api.grade("activations", cohort, out)
    assert sorted(r.student for r in batch.graded) == ["bo", "dee"]
    assert sorted(batch.skipped_already_graded) == ["ada", "cy"]
    with Gradebook(out) as gradebook:
        assert len(gradebook.results("activations")) == 4


def test_interrupted_batch_resumes_without_regrading(cohort, tmp_path):
    """If grading stops after the first student, does the rerun grade only the rest?"""
    out = tmp_path / "out"

    def stop_after_first(result):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        api.grade("activations", cohort, out, on_result=stop_after_first)
    with Gradebook(out) as gradebook:
        assert [r.student for r in gradebook.results()] == ["ada"]
    batch = api.grade("activations", cohort, out)
    assert sorted(r.student for r in batch.graded) == ["bo", "cy"]
    assert batch.skipped_already_graded == ["ada"]


def test_parallel_grading_matches_serial(cohort, tmp_path):
    """Do --jobs 2 and --jobs 1 give the same scores, twice over (determinism)?"""
    serial = scores(api.grade("activations", cohort, tmp_path / "serial"))
    parallel = scores(api.grade("activations", cohort, tmp_path / "parallel", jobs=2))
    again = scores(api.grade("activations", cohort, tmp_path / "serial", regrade=True))
    assert serial == parallel == again


def test_duplicate_ids_get_their_own_row(cohort, tmp_path):
    """Does a second entry for the same student (differing only in case) get a duplicate row?"""
    shutil.copy(ASSIGNMENT.solution_path, cohort / "ADA.py")
    batch = api.grade("activations", cohort, tmp_path / "out")
    statuses = sorted((r.student, r.status.value) for r in batch.graded)
    assert statuses == [("ADA", "graded"), ("ada (duplicate)", "duplicate"), ("bo", "graded"), ("cy", "graded")]


def test_missing_submissions_folder_is_a_clear_error(tmp_path):
    """Is a wrong path refused with a message naming it?"""
    with pytest.raises(BatchError, match="not found"):
        api.grade("activations", tmp_path / "nope", tmp_path / "out")


def test_busy_output_folder_is_refused(cohort, tmp_path):
    """Does a second run on an output folder in use refuse instead of interleaving writes?"""
    out = tmp_path / "out"

    def grade_again_meanwhile(result):
        with pytest.raises(BatchError, match="another grading run"):
            api.grade("activations", cohort, out)

    api.grade("activations", cohort, out, on_result=grade_again_meanwhile)


def test_grader_version_covers_everything_that_decides_a_score():
    """Does a change to a threshold, the training recipe, a check or the sandbox force a regrade?"""
    from autograder.assignments import REPO_ROOT
    from autograder.engine.grade import scoring_files

    names = {str(path.relative_to(REPO_ROOT)) for path in scoring_files(get_assignment("lenet"))}
    assert {"autograder/hidden/test_lenet.py", "solutions/lenet/lenet.py", "autograder/model_recipes.py",
            "autograder/training.py", "autograder/keras_models.py", "autograder/checks.py",
            "autograder/sandbox/child/worker.py"} <= names
    assert {"autograder/notebooks.py", "autograder/intake.py", "assignments/lenet/lenet.py"} <= names
    assert not any(name.startswith(("autograder/demo/", "autograder/export/", "autograder/render/")) for name in names)
    assert not {"autograder/course.py", "autograder/regrade.py"} & names
    assert "autograder/hidden/test_activations.py" not in names


def test_rerun_reports_the_problem_rows_graded_earlier(cohort, tmp_path):
    """A rerun that grades nothing still returns every problem row of the gradebook, as already
    graded, beside the ones it graded now."""
    out = tmp_path / "out"
    (cohort / "dee").mkdir()
    api.grade("activations", cohort, out)
    (cohort / "eve.py").write_text("")
    batch = api.grade("activations", cohort, out)
    assert [(r.student, r.status.value) for r in batch.problems] == [("dee", "empty"), ("eve", "empty")]
    assert [r.student for r in batch.problems_graded_now] == ["eve"]
    assert [r.student for r in batch.problems_already_graded] == ["dee"]


def test_class_folder_problems_are_refused_before_the_output_folder_exists(cohort, tmp_path):
    """An empty folder and one student's own folder: a BatchError, and no output folder made."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchError, match="no submissions in"):
        api.grade("activations", tmp_path / "empty", tmp_path / "out")
    with pytest.raises(BatchError, match="one student's submission"):
        api.grade("activations", cohort / "ada", tmp_path / "out")
    assert not (tmp_path / "out").exists()
