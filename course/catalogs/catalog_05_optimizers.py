"""Lesson 05's mutants, correct variants and cheats for the validity harness (AUTHORING.md).

The optimizer exercises are classes whose __init__ the notebook gives; each entry below is the
whole cell, that given __init__ (from HEADERS) plus the student's step().
"""
ASSIGNMENT = "05_optimizers"

HEADERS = {
    "SGD": '''class SGD:
    def __init__(self, lr):
        self.lr = lr
''',
    "Momentum": '''class Momentum:
    def __init__(self, lr, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.velocity = {}
''',
    "Nesterov": '''class Nesterov:
    def __init__(self, lr, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.velocity = {}
''',
    "AdaGrad": '''class AdaGrad:
    def __init__(self, lr, eps=1e-8):
        self.lr = lr
        self.eps = eps
        self.cache = {}
''',
    "RMSProp": '''class RMSProp:
    def __init__(self, lr, decay=0.99, eps=1e-8):
        self.lr = lr
        self.decay = decay
        self.eps = eps
        self.cache = {}
''',
    "Adam": '''class Adam:
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.m = {}
        self.v = {}
        self.t = 0
''',
    "ReduceOnPlateau": '''class ReduceOnPlateau:
    def __init__(self, lr0, factor=0.5, patience=2, min_delta=0.0, min_lr=0.0):
        self.lr = lr0
        self.factor = factor
        self.patience = patience
        self.min_delta = min_delta
        self.min_lr = min_lr
        self.best = np.inf
        self.bad_epochs = 0
''',
}


def step(cls, body, method="step(self, params, grads)"):
    """The cell of class `cls`: its given __init__ and `body` as the method (8-space indented)."""
    lines = "".join(f"        {line}\n" if line else "\n" for line in body.strip("\n").split("\n"))
    return f"{HEADERS[cls]}\n    def {method}:\n{lines}"


def plateau(body):
    return step("ReduceOnPlateau", body, "step(self, val_loss)")


# the correct step() of ReduceOnPlateau, which some mutants change by one line
PLATEAU = '''if val_loss < self.best - self.min_delta:
    self.best = val_loss
    self.bad_epochs = 0
else:
    self.bad_epochs += 1
    if self.bad_epochs >= self.patience:
        self.lr = max(self.lr * self.factor, self.min_lr)
        self.bad_epochs = 0
return self.lr
'''


def subclass(cls, module="nnref.optim"):
    return f"import {module}\n\n\nclass {cls}({module}.{cls}):\n    pass\n"


ADAGRAD_LIKE = '''for name, w in params.items():
    g = grads[name]
    c = self.cache.setdefault(name, np.zeros_like(w))
    {accumulate}
    w -= self.lr * g / {denominator}
'''


def adagrad_like(cls, accumulate, denominator="(np.sqrt(c) + self.eps)"):
    return step(cls, ADAGRAD_LIKE.format(accumulate=accumulate, denominator=denominator))


ADAM = '''{count_before}for name, w in params.items():
    g = grads[name]
    m = self.m.setdefault(name, np.zeros_like(w))
    v = self.v.setdefault(name, np.zeros_like(w))
    {count_inside}m *= self.beta1
    m += (1 - self.beta1) * g
    v *= self.beta2
    v += (1 - self.beta2) * g * g
    {update}
{count_after}'''
ADAM_UPDATE = ("m_hat = m / (1 - self.beta1 ** self.t)\n    v_hat = v / (1 - self.beta2 ** self.t)\n"
               "    w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)")


def adam(update=ADAM_UPDATE, count_before="self.t += 1\n", count_inside="", count_after=""):
    return step("Adam", ADAM.format(update=update, count_before=count_before,
                                    count_inside=count_inside, count_after=count_after))


CLIP = '''def clip_grad_norm(grads, max_norm):
{body}'''


def clip(body):
    return CLIP.format(body="".join(f"    {line}\n" for line in body.strip("\n").split("\n")))


