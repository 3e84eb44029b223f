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
        ("plus sign: steps up the gradient, so the loss grows", step("SGD", '''
for name, w in params.items():
    w += self.lr * grads[name]
''')),
        ("puts new arrays into params instead of updating the arrays in place: whoever holds the old arrays never sees the step", step("SGD", '''
for name in params:
    params[name] = params[name] - self.lr * grads[name]
''')),
        ("scales the caller's gradients in place (grads[name] *= lr): right step, but grads changes", step("SGD", '''
for name, w in params.items():
    grads[name] *= self.lr
    w -= grads[name]
''')),
        ("writes float64 copies back into params: float32 parameters become float64", step("SGD", '''
for name in params:
    params[name] = np.asarray(params[name], dtype=np.float64) - self.lr * np.asarray(grads[name], dtype=np.float64)
''')),
    ],
    "momentum": [
        ("mixes two sign conventions: the velocity subtracts lr * g and the step subtracts the velocity, so it climbs", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v -= self.lr * grads[name]
    w -= v
''')),
        ("starts from a zero velocity at every step: no memory, so it is plain SGD", step("Momentum", '''
for name, w in params.items():
    v = self.momentum * np.zeros_like(w) + self.lr * grads[name]
    w -= v
''')),
        ("forgets the learning rate in the velocity (v = mu v + g)", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v += grads[name]
    w -= v
''')),
        ("uses PyTorch's form (v = mu v + g, then w -= lr v): a changed lr also rescales the old velocity", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v[...] = self.momentum * v + grads[name]
    w -= self.lr * v
''')),
        ("keeps each velocity under id(w), not under the parameter's name: a new array with the same name starts from zero", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(id(w), np.zeros_like(w))
    v *= self.momentum
    v += self.lr * grads[name]
    w -= v
''')),
        ("makes the velocity with np.zeros(w.shape): float64, not the parameters' float32", step("Momentum", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros(w.shape))
    v *= self.momentum
    v += self.lr * grads[name]
    w -= v
''')),
    ],
    "nesterov": [
        ("plain Momentum: the look-ahead step of Nesterov is missing", step("Nesterov", '''
for name, w in params.items():
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v += self.lr * grads[name]
    w -= v
''')),
        ("takes the look-ahead step with the velocity from before its update", step("Nesterov", '''
for name, w in params.items():
    g = grads[name]
    v = self.velocity.setdefault(name, np.zeros_like(w))
    w -= self.momentum * v + self.lr * g
    v *= self.momentum
    v += self.lr * g
''')),
        ("mixes two sign conventions: the velocity subtracts lr * g, and the step subtracts it again", step("Nesterov", '''
for name, w in params.items():
    g = grads[name]
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v -= self.lr * g
    w -= self.momentum * v + self.lr * g
''')),
        ("uses PyTorch's form (v = mu v + g, then w -= lr (g + mu v)): a changed lr also rescales the old velocity", step("Nesterov", '''
for name, w in params.items():
    g = grads[name]
    v = self.velocity.setdefault(name, np.zeros_like(w))
    v *= self.momentum
    v += g
    w -= self.lr * (g + self.momentum * v)
''')),
        ("keeps the velocities by position in params, not by the parameters' names", step("Nesterov", '''
for i, (name, w) in enumerate(params.items()):
    g = grads[name]
    v = self.velocity.setdefault(i, np.zeros_like(w))
    v *= self.momentum
    v += self.lr * g
    w -= self.momentum * v + self.lr * g
''')),
    ],
    "adagrad": [
        ("does not accumulate the squared gradients: the cache holds only this step's g**2", adagrad_like("AdaGrad", "c[...] = g * g")),
        ("puts eps inside the square root: the lesson adds it after the root",
         adagrad_like("AdaGrad", "c += g * g", "np.sqrt(c + self.eps)")),
        ("divides by the summed squares without their square root", adagrad_like("AdaGrad", "c += g * g", "(c + self.eps)")),
        ("makes the cache with np.zeros(w.shape): float64, not the parameters' float32", step("AdaGrad", '''
for name, w in params.items():
    g = grads[name]
    c = self.cache.setdefault(name, np.zeros(w.shape))
    c += g * g
    w -= self.lr * g / (np.sqrt(c) + self.eps)
''')),
        ("reads the learning rate once, at the first step: a later change of lr (a schedule) never reaches it", step("AdaGrad", '''
self.cache.setdefault("lr", self.lr)
for name, w in params.items():
    g = grads[name]
    c = self.cache.setdefault(name, np.zeros_like(w))
    c += g * g
    w -= self.cache["lr"] * g / (np.sqrt(c) + self.eps)
''')),
    ],
    "rmsprop": [
        ("swaps the decay weights: the old cache gets 1 - decay and the new g**2 gets decay",
         adagrad_like("RMSProp", "c[...] = (1 - self.decay) * c + self.decay * g * g")),
        ("puts eps inside the square root: the lesson adds it after the root",
         adagrad_like("RMSProp", "c[...] = self.decay * c + (1 - self.decay) * g * g", "np.sqrt(c + self.eps)")),
        ("forgets the old cache: each step keeps only (1 - decay) g**2",
         adagrad_like("RMSProp", "c[...] = (1 - self.decay) * g * g")),
        ("keeps the caches by position in params, not by the parameters' names", step("RMSProp", '''
for i, (name, w) in enumerate(params.items()):
    g = grads[name]
    c = self.cache.setdefault(i, np.zeros_like(w))
    c *= self.decay
    c += (1 - self.decay) * g * g
    w -= self.lr * g / (np.sqrt(c) + self.eps)
''')),
        ("keeps each cache under id(w), not under the parameter's name: a new array with the same name starts from zero", step("RMSProp", '''
for name, w in params.items():
    g = grads[name]
    c = self.cache.setdefault(id(w), np.zeros_like(w))
    c *= self.decay
    c += (1 - self.decay) * g * g
    w -= self.lr * g / (np.sqrt(c) + self.eps)
''')),
    ],
    "adam": [
        ("skips the bias correction of m and v: the first steps come out too small", adam(update="w -= self.lr * m / (np.sqrt(v) + self.eps)")),
        ("counts the step t after the bias correction instead of before it", adam(count_before="", count_after="self.t += 1\n")),
        ("counts the step t once per parameter instead of once per step", adam(count_before="", count_inside="self.t += 1\n    ")),
        ("puts eps inside the square root: the lesson adds it after the root",
         adam(update=ADAM_UPDATE.replace("(np.sqrt(v_hat) + self.eps)", "np.sqrt(v_hat + self.eps)"))),
        ("multiplies lr into m: a changed lr then reaches only the new gradients' share of the step",
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
        ("makes m and v with np.zeros(w.shape): float64, not the parameters' float32",
         adam().replace("np.zeros_like(w)", "np.zeros(w.shape)")),
    ],
    "reduce_on_plateau": [
        ("cuts the learning rate one epoch late (bad_epochs > patience)", plateau(PLATEAU.replace(">= self.patience", "> self.patience"))),
        ("does not reset the count of bad epochs when the loss improves", plateau(PLATEAU.replace("    self.best = val_loss\n    self.bad_epochs = 0\n", "    self.best = val_loss\n"))),
        ("does not reset the count after a cut, so it cuts again every epoch after", plateau(PLATEAU.replace("        self.bad_epochs = 0\n", ""))),
        ("ignores min_lr and min_delta", plateau(PLATEAU.replace(" - self.min_delta", "").replace("max(self.lr * self.factor, self.min_lr)", "self.lr * self.factor"))),
        ("treats a nan loss as an improvement (every comparison with nan is False)", plateau('''
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
        ("skips an epoch whose loss is nan instead of counting it as a bad epoch", plateau("if np.isnan(val_loss):\n    return self.lr\n" + PLATEAU)),
    ],
    "clip_grad_norm": [
        ("clips each entry to [-max_norm, max_norm] instead of rescaling by the total norm", clip('''
total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
for g in grads.values():
    np.clip(g, -max_norm, max_norm, out=g)
return total_norm
''')),
        ("rescales each array by its own norm instead of all of them by the total norm", clip('''
total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
for g in grads.values():
    norm = np.linalg.norm(g)
    if norm > max_norm:
        g *= max_norm / norm
return total_norm
''')),
        ("always rescales to max_norm, so it scales small gradients up too", clip('''
total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
for g in grads.values():
    g *= max_norm / total_norm
return total_norm
''')),
        ("puts new arrays into grads instead of scaling them in place: whoever holds the old arrays never sees the clip", clip('''
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
