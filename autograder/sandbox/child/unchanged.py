"""Did a call change its arguments in place?

A handout may say "never modify the inputs" (optimizers: return new arrays and a new state). The
grader hands the student copies, so an in-place update harms nobody there, but it breaks the
contract a student's own training loop relies on. The sandboxed worker checks it where the call
happens: :func:`snapshot` before the call, :func:`first_change` after it.

Arrays are compared by value (shape, dtype and every element, NaN equal to NaN), lists and dicts
by which objects they hold: ``params[0] = new`` changes the caller's list even when every array
is new. Only what the call received is walked (lists, tuples and dicts of arrays, a few levels
deep); anything else is left alone. Imports nothing of the grader's: it runs in the sandbox.
"""

from __future__ import annotations

import numpy as np

MAX_DEPTH = 4
MAX_ITEMS = 10_000  # arrays and containers looked at per call, so that a huge nest costs little


def _walk(value, path: str, depth: int, out: list) -> None:
    if len(out) >= MAX_ITEMS:
        return
    if isinstance(value, np.ndarray):
        out.append((path, value, value.copy()))
    elif isinstance(value, (list, dict)) and depth < MAX_DEPTH:
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        out.append((path, value, items))  # the items themselves, so that no id is reused
        for key, item in items:
            _walk(item, f"{path}[{key!r}]", depth + 1, out)
    elif isinstance(value, tuple) and depth < MAX_DEPTH:
        for key, item in enumerate(value):
            _walk(item, f"{path}[{key!r}]", depth + 1, out)


def snapshot(names: list[str], values: list) -> list:
    """What the arguments hold now: ``names[i]`` names ``values[i]`` in a report."""
    out: list = []
    for name, value in zip(names, values):
        _walk(value, name, 0, out)
    return out


def _same(now, before) -> bool:
    if isinstance(now, np.ndarray):
        return (now.shape == before.shape and now.dtype == before.dtype
                and bool(np.array_equal(now, before, equal_nan=now.dtype.kind in "fc")))
    items = list(now.items()) if isinstance(now, dict) else list(enumerate(now))
    return len(items) == len(before) and all(key == old_key and item is old_item
                                             for (key, item), (old_key, old_item) in zip(items, before))


def first_change(taken: list) -> str | None:
    """The path (``params[0]``, ``state['m'][1]``) of the first argument changed since
    :func:`snapshot`, or None."""
    arrays_first = sorted(taken, key=lambda entry: not isinstance(entry[1], np.ndarray))  # the most precise path
    for path, value, before in arrays_first:
        try:
            if not _same(value, before):
                return path
        except Exception:  # noqa: BLE001 - a value the student's code broke counts as changed
            return path
    return None


def argument_names(function, args: list, kwargs: dict) -> list[str]:
    """Names for a call's arguments, in the order ``list(args) + list(kwargs.values())``: the
    function's own parameter names where its signature gives them."""
    import inspect

    try:
        parameters = [p.name for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    positional = [parameters[i] if i < len(parameters) else f"argument {i + 1}" for i in range(len(args))]
    return positional + list(kwargs)