MUTANTS = {
    "sgd": [
        ("plus sign: steps up the gradient", step("SGD", '''
for name, w in params.items():
    w += self.lr * grads[name]
''')),
        ("puts new arrays in the dict (not in place)", step("SGD", '''
for name in params:
    params[name] = params[name] - self.lr * grads[name]
''')),
        ("scales the caller's gradients in place", step("SGD", '''
for name, w in params.items():
    grads[name] *= self.lr
    w -= grads[name]
''')),
        ("float64 copies written back into the dict", step("SGD", '''
for name in params:
    params[name] = np.asarray(params[name], dtype=np.float64) - self.lr * np.asarray(grads[name], dtype=np.float64)
''')),
    ],
    "momentum": [
        ("momentum with the wrong sign (v = mu v - lr g, then w -= v)", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v -= self.lr * grads[name]
    w -= v
''')),
        ("no memory: a new zero velocity every step (plain SGD)", step("Momentum", '''
for name, w in params.items():
    v = self.momentum * np.zeros_like(w) + self.lr * grads[name]
    w -= v
''')),
        ("forgets the learning rate (v = mu v + g)", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v += grads[name]
    w -= v
''')),
        ("PyTorch's form (v = mu v + g, w -= lr v): a new lr rescales the old velocity", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v[...] = self.momentum * v + grads[name]
    w -= self.lr * v
''')),
        ("velocity keyed by the array (id(w)), not by the name", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(id(w), np.zeros_like(w))
    v *= self.momentum
    v += self.lr * grads[name]
    w -= v
''')),
        ("velocity made with np.zeros(w.shape): float64 for float32 parameters", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros(w.shape))
    v *= self.momentum
    v += self.lr * grads[name]
    w -= v
''')),
    ],
    "nesterov": [
        ("plain Momentum, no look-ahead", step("Nesterov", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v += self.lr * grads[name]
    w -= v
''')),
        ("look-ahead with the velocity before its update", step("Nesterov", '''
for name, w in params.items():
    g = grads[name]
    v = self.velocity.setdefault(name, np.zeros_like(w))
    w -= self.momentum * v + self.lr * g
    v *= self.momentum
    v += self.lr * g
''')),
        ("mixes the two sign conventions (v = mu v - lr g)", step("Nesterov", '''
for name, w in params.items():
    g = grads[name]
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v -= self.lr * g
    w -= self.momentum * v + self.lr * g
''')),
        ("PyTorch's form (v = mu v + g, w -= lr (g + mu v)): a new lr rescales the old velocity", step("Nesterov", '''
for name, w in params.items():
    g = grads[name]
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v += g
    w -= self.lr * (g + self.momentum * v)
''')),
        ("velocities kept by position in the dict, not by name", step("Nesterov", '''
for i, (name, w) in enumerate(params.items()):
    g = grads[name]
    v = self.velocity.setdefault(i, np.zeros_like(w))
    v *= self.momentum
    v += self.lr * g
    w -= self.momentum * v + self.lr * g
''')),
    ],
    "adagrad": [
        ("does not accumulate (c = g**2 each step)", adagrad_like("AdaGrad", "c[...] = g * g")),
        ("eps inside the square root (the contract puts it outside)",
         adagrad_like("AdaGrad", "c += g * g", "np.sqrt(c + self.eps)")),
        ("no square root", adagrad_like("AdaGrad", "c += g * g", "(c + self.eps)")),
        ("cache made with np.zeros(w.shape): float64 for float32 parameters", step("AdaGrad", '''
for name, w in params.items():
    g = grads[name]
    c = self.cache.setdefault(name, np.zeros(w.shape))
    c += g * g
    w -= self.lr * g / (np.sqrt(c) + self.eps)
''')),
        ("the learning rate read once, at the first step (a schedule never reaches it)", step("AdaGrad", '''
self.cache.setdefault("lr", self.lr)
for name, w in params.items():
    g = grads[name]
    c = self.cache.setdefault(name, np.zeros_like(w))
    c += g * g
    w -= self.cache["lr"] * g / (np.sqrt(c) + self.eps)
''')),
    ],
    "rmsprop": [
        ("decay weights swapped (c = (1 - decay) c + decay g**2)",
         adagrad_like("RMSProp", "c[...] = (1 - self.decay) * c + self.decay * g * g")),
        ("eps inside the square root (the contract puts it outside)",
         adagrad_like("RMSProp", "c[...] = self.decay * c + (1 - self.decay) * g * g", "np.sqrt(c + self.eps)")),
        ("no memory (c = (1 - decay) g**2 each step)",
         adagrad_like("RMSProp", "c[...] = (1 - self.decay) * g * g")),
        ("cache kept by position in the dict, not by name", step("RMSProp", '''
for i, (name, w) in enumerate(params.items()):
    g = grads[name]
    c = self.cache.setdefault(i, np.zeros_like(w))
    c *= self.decay
    c += (1 - self.decay) * g * g
    w -= self.lr * g / (np.sqrt(c) + self.eps)
''')),
        ("cache keyed by the array (id(w)), not by the name", step("RMSProp", '''
for name, w in params.items():
    g = grads[name]
    c = self.cache.setdefault(id(w), np.zeros_like(w))
    c *= self.decay
    c += (1 - self.decay) * g * g
    w -= self.lr * g / (np.sqrt(c) + self.eps)
''')),
    ],
    "adam": [
        ("no bias correction", adam(update="w -= self.lr * m / (np.sqrt(v) + self.eps)")),
        ("t incremented after the correction", adam(count_before="", count_after="self.t += 1\n")),
        ("t incremented once per parameter", adam(count_before="", count_inside="self.t += 1\n    ")),
        ("eps inside the square root (the contract puts it outside)",
         adam(update=ADAM_UPDATE.replace("(np.sqrt(v_hat) + self.eps)", "np.sqrt(v_hat + self.eps)"))),
        ("lr folded into m (m = beta1 m + (1 - beta1) lr g): a new lr reaches only new gradients' share",
         step("Adam", '''
self.t += 1
for name, w in params.items():
    g = grads[name]
    m = self.m.setdefault(name, np.zeros_like(w))
    v = self.v.setdefault(name, np.zeros_like(w))
    m *= self.beta1
    m += (1 - self.beta1) * self.lr * g
    v *= self.beta2
    v += (1 - self.beta2) * g * g
    w -= (m / (1 - self.beta1 ** self.t)) / (np.sqrt(v / (1 - self.beta2 ** self.t)) + self.eps)
''')),
        ("m and v made with np.zeros(w.shape): float64 for float32 parameters",
         adam().replace("np.zeros_like(w)", "np.zeros(w.shape)")),
    ],
    "reduce_on_plateau": [
        ("cuts one epoch late (bad_epochs > patience)", plateau(PLATEAU.replace(">= self.patience", "> self.patience"))),
        ("an improvement does not reset the count", plateau(PLATEAU.replace("    self.best = val_loss\n    self.bad_epochs = 0\n", "    self.best = val_loss\n"))),
        ("a cut does not reset the count (cuts every epoch after)", plateau(PLATEAU.replace("        self.bad_epochs = 0\n", ""))),
        ("ignores min_lr and min_delta", plateau(PLATEAU.replace(" - self.min_delta", "").replace("max(self.lr * self.factor, self.min_lr)", "self.lr * self.factor"))),
        ("a nan loss improves (the test written as `if val_loss >= best - min_delta: bad`)", plateau('''
if val_loss >= self.best - self.min_delta:
    self.bad_epochs += 1
    if self.bad_epochs >= self.patience:
        self.lr = max(self.lr * self.factor, self.min_lr)
        self.bad_epochs = 0
else:
    self.best = val_loss
    self.bad_epochs = 0
return self.lr
''')),
        ("nan epochs skipped (neither good nor bad)", plateau("if np.isnan(val_loss):\n    return self.lr\n" + PLATEAU)),
    ],
    "clip_grad_norm": [
        ("clips each element to [-max_norm, max_norm]", clip('''
total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
for g in grads.values():
    np.clip(g, -max_norm, max_norm, out=g)
return total_norm
''')),
        ("clips each array by its own norm", clip('''
total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
for g in grads.values():
    norm = np.linalg.norm(g)
    if norm > max_norm:
        g *= max_norm / norm
return total_norm
''')),
        ("always rescales to max_norm (scales small gradients up)", clip('''
total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
for g in grads.values():
    g *= max_norm / total_norm
return total_norm
''')),
        ("not in place: new arrays put into the dict", clip('''
total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
if total_norm > max_norm:
    for name in grads:
        grads[name] = grads[name] * (max_norm / total_norm)
return total_norm
''')),
    ],
}

