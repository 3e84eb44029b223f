"""Lesson 04's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "04_backprop"

MUTANTS = {
    "numerical_gradient": [
        ("uses the one-sided difference (f(x + h) - f(x)) / h instead of the centered one: a larger error", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad
'''),
        ("does not put each entry of x back after nudging it: x ends at x - h", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f(x)
        x[i] -= 2 * h
        minus = f(x)
        grad[i] = (plus - minus) / (2 * h)
    return grad
'''),
        ("divides the centered difference by h instead of by 2h: twice the gradient", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / h
    return grad
'''),
        ("always nudges by 1e-5 and ignores the argument h", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + 1e-5
        plus = f(x)
        x[i] = old - 1e-5
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * 1e-5)
    return grad
'''),
        ("loops over the first axis only, so it nudges whole rows at once instead of one entry", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad
'''),
        ("returns the gradient flattened, not in x's shape", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.size)
    flat = x.reshape(-1)
    for i in range(x.size):
        old = flat[i]
        flat[i] = old + h
        plus = f(x)
        flat[i] = old - h
        minus = f(x)
        flat[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad
'''),
        # The contract with f: the notebook's f may ignore its argument and read x through a
        # closure (lambda _: net.loss(X, y)[0]), so x itself must be nudged; the result is new.
        ("passes f a nudged copy of x: an f that reads x itself (a lambda that ignores its argument) never sees the nudge", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.empty(x.shape)
    for i in np.ndindex(*x.shape):
        step = np.zeros(x.shape)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / h / 2
    return grad
'''),
        ("nudges a copy of x for each entry, not x itself: an f that reads x itself never sees the nudge", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[i] += h
        x_minus[i] -= h
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
'''),
        ("fills a view of x (x.reshape(-1) is not a copy): x itself is overwritten with the gradient", '''def numerical_gradient(f, x, h=1e-5):
    grad = x.reshape(-1)
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + h
        plus = f(x)
        x.flat[k] = old - h
        minus = f(x)
        x.flat[k] = old
        grad[k] = (plus - minus) / (2 * h)
    return grad.reshape(x.shape)
'''),
        ("returns the same array on every call: the next call overwrites the gradient returned before", '''_buffers = {}

def numerical_gradient(f, x, h=1e-5):
    grad = _buffers.setdefault(x.shape, np.zeros(x.shape))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad
'''),
    ],
    "affine_backward": [
        ("averages db over the batch instead of summing it", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.mean(axis=0)
    return dx, dw, db
'''),
        ("does not reshape dx back to the shape of the x in the cache", '''def affine_backward(dout, cache):
    x, w = cache
    dx = dout @ w.T
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("divides dw by the batch size N: the upstream gradient already holds the 1/N", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout / x.shape[0]
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("computes dx with w instead of w.T", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("computes dw as dout.T @ x: the transpose of the gradient, not in w's shape", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = dout.T @ x.reshape(x.shape[0], -1)
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("does not flatten x into rows before multiplying it with dout", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("flattens the cached x in place (x.shape = ...): right values, but the cache changes", '''def affine_backward(dout, cache):
    x, w = cache
    shape = x.shape
    x.shape = (shape[0], -1)
    dx = (dout @ w.T).reshape(shape)
    dw = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
    ],
    "relu_backward": [
        ("lets the gradient through where x == 0 (x >= 0): the ReLU's slope there is 0", '''def relu_backward(dout, cache):
    x = cache
    return dout * (x >= 0)
'''),
        ("keeps the positive entries of dout instead of those where x > 0", '''def relu_backward(dout, cache):
    return np.maximum(dout, 0)
'''),
        ("returns the mask alone and forgets to multiply it by dout", '''def relu_backward(dout, cache):
    x = cache
    return (x > 0).astype(float)
'''),
        ("multiplies dout by the forward output max(0, x) instead of by the 0/1 mask", '''def relu_backward(dout, cache):
    x = cache
    return dout * np.maximum(x, 0)
'''),
        ("zeroes entries of dx = dout, which is the caller's dout itself: right values, but dout changes", '''def relu_backward(dout, cache):
    x = cache
    dx = dout
    dx[x <= 0] = 0
    return dx
'''),
        ("clamps the cached x in place before masking: right values, but the cache changes", '''def relu_backward(dout, cache):
    x = cache
    x[x < 0] = 0
    return dout * (x > 0)
'''),
    ],
    "sigmoid_backward": [
        ("forgets the factor (1 - out) of the sigmoid's derivative", '''def sigmoid_backward(dout, cache):
    out = cache
    return dout * out
'''),
        ("applies the sigmoid to the cache again: the cache already holds the output, not x", '''def sigmoid_backward(dout, cache):
    s = 1 / (1 + np.exp(-cache))
    return dout * s * (1 - s)
'''),
        ("forgets to multiply by the upstream gradient dout", '''def sigmoid_backward(dout, cache):
    out = cache
    return out * (1 - out)
'''),
        ("uses tanh's derivative 1 - out**2 instead of the sigmoid's", '''def sigmoid_backward(dout, cache):
    out = cache
    return dout * (1 - out ** 2)
'''),
        ("multiplies the caller's dout in place (dout *= ...): right values, but dout changes", '''def sigmoid_backward(dout, cache):
    out = cache
    dout *= out * (1 - out)
    return dout
'''),
        ("multiplies the cached output in place (out *= ...): the cache changes", '''def sigmoid_backward(dout, cache):
    out = cache
    out *= 1 - out
    return dout * out
'''),
    ],
    "tanh_backward": [
        ("uses the sigmoid's derivative out * (1 - out) instead of tanh's", '''def tanh_backward(dout, cache):
    out = cache
    return dout * out * (1 - out)
'''),
        ("applies tanh to the cache again: the cache already holds the output, not x", '''def tanh_backward(dout, cache):
    return dout * (1 - np.tanh(cache) ** 2)
'''),
        ("forgets to multiply by the upstream gradient dout", '''def tanh_backward(dout, cache):
    out = cache
    return 1 - out ** 2
'''),
        ("uses 1 - out as the slope: the square on out is missing", '''def tanh_backward(dout, cache):
    out = cache
    return dout * (1 - out)
'''),
        ("multiplies the caller's dout in place (dout *= ...): right values, but dout changes", '''def tanh_backward(dout, cache):
    out = cache
    dout *= 1 - out ** 2
    return dout
'''),
        ("squares the cached output in place (out **= 2): the cache changes", '''def tanh_backward(dout, cache):
    out = cache
    out **= 2
    return dout * (1 - out)
'''),
    ],
    "leaky_relu_backward": [
        ("always uses a slope of 0.01 and ignores the alpha stored in the cache", '''def leaky_relu_backward(dout, cache):
    x, _ = cache
    return np.where(x > 0, dout, 0.01 * dout)
'''),
        ("uses the plain ReLU's backward: 0 where x <= 0 instead of the slope alpha", '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return dout * (x > 0)
'''),
        ("uses slope 1 at x == 0 (x >= 0): there the course takes the negative side's slope, alpha", '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return np.where(x >= 0, dout, alpha * dout)
'''),
        ("picks the slope by the sign of dout instead of by the sign of x", '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return np.where(dout > 0, dout, alpha * dout)
'''),
        ("scales entries of dx = dout, which is the caller's dout itself: right values, but dout changes", '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = dout
    dx[x <= 0] *= alpha
    return dx
'''),
    ],
    "elu_backward": [
        ("forgets alpha on the negative side (dout * exp(x))", '''def elu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))
'''),
        ("uses the forward output alpha * (exp(x) - 1) as the slope instead of its derivative", '''def elu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, dout, dout * alpha * np.expm1(np.minimum(x, 0)))
'''),
        ("uses slope 1 at x == 0 (x >= 0): there the course takes the negative side's slope", '''def elu_backward(dout, cache):
    x, alpha = cache
    return np.where(x >= 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))
'''),
        ("returns 1 where x > 0 instead of dout: forgets the upstream gradient there", '''def elu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, 1.0, dout * alpha * np.exp(np.minimum(x, 0)))
'''),
        ("multiplies the caller's dout in place (dout *= ...): right values, but dout changes", '''def elu_backward(dout, cache):
    x, alpha = cache
    dout *= np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
    return dout
'''),
    ],
    "two_layer_loss": [
        ("adds the L2 penalty to the loss but not its reg * W to the gradients", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = (dscores @ W2.T) * (z1 > 0)
    grads = {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dscores, "b2": dscores.sum(axis=0)}
    return loss, grads
'''),
        ("regularizes the biases too: the L2 penalty is on the weights only", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = (dscores @ W2.T) * (z1 > 0)
    grads = {"W1": X.T @ dz1 + reg * W1, "b1": dz1.sum(axis=0) + reg * b1,
             "W2": h.T @ dscores + reg * W2, "b2": dscores.sum(axis=0) + reg * b2}
    return loss, grads
'''),
        ("forgets the 1/N in the gradient of the scores", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    scores = h @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dz1 = (dscores @ W2.T) * (z1 > 0)
    grads = {"W1": X.T @ dz1 + reg * W1, "b1": dz1.sum(axis=0),
             "W2": h.T @ dscores + reg * W2, "b2": dscores.sum(axis=0)}
    return loss, grads
'''),
        ("skips the ReLU's mask in the backward pass", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = dscores @ W2.T
    grads = {"W1": X.T @ dz1 + reg * W1, "b1": dz1.sum(axis=0),
             "W2": h.T @ dscores + reg * W2, "b2": dscores.sum(axis=0)}
    return loss, grads
'''),
        ("adds reg * sum(W**2) to the loss without the 0.5", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = (dscores @ W2.T) * (z1 > 0)
    grads = {"W1": X.T @ dz1 + reg * W1, "b1": dz1.sum(axis=0),
             "W2": h.T @ dscores + reg * W2, "b2": dscores.sum(axis=0)}
    return loss, grads
'''),
        ("computes dW2 from z1, before the ReLU, instead of from the ReLU's output", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = (dscores @ W2.T) * (z1 > 0)
    grads = {"W1": X.T @ dz1 + reg * W1, "b1": dz1.sum(axis=0),
             "W2": z1.T @ dscores + reg * W2, "b2": dscores.sum(axis=0)}
    return loss, grads
'''),
        ("writes the gradients into the caller's params dict (grads = params is not a copy)", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = (dscores @ W2.T) * (z1 > 0)
    grads = params
    grads["W1"] = X.T @ dz1 + reg * W1
    grads["b1"] = dz1.sum(axis=0)
    grads["W2"] = h.T @ dscores + reg * W2
    grads["b2"] = dscores.sum(axis=0)
    return loss, grads
'''),
        ("starts each dW from W itself and updates it in place: the weights passed in are overwritten", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = (dscores @ W2.T) * (z1 > 0)
    dW1, dW2 = W1, W2
    dW1 *= reg
    dW1 += X.T @ dz1
    dW2 *= reg
    dW2 += h.T @ dscores
    return loss, {"W1": dW1, "b1": dz1.sum(axis=0), "W2": dW2, "b2": dscores.sum(axis=0)}
'''),
    ],
}

VARIANTS = {
    "numerical_gradient": [
        ("np.nditer with multi_index", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
        it.iternext()
    return grad
'''),
        ("a flat view of x and of the gradient", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for k in range(flat_x.size):
        saved = flat_x[k]
        flat_x[k] = saved + h
        plus = f(x)
        flat_x[k] = saved - h
        minus = f(x)
        flat_x[k] = saved
        flat_g[k] = (plus - minus) / (2 * h)
    return grad
'''),
        ("the solution plus the student's own check left in the cell (rebinds x, f, grad)", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad

x = np.array([1.0, 2.0, 3.0])
f = lambda v: np.sum(v ** 2)
grad = numerical_gradient(f, x)
print("my check:", grad, "should be", 2 * x)
'''),
    ],
    "affine_backward": [
        ("einsum", '''def affine_backward(dout, cache):
    x, w = cache
    x2 = x.reshape(len(x), -1)
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    dw = np.einsum("nd,nm->dm", x2, dout)
    db = np.einsum("nm->m", dout)
    return dx, dw, db
'''),
        ("a loop over the batch, summing outer products", '''def affine_backward(dout, cache):
    x, w = cache
    N = x.shape[0]
    x2 = x.reshape(N, -1)
    dw = np.zeros(w.shape)
    db = np.zeros(w.shape[1])
    dx = np.zeros(x2.shape)
    for n in range(N):
        dw += np.outer(x2[n], dout[n])
        db += dout[n]
        dx[n] = w.dot(dout[n])
    return dx.reshape(x.shape), dw, db
'''),
    ],
    "relu_backward": [
        ("np.where", '''def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)
'''),
        ("copy, then zero where x <= 0", '''def relu_backward(dout, cache):
    x = cache
    dx = np.array(dout, dtype=float, copy=True)
    dx[x <= 0] = 0
    return dx
'''),
        ("the solution plus the student's own check left in the cell (rebinds x, dout, cache, dx)", '''def relu_backward(dout, cache):
    x = cache
    return dout * (x > 0)

x = np.array([[-1.0, 2.0, 0.0]])
dout = np.array([[5.0, 5.0, 5.0]])
cache = x
dx = relu_backward(dout, cache)
print("my check:", dx)
'''),
    ],
    "sigmoid_backward": [
        ("dout * (out - out**2)", '''def sigmoid_backward(dout, cache):
    return dout * (cache - cache ** 2)
'''),
        ("local gradient first, np.multiply", '''def sigmoid_backward(dout, cache):
    local = cache * (1.0 - cache)
    return np.multiply(local, dout)
'''),
        ("out - out**2 written as a new array with np.subtract", '''def sigmoid_backward(dout, cache):
    return dout * np.subtract(cache, np.square(cache))
'''),
    ],
    "tanh_backward": [
        ("(1 - out) * (1 + out)", '''def tanh_backward(dout, cache):
    out = cache
    return (1 - out) * (1 + out) * dout
'''),
        ("dout - dout * out * out, plus a leftover check (rebinds x, dout, cache)", '''def tanh_backward(dout, cache):
    return dout - dout * cache * cache

x = np.array([0.0, 1.0])
dout = np.ones(2)
cache = np.tanh(x)
print("my check:", tanh_backward(dout, cache))
'''),
    ],
    "leaky_relu_backward": [
        ("copy dout, then scale where x <= 0", '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = np.array(dout, dtype=float, copy=True)
    dx[x <= 0] *= alpha
    return dx
'''),
        ("dout times a slope array", '''def leaky_relu_backward(dout, cache):
    x, alpha = cache
    slope = np.where(x > 0, 1.0, alpha)
    return dout * slope
'''),
    ],
    "elu_backward": [
        ("slope = out + alpha for x <= 0, recomputing the forward from x", '''def elu_backward(dout, cache):
    x, alpha = cache
    out = np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))
    return dout * np.where(x > 0, 1.0, out + alpha)
'''),
        ("boolean masks, a copy of dout", '''def elu_backward(dout, cache):
    x, alpha = cache
    dx = dout.copy()
    neg = x <= 0
    dx[neg] = dout[neg] * alpha * np.exp(x[neg])
    return dx
'''),
    ],
    "two_layer_loss": [
        ("own forward, own stable softmax with a one-hot matrix, mask from h", '''def two_layer_loss(X, y, params, reg=0.0):
    N = X.shape[0]
    z1 = X.dot(params["W1"]) + params["b1"]
    h = np.maximum(0, z1)
    s = h.dot(params["W2"]) + params["b2"]
    s = s - s.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    onehot = np.zeros_like(s)
    onehot[np.arange(N), y] = 1
    loss = -(onehot * log_p).sum() / N
    loss += 0.5 * reg * sum((params[k] ** 2).sum() for k in ("W1", "W2"))
    ds = (np.exp(log_p) - onehot) / N
    dh = ds.dot(params["W2"].T)
    dh[h <= 0] = 0
    grads = {"W2": h.T.dot(ds) + reg * params["W2"], "b2": ds.sum(0),
             "W1": X.T.dot(dh) + reg * params["W1"], "b1": dh.sum(0)}
    return loss, grads
'''),
        ("the solution plus the student's own check left in the cell (rebinds X, y, params, net)", '''def two_layer_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1, _ = affine_forward(X, W1, b1)
    h, _ = relu_forward(z1)
    scores, _ = affine_forward(h, W2, b2)
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dz1 = (dscores @ W2.T) * (z1 > 0)
    grads = {"W1": X.T @ dz1 + reg * W1, "b1": dz1.sum(axis=0),
             "W2": h.T @ dscores + reg * W2, "b2": dscores.sum(axis=0)}
    return loss, grads

X, y = np.ones((2, 3)), np.array([0, 1])
params = {"W1": np.ones((3, 4)), "b1": np.zeros(4), "W2": np.ones((4, 2)), "b2": np.zeros(2)}
net = None
loss, grads = two_layer_loss(X, y, params, reg=0.1)
print("my check: loss", loss)
'''),
    ],
}

CHEATS = {
    "numerical_gradient": [
        ("calls nnref.gradcheck.numerical_gradient", '''def numerical_gradient(f, x, h=1e-5):
    import nnref.gradcheck
    return nnref.gradcheck.numerical_gradient(f, x, h)
'''),
    ],
    "affine_backward": [
        ("calls nnref.layers.affine_backward", '''from nnref.layers import affine_backward as _ref

def affine_backward(dout, cache):
    return _ref(dout, cache)
'''),
    ],
    "relu_backward": [
        ("calls nnref.layers.relu_backward", '''import nnref.layers

def relu_backward(dout, cache):
    return nnref.layers.relu_backward(dout, cache)
'''),
    ],
    "sigmoid_backward": [
        ("calls nnref.layers.sigmoid_backward", '''import nnref.layers

def sigmoid_backward(dout, cache):
    return nnref.layers.sigmoid_backward(dout, cache)
'''),
    ],
    "tanh_backward": [
        ("calls nnref.layers.tanh_backward", '''import nnref.layers

def tanh_backward(dout, cache):
    return nnref.layers.tanh_backward(dout, cache)
'''),
    ],
    "leaky_relu_backward": [
        ("calls nnref.layers.leaky_relu_backward", '''import nnref.layers

def leaky_relu_backward(dout, cache):
    return nnref.layers.leaky_relu_backward(dout, cache)
'''),
    ],
    "elu_backward": [
        ("calls nnref.layers.elu_backward", '''import nnref.layers

def elu_backward(dout, cache):
    return nnref.layers.elu_backward(dout, cache)
'''),
    ],
    "two_layer_loss": [
        ("uses nnref.nets.TwoLayerNet's loss", '''import nnref.nets

def two_layer_loss(X, y, params, reg=0.0):
    D, H = params["W1"].shape
    net = nnref.nets.TwoLayerNet(D, H, params["W2"].shape[1], reg=reg, dtype=np.float64)
    net.params.update(params)
    return net.loss(X, y)
'''),
        ("backward through nnref.layers' affine_backward and relu_backward", '''import nnref.layers

def two_layer_loss(X, y, params, reg=0.0):
    z1, c1 = affine_forward(X, params["W1"], params["b1"])
    h, cr = relu_forward(z1)
    scores, c2 = affine_forward(h, params["W2"], params["b2"])
    loss, dscores = softmax_cross_entropy(scores, y)
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dh, dW2, db2 = nnref.layers.affine_backward(dscores, c2)
    dz1 = nnref.layers.relu_backward(dh, cr)
    _, dW1, db1 = nnref.layers.affine_backward(dz1, c1)
    return loss, {"W1": dW1 + reg * params["W1"], "b1": db1, "W2": dW2 + reg * params["W2"], "b2": db2}
'''),
    ],
}
