"""Does a student handout hold what students need, and nothing of the answers or the hidden tests?"""

import ast
import zipfile

import pytest

from autograder import api
from autograder.assignments import CATALOG


def reference_bodies(assignment):
    """The code of each reference function's body (docstring left out), whitespace folded."""
    source = assignment.solution_path.read_text()
    bodies = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            statements = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            text = "\n".join(ast.get_source_segment(source, s) for s in statements)
            bodies.append(" ".join(text.split()))
    return [body for body in bodies if len(body) >= 20]


def hidden_test_material(assignment):
    """Each hidden test's name, and its inputs: every seeded call and every literal list of three or
    more numbers (array data; tuples are shapes, which the handouts state anyway)."""
    source = assignment.hidden_tests_path.read_text()
    tree = ast.parse(source)
    names = [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    inputs = []
    for node in ast.walk(tree):
        # A seeded input: any call whose first argument is a seed, e.g. default_rng(7), normal(101, ...).
        if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                and type(node.args[0].value) is int and node.args[0].value >= 10):
            function = getattr(node.func, "attr", getattr(node.func, "id", ""))
            inputs.append(f"{function}({node.args[0].value}")
        if isinstance(node, ast.List) and len(node.elts) >= 3 and all(
                isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool)
                for e in node.elts):
            inputs.append(" ".join(ast.get_source_segment(source, node).split()))
    return names, inputs


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_release_holds_no_answers(assignment_id, tmp_path):
    assignment = CATALOG[assignment_id]
    handout = api.release(assignment_id, tmp_path)
    on_disk = {str(p.relative_to(handout.folder)): p.read_text() for p in handout.folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(handout.zip_path) as archive:
        in_zip = {name.split("/", 1)[1]: archive.read(name).decode() for name in archive.namelist()}
    assert on_disk == in_zip
    assert {assignment.module_filename, f"test_{assignment_id}.py", "conftest.py", "README.md"} <= set(on_disk)
    assert on_disk[assignment.module_filename] == assignment.stub_path.read_text()

    folded = {name: " ".join(text.split()) for name, text in on_disk.items()}
    for body in reference_bodies(assignment):
        leaks = [name for name, text in folded.items() if body in text]
        assert not leaks, f"a reference function body appears in {leaks}"
    names, inputs = hidden_test_material(assignment)
    for name in names:
        leaks = [file for file, text in on_disk.items() if f"{name}(" in text or f"{name}[" in text]
        assert not leaks, f"hidden test {name} is named in {leaks}"
    for hidden_input in inputs:
        leaks = [file for file, text in folded.items() if hidden_input in text]
        assert not leaks, f"hidden input {hidden_input!r} appears in {leaks}"
    assert not any(name.startswith(("solutions/", "autograder/hidden", "autograder/sandbox/child/worker"))
                   for name in on_disk)