VARIANTS = {
    "sgd": [
        ("np.subtract with out=, over the keys", step("SGD", '''
for name in grads:
    np.subtract(params[name], self.lr * grads[name], out=params[name])
''')),
    ],
    "momentum": [
        ("the other sign convention (v = mu v - lr g, w += v)", step("Momentum", '''
for name, w in params.items():
    if name not in self.velocity:
        self.velocity[name] = np.zeros_like(w)
    self.velocity[name] = self.momentum * self.velocity[name] - self.lr * grads[name]
    w += self.velocity[name]
''')),
        ("a new velocity array in w's dtype each step, written back under the name", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.get(name, np.zeros(w.shape, dtype=w.dtype))
    self.velocity[name] = (self.momentum * v + self.lr * grads[name]).astype(w.dtype)
    w -= self.velocity[name]
''')),
    ],
    "nesterov": [
        ("CS231n's form (v_prev; w += -mu v_prev + (1 + mu) v)", step("Nesterov", '''
for name, w in params.items():
    v_prev = self.velocity.get(name, np.zeros_like(w))
    v = self.momentum * v_prev - self.lr * grads[name]
    self.velocity[name] = v
    w += -self.momentum * v_prev + (1 + self.momentum) * v
''')),
    ],
    "adagrad": [
        ("elementwise loops with ** 0.5", step("AdaGrad", '''
for name in params:
    w, g = params[name], grads[name]
    if name not in self.cache:
        self.cache[name] = np.zeros_like(w)
    c = self.cache[name]
    for i in np.ndindex(w.shape):
        c[i] += g[i] ** 2
        w[i] -= self.lr * g[i] / (c[i] ** 0.5 + self.eps)
''')),
    ],
    "rmsprop": [
        ("Caffe's algebra: c += (1 - decay) (g**2 - c)",
         adagrad_like("RMSProp", "c += (1 - self.decay) * (g * g - c)")),
        ("the state in a dict per name, created with np.zeros(w.shape, w.dtype)", step("RMSProp", '''
for name in params:
    w, g = params[name], grads[name]
    if name not in self.cache:
        self.cache[name] = np.zeros(w.shape, w.dtype)
    self.cache[name] = self.decay * self.cache[name] + (1 - self.decay) * (g * g)
    w -= self.lr * g / (self.cache[name] ** 0.5 + self.eps)
''')),
    ],
    "adam": [
        ("new m and v arrays in w's dtype each step, written back under the name", step("Adam", '''
self.t += 1
for name, w in params.items():
    g = grads[name]
    zeros = np.zeros(w.shape, dtype=w.dtype)
    self.m[name] = (self.beta1 * self.m.get(name, zeros) + (1 - self.beta1) * g).astype(w.dtype)
    self.v[name] = (self.beta2 * self.v.get(name, zeros) + (1 - self.beta2) * g * g).astype(w.dtype)
    m_hat = self.m[name] / (1 - self.beta1 ** self.t)
    v_hat = self.v[name] / (1 - self.beta2 ** self.t)
    w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
''')),
        ("Kingma & Ba's efficient form: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), eps_hat = eps sqrt(1 - b2^t)",
         adam(update="lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)\n"
                     "    eps_hat = self.eps * np.sqrt(1 - self.beta2 ** self.t)\n"
                     "    w -= lr_t * m / (np.sqrt(v) + eps_hat)")),
    ],
    "reduce_on_plateau": [
        ("nan handled explicitly as a bad epoch (math.isnan)", plateau('''
import math
improved = not math.isnan(val_loss) and val_loss < self.best - self.min_delta
if improved:
    self.best, self.bad_epochs = val_loss, 0
else:
    self.bad_epochs += 1
if self.bad_epochs >= self.patience:
    self.lr = max(self.lr * self.factor, self.min_lr)
    self.bad_epochs = 0
return self.lr
''')),
        ("a counter of epochs since the last improvement or cut", plateau('''
improved = val_loss < self.best - self.min_delta
self.best = val_loss if improved else self.best
self.bad_epochs = 0 if improved else self.bad_epochs + 1
if self.bad_epochs == self.patience:
    self.lr, self.bad_epochs = max(self.min_lr, self.factor * self.lr), 0
return self.lr
''')),
    ],
    "clip_grad_norm": [
        ("a Python loop for the norm, a scale of min(1, max_norm / norm)", clip('''
squares = 0.0
for g in grads.values():
    squares += float(np.sum(np.asarray(g, dtype=np.float64) ** 2))
total_norm = squares ** 0.5
scale = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
if scale < 1.0:
    for name in grads:
        grads[name] *= scale
return total_norm
''')),
    ],
}

CHEATS = {
    "sgd": [("subclasses nnref.optim.SGD", subclass("SGD"))],
    "momentum": [("subclasses nnref.optim.Momentum", subclass("Momentum"))],
    "nesterov": [("delegates to nnref.optim.Nesterov", step("Nesterov", '''
import nnref.optim
if not hasattr(self, "_reference"):
    self._reference = nnref.optim.Nesterov(self.lr, momentum=self.momentum)
self._reference.step(params, grads)
'''))],
    "adagrad": [("subclasses nnref.optim.AdaGrad", subclass("AdaGrad"))],
    "rmsprop": [("subclasses nnref.optim.RMSProp", subclass("RMSProp"))],
    "adam": [("delegates to nnref.optim.Adam", step("Adam", '''
from nnref.optim import Adam as _Adam
if not hasattr(self, "_reference"):
    self._reference = _Adam(self.lr, self.beta1, self.beta2, self.eps)
self._reference.step(params, grads)
'''))],
    "reduce_on_plateau": [("subclasses nnref.schedules.ReduceOnPlateau", subclass("ReduceOnPlateau", "nnref.schedules"))],
    "clip_grad_norm": [("calls nnref.optim.clip_grad_norm", '''import nnref.optim


def clip_grad_norm(grads, max_norm):
    return nnref.optim.clip_grad_norm(grads, max_norm)
''')],
}
