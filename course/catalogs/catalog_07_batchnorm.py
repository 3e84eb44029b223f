"""Lesson 07's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "07_batchnorm"

# The correct forward with one thing changed: each mutant below names what.
_FORWARD = '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.setdefault("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.setdefault("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        mean, var = x.mean(axis=0), VARIANCE
        bn_param["running_mean"] = UPDATE_MEAN
        bn_param["running_var"] = UPDATE_VAR
    else:
        mean, var = TEST_STATISTICS
    inv_std = INV_STD
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)
'''
_RIGHT = {"VARIANCE": "x.var(axis=0)",
          "UPDATE_MEAN": "momentum * running_mean + (1 - momentum) * mean",
          "UPDATE_VAR": "momentum * running_var + (1 - momentum) * var",
          "TEST_STATISTICS": "running_mean, running_var",
          "INV_STD": "1 / np.sqrt(var + eps)"}


def _forward(**wrong):
    source = _FORWARD
    for key, right in _RIGHT.items():
        source = source.replace(key, wrong.get(key, right))
    return source


# The correct network with one thing changed. Its batch norm is the student's own batchnorm_forward and
# batchnorm_backward (exercises 1 and 2, the source's here), as the lesson allows: the audit withholds
# nnref's versions of every exercise of the assignment.
_NET = '''def bn_net_loss(X, y, params, bn_param, reg=0.0):
    MODE
    z, c1 = nnref.layers.affine_forward(X, params["W1"], params["b1"])
    FORWARD_MIDDLE
    scores, c2 = nnref.layers.affine_forward(h, params["W2"], params["b2"])
    if y is None:
        return scores
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (L2)
    grads = {}
    dh, grads["W2"], grads["b2"] = nnref.layers.affine_backward(dscores, c2)
    BACKWARD_MIDDLE
    _, grads["W1"], grads["b1"] = nnref.layers.affine_backward(dz, c1)
    grads["W1"] = grads["W1"] + reg * params["W1"]
    grads["W2"] = grads["W2"] + reg * params["W2"]
    GAMMA_REG
    return loss, grads
'''
_NET_RIGHT = {
    "MODE": 'bn_param["mode"] = "test" if y is None else "train"',
    "FORWARD_MIDDLE": '''n, cb = batchnorm_forward(z, params["gamma1"], params["beta1"], bn_param)
    h, cr = nnref.layers.relu_forward(n)''',
    "L2": 'np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)',
    "BACKWARD_MIDDLE": '''dn = nnref.layers.relu_backward(dh, cr)
    dz, grads["gamma1"], grads["beta1"] = batchnorm_backward(dn, cb)''',
    "GAMMA_REG": "",
}


def _net(**wrong):
    source = _NET
    for key, right in _NET_RIGHT.items():
        source = source.replace(key, wrong.get(key, right))
    return source

# The correct any-depth network with one thing changed.
_DEEP = '''def bn_deep_net_loss(X, y, params, bn_params, reg=0.0):
    L = len(bn_params) + 1
    mode = "test" if y is None else "train"
    out, caches = X, []
    for i in range(1, L):
        BN_PARAM
        bn_param["mode"] = MODE
        z, ca = nnref.layers.affine_forward(out, params[f"W{i}"], params[f"b{i}"])
        n, cb = batchnorm_forward(z, params[f"gamma{i}"], params[f"beta{i}"], bn_param)
        out, cr = nnref.layers.relu_forward(n)
        caches.append((ca, cb, cr))
    scores, cl = nnref.layers.affine_forward(out, params[f"W{L}"], params[f"b{L}"])
    if y is None:
        return scores
    loss, dout = softmax_cross_entropy(scores, y)
    grads = {}
    dout, grads[f"W{L}"], grads[f"b{L}"] = nnref.layers.affine_backward(dout, cl)
    for i in range(L - 1, 0, -1):
        ca, cb, cr = caches[i - 1]
        RELU_BACKWARD
        dout, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dout, cb)
        dout, grads[f"W{i}"], grads[f"b{i}"] = nnref.layers.affine_backward(dout, ca)
    for i in REGULARIZED:
        W = params[f"W{i}"]
        loss = loss + 0.5 * reg * np.sum(W * W)
        grads[f"W{i}"] = grads[f"W{i}"] + reg * W
    return loss, grads
'''
_DEEP_RIGHT = {"BN_PARAM": "bn_param = bn_params[i - 1]", "MODE": "mode",
               "RELU_BACKWARD": "dout = nnref.layers.relu_backward(dout, cr)", "REGULARIZED": "range(1, L + 1)"}


def _deep(**wrong):
    source = _DEEP
    for key, right in _DEEP_RIGHT.items():
        source = source.replace(key, wrong.get(key, right))
    return source


# Layer norm with one thing changed.
_LAYERNORM = '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = EPS
    mean = x.mean(axis=AXIS, keepdims=True)
    inv_std = 1 / np.sqrt(x.var(axis=AXIS, keepdims=True) + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)


def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=DGAMMA_AXIS)
    dx_hat = dout * gamma
    dx = DX
    return dx, dgamma, dbeta
'''
_LAYERNORM_RIGHT = {
    "EPS": 'ln_param.get("eps", 1e-5)', "AXIS": "1", "DGAMMA_AXIS": "0",
    "DX": "(D * dx_hat - dx_hat.sum(axis=1, keepdims=True)"
          " - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True)) * (inv_std / D)"}


def _layernorm(**wrong):
    source = _LAYERNORM
    for key, right in _LAYERNORM_RIGHT.items():
        source = source.replace(key, wrong.get(key, right))
    return source


MUTANTS = {
    "batchnorm_forward": [
        ("uses the unbiased variance (ddof = 1): the batch statistics use 1/N", _forward(VARIANCE="x.var(axis=0, ddof=1)")),
        ("adds eps after the square root instead of inside it", _forward(INV_STD="1 / (np.sqrt(var) + eps)")),
        ("never updates the running mean and variance in train mode", _forward(UPDATE_MEAN="running_mean", UPDATE_VAR="running_var")),
        ("swaps the momentum weights: the batch gets momentum, the running statistics 1 - momentum",
         _forward(UPDATE_MEAN="(1 - momentum) * running_mean + momentum * mean",
                  UPDATE_VAR="(1 - momentum) * running_var + momentum * var")),
        ("normalizes with the batch's own statistics in test mode instead of the running ones", _forward(TEST_STATISTICS="x.mean(axis=0), x.var(axis=0)")),
        ("updates the running statistics in test mode too", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    mu, var = x.mean(axis=0), x.var(axis=0)
    bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D, dtype=x.dtype)) + (1 - momentum) * mu
    bn_param["running_var"] = momentum * bn_param.get("running_var", np.ones(D, dtype=x.dtype)) + (1 - momentum) * var
    if bn_param["mode"] == "test":
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (bn_param["mode"], x_hat, gamma, inv_std)
'''),
        ("always uses eps 1e-5 and momentum 0.9 and ignores those given in bn_param", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = 0.9 * running_mean + 0.1 * mean
        bn_param["running_var"] = 0.9 * running_var + 0.1 * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1 / np.sqrt(var + 1e-5)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)
'''),
        ("starts the running statistics as float64 zeros and ones: float32 inputs turn them float64", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.ones(D))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)
'''),
        ("reads bn_param['running_mean'] in test mode before any train call: a KeyError on a fresh bn_param", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D, dtype=x.dtype)) + (1 - momentum) * mean
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.ones(D, dtype=x.dtype)) + (1 - momentum) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)
'''),
        ("does not store the starting running statistics in bn_param when the first call is in test mode", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)
'''),
        ("updates the running statistics in place (running_mean *= ...): arrays the caller holds change too", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.setdefault("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.setdefault("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        running_mean *= momentum
        running_mean += (1 - momentum) * mean
        running_var *= momentum
        running_var += (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)
'''),
        ("normalizes each example over its features (axis=1) instead of each feature over the batch", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.ones(D, dtype=x.dtype))
    if mode == "train":
        mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * x.var(axis=0)
    else:
        mean, var = running_mean, running_var
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (mode, x_hat, gamma, inv_std)
'''),
    ],
    "batchnorm_backward": [
        ("misses the paths through the batch mean and variance: dx = dout * gamma * inv_std alone", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("misses the path through the batch variance", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
    dx = (dx_hat - dx_hat.mean(axis=0)) * inv_std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("sums dgamma over the features (axis=1) instead of over the batch", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, (dout * x_hat).sum(axis=1), dout.sum(axis=0)
    N = dout.shape[0]
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) * (inv_std / N)
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=0)
'''),
        ("computes dgamma as the sum of dout, without the factor x_hat", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, dout.sum(axis=0), dout.sum(axis=0)
    N = dout.shape[0]
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) * (inv_std / N)
    return dx, dout.sum(axis=0), dout.sum(axis=0)
'''),
        ("uses the train-mode formula in test mode too, where the statistics are constants", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    N = dout.shape[0]
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) * (inv_std / N)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("forgets gamma in the gradient of x_hat (dx_hat = dout)", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    dx_hat = dout
    if mode == "test":
        return dx_hat * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
    N = dout.shape[0]
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) * (inv_std / N)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("accumulates dgamma and dbeta in float64 zeros: float32 inputs get float64 gradients", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    N, D = dout.shape
    dgamma, dbeta = np.zeros(D), np.zeros(D)
    for i in range(N):
        dgamma += dout[i] * x_hat[i]
        dbeta += dout[i]
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) * (inv_std / N)
    return dx, dgamma, dbeta
'''),
        ("multiplies the caller's dout by gamma in place (dx_hat = dout is not a copy): dout changes", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout
    dx_hat *= gamma
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    N = dout.shape[0]
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) * (inv_std / N)
    return dx, dgamma, dbeta
'''),
    ],
    "bn_net_loss": [
        ("regularizes gamma1 too: the L2 penalty is on the weights only", _net(L2='np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2) + np.sum(params["gamma1"] ** 2)',
                                        GAMMA_REG='grads["gamma1"] = grads["gamma1"] + reg * params["gamma1"]')),
        ("predicts in train mode: with y None the mode must be 'test'", _net(MODE='bn_param["mode"] = "train"')),
        ("applies the ReLU before batch norm instead of after it", _net(
            FORWARD_MIDDLE='''r, cr = nnref.layers.relu_forward(z)
    h, cb = batchnorm_forward(r, params["gamma1"], params["beta1"], bn_param)''',
            BACKWARD_MIDDLE='''dr, grads["gamma1"], grads["beta1"] = batchnorm_backward(dh, cb)
    dz = nnref.layers.relu_backward(dr, cr)''')),
        ("works on a copy of bn_param: the running statistics never reach the caller's dict", _net(
            MODE='bn_param = dict(bn_param, mode="test" if y is None else "train")')),
        ("swaps the gradients of gamma1 and beta1", _net(
            BACKWARD_MIDDLE='''dn = nnref.layers.relu_backward(dh, cr)
    dz, grads["beta1"], grads["gamma1"] = batchnorm_backward(dn, cb)''')),
        ("skips the ReLU's backward", _net(
            BACKWARD_MIDDLE='''dz, grads["gamma1"], grads["beta1"] = batchnorm_backward(dh, cb)''')),
    ],
    "bn_deep_net_loss": [
        ("shares one bn_param, bn_params[0], between all hidden layers instead of one per layer", _deep(BN_PARAM="bn_param = bn_params[0]")),
        ("regularizes only the last weight matrix instead of every one", _deep(REGULARIZED="(L,)")),
        ("predicts in train mode: with y None the mode must be 'test'", _deep(MODE='"train"')),
        ("skips the ReLUs' backward", _deep(RELU_BACKWARD="pass")),
    ],
    "layernorm": [
        ("takes the statistics over the batch (axis=0), which is batch norm again, not over each example's features", _layernorm(AXIS="0")),
        ("always uses eps 1e-5 and ignores the one given in ln_param", _layernorm(EPS="1e-5")),
        ("sums dgamma over the features (axis=1) instead of over the batch", _layernorm(DGAMMA_AXIS="1")),
        ("misses the path through the variance in the backward pass",
         _layernorm(DX="(dx_hat - dx_hat.mean(axis=1, keepdims=True)) * inv_std")),
        ("uses batch norm's backward, summing over the batch with N, instead of over the features with D",
         _layernorm(DX="(dout.shape[0] * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))"
                       " * (inv_std / dout.shape[0])")),
    ],
}

VARIANTS = {
    "bn_deep_net_loss": [
        ("own numpy for affine, ReLU and softmax, depth counted from params", '''def bn_deep_net_loss(X, y, params, bn_params, reg=0.0):
    n_layers = sum(1 for k in params if k.startswith("W"))
    layers = []
    h = X
    for i in range(1, n_layers):
        bn = bn_params[i - 1]
        bn["mode"] = "train" if y is not None else "test"
        z = h @ params["W%d" % i] + params["b%d" % i]
        nrm, cache = batchnorm_forward(z, params["gamma%d" % i], params["beta%d" % i], bn)
        layers.append((h, nrm, cache))
        h = np.maximum(nrm, 0)
    s = h @ params["W%d" % n_layers] + params["b%d" % n_layers]
    if y is None:
        return s
    N = X.shape[0]
    s = s - s.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(N), y].mean()
    ds = np.exp(logp)
    ds[np.arange(N), y] -= 1
    ds /= N
    g = {"W%d" % n_layers: h.T @ ds, "b%d" % n_layers: ds.sum(0)}
    dh = ds @ params["W%d" % n_layers].T
    for i in range(n_layers - 1, 0, -1):
        h_in, nrm, cache = layers[i - 1]
        dn = dh * (nrm > 0)
        dz, g["gamma%d" % i], g["beta%d" % i] = batchnorm_backward(dn, cache)
        g["W%d" % i], g["b%d" % i] = h_in.T @ dz, dz.sum(0)
        dh = dz @ params["W%d" % i].T
    for i in range(1, n_layers + 1):
        W = params["W%d" % i]
        loss += 0.5 * reg * (W ** 2).sum()
        g["W%d" % i] = g["W%d" % i] + reg * W
    return loss, g
'''),
    ],
    "layernorm": [
        ("the staged graph with keepdims sums", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param["eps"] if "eps" in ln_param else 1e-5
    c = x - np.mean(x, axis=1, keepdims=True)
    std = np.sqrt(np.mean(c ** 2, axis=1, keepdims=True) + eps)
    x_hat = c / std
    return x_hat * gamma + beta, (x_hat, gamma, 1 / std)


def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    D = x_hat.shape[1]
    s = 1 / inv_std
    c = x_hat * s
    dx_hat = dout * gamma
    ds = -np.sum(dx_hat * c, axis=1, keepdims=True) / s ** 2
    dvar = ds / (2 * s)
    dc = dx_hat / s + 2 * c * dvar / D
    dx = dc - np.sum(dc, axis=1, keepdims=True) / D
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
'''),
        ("transposes, then batch norm's formulas written by hand", '''def layernorm_forward(x, gamma, beta, ln_param):
    t = x.T
    mu = t.mean(axis=0)
    inv_std = 1.0 / np.sqrt(t.var(axis=0) + ln_param.get("eps", 1e-5))
    x_hat = ((t - mu) * inv_std).T
    return gamma * x_hat + beta, (x_hat, gamma, inv_std[:, None])


def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    g, h = (dout * gamma).T, x_hat.T
    D = g.shape[0]
    dx = ((D * g - g.sum(axis=0) - h * (g * h).sum(axis=0)) * (inv_std[:, 0] / D)).T
    return dx, np.einsum("nd,nd->d", dout, x_hat), dout.sum(axis=0)
'''),
    ],
    "batchnorm_forward": [
        ("loops over the features, variance as E[x^2] - E[x]^2, in-place running updates", '''def batchnorm_forward(x, gamma, beta, bn_param):
    N, D = x.shape
    eps = bn_param["eps"] if "eps" in bn_param else 1e-5
    m = bn_param["momentum"] if "momentum" in bn_param else 0.9
    if "running_mean" not in bn_param:
        bn_param["running_mean"] = np.zeros(D, dtype=x.dtype)
        bn_param["running_var"] = np.ones(D, dtype=x.dtype)
    out = np.empty_like(x)
    x_hat = np.empty_like(x)
    inv_std = np.empty(D, dtype=x.dtype)
    for j in range(D):
        column = x[:, j]
        if bn_param["mode"] == "train":
            mean = column.sum() / N
            var = max((column * column).sum() / N - mean * mean, 0.0)
        else:
            mean, var = bn_param["running_mean"][j], bn_param["running_var"][j]
        inv_std[j] = 1.0 / np.sqrt(var + eps)
        x_hat[:, j] = (column - mean) * inv_std[j]
        out[:, j] = gamma[j] * x_hat[:, j] + beta[j]
    if bn_param["mode"] == "train":
        bn_param["running_mean"] = bn_param["running_mean"] * m + x.mean(axis=0) * (1 - m)
        bn_param["running_var"] = bn_param["running_var"] * m + x.var(axis=0) * (1 - m)
    return out, (bn_param["mode"], x_hat, gamma, inv_std)
'''),
        ("np.std-free: sqrt of the mean squared deviation, setdefault, keepdims", '''def batchnorm_forward(x, gamma, beta, bn_param):
    D = x.shape[1]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    running_mean = bn_param.setdefault("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.setdefault("running_var", np.ones(D, dtype=x.dtype))
    if bn_param["mode"] == "test":
        centred = x - running_mean
        std = np.sqrt(running_var + eps)
    else:
        mu = np.mean(x, axis=0, keepdims=True)
        centred = x - mu
        var = np.mean(centred ** 2, axis=0)
        std = np.sqrt(var + eps)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mu[0]
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * var
    x_hat = centred / std
    return x_hat * gamma + beta, (bn_param["mode"], x_hat, gamma, 1.0 / std)
'''),
    ],
    "batchnorm_backward": [
        ("the staged computational graph, from c = x_hat / inv_std", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    c = x_hat / inv_std                       # x - mu
    s = 1.0 / inv_std                         # sqrt(var + eps)
    dinv = np.sum(dx_hat * c, axis=0)
    dc = dx_hat * inv_std
    ds = -dinv / s ** 2
    dvar = ds / (2.0 * s)
    dc = dc + 2.0 * c * dvar / N
    dmu = -np.sum(dc, axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta
'''),
        ("compact form with means instead of sums", '''def batchnorm_backward(dout, cache):
    mode, x_hat, gamma, inv_std = cache
    g = gamma * dout
    if mode == "train":
        g = g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)
    return g * inv_std, np.einsum("nd,nd->d", dout, x_hat), dout.sum(0)
'''),
    ],
    "bn_net_loss": [
        ("own affine, ReLU and softmax, inline backward (no nnref backward), one-hot labels", '''def bn_net_loss(X, y, params, bn_param, reg=0.0):
    W1, b1, g1, be1, W2, b2 = (params[k] for k in ("W1", "b1", "gamma1", "beta1", "W2", "b2"))
    bn_param["mode"] = "train" if y is not None else "test"
    z = X @ W1 + b1
    n, bn_cache = batchnorm_forward(z, g1, be1, bn_param)
    h = np.maximum(n, 0)
    s = h @ W2 + b2
    if y is None:
        return s
    N = X.shape[0]
    s = s - s.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    onehot = np.zeros_like(p)
    onehot[np.arange(N), y] = 1
    loss = -np.sum(onehot * log_p) / N + 0.5 * reg * ((W1 * W1).sum() + (W2 * W2).sum())
    ds = (p - onehot) / N
    dh = ds @ W2.T
    dn = dh * (n > 0)
    _, x_hat, _, inv_std = bn_cache
    dx_hat = dn * g1
    dz = (dx_hat - dx_hat.mean(0) - x_hat * (dx_hat * x_hat).mean(0)) * inv_std
    return loss, {"W1": X.T @ dz + reg * W1, "b1": dz.sum(0), "gamma1": (dn * x_hat).sum(0),
                  "beta1": dn.sum(0), "W2": h.T @ ds + reg * W2, "b2": ds.sum(0)}
'''),
    ],
}

CHEATS = {
    "bn_deep_net_loss": [
        ("uses nnref.nets.FullyConnectedNet's loss", '''def bn_deep_net_loss(X, y, params, bn_params, reg=0.0):
    L = len(bn_params) + 1
    dims = [params["W1"].shape[0]] + [params[f"W{i}"].shape[1] for i in range(1, L + 1)]
    net = nnref.nets.FullyConnectedNet(dims[1:-1], dims[0], dims[-1], normalization="batchnorm",
                                       reg=reg, dtype=params["W1"].dtype)
    net.params.update(params)
    net.bn_params[:] = bn_params
    return net.loss(X, y)
'''),
    ],
    "layernorm": [
        ("nnref's batch norm on the transpose", '''import nnref.layers

def layernorm_forward(x, gamma, beta, ln_param):
    out, (_, x_hat, _, inv_std) = nnref.layers.batchnorm_forward(
        x.T, np.ones(x.shape[0]), np.zeros(x.shape[0]), {"mode": "train", "eps": ln_param.get("eps", 1e-5)})
    return gamma * out.T + beta, (out.T, gamma, inv_std[:, None])


def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    N = x_hat.shape[0]
    dx, _, _ = nnref.layers.batchnorm_backward((dout * gamma).T, ("train", x_hat.T, np.ones(N), inv_std[:, 0]))
    return dx.T, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    ],
    "batchnorm_forward": [
        ("calls nnref.layers.batchnorm_forward", '''import nnref.layers

def batchnorm_forward(x, gamma, beta, bn_param):
    return nnref.layers.batchnorm_forward(x, gamma, beta, bn_param)
'''),
    ],
    "batchnorm_backward": [
        ("calls nnref.layers.batchnorm_backward", '''from nnref.layers import batchnorm_backward as _reference

def batchnorm_backward(dout, cache):
    return _reference(dout, cache)
'''),
        ("calls the lesson's staged backward, nnref.widgets.batchnorm.staged_backward", '''from nnref.widgets import batchnorm as _widgets

def batchnorm_backward(dout, cache):
    return _widgets.staged_backward(dout, cache)
'''),
    ],
    "bn_net_loss": [
        ("uses nnref.nets.FullyConnectedNet's loss", '''def bn_net_loss(X, y, params, bn_param, reg=0.0):
    D, H = params["W1"].shape
    net = nnref.nets.FullyConnectedNet([H], D, params["W2"].shape[1], normalization="batchnorm",
                                       reg=reg, dtype=params["W1"].dtype)
    net.params.update(params)
    net.bn_params[0] = bn_param
    return net.loss(X, y)
'''),
    ],
}
