"""nnref.data: logic gates, toy sets, and the MNIST loader (never touching the network)."""
import gzip
import os
import shutil
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from nnref import data
from nnref.data import MNISTError, load_iris, load_mnist, logic_gate, read_idx, toy_dataset

SHARED_MNIST = Path(os.environ["NNREF_DATA"]) / "mnist"
needs_mnist = pytest.mark.skipif(not (SHARED_MNIST / "t10k-labels-idx1-ubyte.gz").exists(),
                                 reason=f"MNIST files not in {SHARED_MNIST} (set NNREF_DATA)")


@pytest.fixture
def offline(monkeypatch):
    """Every download fails as it does without network."""
    def no_network(url, dest):
        raise urllib.error.URLError("simulated: no network")
    monkeypatch.setattr(data, "_download", no_network)


# ---------------------------------------------------------------------------- gates, toy sets

def test_logic_gates_truth_tables():
    X, y = logic_gate("and")
    assert X.shape == (4, 2) and y.shape == (4,) and y.dtype == np.int64
    for name, rule in [("AND", np.logical_and), ("OR", np.logical_or),
                       ("NAND", lambda a, b: ~np.logical_and(a, b)),
                       ("XOR", np.logical_xor)]:
        X, y = logic_gate(name)
        expected = rule(X[:, 0].astype(bool), X[:, 1].astype(bool)).astype(int)
        assert np.array_equal(y, expected), f"{name}: expected {expected}, got {y}"


def test_logic_gate_unknown_name_is_explained():
    with pytest.raises(ValueError, match="unknown logic gate 'XNOT'.*AND"):
        logic_gate("XNOT")


def test_iris_is_fishers_150_flowers():
    X, y = load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(y, np.repeat([0, 1, 2], 50)), "50 setosa, 50 versicolor, 50 virginica, in order"
    assert np.array_equal(X[0], [5.1, 3.5, 1.4, 0.2]) and np.array_equal(X[-1], [5.9, 3.0, 5.1, 1.8])
    # lesson 03's flower is a virginica of the set; the columns' means as published with the data
    assert y[np.flatnonzero((X == [6.3, 2.7, 4.9, 1.8]).all(axis=1))].tolist() == [2]
    assert np.allclose(X.mean(axis=0), [5.843, 3.054, 3.759, 1.199], atol=6e-4)
    assert load_iris(np.float32)[0].dtype == np.float32


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral"])
def test_toy_sets_reproducible_by_seed(name):
    X1, y1 = toy_dataset(name, n=120, seed=3)
    X2, y2 = toy_dataset(name, n=120, seed=3)
    X3, _ = toy_dataset(name, n=120, seed=4)
    assert X1.shape == (120, 2) and y1.shape == (120,) and y1.dtype == np.int64
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2), "same seed, different data"
    assert not np.allclose(X1, X3), "different seeds gave the same data"
    counts = np.bincount(y1)
    assert counts.max() - counts.min() <= 1, f"classes unbalanced: {counts}"


def test_toy_sets_noise_and_dtype():
    X0, y0 = toy_dataset("circle", n=400, noise=0.0, seed=0, dtype=np.float32)
    assert X0.dtype == np.float32
    radius = np.hypot(X0[:, 0], X0[:, 1])
    assert radius[y0 == 1].max() <= 0.5 + 1e-6 and radius[y0 == 0].min() >= 0.7 - 1e-6
    Xn, _ = toy_dataset("circle", n=400, noise=0.3, seed=0)
    assert np.abs(Xn - X0).std() > 0.1, "noise=0.3 did not move the points"
    X, y = toy_dataset("xor", n=300, noise=0.0, seed=1)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_toy_set_bad_arguments():
    with pytest.raises(ValueError, match="unknown toy set 'moons'"):
        toy_dataset("moons")
    with pytest.raises(ValueError, match="noise .* cannot be negative"):
        toy_dataset("gauss", noise=-1)


# ---------------------------------------------------------------------------- MNIST

@needs_mnist
def test_load_mnist_shapes_dtypes_and_label_counts():
    X_train, y_train, X_test, y_test = load_mnist()
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    # Published class sizes of MNIST (e.g. 6742 ones in the training set).
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@needs_mnist
def test_load_mnist_raw_and_unflattened():
    X_train, _, X_test, _ = load_mnist(normalize=False, flatten=False, dtype=np.uint8)
    assert X_train.shape == (60000, 28, 28) and X_test.dtype == np.uint8
    assert X_train.max() == 255
    X_norm = load_mnist()[0]
    np.testing.assert_allclose(X_norm[:100], X_train[:100].reshape(100, -1) / 255.0, rtol=1e-6)
    with pytest.raises(ValueError, match="floating dtype"):
        load_mnist(dtype=np.uint8)


