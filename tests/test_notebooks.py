"""Are Jupyter notebook submissions (<id>.ipynb) graded as the same code in <id>.py would be?

A student submits ``activations.ipynb`` on its own in a class folder, in their folder or .zip, in
a Gradescope export, to ``autograder check`` and to the Gradescope autograder. The grader builds
the module from the code cells without running anything (autograder/notebooks.py): IPython lines
are dropped, top-level code that is not a definition is skipped (a course notebook trains its
model at top level), and each of those leaves a note for the student. Notebooks are written here
with nbformat, as Jupyter writes them, from the references in solutions/.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.batch import BatchError
from autograder.cli import EXIT_FAILED, main
from autograder.gradebook import Gradebook
from autograder.intake import Entry, Problem, Staged, stage
from autograder.notebooks import MAX_CODE_BYTES, NotebookProblem, convert, top_level_names
from autograder.results import SubmissionStatus

ACTIVATIONS = get_assignment("activations")
LOSSES = get_assignment("losses")
REFERENCE = ACTIVATIONS.solution_path.read_text()
PARTIAL = (REPO_ROOT / "autograder" / "demo" / "activations" / "partial_single_file.py").read_text()
# Top-level code that must never run at import: it would exceed the import time limit, or fail.
NEVER_RUN = "import time\ntime.sleep(3600)\nraise SystemExit('top-level code ran')"


def notebook(*cells: str, markdown_first: bool = True) -> str:
    """A notebook as Jupyter writes it: a text cell, then a code cell per string (a string that
    starts with "md:" is a text cell)."""
    built = [new_markdown_cell("# My work")] if markdown_first else []
    for cell in cells:
        built.append(new_markdown_cell(cell[3:]) if cell.startswith("md:") else new_code_cell(cell))
    return nbformat.writes(new_notebook(cells=built))


def split_into_cells(source: str) -> list[str]:
    """A module as a student's notebook holds it: each top-level ``def`` in a cell of its own,
    the imports (and what precedes the first def) in the first one."""
    cells, current = [], []
    for line in source.splitlines():
        if line.startswith("def ") and current:
            cells.append("\n".join(current))
            current = []
        current.append(line)
    cells.append("\n".join(current))
    return cells


def with_top_level_demo(source: str) -> str:
    """The reference as a course notebook: pip and matplotlib magics, each function in its
    cell followed by top-level code that tries it, prints and plots, and code that never ends."""
    cells = ["!pip install numpy matplotlib\n%matplotlib inline"]
    for cell in split_into_cells(source):
        cells.append(cell)
        cells.append("x = np.linspace(-3, 3, 7)\nprint(x)\nplt.plot(x, x)\nplt.show()")
    cells.append(NEVER_RUN)
    return notebook(*cells)


def by_test(result) -> dict:
    return {test.name: (test.points, test.outcome, test.stage) for test in result.tests}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- a class graded with api.grade -------------------------------------------------------------


@pytest.fixture(scope="module")
def activations_class(tmp_path_factory):
    """A class folder of .py and .ipynb submissions of the same code, graded once into a gradebook:
    {student: SubmissionResult} from the gradebook."""
    folder = tmp_path_factory.mktemp("class")
    write(folder / "ref_py.py", REFERENCE)
    write(folder / "ref_nb.ipynb", notebook(*split_into_cells(REFERENCE)))
    write(folder / "partial_py.py", PARTIAL)
    write(folder / "partial_nb.ipynb", notebook(PARTIAL))
    write(folder / "course_nb.ipynb", with_top_level_demo(REFERENCE))
    write(folder / "stub_nb.ipynb", notebook(ACTIVATIONS.stub_path.read_text()))
    write(folder / "broken_json.ipynb", notebook(REFERENCE)[:-40])
    write(folder / "text_only.ipynb", notebook("md:only words", "md:more words"))
    write(folder / "blank_cells.ipynb", notebook("", "   \n"))
    write(folder / "syntax_nb.ipynb", notebook("import numpy as np", "def relu(x):\n    return np.maximum(x, 0"))
    # In a student's folder and in a .zip (inside a sub-folder, as zipping one's folder gives).
    write(folder / "folder_nb" / "activations.ipynb", notebook(REFERENCE))
    write(folder / "folder_nb" / "notes.txt", "my notes")
    with zipfile.ZipFile(folder / "zip_nb.zip", "w") as archive:
        archive.writestr("work/activations.ipynb", notebook(*split_into_cells(REFERENCE)))
    # Both: the .py (the stub) is graded, not the notebook (the reference).
    write(folder / "both" / "activations.py", ACTIVATIONS.stub_path.read_text())
    write(folder / "both" / "activations.ipynb", notebook(REFERENCE))
    # The same at the class folder's level: twin.py (the stub) is graded, twin.ipynb is a duplicate.
    write(folder / "twin.py", ACTIVATIONS.stub_path.read_text())
    write(folder / "twin.ipynb", notebook(REFERENCE))
    outdir = folder.parent / f"{folder.name}-out"
    batch = api.grade("activations", folder, outdir)
    assert not batch.ignored
    with Gradebook(outdir) as gradebook:
        return {result.student: result for result in gradebook.results("activations")}


def test_notebooks_score_exactly_as_the_same_code_in_py(activations_class):
    results = activations_class
    reference, partial = results["ref_py"], results["partial_py"]
    assert reference.score == reference.max_score and 0 < partial.score < partial.max_score
    for student in ("ref_nb", "course_nb", "folder_nb", "zip_nb"):
        assert results[student].status is SubmissionStatus.GRADED, (student, results[student].detail)
        assert by_test(results[student]) == by_test(reference), student
    assert by_test(results["partial_nb"]) == by_test(partial)
    assert results["stub_nb"].score == 0 and results["stub_nb"].status is SubmissionStatus.GRADED


def test_a_course_notebook_is_graded_without_its_top_level_code_and_says_what_was_dropped(activations_class):
    result = activations_class["course_nb"]
    assert result.score == result.max_score  # time.sleep(3600) and SystemExit never ran
    removed, skipped = result.notes
    assert "`!pip install numpy matplotlib`" in removed and "`%matplotlib inline`" in removed
    assert "cell 2" in removed and "not run them" in removed
    assert "skipped top-level code" in skipped and "`print(x)`" in skipped and "`plt.show()`" in skipped
    assert activations_class["ref_py"].notes == [] and activations_class["ref_nb"].notes == []


def test_unreadable_notebooks_get_their_status_and_a_message_that_says_what_to_do(activations_class):
    broken = activations_class["broken_json"]
    assert broken.status is SubmissionStatus.INVALID_NOTEBOOK and broken.score == 0
    assert "broken_json.ipynb is not a Jupyter notebook: its JSON is broken at line" in broken.detail
    assert "File > Download" in broken.detail and "\n" not in broken.detail
    text_only = activations_class["text_only"]
    assert text_only.status is SubmissionStatus.INVALID_NOTEBOOK and "no code cells" in text_only.detail
    blank = activations_class["blank_cells"]
    assert blank.status is SubmissionStatus.EMPTY and "code cells are empty" in blank.detail


def test_a_syntax_error_names_its_cell(activations_class):
    result = activations_class["syntax_nb"]
    assert result.status is SubmissionStatus.SYNTAX_ERROR
    # The text cell is cell 1, the imports cell 2: the def is cell 3, its second line unclosed.
    assert "cell 3, line 2 of syntax_nb.ipynb" in result.detail
    assert all("cell 3, line 2 of syntax_nb.ipynb" in test.message for test in result.tests)


def test_a_py_beside_the_notebook_wins_and_a_note_says_so(activations_class):
    result = activations_class["both"]
    assert result.status is SubmissionStatus.GRADED and result.score == 0  # the stub .py
    assert any("activations.ipynb, also in the submission, was not graded" in note for note in result.notes)
    twin = activations_class["twin"]
    assert twin.status is SubmissionStatus.GRADED and twin.score == 0  # twin.py, the stub
    duplicate = activations_class["twin.ipynb (duplicate)"]
    assert duplicate.status is SubmissionStatus.DUPLICATE and "was not graded" in duplicate.detail


def test_a_notebook_in_a_gradescope_export_is_graded(tmp_path):
    export = tmp_path / "assignment_1_export"
    metadata = ("submission_1:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '001'\n    :email: ada@example.edu\n"
                "  :created_at: 2026-10-01 12:00:00.000000000 -07:00\n")
    write(export / "submission_metadata.yml", metadata)
    write(export / "submission_1" / "activations.ipynb", with_top_level_demo(REFERENCE))
    batch = api.grade("activations", export, tmp_path / "out")
    (result,) = batch.graded
    assert (result.student, result.status, result.score) == ("001", SubmissionStatus.GRADED, result.max_score)
    assert len(result.notes) == 2


def test_the_gradescope_autograder_grades_a_notebook_and_shows_the_notes(tmp_path):
    write(tmp_path / "submission" / "activations.ipynb", with_top_level_demo(REFERENCE))
    run = api.run_gradescope("activations", tmp_path)
    document = json.loads(run.results_path.read_text())
    assert document["score"] == run.hidden.max_score
    assert "Notes on your submission" in document["output"] and "`%matplotlib inline`" in document["output"]


def test_a_folder_holding_the_notebook_itself_is_no_class(tmp_path):
    write(tmp_path / "mine" / "activations.ipynb", notebook(REFERENCE))
    with pytest.raises(BatchError, match="it holds activations.ipynb itself"):
        api.grade("activations", tmp_path / "mine", tmp_path / "out")


def test_losses_keeps_the_constants_its_functions_read(tmp_path):
    """The stub's own EPSILON, computed by a call, and a helper constant read inside a function
    are kept; the data loaded at top level is not."""
    source = LOSSES.solution_path.read_text()
    assert "EPSILON" in top_level_names(LOSSES.stub_path.read_text())
    cells = split_into_cells(source.replace("EPSILON = 1e-7", "EPSILON = float(np.float32(1e-7)) * 0 + 1e-7"))
    cells.insert(1, "y_true = np.load('labels.npy')\ny_pred = y_true / 2\n"
                    "loss = categorical_crossentropy(y_true, y_pred)")
    cells.append(NEVER_RUN)
    write(tmp_path / "class" / "ref_py.py", source)
    write(tmp_path / "class" / "ref_nb.ipynb", notebook(*cells))
    api.grade("losses", tmp_path / "class", tmp_path / "out")
    with Gradebook(tmp_path / "out") as gradebook:
        results = {result.student: result for result in gradebook.results("losses")}
    assert results["ref_py"].score == results["ref_py"].max_score
    assert by_test(results["ref_nb"]) == by_test(results["ref_py"])
    assert "`y_true = np.load('labels.npy')`" in results["ref_nb"].notes[0]


# --- autograder check --------------------------------------------------------------------------


def test_check_runs_the_public_checks_on_a_notebook_and_prints_the_notes(tmp_path, monkeypatch):
    path = write(tmp_path / "activations.ipynb", with_top_level_demo(REFERENCE))
    result = CliRunner().invoke(main, ["check", "activations", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "note: removed IPython magics" in result.output and "!pip install numpy matplotlib" in result.output
    # Without a path: ./activations.ipynb, where there is no ./activations.py.
    monkeypatch.chdir(tmp_path)
    again = CliRunner().invoke(main, ["check", "activations"], catch_exceptions=False)
    assert again.exit_code == 0 and "score: 23/23" in again.output


def test_check_reports_a_notebooks_syntax_error_with_its_cell(tmp_path):
    path = write(tmp_path / "mine.ipynb", notebook("import numpy as np", "%time x = 1\ndef relu(x)\n    return x"))
    result = CliRunner().invoke(main, ["check", "activations", str(path)], catch_exceptions=False)
    assert result.exit_code == EXIT_FAILED
    assert "syntax_error" in result.output and "cell 3, line 2 of mine.ipynb" in " ".join(result.output.split())


def test_check_refuses_an_invalid_notebook_with_its_status(tmp_path):
    path = write(tmp_path / "activations.ipynb", "[1, 2")
    result = CliRunner().invoke(main, ["check", "activations", str(path)], catch_exceptions=False)
    assert result.exit_code == EXIT_FAILED and "invalid_notebook" in result.output


# --- a model notebook that trains at top level -------------------------------------------------


@pytest.mark.slow
def test_a_model_notebook_that_trains_at_top_level_gets_full_marks_without_training(tmp_path):
    """The course's MLP notebook: loads MNIST, builds, compiles and fits at top level. None of it
    runs at import (offline, the download alone would fail; the sleep would pass the time limit)."""
    solution = get_assignment("mnist_mlp").solution_path.read_text()
    cells = [
        "!pip install keras\n%matplotlib inline\nimport matplotlib.pyplot as plt",
        "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
        "x_train = x_train.reshape(-1, 784) / 255.0",
        *split_into_cells(solution),
        "model = build_mlp()\nmodel.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "history = model.fit(x_train, y_train, epochs=5, validation_split=0.1)\nplt.plot(history.history['loss'])",
        NEVER_RUN,
    ]
    write(tmp_path / "class" / "lee.ipynb", notebook(*cells))
    batch = api.grade("mnist_mlp", tmp_path / "class", tmp_path / "out")
    (result,) = batch.graded
    assert result.status is SubmissionStatus.GRADED, result.detail
    assert result.score == result.max_score, [(t.name, t.message) for t in result.tests if t.points < t.max_points]
    assert "`history = model.fit(x_train, y_train, epochs=5" in result.notes[1]  # quoted up to 60 characters


# --- the conversion itself ---------------------------------------------------------------------


def built(*cells: str, keep_names: frozenset[str] = frozenset()):
    return convert(notebook(*cells).encode(), "hw.ipynb", keep_names=keep_names)


def kept_code(module) -> list[str]:
    """The module's lines, without the lines the grader writes (comments)."""
    return [line for line in module.source.splitlines() if not line.startswith("# ")]


