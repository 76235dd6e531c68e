"""The sandboxed side: import the student's module, then serve calls to its functions.

Run as ``python -I worker.py MODULE_FILE MODULE_NAME [PAYLOAD_FD | confine]``, or forked by
zygote.py, with the request pipe on stdin and the response pipe on stdout. With PAYLOAD_FD
(under bubblewrap) it first unpacks the submission's files from that descriptor into the
module's folder (payload.py); with a payload or ``confine`` (the user mode) it loads the seccomp
filter (confine.py) before any student code runs. Before student code runs, both pipes move to private file
descriptors; the student's own prints go to stderr, which the grader caps and keeps.

Everything the student's code returns is converted to plain data here (see protocol.py).
Whatever this process sends is treated by the grader as "what the student's function
returned", so nothing it could forge earns more than an honest return value would.
"""

from __future__ import annotations

import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import importlib.util  # noqa: E402

import confine  # noqa: E402
import payload  # noqa: E402
import protocol  # noqa: E402
import unchanged  # noqa: E402

MAX_MESSAGE_CHARS = 500


def _read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_request(fd: int) -> dict:
    header = _read_exact(fd, protocol.parse_header_length(_read_exact(fd, protocol.HEADER_PREFIX_BYTES)))
    blobs = [_read_exact(fd, size) for size in protocol.blob_sizes_of(header)]
    return protocol.decode_frame(header, blobs)


def _send(fd: int, message: dict) -> None:
    try:
        data = protocol.encode_frame(message)
    except Exception as error:  # the value could not be encoded (e.g. nested too deeply)
        data = protocol.encode_frame({**message, "value": None, "status": "unencodable", "message": str(error)})
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _where(error: BaseException, submission_dir: str) -> str:
    """The innermost line of the student's own files in the traceback, e.g. 'line 12'."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(submission_dir)]
    if not frames:
        return ""
    frame = frames[-1]
    name = os.path.relpath(frame.filename, submission_dir)
    return f"{name}, line {frame.lineno}"


def _syntax_where(error: SyntaxError, submission_dir: str) -> str:
    """'helpers.py, line 3': the file of a multi-file submission that does not compile, named
    relative to the submission (a file outside it, e.g. a library, by its base name)."""
    filename = error.filename or ""
    if filename.startswith(submission_dir):
        name = os.path.relpath(filename, submission_dir)
    else:
        name = os.path.basename(filename)
    return f"{name}, line {error.lineno}" if name else f"line {error.lineno}"


def _describe(error: BaseException, submission_dir: str) -> dict:
    return {
        "type": type(error).__name__,
        "message": str(error)[:MAX_MESSAGE_CHARS],
        "where": _where(error, submission_dir),
    }


def main(module_path: str, module_name: str) -> None:
    """Import the student's module and serve calls until the grader closes the request pipe.

    Runs in a fresh process: started for one submission, or forked for it by zygote.py."""
    protocol.materialize_models()
    submission_dir = os.path.dirname(os.path.abspath(module_path))

    # Keep the pipes on private descriptors; the student's stdin is empty and stdout joins stderr.
    requests = os.dup(0)
    responses = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    _send(responses, {"status": "ready"})
    sys.path.insert(0, submission_dir)
    try:
        spec = importlib.util.spec_from_file_location(module_name, module_path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except SyntaxError as error:
        _send(responses, {"status": "import_failed", "kind": "syntax_error", "type": "SyntaxError",
                          "message": str(error.msg)[:MAX_MESSAGE_CHARS],
                          "where": _syntax_where(error, submission_dir)})
        return
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        _send(responses, {"status": "import_failed", "kind": "exception", **_describe(error, submission_dir)})
        return
    _send(responses, {"status": "imported"})

    while True:
        try:
            request = _read_request(requests)
        except EOFError:
            return
        if request.get("op") != "call":
            return
        reply = {"id": request.get("id")}
        name = request.get("name", "")
        function = getattr(module, name, None) if not name.startswith("_") else None
        if function is None:
            reply["status"] = "missing"
        elif not callable(function):
            reply.update(status="not_callable", type=type(function).__name__)
        else:
            try:
                args, kwargs = request["args"], request["kwargs"]
                taken = (unchanged.snapshot(unchanged.argument_names(function, args, kwargs),
                                            [*args, *kwargs.values()]) if request.get("read_only") else [])
                value = function(*args, **kwargs)
                changed = unchanged.first_change(taken)
                if changed is None:
                    reply.update(status="ok", value=value)
                else:  # the handout says "never modify the inputs"
                    reply.update(status="modified_input", where=changed[:MAX_MESSAGE_CHARS])
            except NotImplementedError:
                reply["status"] = "not_implemented"
            except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
                reply.update(status="raised", **_describe(error, submission_dir))
        _send(responses, reply)


def _prepare(module_path: str, how: str) -> None:
    """Before anything of the student's exists here: unpack, then load the seccomp filter."""
    if how != "confine":
        payload.unpack(int(how), os.path.dirname(module_path))
    if not confine.install_seccomp():  # libseccomp missing: the namespaces or the uid still hold
        print("sandbox: no seccomp filter (libseccomp2 or pyseccomp is missing)", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 3:
        _prepare(sys.argv[1], sys.argv[3])
    main(sys.argv[1], sys.argv[2])