def _copy_mnist(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in data.MNIST_FILES:
        shutil.copy(SHARED_MNIST / name, folder / name)
    return folder


@needs_mnist
def test_corrupted_file_fails_its_checksum(tmp_path, offline):
    folder = _copy_mnist(tmp_path / "mnist")
    bad = folder / "train-labels-idx1-ubyte.gz"
    content = bytearray(bad.read_bytes())
    content[1000] ^= 0xFF
    bad.write_bytes(bytes(content))
    with pytest.raises(MNISTError) as err:
        load_mnist(data_dir=folder)
    message = str(err.value)
    assert str(bad) in message and "corrupted" in message and "sha256" in message
    assert "delete it" in message, "the message must say how to fix it"


def test_missing_file_without_network_says_where_what_and_which_variable(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("NNREF_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(MNISTError) as err:
        load_mnist()
    message = str(err.value)
    assert str(tmp_path / "data" / "mnist") in message, "must say where it looked"
    assert str(tmp_path / "cache" / "nnref" / "mnist") in message, "must name the cache"
    assert data.MNIST_MIRRORS[0] in message and "train-images-idx3-ubyte.gz" in message
    assert "NNREF_DATA" in message and "simulated: no network" in message
    assert not any((tmp_path / "cache").rglob("*.gz")), "a failed download left a file behind"


@needs_mnist
def test_missing_files_are_downloaded_into_the_cache_and_verified(tmp_path, monkeypatch):
    (tmp_path / "data" / "mnist").mkdir(parents=True)  # NNREF_DATA set but empty
    monkeypatch.setenv("NNREF_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fetched = []

    def fake_download(url, dest):  # the first mirror serves a broken file, the second a good one
        fetched.append(url)
        dest.parent.mkdir(parents=True, exist_ok=True)
        name = url.rsplit("/", 1)[1]
        if url.startswith(data.MNIST_MIRRORS[0]):
            dest.write_bytes(b"<html>rate limited</html>")
        else:
            shutil.copy(SHARED_MNIST / name, dest)

    monkeypatch.setattr(data, "_download", fake_download)
    X_train, y_train, X_test, y_test = load_mnist()
    assert X_train.shape == (60000, 784) and y_test.shape == (10000,)
    assert len(fetched) == 8 and sum(u.startswith(data.MNIST_MIRRORS[1]) for u in fetched) == 4
    assert sorted(p.name for p in (tmp_path / "cache" / "nnref" / "mnist").iterdir()) == sorted(data.MNIST_FILES)
    assert not any((tmp_path / "data").rglob("*.gz")), "downloads belong in the cache, not NNREF_DATA"
    fetched.clear()
    load_mnist()
    assert fetched == [], "files already in the cache were downloaded again"


def _write_gz(path, raw):
    path.write_bytes(gzip.compress(raw))
    return path


def test_read_idx_parses_and_rejects_bad_files(tmp_path):
    header = (0x803).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in (2, 3, 4))
    pixels = bytes(range(24))
    images = read_idx(_write_gz(tmp_path / "ok.gz", header + pixels))
    assert images.shape == (2, 3, 4) and images.dtype == np.uint8 and images[1, 2, 3] == 23
    with pytest.raises(MNISTError, match="truncated.*shape \\(2, 3, 4\\)"):
        read_idx(_write_gz(tmp_path / "short.gz", header + pixels[:-5]))
    with pytest.raises(MNISTError, match="magic number is 0x804"):
        read_idx(_write_gz(tmp_path / "magic.gz", (0x804).to_bytes(4, "big") + pixels))
    whole = gzip.compress(header + pixels)
    (tmp_path / "cut.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MNISTError, match="not a complete gzip file"):
        read_idx(tmp_path / "cut.gz")


def test_train_val_split():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    X_train, y_train, X_val, y_val = data.train_val_split(X, y, 3, seed=0)
    assert X_train.shape == (7, 2) and X_val.shape == (3, 2)
    assert sorted(np.concatenate([y_train, y_val]).tolist()) == list(range(10)), "lost or repeated examples"
    assert np.array_equal(X_val[:, 0], 2 * y_val), "rows and labels were split apart"
    assert np.array_equal(data.train_val_split(X, y, 3, seed=0)[3], y_val)
    with pytest.raises(ValueError, match="num_val"):
        data.train_val_split(X, y, 10)