def test_cell_magics_keep_python_bodies_and_drop_other_cells():
    module = built("%%bash\npip install x\nrm -rf /", "%%time\nN = 3", "%%writefile f.py\nprint(1)",
                   "%%capture out\nimport numpy as np")
    assert kept_code(module) == ["N = 3", "import numpy as np"]
    assert "cell 2 `%%bash` (the whole cell)" in module.notes[0] and "`%%writefile f.py`" in module.notes[0]


def test_line_magics_become_pass_and_keep_blocks_valid():
    module = built("def f(x):\n    %time y = x\n    !ls \\\n      -l\n    return x\nfiles = !ls\nf?\n?f\n"
                   "get_ipython().run_line_magic('pwd', '')\nTEXT = '''\n%not a magic\n'''")
    assert kept_code(module) == ["def f(x):", "    pass", "    pass", "", "    return x", "pass", "pass", "pass",
                                 "TEXT = '''", "%not a magic", "'''"]
    for dropped in ("`%time y = x`", "`files = !ls`", "`f?`", "`?f`", "`get_ipython().run_line_magic('pwd', '')`"):
        assert dropped in module.notes[0]


def test_assignments_are_kept_when_definitions_need_them():
    module = built(
        "import numpy as np\nEPS = np.float32(1e-7)\nN = 10\nSHAPE = (N, N)\nx = np.load('x.npy')\nx = x / 2\n"
        "history = model.fit(x)\nCOUNT = len(SHAPE)",
        "def relu(v):\n    return np.maximum(v, EPS)\n\ndef plot(history):\n    return history",
        "try:\n    import scipy\nexcept ImportError:\n    scipy = None\nif __name__ == '__main__':\n    relu(1)",
        "for i in range(3):\n    print(i)\nwith open('f') as f:\n    pass\nWEIGHTS = make_weights()",
        keep_names=frozenset({"WEIGHTS"}))
    code = kept_code(module)
    assert "EPS = np.float32(1e-7)" in code and "N = 10" in code and "SHAPE = (N, N)" in code
    assert "WEIGHTS = make_weights()" in code and "    import scipy" in code
    for skipped in ("x = np.load('x.npy')", "x = x / 2", "history = model.fit(x)", "COUNT = len(SHAPE)",
                    "for i in range(3):", "if __name__ == '__main__':", "with open('f') as f:"):
        assert skipped not in code and f"`{skipped}`" in module.notes[-1], skipped


