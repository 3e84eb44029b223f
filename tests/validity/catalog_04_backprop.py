"""Lesson 04's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "04_backprop"

MUTANTS = {
    "numerical_gradient": [
        ("forward difference (f(x+h) - f(x)) / h", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad
'''),
        ("does not restore x (ends each entry at x - h)", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f(x)
        x[i] -= 2 * h
        minus = f(x)
        grad[i] = (plus - minus) / (2 * h)
    return grad
'''),
        ("divides by h instead of 2h", '''def numerical_gradient(f, x, h=1e-5):
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
        ("ignores the argument h (fixed 1e-5)", '''def numerical_gradient(f, x, h=1e-5):
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
        ("loops over the first axis only (nudges whole rows)", '''def numerical_gradient(f, x, h=1e-5):
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
        ("returns a flat gradient", '''def numerical_gradient(f, x, h=1e-5):
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
    ],
    "affine_backward": [
        ("db is the mean over the batch", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.mean(axis=0)
    return dx, dw, db
'''),
        ("dx not reshaped back to x's shape", '''def affine_backward(dout, cache):
    x, w = cache
    dx = dout @ w.T
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("dw averaged over the batch (divided by N)", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout / x.shape[0]
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("dx with w instead of w.T", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("dw transposed (dout.T @ x)", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = dout.T @ x.reshape(x.shape[0], -1)
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
        ("x not flattened before x.T @ dout", '''def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''),
    ],
    "relu_backward": [
        ("passes the gradient at x == 0 (x >= 0)", '''def relu_backward(dout, cache):
    x = cache
    return dout * (x >= 0)
'''),
        ("masks by the sign of dout instead of x", '''def relu_backward(dout, cache):
    return np.maximum(dout, 0)
'''),
        ("returns the mask, forgets dout", '''def relu_backward(dout, cache):
    x = cache
    return (x > 0).astype(float)
'''),
        ("multiplies by the forward output max(0, x) instead of the mask", '''def relu_backward(dout, cache):
    x = cache
    return dout * np.maximum(x, 0)
'''),
    ],
    "sigmoid_backward": [
        ("forgets the (1 - out) factor", '''def sigmoid_backward(dout, cache):
    out = cache
    return dout * out
'''),
        ("applies the sigmoid to the cache again (treats it as x)", '''def sigmoid_backward(dout, cache):
    s = 1 / (1 + np.exp(-cache))
    return dout * s * (1 - s)
'''),
        ("forgets the upstream dout", '''def sigmoid_backward(dout, cache):
    out = cache
    return out * (1 - out)
'''),
        ("uses tanh's derivative 1 - out**2", '''def sigmoid_backward(dout, cache):
    out = cache
    return dout * (1 - out ** 2)
'''),
    ],
    "two_layer_loss": [
        ("no regularization in the gradients", '''def two_layer_loss(X, y, params, reg=0.0):
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
        ("regularizes the biases too", '''def two_layer_loss(X, y, params, reg=0.0):
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
        ("own softmax gradient without the 1/N", '''def two_layer_loss(X, y, params, reg=0.0):
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
        ("no ReLU mask in the backward pass", '''def two_layer_loss(X, y, params, reg=0.0):
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
        ("L2 term in the loss without the 0.5", '''def two_layer_loss(X, y, params, reg=0.0):
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
        ("dW2 from the pre-activation z1 instead of the ReLU output", '''def two_layer_loss(X, y, params, reg=0.0):
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
        ("nudges a copy each time, x never touched", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.empty(x.shape)
    for i in np.ndindex(*x.shape):
        step = np.zeros(x.shape)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / h / 2
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
    ],
    "sigmoid_backward": [
        ("dout * (out - out**2)", '''def sigmoid_backward(dout, cache):
    return dout * (cache - cache ** 2)
'''),
        ("local gradient first, np.multiply", '''def sigmoid_backward(dout, cache):
    local = cache * (1.0 - cache)
    return np.multiply(local, dout)
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
