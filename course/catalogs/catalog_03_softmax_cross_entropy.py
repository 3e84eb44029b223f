"""Lesson 03's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "03_softmax_cross_entropy"

MUTANTS = {
    "softmax": [
        ("skips subtracting each row's maximum: exp overflows, nan for scores near 1000", '''def softmax(scores):
    exp_scores = np.exp(scores)
    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
'''),
        ("normalizes each column instead of each row (axis=0)", '''def softmax(scores):
    shifted = scores - np.max(scores, axis=0, keepdims=True)
    exp_scores = np.exp(shifted)
    return exp_scores / np.sum(exp_scores, axis=0, keepdims=True)
'''),
        ("divides by the sum over the whole batch instead of each row's own sum", '''def softmax(scores):
    exp_scores = np.exp(scores - np.max(scores))
    return exp_scores / np.sum(exp_scores)
'''),
        ("subtracts the largest score of the whole batch, not each row's: a row far below it underflows to 0/0", '''def softmax(scores):
    exp_scores = np.exp(scores - np.max(scores))
    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
'''),
        ("subtracts each row's minimum instead of its maximum: exp can still overflow", '''def softmax(scores):
    exp_scores = np.exp(scores - np.min(scores, axis=1, keepdims=True))
    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
'''),
        ("shifts the caller's scores in place (scores -= ...): right values, but the array passed in changes", '''def softmax(scores):
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
'''),
        ("divides by the row sums without keepdims: they broadcast along the wrong axis", '''def softmax(scores):
    shifted = (scores.T - np.max(scores, axis=1)).T
    exp_scores = np.exp(shifted)
    return exp_scores / np.sum(exp_scores, axis=1)
'''),
    ],
    "cross_entropy": [
        ("uses log base 10 (np.log10) instead of the natural log", '''def cross_entropy(probs, y):
    n = probs.shape[0]
    return float(-np.mean(np.log10(probs[np.arange(n), y])))
'''),
        ("sums the losses over the batch instead of averaging them (the 1/N is missing)", '''def cross_entropy(probs, y):
    n = probs.shape[0]
    return float(-np.sum(np.log(probs[np.arange(n), y])))
'''),
        ("adds up the log of every probability in a row, not only of the true class's", '''def cross_entropy(probs, y):
    return float(-np.sum(np.log(probs)) / probs.shape[0])
'''),
        ("uses each row's largest probability instead of the true class's", '''def cross_entropy(probs, y):
    return float(-np.mean(np.log(np.max(probs, axis=1))))
'''),
        ("indexes probs[:, y], which picks an N x N block, not one entry per row", '''def cross_entropy(probs, y):
    return float(-np.mean(np.log(probs[:, y])))
'''),
        ("forgets the minus sign: the loss comes out negative", '''def cross_entropy(probs, y):
    n = probs.shape[0]
    return float(np.mean(np.log(probs[np.arange(n), y])))
'''),
        ("takes the log of p + 1e-7: a loss below 0 when sure and right, and never above 16.1 when wrong", '''def cross_entropy(probs, y):
    n = probs.shape[0]
    return float(-np.mean(np.log(probs[np.arange(n), y] + 1e-7)))
'''),
        ("clips the probabilities to [1e-7, 1] before the log, which caps the loss at 16.1", '''def cross_entropy(probs, y):
    n = probs.shape[0]
    return float(-np.mean(np.log(np.clip(probs[np.arange(n), y], 1e-7, 1.0))))
'''),
    ],
    "softmax_cross_entropy": [
        ("a softmax without subtracting each row's maximum: nan for scores near 1000", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n
'''),
        ("sums the loss over the batch instead of averaging it (the 1/N is missing), though the gradient is right", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(n), y]))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n
'''),
        ("forgets the 1/N in the gradient, though the loss is right", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores
'''),
        ("returns the probabilities as the gradient, without subtracting 1 at the true class", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    return loss, probs / n
'''),
        ("flips the gradient's sign (y - p instead of p - y)", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, -dscores / n
'''),
        ("subtracts 1 in the columns y of every row (dscores[:, y] -= 1), not once per row", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    dscores = probs.copy()
    dscores[:, y] -= 1
    return loss, dscores / n
'''),
        ("uses log base 10 (np.log10) in the loss", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log10(probs[np.arange(n), y]))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n
'''),
        ("takes the loss from the log of every probability in a row, not only of the true class's", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs)) / n
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n
'''),
        ("shifts the caller's scores in place (scores -= ...): right values, but the array passed in changes", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n
'''),
        ("takes the log of probs + 1e-7, which caps the loss at 16.1 for a confidently wrong sample", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y] + 1e-7))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n
'''),
    ],
    "mse": [
        ("forgets the factor 2 in the gradient (the derivative of the square)", '''def mse(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), diff / diff.size
'''),
        ("divides the gradient by the number of rows N instead of by the number of entries", '''def mse(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2 * diff / diff.shape[0]
'''),
        ("sums the squared errors instead of averaging them", '''def mse(pred, target):
    diff = pred - target
    return float(np.sum(diff ** 2)), 2 * diff / diff.size
'''),
        ("returns the root mean squared error: the square root is one step too many", '''def mse(pred, target):
    diff = pred - target
    return float(np.sqrt(np.mean(diff ** 2))), 2 * diff / diff.size
'''),
        ("flips the gradient's sign (target - pred instead of pred - target)", '''def mse(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2 * (target - pred) / diff.size
'''),
        ("divides by the number of rows N only, not by the number of entries", '''def mse(pred, target):
    diff = pred - target
    n = diff.shape[0]
    return float(np.sum(diff ** 2) / n), 2 * diff / n
'''),
        ("subtracts target from the caller's pred in place (pred -= target): right values, but pred changes", '''def mse(pred, target):
    pred -= target
    return float(np.mean(pred ** 2)), 2 * pred / pred.size
'''),
        ("overwrites the caller's target with target - pred: right values, but target changes", '''def mse(pred, target):
    target -= pred
    return float(np.mean(target ** 2)), -2 * target / target.size
'''),
    ],
}

VARIANTS = {
    "softmax": [
        ("leaves its own check in the cell, rebinding scores to a (2, 3) batch", '''def softmax(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


scores = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])   # my own check
print(softmax(scores))
'''),
        ("a Python loop over the rows", '''def softmax(scores):
    probs = np.empty(scores.shape)
    for i, row in enumerate(scores):
        e = np.exp(row - row.max())
        probs[i] = e / e.sum()
    return probs
'''),
        ("log-sum-exp, then exponentiate", '''def softmax(scores):
    m = scores.max(axis=1, keepdims=True)
    log_norm = m + np.log(np.exp(scores - m).sum(axis=1, keepdims=True))
    return np.exp(scores - log_norm)
'''),
        ("transposes instead of keepdims", '''def softmax(scores):
    e = np.exp(scores.T - scores.max(axis=1))
    return (e / e.sum(axis=0)).T
'''),
    ],
    "cross_entropy": [
        ("leaves its own check in the cell, rebinding P and labels", '''def cross_entropy(probs, y):
    return float(-np.mean(np.log(probs[np.arange(len(y)), y])))


P = np.array([[0.5, 0.5]])     # my own check
labels = np.array([1])
print(cross_entropy(P, labels), np.log(2))
'''),
        ("one-hot labels and a sum over all entries", '''def cross_entropy(probs, y):
    one_hot = np.eye(probs.shape[1])[y]
    return -np.sum(one_hot * np.log(probs)) / probs.shape[0]
'''),
        ("a Python loop", '''def cross_entropy(probs, y):
    total = 0.0
    for row, label in zip(probs, y):
        total += -np.log(row[label])
    return total / len(y)
'''),
        ("np.take_along_axis", '''def cross_entropy(probs, y):
    picked = np.take_along_axis(probs, y[:, None], axis=1)
    return -np.log(picked).mean()
'''),
        ("log of the whole array, then pick (probs exactly 0 elsewhere are fine)", '''def cross_entropy(probs, y):
    with np.errstate(divide="ignore"):
        log_probs = np.log(probs)
    return -log_probs[np.arange(len(y)), y].mean()
'''),
    ],
    "softmax_cross_entropy": [
        ("stable probabilities, then -log, one-hot gradient", '''def softmax_cross_entropy(scores, y):
    n, c = scores.shape
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    one_hot = np.eye(c)[y]
    loss = -np.sum(one_hot * np.log(probs)) / n
    return loss, (probs - one_hot) / n
'''),
        ("a Python loop over the samples", '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    loss = 0.0
    dscores = np.zeros(scores.shape)
    for i in range(n):
        z = scores[i] - scores[i].max()
        log_norm = np.log(np.sum(np.exp(z)))
        loss += log_norm - z[y[i]]
        dscores[i] = np.exp(z - log_norm)
        dscores[i, y[i]] -= 1
    return loss / n, dscores / n
'''),
    ],
    "mse": [
        ("leaves its own check in the cell, rebinding onehot_iris and scores", '''def mse(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2 * diff / diff.size


scores = np.array([[0.0, 1.0]])      # my own check
onehot_iris = np.array([[1.0, 0.0]])
print(mse(scores, onehot_iris))
'''),
        ("in place on a copy: diff = pred.copy(); diff -= target", '''def mse(pred, target):
    diff = pred.copy()
    diff -= target
    return float(np.mean(diff ** 2)), 2 * diff / diff.size
'''),
        ("np.square and a division by the size", '''def mse(pred, target):
    d = pred - target
    loss = np.square(d).sum() / d.size
    return loss, d * (2.0 / d.size)
'''),
        ("a Python loop over the flattened entries", '''def mse(pred, target):
    p, t = pred.ravel(), target.ravel()
    total = 0.0
    grad = np.zeros(p.shape)
    for k in range(p.size):
        total += (p[k] - t[k]) ** 2
        grad[k] = 2 * (p[k] - t[k]) / p.size
    return total / p.size, grad.reshape(pred.shape)
'''),
    ],
}

CHEATS = {
    "softmax": [
        ("calls nnref.losses.softmax", '''import nnref.losses

def softmax(scores):
    return nnref.losses.softmax(scores)
'''),
    ],
    "cross_entropy": [
        ("calls nnref's softmax_cross_entropy on log-probabilities", '''from nnref.losses import softmax_cross_entropy as _reference

def cross_entropy(probs, y):
    return _reference(np.log(probs), y)[0]
'''),
    ],
    "softmax_cross_entropy": [
        ("calls nnref.losses.softmax_cross_entropy", '''from nnref.losses import softmax_cross_entropy as _reference

def softmax_cross_entropy(scores, y):
    return _reference(scores, y)
'''),
    ],
    "mse": [
        ("calls nnref.losses.mse", '''import nnref.losses

def mse(pred, target):
    return nnref.losses.mse(pred, target)
'''),
    ],
}
