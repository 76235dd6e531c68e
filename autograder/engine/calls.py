"""Turn what happened when a student's function was called into student-safe feedback.

Shared by the in-process submission (local checks) and the sandboxed one (grading), so
that a student sees the same message either way.

Every string here that the student's code chose (an exception's message, its type's name, its
location, which ``compile()`` sets to anything, a type's name in a reply) is untrusted: the
sandboxed child can forge any of them. So they are cleaned and capped here, in the grader,
whatever the child's worker already did: see :func:`student_text`. Together these caps are the
leak budget of a failed test (SECURITY.md): what a student can carry out of a call into their
own feedback, hidden inputs included.
"""

from __future__ import annotations

import re

from autograder.checks import MAX_TYPE_NAME_BYTES, CheckFailure, Stage, printable
from autograder.i18n import _f

# UTF-8 bytes kept of each student-chosen string (the same as characters for ASCII text).
MAX_STUDENT_MESSAGE_BYTES = 200
MAX_WHERE_BYTES = 120
MAX_HOW_BYTES = 200  # why a child ended, which may quote what it sent
MAX_OUTPUT_TAIL_BYTES = 4096
NUMBER_MASK = "#"

# Numbers a hidden input would print as: decimals and exponents (1.5, -.25, 3e-05, 0x1.8p+1,
# numpy's "1.2345e+00"), and runs of five or more integers (an integer array, "[3 0 2 2 1]").
# Short runs of integers stay, so that "shapes (3,4) and (5,) not aligned" and "line 12" read
# as written.
_FLOATS = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][-+]?\d+"
                     r"|(?:\d+\.\d*|\.\d+|\d+(?=[eE][-+]?\d))(?:[eE][-+]?\d+)?)")
_INTEGER_RUNS = re.compile(r"[-+]?\d+(?:[\s,;\[\]()]+[-+]?\d+){4,}")


def student_text(text: str, limit: int) -> str:
    """A student-chosen string as feedback may show it: one line, terminal escapes and control
    characters removed, numbers masked (see ``_FLOATS``), at most ``limit`` bytes of UTF-8.

    Masking makes ``raise ValueError(x)`` show no value of a hidden input ``x``; it cannot stop a
    student who encodes ``x`` as letters on purpose: the cap bounds that (8 bits a byte).
    """
    cleaned = printable(text, 8 * limit + 64)
    masked = _INTEGER_RUNS.sub(NUMBER_MASK, _FLOATS.sub(NUMBER_MASK, cleaned))
    return printable(masked, limit)


def output_tail(text: str) -> str:
    """What the student's code printed, as the gradebook keeps it: the last 4 KB, terminal
    escapes and control characters removed, line breaks and tabs kept. It goes to the instructor
    (the gradebook and the report), never into a student's feedback: it can hold hidden inputs."""
    return printable(text, MAX_OUTPUT_TAIL_BYTES, single_line=False, keep="end")


def not_attempted(name: str) -> CheckFailure:
    return CheckFailure(Stage.NOT_ATTEMPTED, _f("{name}() is not implemented yet (it raises NotImplementedError).",
                                                name=name))


def missing(name: str) -> CheckFailure:
    return CheckFailure(Stage.MISSING, _f("your module has no function named {name}; keep the names from the stub.",
                                          name=repr(name)))


def not_callable(name: str, type_name: str) -> CheckFailure:
    return CheckFailure(Stage.MISSING, _f("{name} in your module is a {type}, not a function.",
                                          name=repr(name), type=student_text(type_name, MAX_TYPE_NAME_BYTES)))


# What an allocation refused by the sandbox's memory limits looks like from inside: Python's
# MemoryError, a C++ library's bad_alloc, or the loader failing to map a library (ImportError).
_OUT_OF_MEMORY = re.compile(r"MemoryError|bad_alloc|Cannot allocate memory|failed to map segment|out of memory",
                            re.IGNORECASE)


def memory_note(type_name: str, message: str, memory_mb: int | None) -> str:
    """`` (the grader gives ... MB)`` where an error looks like a refused allocation, else ''.

    Matched on the student's raw text before it is cleaned; what is added is the grader's own
    text, so a student who forges the match learns only the limit, which is public."""
    if memory_mb is None or not _OUT_OF_MEMORY.search(f"{type_name} {message[:4096]}"):
        return ""
    return _f(" (out of memory? the grader gives each submission {memory} MB)", memory=memory_mb)


def raised(name: str, type_name: str, message: str, where: str = "", *, memory_mb: int | None = None) -> CheckFailure:
    # All three are the student's own text, and any could carry hidden inputs: each is capped.
    where = student_text(where, MAX_WHERE_BYTES)
    location = _f(" at {where}", where=where) if where else ""
    return CheckFailure(Stage.EXCEPTION, _f("{name}() raised {type}{location}: {message}{note}",
                                            name=name, type=student_text(type_name, MAX_TYPE_NAME_BYTES),
                                            location=location, message=student_text(message, MAX_STUDENT_MESSAGE_BYTES),
                                            note=memory_note(type_name, message, memory_mb)))


def import_failed(kind: str, type_name: str, message: str, where: str, *, memory_mb: int | None = None) -> str:
    """Why importing the module failed (``kind`` 'syntax_error' or 'exception'), as the
    submission's detail and every test's message. Import runs before any hidden input reaches
    the child, but a restarted child imports again, after calls that did see them."""
    where = student_text(where, MAX_WHERE_BYTES)
    location = f" ({where})" if where else ""
    note = memory_note(type_name, message, memory_mb)
    message = student_text(message, MAX_STUDENT_MESSAGE_BYTES)
    if kind == "syntax_error":
        return f"SyntaxError{location}: {message}"
    return _f("importing your module raised {type}{location}: {message}{note}",
              type=student_text(type_name, MAX_TYPE_NAME_BYTES), location=location, message=message, note=note)


class ModifiedInput(CheckFailure):
    """A function changed an argument in place (see ``read_only`` of a submission): a failure of
    the contract, which no other accepted form of the result can forgive."""


def modified_input(name: str, where: str) -> CheckFailure:
    """The function changed an argument in place, which its handout forbids. ``where`` names the
    argument (``params[0]``, ``state['m'][1]``) with the student's own parameter names."""
    return ModifiedInput(Stage.VALUES, _f("{name}() changed its argument {where} in place; the handout says never to "
                                          "modify the inputs: build new arrays (w = w - lr * g, not w -= lr * g) and "
                                          "new lists and dicts, and return them.",
                                          name=name, where=student_text(where, MAX_WHERE_BYTES)))


def unencodable(name: str, message: str) -> CheckFailure:
    """The function returned something the worker could not turn into plain data."""
    return CheckFailure(Stage.TYPE, _f("{name}() returned a value that cannot be checked: {message}",
                                       name=name, message=student_text(message, MAX_STUDENT_MESSAGE_BYTES)))


def timed_out(name: str, seconds: float) -> CheckFailure:
    return CheckFailure(Stage.TIMEOUT, _f("{name}() did not return within {seconds} s (an infinite loop?).",
                                          name=name, seconds=format(seconds, "g")))


def crashed(name: str, how: str) -> CheckFailure:
    # ``how`` may quote a malformed frame (an unknown tag, a status) that the child wrote.
    return CheckFailure(Stage.CRASH, _f("the process running {name}() ended: {how}.",
                                        name=name, how=student_text(how, MAX_HOW_BYTES)))
