"""Lesson 02's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "02_forward_pass"

MUTANTS = {
    "affine_forward": [
        ("leaves out the bias b", '''def affine_forward(x, w, b):
    x_rows = x.reshape(x.shape[0], -1)
    out = x_rows @ w
    cache = (x, w)
    return out, cache
'''),
        ("adds the bias b to the first row only, not to every row", '''def affine_forward(x, w, b):
    x_rows = x.reshape(x.shape[0], -1)
    out = x_rows @ w
    out[0] += b
    cache = (x, w)
    return out, cache
'''),
        ("does not flatten each example into a row: fails for inputs of shape (N, d1, d2)", '''def affine_forward(x, w, b):
    out = x @ w + b
    cache = (x, w)
    return out, cache
'''),
        ("multiplies by w.T instead of w: w already has shape (D, M), one column per output", '''def affine_forward(x, w, b):
    x_rows = x.reshape(x.shape[0], -1)
    out = x_rows @ w.T + b
    cache = (x, w)
    return out, cache
'''),
        ("caches the flattened x instead of the x it was given: the backward pass then returns dx in the wrong shape", '''def affine_forward(x, w, b):
    x = x.reshape(x.shape[0], -1)
    out = x @ w + b
    cache = (x, w)
    return out, cache
'''),
        ("returns only out: a forward returns the pair (out, cache)", '''def affine_forward(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b
'''),
    ],
    "sigmoid_forward": [
        ("computes exp(x) / (1 + exp(x)), which gives nan for large x such as 1000 (exp overflows)", '''def sigmoid_forward(x):
    out = np.exp(x) / (1 + np.exp(x))
    cache = out
    return out, cache
'''),
        ("a sign error, 1 / (1 + exp(x)): it falls where it should rise", '''def sigmoid_forward(x):
    out = 1 / (1 + np.exp(x))
    cache = out
    return out, cache
'''),
        ("caches x instead of out, the value the backward pass reuses", '''def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    cache = x
    return out, cache
'''),
        ("computes 0.5 * (1 + tanh(x)): the tanh form of the sigmoid needs x / 2", '''def sigmoid_forward(x):
    out = 0.5 * (1 + np.tanh(x))
    cache = out
    return out, cache
'''),
        ("flips the sign of the caller's x in place: right values, but the input passed in changes", '''def sigmoid_forward(x):
    np.negative(x, out=x)
    out = 1 / (1 + np.exp(np.clip(x, -500, 500)))
    cache = out
    return out, cache
'''),
    ],
    "tanh_forward": [
        ("uses the textbook formula with exp(x) and exp(-x), which gives nan for large |x| such as 1000", '''def tanh_forward(x):
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out
'''),
        ("uses exp(-|x|) where exp(-2|x|) is needed: that gives tanh(x / 2)", '''def tanh_forward(x):
    t = np.exp(-np.abs(x))
    out = np.sign(x) * (1 - t) / (1 + t)
    return out, out
'''),
        ("caches x instead of out, the value the backward pass reuses", '''def tanh_forward(x):
    out = np.tanh(x)
    return out, x
'''),
        ("writes the result into the caller's x (np.tanh(x, out=x)): the input passed in changes", '''def tanh_forward(x):
    np.tanh(x, out=x)
    return x, x
'''),
        ("computes the sigmoid instead of tanh", '''def tanh_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out
'''),
    ],
    "relu_forward": [
        ("uses np.max(x, 0), the largest entry of each column, instead of the elementwise np.maximum", '''def relu_forward(x):
    out = np.max(x, 0)
    cache = x
    return out, cache
'''),
        ("zeroes the negatives of the caller's x in place: right values, but the input passed in changes", '''def relu_forward(x):
    x[x < 0] = 0
    out = x
    cache = x
    return out, cache
'''),
        ("returns the mask x > 0 (True and False) instead of the values", '''def relu_forward(x):
    out = x > 0
    cache = x
    return out, cache
'''),
    ],
    "leaky_relu_forward": [
        ("puts the small slope alpha on the positive side instead of the negative side", '''def leaky_relu_forward(x, alpha=0.01):
    out = np.where(x > 0, alpha * x, x)
    cache = (x, alpha)
    return out, cache
'''),
        ("always uses a slope of 0.01 and ignores the argument alpha", '''def leaky_relu_forward(x, alpha=0.01):
    out = np.where(x > 0, x, 0.01 * x)
    cache = (x, alpha)
    return out, cache
'''),
        ("computes np.maximum(alpha, x): compares x with alpha instead of with alpha * x", '''def leaky_relu_forward(x, alpha=0.01):
    out = np.maximum(alpha, x)
    cache = (x, alpha)
    return out, cache
'''),
        ("caches x without alpha: the backward pass needs both", '''def leaky_relu_forward(x, alpha=0.01):
    out = np.where(x > 0, x, alpha * x)
    cache = x
    return out, cache
'''),
    ],
    "elu_forward": [
        ("computes alpha * x on the negative side (a leaky ReLU) instead of the exponential curve", '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * x)
    cache = (x, alpha)
    return out, cache
'''),
        ("forgets the - 1 on the negative side: alpha * exp(x) jumps at 0", '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.exp(x))
    cache = (x, alpha)
    return out, cache
'''),
        ("forgets alpha on the negative side: exp(x) - 1", '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, np.exp(x) - 1)
    cache = (x, alpha)
    return out, cache
'''),
        ("caches x without alpha: the backward pass needs both", '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    cache = x
    return out, cache
'''),
    ],
    "mlp_forward": [
        ("applies a ReLU after the last layer too: the scores must be able to go negative", '''def mlp_forward(x, params):
    num_layers = len(params) // 2
    h = x
    for layer in range(1, num_layers + 1):
        h, _ = affine_forward(h, params[f"W{layer}"], params[f"b{layer}"])
        h, _ = relu_forward(h)
    return h
'''),
        ("always uses two layers, whatever the number in params", '''def mlp_forward(x, params):
    h, _ = affine_forward(x, params["W1"], params["b1"])
    h, _ = relu_forward(h)
    scores, _ = affine_forward(h, params["W2"], params["b2"])
    return scores
'''),
        ("applies a ReLU to the input before the first layer", '''def mlp_forward(x, params):
    num_layers = len(params) // 2
    h = x
    for layer in range(1, num_layers + 1):
        h, _ = relu_forward(h)
        h, _ = affine_forward(h, params[f"W{layer}"], params[f"b{layer}"])
    return h
'''),
        ("counts len(params) layers: each layer has two entries in params, its W and its b", '''def mlp_forward(x, params):
    num_layers = len(params)
    h = x
    for layer in range(1, num_layers):
        h, _ = affine_forward(h, params[f"W{layer}"], params[f"b{layer}"])
        h, _ = relu_forward(h)
    scores, _ = affine_forward(h, params[f"W{num_layers}"], params[f"b{num_layers}"])
    return scores
'''),
        ("stops one layer early: returns the last hidden layer instead of the scores", '''def mlp_forward(x, params):
    num_layers = len(params) // 2
    h = x
    for layer in range(1, num_layers):
        h, _ = affine_forward(h, params[f"W{layer}"], params[f"b{layer}"])
        h, _ = relu_forward(h)
    return h
'''),
    ],
}

VARIANTS = {
    "affine_forward": [
        ("leaves its own check in the cell, rebinding x, w, b and images", '''def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w)


x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.zeros(4)     # my own check
images = np.zeros((5, 7))
print(affine_forward(x, w, b)[0])
'''),
        ("loops over examples and outputs", '''def affine_forward(x, w, b):
    n = x.shape[0]
    x_rows = x.reshape(n, -1)
    out = np.zeros((n, w.shape[1]))
    for i in range(n):
        for j in range(w.shape[1]):
            out[i, j] = np.sum(x_rows[i] * w[:, j]) + b[j]
    return out, (x, w)
'''),
        ("(w.T @ x.T).T with np.dot and reshape(-1, D)", '''def affine_forward(x, w, b):
    x_rows = np.reshape(x, (-1, w.shape[0]))
    out = np.dot(w.T, x_rows.T).T + b[np.newaxis, :]
    return out, (x, w)
'''),
        ("np.einsum", '''def affine_forward(x, w, b):
    out = np.einsum("nd,dm->nm", x.reshape(len(x), -1), w) + b
    cache = x, w
    return out, cache
'''),
    ],
    "sigmoid_forward": [
        ("the textbook formula (overflow warnings at -1000, values right)", '''def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out
'''),
        ("via tanh: (1 + tanh(x / 2)) / 2", '''def sigmoid_forward(x):
    out = 0.5 * (1 + np.tanh(0.5 * x))
    return out, out
'''),
        ("a Python loop with math.exp and two branches", '''import math

def sigmoid_forward(x):
    out = np.empty(np.shape(x))
    for index, value in np.ndenumerate(x):
        if value >= 0:
            out[index] = 1 / (1 + math.exp(-value))
        else:
            out[index] = math.exp(value) / (1 + math.exp(value))
    return out, out
'''),
        ("boolean masks on a copy", '''def sigmoid_forward(x):
    out = np.zeros_like(x, dtype=float)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1 + ex)
    return out, out
'''),
    ],
    "tanh_forward": [
        ("np.tanh", '''def tanh_forward(x):
    out = np.tanh(x)
    return out, out
'''),
        ("2 sigmoid(2x) - 1 (overflow warnings at -1000, values right)", '''def tanh_forward(x):
    out = 2 / (1 + np.exp(-2 * x)) - 1
    cache = out
    return out, cache
'''),
        ("expm1, and the textbook formula where it cannot overflow", '''def tanh_forward(x):
    safe = np.abs(x) < 20
    e = np.expm1(-2 * np.abs(np.where(safe, x, 0.0)))
    out = np.where(safe, -np.sign(x) * e / (2 + e), np.sign(x))
    return out, out
'''),
    ],
    "relu_forward": [
        ("x * (x > 0)", '''def relu_forward(x):
    return x * (x > 0), x
'''),
        ("copy, then zero the negatives", '''def relu_forward(x):
    out = x.copy()
    out[out < 0] = 0
    return out, x
'''),
        ("np.where", '''def relu_forward(x):
    out = np.where(x > 0, x, 0.0)
    cache = x
    return out, cache
'''),
    ],
    "leaky_relu_forward": [
        ("np.maximum(alpha * x, x) (alpha < 1)", '''def leaky_relu_forward(x, alpha=0.01):
    return np.maximum(alpha * x, x), (x, alpha)
'''),
        ("a slope array", '''def leaky_relu_forward(x, alpha=0.01):
    slope = np.where(x > 0, 1.0, alpha)
    return x * slope, (x, alpha)
'''),
    ],
    "elu_forward": [
        ("np.where with exp of every x (overflow warning at 1000, values right)", '''def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * (np.exp(x) - 1))
    return out, (x, alpha)
'''),
        ("boolean mask on a copy", '''def elu_forward(x, alpha=1.0):
    out = x.astype(float)
    neg = x <= 0
    out[neg] = alpha * (np.exp(x[neg]) - 1)
    return out, (x, alpha)
'''),
    ],
    "mlp_forward": [
        ("plain numpy, no layer functions", '''def mlp_forward(x, params):
    num_layers = len(params) // 2
    h = x.reshape(x.shape[0], -1)
    for layer in range(1, num_layers + 1):
        h = h @ params["W" + str(layer)] + params["b" + str(layer)]
        if layer < num_layers:
            h = np.maximum(h, 0)
    return h
'''),
        ("recursion over the layers", '''def mlp_forward(x, params, layer=1):
    out, _ = affine_forward(x, params[f"W{layer}"], params[f"b{layer}"])
    if layer == len(params) // 2:
        return out
    h, _ = relu_forward(out)
    return mlp_forward(h, params, layer + 1)
'''),
    ],
}

CHEATS = {
    "affine_forward": [
        ("calls nnref.layers.affine_forward", '''from nnref.layers import affine_forward as reference_affine

def affine_forward(x, w, b):
    return reference_affine(x, w, b)
'''),
        ("binds nnref's function to the name", '''import nnref.layers
affine_forward = nnref.layers.affine_forward
'''),
    ],
    "sigmoid_forward": [
        ("calls nnref.layers.sigmoid_forward", '''from nnref import layers as L

def sigmoid_forward(x):
    out, cache = L.sigmoid_forward(x)
    return out, cache
'''),
    ],
    "tanh_forward": [
        ("calls nnref.layers.tanh_forward", '''from nnref import layers as L


def tanh_forward(x):
    return L.tanh_forward(x)
'''),
    ],
    "relu_forward": [
        ("calls nnref.layers.relu_forward", '''def relu_forward(x):
    return layers.relu_forward(x)
'''),
    ],
    "leaky_relu_forward": [
        ("calls nnref.layers.leaky_relu_forward", '''def leaky_relu_forward(x, alpha=0.01):
    return layers.leaky_relu_forward(x, alpha)
'''),
    ],
    "elu_forward": [
        ("calls nnref.layers.elu_forward", '''def elu_forward(x, alpha=1.0):
    return layers.elu_forward(x, alpha=alpha)
'''),
    ],
    "mlp_forward": [
        ("calls nnref's layers by name instead of the notebook's affine_forward and relu_forward", '''from nnref import layers as ref_layers

def mlp_forward(x, params):
    weights = sorted((k for k in params if k.startswith("W")), key=lambda k: int(k[1:]))
    h = x
    for i, name in enumerate(weights):
        h, _ = ref_layers.affine_forward(h, params[name], params["b" + name[1:]])
        if i < len(weights) - 1:
            h, _ = ref_layers.relu_forward(h)
    return h
'''),
        ("runs nnref's network class", '''def mlp_forward(x, params):
    net = nets.FullyConnectedNet([params[f"b{i}"].size for i in range(1, len(params) // 2)],
                                 params["W1"].shape[0], params[f"b{len(params) // 2}"].size, dtype=np.float64)
    net.params = {k: v.copy() for k, v in params.items()}
    return net.loss(x.reshape(x.shape[0], -1))
'''),
    ],
}
