"""Grading on a Dask cluster: each submission is one task, results stream back to the caller.

The caller (``grade_batch``) records every result in its own SQLite gradebook as it arrives, so
workers never touch the gradebook and nothing is recorded twice. A task carries the
submission's bytes, not a path, so workers need no shared filesystem; they need the same
version of this package (checked: a worker with another grader version fails the row with a
message instead of grading differently).

When a worker dies mid-task, the scheduler runs the task again on another worker (Dask's
``distributed.scheduler.allowed-failures``, 3 by default); a submission that kills every
worker it meets ends as a ``grader_error`` row, which the next run grades again.

GPU workers are used through Dask worker resources: start them with
``dask worker tcp://HOST:8786 --resources GPU=1`` and grade with ``--device gpu``; each model
task then asks for ``GPU=1`` and runs only where one is free.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from autograder.assignments import get_assignment
from autograder.intake import MAX_SUBMISSION_BYTES, Entry
from autograder.training import Device, configure_process

GPU_RESOURCE = "GPU"
# How long a --scheduler address may take to answer before the batch stops with a clear error.
CONNECT_TIMEOUT_S = 30


class DaskUnavailable(RuntimeError):
    pass


def pack(entry: Entry) -> tuple[str, bytes]:
    """The entry as (file name, bytes): a file as it is, a folder as a .zip (links left out)."""
    path = entry.path
    if path.is_dir() and not path.is_symlink():
        buffer = io.BytesIO()
        total = 0
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
                total += file.stat().st_size
                if total > MAX_SUBMISSION_BYTES:
                    break  # staging on the worker refuses what is left as too large anyway
                archive.write(file, str(file.relative_to(path)))
        return f"{path.name}.zip", buffer.getvalue()
    if path.is_symlink() or not path.is_file():
        return path.name, b""
    return path.name, path.read_bytes()


def grade_packed(assignment_id: str, student: str, filename: str, content: bytes, mode: str, device: Device,
                 expected_version: str, language: str = "en") -> dict:
    """Runs on a Dask worker: unpack the submission privately, grade it in ``language``, return a
    plain dict."""
    configure_process(device)  # before this process first imports Keras; a no-op afterwards
    from autograder.engine.grade import grade_entry, grader_version
    from autograder.i18n import set_language
    set_language(language)
    from autograder.results import SubmissionResult, SubmissionStatus
    from autograder.sandbox.launcher import SandboxMode

    assignment = get_assignment(assignment_id)
    version = grader_version(assignment)
    if version != expected_version:
        return SubmissionResult(
            assignment_id, student, SubmissionStatus.GRADER_ERROR,
            detail=f"the Dask worker runs grader version {version}, the batch {expected_version}: "
                   "install the same version of the autograder on every worker").to_dict()
    with tempfile.TemporaryDirectory(prefix="autograder-dask-") as folder:
        # A safe file name: the student id never becomes a path on the worker.
        suffix = ".zip" if filename.lower().endswith(".zip") else Path(filename).suffix[:8]
        local = Path(folder) / f"submission{suffix}"
        local.write_bytes(content)
        return grade_entry(assignment, Entry(student, local), mode=SandboxMode(mode), device=device).to_dict()


class DaskGrading:
    """A client on ``scheduler`` (an address such as ``tcp://host:8786``), or on a local
    cluster of ``local_workers`` worker processes when no scheduler is given."""

    def __init__(self, scheduler: str | None, device: Device, local_workers: int = 2):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise DaskUnavailable("the dask executor needs Dask: pip install '.[dask]'") from None
        self._device = device
        self._cluster = None
        try:
            if scheduler is None:
                self._cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self.client = Client(self._cluster)
            else:
                self.client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as error:
            if self._cluster is not None:
                self._cluster.close()
            raise DaskUnavailable(f"cannot reach the Dask scheduler {scheduler}: {error}") from None

    def grade(self, assignment_id: str, pending: list[tuple[Entry, str]], mode: str,
              version: str) -> Iterator[tuple[Entry, str, dict | BaseException]]:
        """Yield (entry, fingerprint, result dict or the task's exception) as tasks finish."""
        from distributed import as_completed

        from autograder.i18n import language

        resources = {GPU_RESOURCE: 1} if self._device.device == "gpu" else None
        futures = {}
        for entry, content_hash in pending:
            filename, content = pack(entry)
            future = self.client.submit(
                grade_packed, assignment_id, entry.student, filename, content, mode, self._device, version, language(),
                key=f"grade-{assignment_id}-{content_hash[:16]}-{len(futures)}", pure=False, resources=resources,
            )
            futures[future] = (entry, content_hash)
        for future in as_completed(futures):
            entry, content_hash = futures.pop(future)
            try:
                yield entry, content_hash, future.result()
            except Exception as error:  # noqa: BLE001 - a task that fails is one row, not the batch
                yield entry, content_hash, error

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