def test_lines_map_back_to_their_cells():
    module = built("import numpy as np", "X = 1\nprint(X)\ndef f():\n    return X")
    lines = module.source.splitlines()
    assert module.cell_of(lines.index("def f():") + 1) == (3, 3)
    assert module.cell_of(lines.index("# cell 3") + 1) is None
    assert module.annotate("SyntaxError (hw.py, line 5): bad", "hw.py") == \
        f"SyntaxError (hw.py, line 5; cell {module.cell_of(5)[0]}, line {module.cell_of(5)[1]} of hw.ipynb): bad"


def test_a_cell_that_does_not_parse_is_kept_whole_and_ends_the_module():
    module = built("import numpy as np", "def f(:\n    pass\nmodel.fit()", "Y = 2")
    assert kept_code(module) == ["import numpy as np", "def f(:", "    pass", "model.fit()"]
    module = built("def f(x):\n    return (x", "Y = 2")
    with pytest.raises(SyntaxError) as caught:
        compile(module.source, "hw.py", "exec")
    assert module.cell_of(caught.value.lineno)[0] == 2
    deep = "x = " + "(" * 200_000 + ")" * 200_000  # past the parser's nesting limit
    assert kept_code(built(deep, "Y = 2")) == [deep]


def test_a_version_3_notebook_is_read():
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "import numpy as np\ndef f():\n    return 1\nf()", "language": "python",
         "outputs": [], "metadata": {}}]}]}
    module = convert(json.dumps(v3).encode(), "old.ipynb")
    assert kept_code(module) == ["import numpy as np", "def f():", "    return 1"]


