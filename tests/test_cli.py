"""Does each command print what a user needs and exit with the right code?"""

import shutil

import datasets
from click.testing import CliRunner

from autograder.assignments import get_assignment
from autograder.cli import EXIT_FAILED, EXIT_USAGE, main

ASSIGNMENT = get_assignment("activations")


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_list_shows_points_and_tests():
    result = invoke("list")
    assert result.exit_code == 0
    assert "activations" in result.output and "losses" in result.output


def test_check_reference_passes_and_stub_fails():
    passed = invoke("check", "activations", str(ASSIGNMENT.solution_path))
    assert passed.exit_code == 0, passed.output
    failed = invoke("check", "activations", str(ASSIGNMENT.stub_path))
    assert failed.exit_code == EXIT_FAILED
    assert "not implemented" in failed.output and "score: 0/" in failed.output


def test_check_missing_file_is_a_usage_error(tmp_path):
    result = invoke("check", "activations", str(tmp_path / "nope.py"))
    assert result.exit_code == EXIT_USAGE and "not found" in result.output


def test_unknown_assignment_is_refused():
    result = invoke("check", "nonsense")
    assert result.exit_code == EXIT_USAGE and "activations" in result.output


def test_grade_prints_where_the_gradebook_is(tmp_path):
    submissions = tmp_path / "subs"
    submissions.mkdir()
    shutil.copy(ASSIGNMENT.solution_path, submissions / "ada.py")
    (submissions / "empty").mkdir()
    result = invoke("grade", "activations", str(submissions), "-o", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0, result.output
    assert "gradebook.sqlite" in result.output and "activations.csv" in result.output
    assert "empty" in result.output


def test_grade_bad_folder_is_a_usage_error(tmp_path):
    result = invoke("grade", "activations", str(tmp_path / "missing"), "-o", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE and "not found" in result.output


def test_verify_passes():
    result = invoke("verify", "activations", "losses")
    assert result.exit_code == 0, result.output
    assert result.output.count("ok") >= 2


def test_missing_dataset_is_one_clear_error(tmp_path, monkeypatch):
    """With no MNIST source at all, does grading a model assignment stop at once with how to fix it?"""

    def unavailable(name, *args, **kwargs):
        raise datasets.DatasetUnavailable(f"{name} is not available here; run `autograder setup` or pass a path")

    monkeypatch.setattr(datasets, "load", unavailable)
    submissions = tmp_path / "subs"
    submissions.mkdir()
    shutil.copy(get_assignment("lenet").solution_path, submissions / "ada.py")
    result = invoke("grade", "lenet", str(submissions), "-o", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE
    assert "autograder setup" in result.output
    assert not (tmp_path / "out").exists()


def test_release_builds_a_handout_that_runs(tmp_path):
    """Does `release` write a folder and a zip, and say how students run the checks?"""
    result = invoke("release", "activations", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "activations" / "activations.py").is_file()
    assert (tmp_path / "activations.zip").is_file()
    assert "pytest" in result.output
