"""Builds the similarity cohort of tests/test_similarity.py (see README.md beside this file)."""

from __future__ import annotations

import re
from pathlib import Path

from autograder.assignments import get_assignment

HERE = Path(__file__).resolve().parent
ASSIGNMENT = get_assignment("activations")
FUNCTIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")


def bodies(name: str) -> dict[str, str]:
    """The sections of ``honest_<name>.txt``: function name (or "helpers") -> its code."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in (HERE / f"honest_{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return {key: "\n".join(lines) for key, lines in sections.items()}


def assemble(sections: dict[str, str]) -> str:
    """The stub with each ``raise NotImplementedError("f")`` replaced by the student's body of
    ``f``, and their helpers after the imports: every student keeps the stub's docstrings."""
    text = ASSIGNMENT.stub_path.read_text(encoding="utf-8")
    for function in FUNCTIONS:
        stub_line = f'    raise NotImplementedError("{function}")'
        assert stub_line in text
        text = text.replace(stub_line, sections[function])
    if "helpers" in sections:
        text = text.replace("import numpy as np\n", "import numpy as np\n\n\n" + sections["helpers"] + "\n", 1)
    return text


def honest(name: str) -> str:
    return assemble(bodies(name))


# ---------------------------------------------------------------------------- how copies are disguised

def rename(text: str, mapping: dict[str, str]) -> str:
    """Every whole-word occurrence of each name replaced (in code, and in docstrings too, as a
    find-and-replace in an editor does)."""
    for old, new in mapping.items():
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return text


def top_level_chunks(text: str) -> tuple[str, list[str]]:
    """The module's header (up to its first ``def``) and each top-level function's text."""
    parts = re.split(r"(?m)^(?=def )", text)
    return parts[0], parts[1:]


def reorder(text: str) -> str:
    """The top-level functions in the reverse order."""
    header, chunks = top_level_chunks(text)
    chunks = [chunk.rstrip("\n") + "\n\n\n" for chunk in reversed(chunks)]
    return header + "".join(chunks).rstrip("\n") + "\n"


def restyle(text: str) -> str:
    """Other comments and other spacing: comments removed and new ones added, no spaces around
    ``=`` and after commas, a blank line after every ``return``, tabs of 2 spaces... (4 kept:
    indentation must stay valid)."""
    lines = []
    for line in text.splitlines():
        code = line.split("  #", 1)[0] if "  #" in line else line
        if code.strip().startswith("#"):
            continue
        if code.startswith("    ") and "=" in code and '"""' not in code and not code.strip().startswith(("def", "Args")):
            code = code.replace(" = ", "=").replace(", ", ",") + "  # step"
        lines.append(code)
        if code.strip().startswith("return"):
            lines.append("")
    return "\n".join(lines) + "\n# end of my solution\n"


def add_helper(text: str, function: str = "relu") -> str:
    """One extra helper, called at the start of ``function``'s body."""
    helper = ('def _checked(x):\n    """Make sure x is an array."""\n    if not isinstance(x, np.ndarray):\n'
              '        raise TypeError("x must be an array")\n    return x\n\n\n')
    text = text.replace("import numpy as np\n", "import numpy as np\n\n\n" + helper, 1)
    header, _, rest = text.partition(f"\ndef {function}(")
    signature_end = rest.index('    """', rest.index('"""') + 3)  # after the docstring's closing quotes
    closing = rest.index('"""', signature_end) + 3
    return header + f"\ndef {function}(" + rest[:closing] + "\n    x = _checked(x)" + rest[closing:]


def cohort() -> tuple[dict[str, str], set[frozenset[str]], set[str]]:
    """(student id -> module text, the copied pairs, the students who copied the reference)."""
    reference = ASSIGNMENT.solution_path.read_text(encoding="utf-8")
    students = {
        # independent, honest solutions (1-4 are also copied below)
        "amara": honest("1"), "chen": honest("2"), "eli": honest("3"), "gus": honest("4"),
        "ivan": honest("5"), "jun": honest("6"),
        # a copy with renamed variables
        "bo": rename(honest("1"), {"z": "expo_neg", "e": "exp_term", "shifted": "centered"}),
        # a copy with its functions reordered (and two names changed)
        "dara": reorder(rename(honest("2"), {"result": "res", "ex": "exp_x"})),
        # a copy with other comments and other spacing
        "fatima": restyle(honest("3")),
        # a copy with one extra helper (and renamed variables)
        "hana": add_helper(rename(honest("4"), {"clipped": "xc", "slope": "factor", "p": "probs"})),
        # a cluster of three: an original and two disguised copies of it
        "kofi": honest("7"),
        "lena": reorder(rename(honest("7"), {"positive_part": "pos", "negative_part": "neg", "exp_neg": "en",
                                             "centred": "shifted", "weights": "w", "norm": "total"})),
        "mo": add_helper(restyle(rename(honest("7"), {"doubled": "two_x", "s": "sig"})), "tanh"),
        # two students who kept the whole stub and wrote one line each, the same line
        "pat": assemble({**{f: '    raise NotImplementedError("%s")' % f for f in FUNCTIONS},
                         "relu": "    return np.maximum(x, 0).astype(x.dtype)"}),
        "quinn": assemble({**{f: '    raise NotImplementedError("%s")' % f for f in FUNCTIONS},
                           "relu": "    return np.maximum(x, 0).astype(x.dtype)"}),
        # the reference solution, renamed and respaced
        "noor": restyle(rename(reference, {"out": "result", "positive": "is_pos", "exp_x": "ex", "t": "tmp",
                                           "shifted": "moved", "exp_shifted": "e"})),
    }
    copied = {frozenset(p) for p in (("amara", "bo"), ("chen", "dara"), ("eli", "fatima"), ("gus", "hana"),
                                     ("kofi", "lena"), ("kofi", "mo"), ("lena", "mo"))}
    return students, copied, {"noor"}