@pytest.mark.parametrize("data, status, words", [
    (b"\xff\xfe not text", SubmissionStatus.INVALID_NOTEBOOK, "not UTF-8"),
    (b'{"cells": [', SubmissionStatus.INVALID_NOTEBOOK, "JSON is broken at line 1"),
    (b"[]", SubmissionStatus.INVALID_NOTEBOOK, "not a Jupyter notebook that nbformat can read"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"language": "R", "name": "ir"}}, "cells": []}',
     SubmissionStatus.INVALID_NOTEBOOK, "a notebook in r, not Python"),
    (notebook("md:words").encode(), SubmissionStatus.INVALID_NOTEBOOK, "no code cells"),
    (notebook("", "\n").encode(), SubmissionStatus.EMPTY, "code cells are empty"),
    (notebook("x = 1\n" * (MAX_CODE_BYTES // 6 + 1)).encode(), SubmissionStatus.CORRUPT,
     f"more than {MAX_CODE_BYTES // 2**20} MB"),
])
def test_notebooks_that_cannot_be_graded(data, status, words):
    with pytest.raises(NotebookProblem) as caught:
        convert(data, "hw.ipynb")
    assert caught.value.status is status and words in caught.value.message, caught.value.message


def test_stage_builds_the_module_from_a_single_notebook(tmp_path):
    entry = write(tmp_path / "alice.ipynb", notebook("!pip install numpy", REFERENCE))
    workdir = tmp_path / "work"
    workdir.mkdir()
    staged = stage(Entry("alice", entry), "activations.py", workdir, keep_names=frozenset())
    assert isinstance(staged, Staged) and staged.notebook is not None and staged.notes
    assert "def relu" in (staged.root / "activations.py").read_text()
    other = tmp_path / "other"
    other.mkdir()
    problem = stage(Entry("bob", write(tmp_path / "bob.ipynb", "{")), "activations.py", other)
    assert isinstance(problem, Problem) and problem.status is SubmissionStatus.INVALID_NOTEBOOK


