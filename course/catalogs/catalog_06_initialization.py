"""Lesson 06's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "06_initialization"

_STANDARD_NORMAL = '''

def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((fan_in, fan_out)).astype(dtype)
'''
_SMALL_RANDOM = '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (0.01 * rng.standard_normal((fan_in, fan_out))).astype(dtype)

'''
_HE = '''

def he(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)).astype(dtype)
'''
_XAVIER = '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype)

'''
# the correct answers of exercises 3 and 4, which some mutants change by one line
_ACTIVATION_STATISTICS = '''def activation_statistics(x, weights, forward, backward, saturated_below=0.05):
    means, stds, saturated = [], [], []
    h = x
    for W in weights:
        h, cache = forward(h @ W)
        local = backward(np.ones_like(h), cache)
        means.append(h.mean())
        stds.append(h.std())
        saturated.append(np.mean(local < saturated_below))
    return {"mean": np.array(means), "std": np.array(stds), "saturated": np.array(saturated)}
'''
_GRADIENT_NORMS = '''def gradient_norms(x, weights, forward, backward, dout):
    caches, h = [], x
    for W in weights:
        a, affine_cache = nnref.layers.affine_forward(h, W, np.zeros(W.shape[1]))
        h, activation_cache = forward(a)
        caches.append((affine_cache, activation_cache))
    dW_norms, dh_norms, grad = [], [], dout
    for affine_cache, activation_cache in reversed(caches):
        dh_norms.append(np.linalg.norm(grad))
        da = backward(grad, activation_cache)
        grad, dW, _ = nnref.layers.affine_backward(da, affine_cache)
        dW_norms.append(np.linalg.norm(dW))
    return {"dW": np.array(dW_norms[::-1]), "dh": np.array(dh_norms[::-1])}
'''

MUTANTS = {
    "fixed_scale_init": [
        ("takes 0.01 as the variance of small_random: its standard deviation becomes 0.1", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (np.sqrt(0.01) * rng.standard_normal((fan_in, fan_out))).astype(dtype)
''' + _STANDARD_NORMAL),
        ("draws from np.random.randn and ignores rng, so a seed cannot repeat the draw", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    return (0.01 * np.random.randn(fan_in, fan_out)).astype(dtype)


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    return np.random.randn(fan_in, fan_out).astype(dtype)
'''),
        ("ignores dtype: the weights are always float64", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return 0.01 * rng.standard_normal((fan_in, fan_out))


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((fan_in, fan_out))
'''),
        ("returns shape (fan_out, fan_in) instead of (fan_in, fan_out)", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (0.01 * rng.standard_normal((fan_out, fan_in))).astype(dtype)


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((fan_out, fan_in)).astype(dtype)
'''),
        ("draws small_random uniformly on [-0.01, 0.01) instead of from a normal with std 0.01", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.uniform(-0.01, 0.01, size=(fan_in, fan_out)).astype(dtype)
''' + _STANDARD_NORMAL),
        ("draws standard_normal with rng.random, which is uniform on [0, 1), not normal", _SMALL_RANDOM + '''def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.random((fan_in, fan_out)).astype(dtype)
'''),
        ("draws uniformly with the right standard deviation, but not from a normal distribution", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    limit = np.sqrt(3) * 0.01
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.uniform(-np.sqrt(3), np.sqrt(3), size=(fan_in, fan_out)).astype(dtype)
'''),
        ("returns a Python list of rows (W.tolist()) instead of a numpy array", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (0.01 * rng.standard_normal((fan_in, fan_out))).astype(dtype).tolist()


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((fan_in, fan_out)).astype(dtype).tolist()
'''),
    ],
    "scaled_init": [
        ("scales by fan_out instead of fan_in", '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_out)).astype(dtype)


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_out)).astype(dtype)
'''),
        ("uses He's std sqrt(2 / fan_in) in xavier: for tanh the 2 is too much", '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)).astype(dtype)
''' + _HE),
        ("uses the variance as the standard deviation: the square root is missing", '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) / fan_in).astype(dtype)


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) * 2 / fan_in).astype(dtype)
'''),
        ("loses float32: float32 draws times the float64 number np.sqrt returns give float64", '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((fan_in, fan_out), dtype=dtype) * np.sqrt(1 / fan_in)


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((fan_in, fan_out), dtype=dtype) * np.sqrt(2 / fan_in)
'''),
        ("uses Glorot's fan_in + fan_out in he instead of fan_in", _XAVIER + '''def he(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / (fan_in + fan_out))).astype(dtype)
'''),
        ("puts he's 2 outside the square root (std 2 / sqrt(fan_in))", _XAVIER + '''def he(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) * 2 / np.sqrt(fan_in)).astype(dtype)
'''),
        ("draws from a truncated normal (redrawn beyond 2 standard deviations, as Keras does) instead of a normal", '''def _truncated(rng, shape):
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():
        z[outside] = rng.standard_normal(outside.sum())
        outside = np.abs(z) > 2
    return z / 0.87962566103423978


def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    return (_truncated(np.random.default_rng(rng), (fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype)


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    return (_truncated(np.random.default_rng(rng), (fan_in, fan_out)) * np.sqrt(2 / fan_in)).astype(dtype)
'''),
        ("returns a Python list of rows (W.tolist()) instead of a numpy array", '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype).tolist()


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng(rng)
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)).astype(dtype).tolist()
'''),
    ],
    "activation_statistics": [
        ("takes each unit's std over the batch (axis=0) and averages those, instead of the std of the whole layer", _ACTIVATION_STATISTICS.replace("h.mean()", "h.mean(axis=0).mean()").replace("h.std()", "h.std(axis=0).mean()")),
        ("measures h @ W, before the activation, instead of the layer's output", '''def activation_statistics(x, weights, forward, backward, saturated_below=0.05):
    means, stds, saturated = [], [], []
    h = x
    for W in weights:
        a = h @ W
        h, cache = forward(a)
        local = backward(np.ones_like(h), cache)
        means.append(a.mean())
        stds.append(a.std())
        saturated.append(np.mean(local < saturated_below))
    return {"mean": np.array(means), "std": np.array(stds), "saturated": np.array(saturated)}
'''),
        ("reports the variance instead of the standard deviation", _ACTIVATION_STATISTICS.replace("h.std()", "h.var()")),
        ("counts a unit as saturated when |h| > 0.99 instead of by its local gradient", '''def activation_statistics(x, weights, forward, backward, saturated_below=0.05):
    means, stds, saturated = [], [], []
    h = x
    for W in weights:
        h, cache = forward(h @ W)
        means.append(h.mean())
        stds.append(h.std())
        saturated.append(np.mean(np.abs(h) > 0.99))
    return {"mean": np.array(means), "std": np.array(stds), "saturated": np.array(saturated)}
'''),
        ("feeds every layer the input x instead of the previous layer's output", '''def activation_statistics(x, weights, forward, backward, saturated_below=0.05):
    means, stds, saturated = [], [], []
    for W in weights:
        h, cache = forward(x @ W)
        local = backward(np.ones_like(h), cache)
        means.append(h.mean())
        stds.append(h.std())
        saturated.append(np.mean(local < saturated_below))
    return {"mean": np.array(means), "std": np.array(stds), "saturated": np.array(saturated)}
'''),
        ("counts the input x as a layer: one entry too many", _ACTIVATION_STATISTICS.replace("means, stds, saturated = [], [], []", "means, stds, saturated = [x.mean()], [x.std()], [0.0]")),
        ("always uses 0.05 and ignores the argument saturated_below", _ACTIVATION_STATISTICS.replace("local < saturated_below", "local < 0.05")),
        ("returns Python lists instead of numpy arrays", _ACTIVATION_STATISTICS.replace(
            'return {"mean": np.array(means), "std": np.array(stds), "saturated": np.array(saturated)}',
            'return {"mean": means, "std": stds, "saturated": saturated}')),
    ],
    "gradient_norms": [
        ("takes the norm of dh after the layer's backward, at its input, instead of at its output", '''def gradient_norms(x, weights, forward, backward, dout):
    caches, h = [], x
    for W in weights:
        a, affine_cache = nnref.layers.affine_forward(h, W, np.zeros(W.shape[1]))
        h, activation_cache = forward(a)
        caches.append((affine_cache, activation_cache))
    dW_norms, dh_norms, grad = [], [], dout
    for affine_cache, activation_cache in reversed(caches):
        da = backward(grad, activation_cache)
        grad, dW, _ = nnref.layers.affine_backward(da, affine_cache)
        dh_norms.append(np.linalg.norm(grad))
        dW_norms.append(np.linalg.norm(dW))
    return {"dW": np.array(dW_norms[::-1]), "dh": np.array(dh_norms[::-1])}
'''),
        ("computes dW from the upstream gradient without going back through the activation", '''def gradient_norms(x, weights, forward, backward, dout):
    inputs, caches, h = [], [], x
    for W in weights:
        inputs.append(h)
        h, cache = forward(h @ W)
        caches.append(cache)
    dW_norms, dh_norms, grad = [], [], dout
    for h_in, cache, W in zip(reversed(inputs), reversed(caches), reversed(weights)):
        dh_norms.append(np.linalg.norm(grad))
        dW_norms.append(np.linalg.norm(h_in.T @ grad))
        grad = backward(grad, cache) @ W.T
    return {"dW": np.array(dW_norms[::-1]), "dh": np.array(dh_norms[::-1])}
'''),
        ("reports squared norms: the square root is missing", _GRADIENT_NORMS.replace("np.linalg.norm(grad)", "np.sum(grad ** 2)").replace("np.linalg.norm(dW)", "np.sum(dW ** 2)")),
        ("lists the norms from the last layer down instead of from the first layer up", _GRADIENT_NORMS.replace("[::-1]", "")),
        ("computes dW with the layer's output instead of its input", '''def gradient_norms(x, weights, forward, backward, dout):
    outputs, caches, h = [], [], x
    for W in weights:
        h, cache = forward(h @ W)
        outputs.append(h)
        caches.append(cache)
    dW_norms, dh_norms, grad = [], [], dout
    for h_out, cache, W in zip(reversed(outputs), reversed(caches), reversed(weights)):
        dh_norms.append(np.linalg.norm(grad))
        da = backward(grad, cache)
        dW_norms.append(np.linalg.norm(h_out.T @ da))
        grad = da @ W.T
    return {"dW": np.array(dW_norms[::-1]), "dh": np.array(dh_norms[::-1])}
'''),
        ("returns Python lists instead of numpy arrays", _GRADIENT_NORMS.replace(
            'return {"dW": np.array(dW_norms[::-1]), "dh": np.array(dh_norms[::-1])}',
            'return {"dW": dW_norms[::-1], "dh": dh_norms[::-1]}')),
        ("multiplies the caller's dout in place (grad *= ...): right norms, but dout changes", '''def gradient_norms(x, weights, forward, backward, dout):
    inputs, caches, h = [], [], x
    for W in weights:
        inputs.append(h)
        h, cache = forward(h @ W)
        caches.append(cache)
    dW_norms, dh_norms, grad = [], [], dout
    for h_in, cache, W in zip(reversed(inputs), reversed(caches), reversed(weights)):
        dh_norms.append(np.linalg.norm(grad))
        grad *= backward(np.ones_like(grad), cache)
        dW_norms.append(np.linalg.norm(h_in.T @ grad))
        grad = grad @ W.T
    return {"dW": np.array(dW_norms[::-1]), "dh": np.array(dh_norms[::-1])}
'''),
    ],
}

VARIANTS = {
    "fixed_scale_init": [
        ("rng.normal(loc, scale, size), a Generator used as is", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return generator.normal(0.0, 0.01, size=(fan_in, fan_out)).astype(dtype)


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return generator.normal(0.0, 1.0, size=(fan_in, fan_out)).astype(dtype)
'''),
        ("draws made in dtype, scaled by a scalar of that dtype", '''def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    draws = np.random.default_rng(rng).standard_normal((fan_in, fan_out), dtype=dtype)
    return draws * np.dtype(dtype).type(0.01)


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    return np.random.default_rng(rng).standard_normal((fan_in, fan_out), dtype=dtype)
'''),
    ],
    "scaled_init": [
        ("rng.normal with scale = fan_in ** -0.5, written into an array of dtype", '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    W = np.empty((fan_in, fan_out), dtype=dtype)
    W[...] = np.random.default_rng(rng).normal(0.0, fan_in ** -0.5, size=W.shape)
    return W


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    W = np.empty((fan_in, fan_out), dtype=dtype)
    W[...] = np.random.default_rng(rng).normal(0.0, (2.0 / fan_in) ** 0.5, size=W.shape)
    return W
'''),
        ("he as xavier times sqrt(2), draws in dtype", '''def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    draws = np.random.default_rng(rng).standard_normal((fan_in, fan_out), dtype=dtype)
    return draws / np.dtype(dtype).type(np.sqrt(fan_in))


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    return (np.sqrt(2) * xavier(fan_in, fan_out, rng, dtype)).astype(dtype)
'''),
    ],
    "activation_statistics": [
        ("affine_forward with a zero bias, the formulas written out", '''def activation_statistics(x, weights, forward, backward, saturated_below=0.05):
    stats = {"mean": [], "std": [], "saturated": []}
    h = x
    for W in weights:
        a, _ = nnref.layers.affine_forward(h, W, np.zeros(W.shape[1]))
        h, cache = forward(a)
        n = h.size
        mean = h.sum() / n
        stats["mean"].append(mean)
        stats["std"].append(np.sqrt(((h - mean) ** 2).sum() / n))
        local = backward(np.ones_like(h), cache)
        stats["saturated"].append(np.count_nonzero(local < saturated_below) / n)
    return {key: np.array(values) for key, values in stats.items()}
'''),
        ("all outputs first, then the statistics with comprehensions", '''def activation_statistics(x, weights, forward, backward, saturated_below=0.05):
    layers, h = [], x
    for W in weights:
        h, cache = forward(np.dot(h, W))
        layers.append((h, backward(np.ones(h.shape, dtype=h.dtype), cache)))
    return {"mean": np.array([np.mean(out) for out, _ in layers]),
            "std": np.array([np.std(out) for out, _ in layers]),
            "saturated": np.array([np.mean(local < saturated_below) for _, local in layers])}
'''),
    ],
    "gradient_norms": [
        ("the three products written out, norms as sqrt(sum of squares)", '''def gradient_norms(x, weights, forward, backward, dout):
    L = len(weights)
    inputs, caches, h = [], [], x
    for W in weights:
        inputs.append(h)
        h, cache = forward(h @ W)
        caches.append(cache)
    dW, dh = np.zeros(L), np.zeros(L)
    grad = dout
    for l in range(L - 1, -1, -1):
        dh[l] = np.sqrt(np.sum(grad ** 2))
        da = backward(grad, caches[l])
        dW[l] = np.sqrt(np.sum((inputs[l].T @ da) ** 2))
        grad = da @ weights[l].T
    return {"dW": dW, "dh": dh}
'''),
    ],
}

CHEATS = {
    "fixed_scale_init": [
        ("calls nnref.init", '''import nnref.init as _init


def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    return _init.small_random(fan_in, fan_out, rng=rng, dtype=dtype)


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    return _init.normal(fan_in, fan_out, 1.0, rng=rng, dtype=dtype)
'''),
    ],
    "scaled_init": [
        ("calls nnref.init", '''from nnref.init import xavier as _xavier, he as _he


def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    return _xavier(fan_in, fan_out, rng=rng, dtype=dtype)


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    return _he(fan_in, fan_out, rng=rng, dtype=dtype)
'''),
    ],
    "activation_statistics": [
        ("calls nnref.widgets.initialization.layer_statistics", '''from nnref.widgets.initialization import layer_statistics as _reference


def activation_statistics(x, weights, forward, backward, saturated_below=0.05):
    return _reference(x, weights, forward, backward, saturated_below)
'''),
    ],
    "gradient_norms": [
        ("calls nnref.widgets.initialization.gradient_norms", '''from nnref.widgets import initialization as _iw


def gradient_norms(x, weights, forward, backward, dout):
    return _iw.gradient_norms(x, weights, forward, backward, dout)
'''),
    ],
}
