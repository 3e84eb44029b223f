"""Data for the lessons: logic gates, 2-D toy sets, Fisher's iris flowers and MNIST.

Every loader returns ``(X, y)`` (or MNIST's four arrays) with the batch on the first axis and
integer class labels ``y`` (int64). Random sets take a ``seed`` and are reproducible by it.

MNIST: the four original IDX files are looked up in ``$NNREF_DATA/mnist/``, then in a per-user
cache (``$XDG_CACHE_HOME/nnref/mnist`` or ``~/.cache/nnref/mnist``). Missing files are
downloaded from the public mirrors into the cache. Every file, found or downloaded, must match
its published sha256 checksum.
"""
import gzip
import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

__all__ = ["GATES", "logic_gate", "make_circle", "make_xor", "make_gauss", "make_spiral", "make_regression",
           "toy_dataset", "train_val_split", "load_iris", "IRIS_FEATURES", "load_mnist", "read_idx", "mnist_cache_dir", "MNISTError"]

# ---------------------------------------------------------------------------- logic gates

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])

#: truth tables, output for the inputs (0,0), (0,1), (1,0), (1,1)
GATES = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}


def logic_gate(name, dtype=np.float64):
    """Inputs and truth table of a two-input logic gate.

    Args:
        name: 'AND', 'OR', 'NAND', 'NOR' or 'XOR' (any case).
    Returns:
        X: (4, 2) array of the inputs (0,0), (0,1), (1,0), (1,1), in ``dtype``.
        y: (4,) int64 array, the gate's output for each row of X.
    """
    key = str(name).upper()
    if key not in GATES:
        raise ValueError(f"unknown logic gate {name!r}: choose one of {', '.join(GATES)}")
    return GATE_INPUTS.astype(dtype), np.array(GATES[key], dtype=np.int64)


# ---------------------------------------------------------------------------- 2-D toy sets

def _check_size(n, noise):
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive number of points, got {n!r}")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and cannot be negative, got {noise!r}")