# Lines a notebook cell is made of here: Python, IPython, and lines that break either.
FRAGMENTS = ["import numpy as np", "def f(x):", "    return x", "    %time f(1)", "!pip install numpy \\",
             "  --quiet", "%matplotlib inline", "%%time", "%%bash", "x = !ls", "f?", "X = f(1)", "Y = 2",
             "if Y:", "    Z = Y", "print(X)", "s = '''", "%d'''", "def g(:", "", "    ", "class K:",
             "    w = Y", "try:", "    import scipy", "except ImportError:", "    scipy = None", "get_ipython()",
             "x = (", ")", "\t", "a = 1; b()", "Y = 3 \\"]


CELLS = st.one_of(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("\n".join), st.text(max_size=40))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=5), st.frozensets(st.sampled_from(["X", "Y", "Z", "f"])))
def test_any_cells_give_a_module_whose_syntax_errors_name_a_cell(cells, keep_names):
    """Whatever the cells, conversion raises nothing but NotebookProblem, and the module either
    compiles or fails on a line that maps back to a cell."""
    try:
        module = convert(json.dumps(json.loads(notebook(*cells))).encode(), "hw.ipynb", keep_names=keep_names)
    except NotebookProblem as problem:
        assert problem.status in (SubmissionStatus.EMPTY, SubmissionStatus.INVALID_NOTEBOOK), problem.message
        return
    module.source.encode("utf-8")  # it can be written
    try:
        compile(module.source, "hw.py", "exec")
    except SyntaxError as error:
        if error.lineno is None:  # a NUL character, as in a .py
            assert "\0" in module.source
        else:
            assert module.cell_of(error.lineno) is not None, (module.source, error)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
        st.sampled_from(["cells", "nbformat", "nbformat_minor", "metadata", "cell_type", "source", "worksheets",
                         "outputs", "kernelspec", "language"]), inner, max_size=4)),
    max_leaves=12).map(lambda value: json.dumps(value).encode())))
def test_any_bytes_are_a_notebook_or_a_notebook_problem(data):
    try:
        convert(data, "hw.ipynb")
    except NotebookProblem as problem:
        assert problem.message.startswith("hw.ipynb") or "code cells of hw.ipynb" in problem.message
        assert "\n" not in problem.message
