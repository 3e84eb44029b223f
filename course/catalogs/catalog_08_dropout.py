"""Lesson 08's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "08_dropout"
# The correct dropout network with one thing changed. Its dropout is the student's own dropout_forward and
# dropout_backward (exercises 3 and 4, the source's here), as the lesson allows: the audit withholds
# nnref's versions of every exercise of the assignment.
_NET = '''def dropout_net_loss(X, y, params, dropout_param, reg=0.0):
    dropout_param["mode"] = MODE
    FORWARD_MIDDLE
    scores, c2 = nnref.layers.affine_forward(d, params["W2"], params["b2"])
    if y is None:
        return scores
    data_loss, dscores = softmax_cross_entropy(scores, y)
    loss = data_loss + 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    grads = {}
    dd, grads["W2"], grads["b2"] = nnref.layers.affine_backward(dscores, c2)
    BACKWARD_MIDDLE
    grads["W1"] = grads["W1"] + reg * params["W1"]
    grads["W2"] = grads["W2"] + reg * params["W2"]
    BIAS_REG
    return loss, grads
'''
_NET_RIGHT = {
    "MODE": '"test" if y is None else "train"',
    "FORWARD_MIDDLE": '''z, c1 = nnref.layers.affine_forward(X, params["W1"], params["b1"])
    h, cr = nnref.layers.relu_forward(z)
    d, cd = dropout_forward(h, dropout_param)''',
    "BACKWARD_MIDDLE": '''DROPOUT_BACKWARD
    dz = nnref.layers.relu_backward(dh, cr)
    _, grads["W1"], grads["b1"] = nnref.layers.affine_backward(dz, c1)''',
    "DROPOUT_BACKWARD": "dh = dropout_backward(dd, cd)",
    "BIAS_REG": "",
}


def _net(**wrong):
    source = _NET
    for key, right in _NET_RIGHT.items():
        source = source.replace(key, wrong.get(key, right))
    return source


MUTANTS = {
    "l2_penalty": [
        ("leaves out the 0.5 of the penalty: the lesson's convention is 0.5 * reg * sum(W**2)", '''def l2_penalty(params, reg):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += reg * float(np.sum(value ** 2))
            grads[name] = reg * value
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("applies the penalty to the biases too: it is on the weights only", '''def l2_penalty(params, reg):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        penalty += 0.5 * reg * float(np.sum(value ** 2))
        grads[name] = reg * value
    return penalty, grads
'''),
        ("takes the gradient as 2 * reg * W: the 0.5 in the penalty cancels the 2", '''def l2_penalty(params, reg):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * reg * float(np.sum(value ** 2))
            grads[name] = 2 * reg * value
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("penalizes W1 and W2 by name only, not every weight matrix in params", '''def l2_penalty(params, reg):
    penalty = 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["W1"], grads["W2"] = reg * params["W1"], reg * params["W2"]
    return penalty, grads
'''),
        ("takes the mean of W**2 instead of the sum", '''def l2_penalty(params, reg):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * reg * float(np.mean(value ** 2))
            grads[name] = reg * value
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("makes the biases' zero gradients with np.zeros(shape): float64, not the parameters' float32", '''def l2_penalty(params, reg):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * reg * float(np.sum(value ** 2))
            grads[name] = reg * value
        else:
            grads[name] = np.zeros(value.shape)
    return penalty, grads
'''),
        ("returns the penalty as a numpy float32 for float32 parameters instead of a Python float", '''def l2_penalty(params, reg):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * reg * np.sum(value ** 2)
            grads[name] = reg * value
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("also shrinks the caller's weights in place (weight decay): the parameters change", '''def l2_penalty(params, reg):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * reg * float(np.sum(value ** 2))
            grads[name] = reg * value
            value *= 1 - reg
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
    ],
    "l1_penalty": [
        ("takes the gradient as W / |W|, which is nan where W == 0", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += l1 * float(np.sum(np.abs(value)))
            grads[name] = l1 * value / np.abs(value)
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("uses L2's gradient l1 * W instead of L1's", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += l1 * float(np.sum(np.abs(value)))
            grads[name] = l1 * value
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("puts a 0.5 in the L1 penalty, as in L2", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * l1 * float(np.sum(np.abs(value)))
            grads[name] = l1 * np.sign(value)
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("applies the penalty to the biases too: it is on the weights only", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        penalty += l1 * float(np.sum(np.abs(value)))
        grads[name] = l1 * np.sign(value)
    return penalty, grads
'''),
        ("gives the gradient +l1 where W == 0 (W >= 0 counted as positive)", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += l1 * float(np.sum(np.abs(value)))
            grads[name] = l1 * np.where(value >= 0, 1.0, -1.0).astype(value.dtype)
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("returns the penalty as a numpy float32 for float32 parameters instead of a Python float", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += l1 * np.sum(np.abs(value))
            grads[name] = l1 * np.sign(value)
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
        ("takes the gradient as l1 * |W|: the sign of W is lost", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += l1 * float(np.sum(np.abs(value)))
            grads[name] = l1 * np.abs(value)
        else:
            grads[name] = np.zeros_like(value)
    return penalty, grads
'''),
    ],
    "dropout_forward": [
        ("does not divide the kept units by keep_prob", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = (u < keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("keeps a unit with probability 1 - keep_prob (u > keep_prob) instead of keep_prob", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = ((u > keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("drops units in test mode too", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = ((u < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("ignores the seed: draws with np.random.random, so a seed cannot repeat the mask", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    mask = ((np.random.random(x.shape) < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("divides by the drop rate 1 - keep_prob instead of by keep_prob", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = ((u < keep_prob) / max(1 - keep_prob, 1e-12)).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("also scales by keep_prob in test mode (the original paper's way) on top of the train-time 1 / keep_prob", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x * keep_prob, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = ((u < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("returns float64 for a float32 input: the mask is not cast to x's dtype", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = (u < keep_prob) / keep_prob
    return x * mask, (dropout_param, mask)
'''),
        ("draws the mask with rng.binomial: the right distribution, but not the mask the docstring asks for", '''def dropout_forward(x, dropout_param):
    p = dropout_param["keep_prob"]
    if dropout_param["mode"] != "train":
        return x, (dropout_param, None)
    rng = np.random.default_rng(dropout_param.get("seed"))
    keep = rng.binomial(1, p, size=x.shape).astype(bool)
    mask = np.where(keep, 1.0 / p, 0.0).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("keeps where u >= 1 - keep_prob: the right distribution, but not the mask the docstring asks for", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = ((u >= 1 - keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("caches a mask of ones in test mode instead of None", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, np.ones_like(x))
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = ((u < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("uses seed 0 when no seed is given, so every call drops the same units", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed", 0)).random(x.shape)
    mask = ((u < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, (dropout_param, mask)
'''),
        ("drops units of the caller's x in place (x *= mask): x changes", '''def dropout_forward(x, dropout_param):
    keep_prob = dropout_param["keep_prob"]
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    u = np.random.default_rng(dropout_param.get("seed")).random(x.shape)
    mask = ((u < keep_prob) / keep_prob).astype(x.dtype)
    x *= mask
    return x, (dropout_param, mask)
'''),
    ],
    "dropout_backward": [
        ("draws a new mask in the backward pass instead of using the cached one", '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "test":
        return dout
    keep_prob = dropout_param["keep_prob"]
    u = np.random.default_rng(dropout_param.get("seed")).random(dout.shape)
    return dout * (u < keep_prob) / keep_prob
'''),
        ("divides by keep_prob again: the cached mask already holds the 1 / keep_prob", '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "test":
        return dout
    return dout * mask / dropout_param["keep_prob"]
'''),
        ("passes the kept units' gradient without the 1 / keep_prob (mask > 0)", '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "test":
        return dout
    return dout * (mask > 0)
'''),
        ("returns the mask alone and forgets to multiply it by dout", '''def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "test":
        return np.ones_like(dout)
    return mask
'''),
        ("has no test-mode case: in test mode the cached mask is None", '''def dropout_backward(dout, cache):
    _, mask = cache
    return dout * mask
'''),
    ],
    "early_stopping": [
        ("returns the epoch it stopped at as the best epoch instead of the epoch with the lowest loss", '''def early_stopping(val_losses, patience):
    best_epoch, best_loss = 0, val_losses[0]
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best_epoch, best_loss = epoch, loss
        elif epoch - best_epoch >= patience:
            return epoch, epoch
    return len(val_losses) - 1, len(val_losses) - 1
'''),
        ("stops one epoch late: waits for more than patience epochs without improvement", '''def early_stopping(val_losses, patience):
    best_epoch, best_loss = 0, val_losses[0]
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best_epoch, best_loss = epoch, loss
        elif epoch - best_epoch > patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
'''),
        ("counts a loss equal to the best as an improvement (<=)", '''def early_stopping(val_losses, patience):
    best_epoch, best_loss = 0, val_losses[0]
    for epoch, loss in enumerate(val_losses):
        if loss <= best_loss:
            best_epoch, best_loss = epoch, loss
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
'''),
        ("picks the best epoch from the whole list, also from epochs after the stop", '''def early_stopping(val_losses, patience):
    best_epoch, best_loss = 0, val_losses[0]
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best_epoch, best_loss = epoch, loss
        elif epoch - best_epoch >= patience:
            return int(np.argmin(val_losses)), epoch
    return best_epoch, len(val_losses) - 1
'''),
        ("never resets the count of epochs without improvement when the loss improves", '''def early_stopping(val_losses, patience):
    best_epoch, best_loss, bad = 0, val_losses[0], 0
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best_epoch, best_loss = epoch, loss
        elif epoch > 0:
            bad += 1
            if bad >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
'''),
        ("never stops early: always runs to the last epoch", '''def early_stopping(val_losses, patience):
    return int(np.argmin(val_losses)), len(val_losses) - 1
'''),
    ],
    "dropout_net_loss": [
        ("drops units in test mode too: with y None the mode must be 'test'", _net(MODE='"train"')),
        ("skips the dropout's backward: the gradient passes the dropped units too", _net(DROPOUT_BACKWARD="dh = dd")),
        ("applies dropout to the input X instead of to the hidden layer", _net(
            FORWARD_MIDDLE='''xd, cd = dropout_forward(X, dropout_param)
    z, c1 = nnref.layers.affine_forward(xd, params["W1"], params["b1"])
    d, cr = nnref.layers.relu_forward(z)''',
            BACKWARD_MIDDLE='''dz = nnref.layers.relu_backward(dd, cr)
    _, grads["W1"], grads["b1"] = nnref.layers.affine_backward(dz, c1)''')),
        ("regularizes the biases too: the L2 penalty is on the weights only", _net(BIAS_REG='''loss = loss + 0.5 * reg * (np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))
    grads["b1"] = grads["b1"] + reg * params["b1"]
    grads["b2"] = grads["b2"] + reg * params["b2"]''')),
    ],
}

VARIANTS = {
    "dropout_net_loss": [
        ("own numpy throughout, the docstring's mask drawn by hand", '''def dropout_net_loss(X, y, params, dropout_param, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = np.maximum(X @ W1 + b1, 0)
    if y is None:
        dropout_param["mode"] = "test"
        return h @ W2 + b2
    dropout_param["mode"] = "train"
    p = dropout_param["keep_prob"]
    mask = (np.random.default_rng(dropout_param.get("seed")).random(h.shape) < p) / p
    d = h * mask
    s = d @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    probs = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    N = X.shape[0]
    loss = -np.log(probs[np.arange(N), y]).mean() + 0.5 * reg * ((W1 ** 2).sum() + (W2 ** 2).sum())
    ds = probs.copy()
    ds[np.arange(N), y] -= 1
    ds /= N
    dh = (ds @ W2.T) * mask * (h > 0)
    return loss, {"W1": X.T @ dh + reg * W1, "b1": dh.sum(axis=0), "W2": d.T @ ds + reg * W2, "b2": ds.sum(axis=0)}
'''),
    ],
    "l2_penalty": [
        ("comprehensions, np.vdot and value * 0", '''def l2_penalty(params, reg):
    weights = [v for k, v in params.items() if k[0] == "W"]
    penalty = 0.5 * reg * sum(float(np.vdot(W, W)) for W in weights)
    grads = {k: reg * v if k[0] == "W" else v * 0 for k, v in params.items()}
    return penalty, grads
'''),
        ("einsum for the squares, zeros of the parameter's dtype", '''def l2_penalty(params, reg):
    penalty = 0.0
    grads = {}
    for name in params:
        W = params[name]
        if name.startswith("W"):
            penalty = penalty + reg / 2 * float(np.einsum("ij,ij->", W, W))
            grads[name] = W * reg
        else:
            grads[name] = np.zeros(W.shape, dtype=W.dtype)
    return penalty, grads
'''),
    ],
    "l1_penalty": [
        ("np.where for the sign, cast back to the dtype", '''def l1_penalty(params, l1):
    penalty, grads = 0.0, {}
    for name, W in params.items():
        if name[0] == "W":
            penalty += l1 * float(np.abs(W).sum())
            grads[name] = np.where(W > 0, l1, np.where(W < 0, -l1, 0.0)).astype(W.dtype)
        else:
            grads[name] = np.zeros_like(W)
    return penalty, grads
'''),
        ("(W > 0) - (W < 0) as the sign", '''def l1_penalty(params, l1):
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    penalty = 0.0
    for k, v in params.items():
        if k.startswith("W"):
            penalty += l1 * float(np.linalg.norm(v.ravel(), 1))
            grads[k] = (l1 * ((v > 0).astype(v.dtype) - (v < 0).astype(v.dtype))).astype(v.dtype)
    return penalty, grads
'''),
    ],
    "dropout_forward": [
        ("Generator.uniform (the same stream as random) and np.where", '''def dropout_forward(x, dropout_param):
    p = dropout_param["keep_prob"]
    if dropout_param["mode"] != "train":
        return x, (dropout_param, None)
    rng = np.random.default_rng(dropout_param.get("seed"))
    keep = rng.uniform(0.0, 1.0, size=x.shape) < p
    mask = np.where(keep, 1.0 / p, 0.0).astype(x.dtype)
    return np.where(keep, x / x.dtype.type(p), x.dtype.type(0)), (dropout_param, mask)
'''),
        ("the boolean mask times a scalar 1 / keep_prob of x's dtype", '''def dropout_forward(x, dropout_param):
    if dropout_param["mode"] == "test":
        return x, (dropout_param, None)
    keep_prob = dropout_param["keep_prob"]
    generator = np.random.default_rng(dropout_param.get("seed", None))
    kept = generator.random(size=x.shape) < keep_prob
    mask = kept.astype(x.dtype) * x.dtype.type(1.0 / keep_prob)
    return x * mask, (dropout_param, mask)
'''),
    ],
    "dropout_backward": [
        ("np.multiply, test mode read from the mask", '''def dropout_backward(dout, cache):
    mask = cache[1]
    if mask is None:
        return dout
    return np.multiply(dout, mask)
'''),
    ],
    "early_stopping": [
        ("a waiting counter, as nnref.train does", '''def early_stopping(val_losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch in range(len(val_losses)):
        if val_losses[epoch] < best:
            best, best_epoch, waited = val_losses[epoch], epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
'''),
        ("numpy: running minimum; returns a list", '''def early_stopping(val_losses, patience):
    losses = np.asarray(val_losses, dtype=float)
    running = np.minimum.accumulate(losses)
    best_so_far = np.array([np.flatnonzero(losses[:e + 1] == running[e])[0] for e in range(len(losses))])
    waited = np.arange(len(losses)) - best_so_far
    late = np.flatnonzero(waited >= patience)
    stop = int(late[0]) if len(late) else len(losses) - 1
    return [int(best_so_far[stop]), stop]
'''),
    ],
}

CHEATS = {
    "dropout_net_loss": [
        ("uses nnref.nets.FullyConnectedNet's loss", '''def dropout_net_loss(X, y, params, dropout_param, reg=0.0):
    D, H = params["W1"].shape
    net = nnref.nets.FullyConnectedNet([H], D, params["W2"].shape[1], keep_prob=dropout_param["keep_prob"],
                                       reg=reg, dtype=params["W1"].dtype, dropout_seed=dropout_param.get("seed"))
    net.params.update(params)
    return net.loss(X, y)
'''),
    ],
    "dropout_forward": [
        ("calls nnref.layers.dropout_forward", '''from nnref.layers import dropout_forward as _ref

def dropout_forward(x, dropout_param):
    return _ref(x, dropout_param)
'''),
        # out of without_reference's reach: a new function around nnref's code object (issue #13)
        ("a copy of nnref's code object, made before the test", '''import types
import nnref.layers

_copy = types.FunctionType(nnref.layers.dropout_forward.__code__, nnref.layers.__dict__)

def dropout_forward(x, dropout_param):
    return _copy(x, dropout_param)
'''),
        ("nnref's source compiled again", '''import inspect
import nnref.layers

_scope = dict(vars(nnref.layers))
exec(inspect.getsource(nnref.layers.dropout_forward), _scope)
dropout_forward = _scope["dropout_forward"]
'''),
    ],
    "dropout_backward": [
        ("calls nnref.layers.dropout_backward", '''import nnref.layers

def dropout_backward(dout, cache):
    return nnref.layers.dropout_backward(dout, cache)
'''),
    ],
    "l2_penalty": [
        ("the difference of nnref's TwoLayerNet losses with and without reg", '''import nnref.nets

def l2_penalty(params, reg):
    W1, W2 = params["W1"], params["W2"]
    X, y = np.zeros((1, W1.shape[0])), np.zeros(1, dtype=int)
    nets = [nnref.nets.TwoLayerNet(W1.shape[0], W1.shape[1], W2.shape[1], reg=r, dtype=W1.dtype)
            for r in (reg, 0.0)]
    for net in nets:
        for name in net.params:
            net.params[name][...] = params[name]
    (loss, grads), (plain, plain_grads) = (net.loss(X, y) for net in nets)
    return float(loss - plain), {name: grads[name] - plain_grads[name] if name in grads
                                  else np.zeros_like(value) for name, value in params.items()}
'''),
    ],
}