def make_circle(n=200, noise=0.1, seed=None, dtype=np.float64):
    """A disc (class 1) inside a ring (class 0): not linearly separable.

    Radii are drawn from [0, 0.5] for the disc and [0.7, 1] for the ring; then Gaussian noise
    of standard deviation ``noise`` is added to each coordinate.
    Returns X: (n, 2), y: (n,) int64 in {0, 1}.
    """
    _check_size(n, noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    radius = np.where(y == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    return X.astype(dtype), y.astype(np.int64)


def make_xor(n=200, noise=0.1, seed=None, dtype=np.float64):
    """Points in the square [-1, 1]^2, class 1 where the signs of x1 and x2 differ (XOR).

    Points are kept 0.05 away from the axes, then Gaussian noise of standard deviation
    ``noise`` is added (so a few points cross to the other quadrant).
    Returns X: (n, 2), y: (n,) int64 in {0, 1}.
    """
    _check_size(n, noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    sign1 = rng.choice([-1.0, 1.0], n)
    signs = np.column_stack([sign1, np.where(y == 1, -sign1, sign1)])
    X = signs * rng.uniform(0.05, 1.0, (n, 2))
    X += noise * rng.standard_normal((n, 2))
    return X.astype(dtype), y.astype(np.int64)


def make_gauss(n=200, noise=0.5, seed=None, dtype=np.float64):
    """Two Gaussian blobs centred at (1, 1) (class 1) and (-1, -1) (class 0).

    ``noise`` is the blobs' standard deviation: small values make the set linearly separable.
    Returns X: (n, 2), y: (n,) int64 in {0, 1}.
    """
    _check_size(n, noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = np.where(y[:, None] == 1, 1.0, -1.0) + noise * rng.standard_normal((n, 2))
    return X.astype(dtype), y.astype(np.int64)


def make_spiral(n=300, noise=0.2, seed=None, num_classes=3, dtype=np.float64):
    """Interleaved spiral arms, one per class (CS231n's spiral set).

    Each arm goes from the centre to radius 1 while turning by 4 radians; ``noise`` is the
    standard deviation of the Gaussian noise added to the angle.
    Returns X: (n, 2), y: (n,) int64 in {0, ..., num_classes - 1}, classes of near-equal size.
    """
    _check_size(n, noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % num_classes
    position = rng.uniform(0.0, 1.0, n)  # how far along its arm a point lies
    angle = 4.0 * (y + position) + noise * rng.standard_normal(n)
    X = np.column_stack([position * np.sin(angle), position * np.cos(angle)])
    return X.astype(dtype), y.astype(np.int64)


_TOY_SETS = {"circle": make_circle, "xor": make_xor, "gauss": make_gauss, "spiral": make_spiral}


def make_regression(name, n=200, noise=0.1, seed=None, dtype=np.float64):
    """TF Playground's two regression sets: points X uniform in [-1, 1]^2 and a real target y.

    'plane': y = (x1 + x2) / 2, a tilted plane; 'gaussians': y = the sum of four bumps
    exp(-|x - c|^2 / 0.1), two up and two down, at (±0.5, ±0.5). Gaussian noise of standard
    deviation ``noise`` is added to y. Returns X: (n, 2), y: (n,), both in ``dtype``.
    """
    _check_size(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, 2))
    if name == "plane":
        y = X.sum(axis=1) / 2
    elif name == "gaussians":
        centers = np.array([[0.5, 0.5], [-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5]])
        bumps = np.exp(-((X[:, None, :] - centers) ** 2).sum(axis=2) / 0.1)
        y = bumps @ np.array([1.0, 1.0, -1.0, -1.0])
    else:
        raise ValueError(f"unknown regression set {name!r}: choose 'plane' or 'gaussians'")
    return X.astype(dtype), (y + noise * rng.standard_normal(n)).astype(dtype)


def toy_dataset(name, n=200, noise=None, seed=None, dtype=np.float64):
    """One of the 2-D toy sets by name: 'circle', 'xor', 'gauss' or 'spiral'.

    ``noise=None`` takes that set's default. Returns X: (n, 2), y: (n,) int64.
    """
    if name not in _TOY_SETS:
        raise ValueError(f"unknown toy set {name!r}: choose one of {', '.join(_TOY_SETS)}")
    make = _TOY_SETS[name]
    kwargs = {} if noise is None else {"noise": noise}
    return make(n=n, seed=seed, dtype=dtype, **kwargs)


def train_val_split(X, y, num_val, seed=None):
    """Hold out ``num_val`` random examples for validation (tune on them, not on the test set).

    X: (N, ...).  y: (N,).  Returns (X_train, y_train, X_val, y_val) with N - num_val and
    num_val examples: the ``data`` that nnref.train.train takes.
    """
    if not 0 < num_val < len(X):
        raise ValueError(f"num_val must be between 1 and {len(X) - 1} for {len(X)} examples, "
                         f"got {num_val}")
    order = np.random.default_rng(seed).permutation(len(X))
    train, val = order[num_val:], order[:num_val]
    return X[train], y[train], X[val], y[val]


# ---------------------------------------------------------------------------- iris

IRIS_FEATURES = ("sepal length", "sepal width", "petal length", "petal width")  # cm
IRIS_FILE = Path(__file__).with_name("iris.csv")  # 150 rows, shipped with nnref (a few KB)


def load_iris(dtype=np.float64):
    """Fisher's iris flowers: X (150, 4), the four IRIS_FEATURES in cm, and y (150,), int64
    class ids 0 setosa, 1 versicolor, 2 virginica (50 each, in that order)."""
    table = np.loadtxt(IRIS_FILE, delimiter=",", comments="#")
    return table[:, :4].astype(dtype), table[:, 4].astype(np.int64)


# ---------------------------------------------------------------------------- MNIST

MNIST_FILES = {  # name -> (bytes, sha256), of the original distribution (LeCun, Cortes, Burges), as the mirrors serve it
    "train-images-idx3-ubyte.gz": (9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train-labels-idx1-ubyte.gz": (28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "t10k-images-idx3-ubyte.gz": (1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "t10k-labels-idx1-ubyte.gz": (4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
_IDX_MAGIC = {0x00000801: 1, 0x00000803: 3}  # unsigned-byte IDX files: magic -> number of dims

# Files already verified or decoded in this process, keyed by (path, size, mtime): a second
# load_mnist() in the same session neither re-hashes nor re-decompresses.
_verified = set()
_decoded = {}


class MNISTError(RuntimeError):
    """MNIST is missing, corrupted or unreadable; the message says where and how to fix it."""


def mnist_cache_dir():
    """The per-user cache folder: ``$XDG_CACHE_HOME/nnref/mnist``, else ``~/.cache/nnref/mnist``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnref" / "mnist"


def _search_dirs(data_dir):
    if data_dir is not None:
        return [Path(data_dir)]
    dirs = []
    if os.environ.get("NNREF_DATA"):
        dirs.append(Path(os.environ["NNREF_DATA"]) / "mnist")
    dirs.append(mnist_cache_dir())
    return dirs


def _file_key(path):
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def _verify(path):
    """Raise MNISTError unless ``path`` has the size and sha256 published for its name."""
    key = _file_key(path)
    if key in _verified:
        return
    size, sha256 = MNIST_FILES[path.name]
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if key[1] != size or got != sha256:
        raise MNISTError(
            f"MNIST file {path} is corrupted or incomplete: it has {key[1]} bytes and sha256 "
            f"{got}, expected {size} bytes and sha256 {sha256}.\n"
            f"Fix: delete it and call load_mnist() again to download a fresh copy, or replace "
            f"it with the file from {MNIST_MIRRORS[0]}{path.name}")
    _verified.add(key)


def _download(url, dest):
    """Fetch ``url`` into the file ``dest`` (written under a temporary name, then renamed)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
            while chunk := response.read(1 << 20):
                out.write(chunk)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _fetch(name, dirs, target):
    """Download ``name`` into ``target`` from the first mirror that answers with a good file."""
    errors = []
    dest = target / name
    for mirror in MNIST_MIRRORS:
        try:
            _download(mirror + name, dest)
            _verify(dest)
            return dest
        except (OSError, MNISTError) as err:  # URLError and timeouts are OSErrors
            errors.append(f"  {mirror}{name}: {err}")
            if dest.exists():
                dest.unlink()
    looked = "\n".join(f"  {d / name}" for d in dirs)
    raise MNISTError(
        f"MNIST file {name} was not found and could not be downloaded.\n"
        f"Looked in:\n{looked}\nDownload attempts:\n" + "\n".join(errors) + "\n"
        f"Fix: download the four files {', '.join(MNIST_FILES)} from {MNIST_MIRRORS[0]} "
        f"(or {MNIST_MIRRORS[1]}) into {target}, or into a folder DIR/mnist/ and set the "
        f"environment variable NNREF_DATA=DIR.")


def _locate(name, data_dir):
    dirs = _search_dirs(data_dir)
    for folder in dirs:
        if (folder / name).is_file():
            path = folder / name
            _verify(path)
            return path
    return _fetch(name, dirs, dirs[-1])


def read_idx(path):
    """Read a gzipped IDX file of unsigned bytes (MNIST's format) into a uint8 array.

    The header is a big-endian magic number (0x00000801 for a vector of labels, 0x00000803 for
    a stack of images) followed by one 32-bit size per dimension.
    Returns: (count,) for labels, (count, rows, cols) for images.
    """
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as err:
        raise MNISTError(f"{path} is not a complete gzip file ({err}); delete it and load again, "
                         f"or replace it with the file from {MNIST_MIRRORS[0]}{path.name}") from err
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if magic not in _IDX_MAGIC:
        raise MNISTError(f"{path} is not an IDX file of unsigned bytes: its magic number is "
                         f"{magic if magic is None else hex(magic)}, expected 0x801 (labels) or "
                         f"0x803 (images)")
    ndim = _IDX_MAGIC[magic]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise MNISTError(f"{path} is truncated or padded: its header announces shape {shape}, "
                         f"i.e. {expected} bytes, but it holds {len(raw)} bytes. Replace it with "
                         f"the file from {MNIST_MIRRORS[0]}{path.name}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _read_cached(path):
    key = _file_key(path)
    if key not in _decoded:
        _decoded[key] = read_idx(path)  # read-only view of immutable bytes: safe to share
    return _decoded[key]


# set by nncourse in a grading kernel, which then gets no test set (its files are not there)
TEST_SET_WITHHELD = "NNREF_MNIST_TEST_WITHHELD"


def load_mnist(normalize=True, flatten=True, dtype=np.float32, data_dir=None):
    """The MNIST digits: 60000 training and 10000 test images of 28x28 pixels.

    Args:
        normalize: scale pixels from 0..255 to [0, 1] (needs a floating ``dtype``).
        flatten: images as rows of 784 pixels; else (N, 28, 28).
        dtype: dtype of the images (labels are always int64).
        data_dir: a folder holding the four .gz files; by default ``$NNREF_DATA/mnist`` then
            the per-user cache (see ``mnist_cache_dir``). Missing files are downloaded there.
    Returns:
        X_train: (60000, 784) or (60000, 28, 28); y_train: (60000,) int64 in 0..9;
        X_test: (10000, 784) or (10000, 28, 28); y_test: (10000,) int64 (no rows while
        nncourse grades, when ``$NNREF_MNIST_TEST_WITHHELD`` is set).
    Raises:
        MNISTError: a file is missing and cannot be downloaded, or fails its checksum.
    """
    dtype = np.dtype(dtype)
    if normalize and not np.issubdtype(dtype, np.floating):
        raise ValueError(f"normalize=True scales pixels to [0, 1], which needs a floating dtype, "
                         f"got {dtype}; pass normalize=False for raw {dtype} pixels")
    out = []
    for part in ("train", "t10k"):
        if part == "t10k" and os.environ.get(TEST_SET_WITHHELD):
            # nncourse grades homework 09's final model on the test set itself, outside the
            # kernel; a kernel that had the test set could train on it
            shape = (0, 28 * 28) if flatten else (0, 28, 28)
            out += [np.zeros(shape, dtype), np.zeros(0, np.int64)]
            continue
        images = _read_cached(_locate(f"{part}-images-idx3-ubyte.gz", data_dir))
        labels = _read_cached(_locate(f"{part}-labels-idx1-ubyte.gz", data_dir))
        if flatten:
            images = images.reshape(len(images), -1)
        if normalize:
            X = np.multiply(images, dtype.type(1 / 255), dtype=dtype)
        else:
            X = images.astype(dtype)
        out += [X, labels.astype(np.int64)]
    return tuple(out)
