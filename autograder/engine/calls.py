"""Turn what happened when a student's function was called into student-safe feedback.

Shared by the in-process submission (local checks) and the sandboxed one (grading), so
that a student sees the same message either way.
"""

from __future__ import annotations

from autograder.checks import CheckFailure, Stage

MAX_STUDENT_MESSAGE_CHARS = 200


def not_attempted(name: str) -> CheckFailure:
    return CheckFailure(Stage.NOT_ATTEMPTED, f"{name}() is not implemented yet (it raises NotImplementedError).")


def missing(name: str) -> CheckFailure:
    return CheckFailure(Stage.MISSING, f"your module has no function named {name!r}; keep the names from the stub.")


def not_callable(name: str, type_name: str) -> CheckFailure:
    return CheckFailure(Stage.MISSING, f"{name!r} in your module is a {type_name}, not a function.")


def raised(name: str, type_name: str, message: str, where: str = "") -> CheckFailure:
    # The message is cut short: it is the student's own text, and it could carry hidden inputs.
    short = message if len(message) <= MAX_STUDENT_MESSAGE_CHARS else message[:MAX_STUDENT_MESSAGE_CHARS] + "..."
    location = f" at {where}" if where else ""
    return CheckFailure(Stage.EXCEPTION, f"{name}() raised {type_name}{location}: {short}")


def timed_out(name: str, seconds: float) -> CheckFailure:
    return CheckFailure(Stage.TIMEOUT, f"{name}() did not return within {seconds:g} s (an infinite loop?).")


def crashed(name: str, how: str) -> CheckFailure:
    return CheckFailure(Stage.CRASH, f"the process running {name}() ended: {how}.")
