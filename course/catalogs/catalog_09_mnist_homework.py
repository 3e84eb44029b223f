"""Homework 09's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "09_mnist_homework"

_SHAPES = '''def network_shapes(N, D, H, C):
    return {{"X": {X}, "y": {y}, "W1": {W1}, "b1": {b1}, "z1": {z1}, "h1": {h1},
            "W2": {W2}, "b2": {b2}, "scores": {scores}, "probs": {scores}, "loss": {loss},
            "dscores": {scores}, "dW2": {W2}, "db2": {b2}, "dh1": {h1}, "dz1": {z1},
            "dW1": {W1}, "db1": {b1}}}
'''
_RIGHT_SHAPES = dict(X="(N, D)", y="(N,)", W1="(D, H)", b1="(H,)", z1="(N, H)", h1="(N, H)", W2="(H, C)",
                     b2="(C,)", scores="(N, C)", loss="()")


def _shapes(**wrong):
    return _SHAPES.format(**{**_RIGHT_SHAPES, **wrong})


_FORWARD = '''def two_layer_forward(X, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
{body}
    return scores, cache
'''
_LOSS = '''def softmax_l2_loss(scores, y, params, reg):
    n = scores.shape[0]
{body}
    return loss, dscores
'''
_STABLE_LOG_PROBS = '''    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''
_BACKWARD = '''def two_layer_backward(dscores, cache, params, reg):
    X, z1, h1 = cache
{body}
    return {{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}}
'''
_PREDICT = '''def predict(model, X):
    return np.argmax(model.loss(X), axis=1)

'''
_SGD = '''def sgd_train(model, X, y, lr, batch_size, epochs, rng):
    n = X.shape[0]
    batch_losses = []
{body}
    return batch_losses
'''
# The final model's cell as the solution writes it, with the settings filled in.
_FINAL = '''final_model = TwoLayerNet(784, {hidden}, 10, reg={reg}, seed=0)
final_history = train({model}, ({data}), {optimizer},
                      batch_size={batch_size}, epochs={epochs}, schedule={schedule}, seed=0)
final_params = final_model.params
'''


def _final(hidden=512, reg=1e-4, model="ShiftedBatches(final_model, max_shift=1, seed=0)",
           data="X_train, y_train, X_val, y_val", optimizer="Adam(lr=3e-3)", batch_size=128, epochs=10,
           schedule="ExponentialDecay(3e-3, 0.75)"):
    return _FINAL.format(hidden=hidden, reg=reg, model=model, data=data, optimizer=optimizer,
                         batch_size=batch_size, epochs=epochs, schedule=schedule)


MUTANTS = {
    "network_shapes": [
        ("transposes the weights, W1 (H, D) and W2 (C, H): the W x convention of some books, not the course's X @ W", _shapes(W1="(H, D)", W2="(C, H)")),
        ("forgets the batch dimension N: gives the shapes for one example", _shapes(
            X="(D,)", y="()", z1="(H,)", h1="(H,)", scores="(C,)")),
        ("gives the biases the batch dimension, b1 (N, H) and b2 (N, C): one bias is shared by all examples", _shapes(b1="(N, H)", b2="(N, C)")),
        ("writes a bias's shape as a bare number, H, instead of the tuple (H,)", _shapes(b1="H", b2="C")),
        ("gives the labels as one-hot rows, y (N, C), instead of one class index per example", _shapes(y="(N, C)")),
        ("gives one loss per example, (N,), instead of the single averaged number", _shapes(loss="(N,)")),
        ("writes in the numbers of one example, such as (4, 5), instead of the names N, D, H and C", _shapes(
            X="(4, 5)", y="(4,)", W1="(5, 6)", b1="(6,)", z1="(4, 6)", h1="(4, 6)", W2="(6, 3)",
            b2="(3,)", scores="(4, 3)")),
    ],
    "two_layer_forward": [
        ("leaves out the ReLU, so the whole net is linear", _FORWARD.format(body='''    z1 = X @ W1 + b1
    h1 = z1
    scores = h1 @ W2 + b2
    cache = (X, z1, h1)''')),
        ("applies a ReLU to the scores too: scores must be able to go negative", _FORWARD.format(body='''    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    scores = np.maximum(h1 @ W2 + b2, 0)
    cache = (X, z1, h1)''')),
        ("leaves out the output bias b2", _FORWARD.format(body='''    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    scores = h1 @ W2
    cache = (X, z1, h1)''')),
        ("caches the ReLU's output h1 where the cache holds z1, before the ReLU", _FORWARD.format(body='''    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    scores = h1 @ W2 + b2
    cache = (X, h1, h1)''')),
        ("uses a sigmoid instead of the ReLU", _FORWARD.format(body='''    z1 = X @ W1 + b1
    h1 = 1 / (1 + np.exp(-z1))
    scores = h1 @ W2 + b2
    cache = (X, z1, h1)''')),
    ],
    "softmax_l2_loss": [
        ("sums the loss over the batch instead of averaging it (the 1/N is missing)", _LOSS.format(body=_STABLE_LOG_PROBS + '''    loss = -log_probs[np.arange(n), y].sum()
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n''')),
        ("forgets the 1/N in dscores, though the loss is right", _LOSS.format(body=_STABLE_LOG_PROBS + '''    loss = -log_probs[np.arange(n), y].mean()
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1''')),
        ("regularizes the biases too: the L2 penalty is on the weights only", _LOSS.format(body=_STABLE_LOG_PROBS + '''    loss = -log_probs[np.arange(n), y].mean()
    loss += 0.5 * reg * sum(np.sum(p ** 2) for p in params.values())
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n''')),
        ("leaves out the L2 penalty", _LOSS.format(body=_STABLE_LOG_PROBS + '''    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n''')),
        ("a softmax without subtracting each row's maximum: exp overflows for large scores", _LOSS.format(body='''    exp = np.exp(scores)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean()
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    dscores /= n''')),
        ("adds reg * sum(W**2) to the loss without the 0.5", _LOSS.format(body=_STABLE_LOG_PROBS + '''    loss = -log_probs[np.arange(n), y].mean()
    loss += reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n''')),
        ("shifts the caller's scores in place (scores -= ...): right loss, but the scores passed in change", _LOSS.format(body='''    scores -= scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n''')),
    ],
    "two_layer_backward": [
        ("returns dW1 transposed, in the shape of W1.T", _BACKWARD.format(body='''    dW2 = h1.T @ dscores + reg * params["W2"]
    db2 = dscores.sum(axis=0)
    dz1 = (dscores @ params["W2"].T) * (z1 > 0)
    dW1 = dz1.T @ X + reg * params["W1"].T
    db1 = dz1.sum(axis=0)''')),
        ("computes dW2 from z1, before the ReLU, instead of from h1", _BACKWARD.format(body='''    dW2 = z1.T @ dscores + reg * params["W2"]
    db2 = dscores.sum(axis=0)
    dz1 = (dscores @ params["W2"].T) * (z1 > 0)
    dW1 = X.T @ dz1 + reg * params["W1"]
    db1 = dz1.sum(axis=0)''')),
        ("computes dW1 from the hidden activation h1 instead of from the input X", _BACKWARD.format(body='''    dW2 = h1.T @ dscores + reg * params["W2"]
    db2 = dscores.sum(axis=0)
    dz1 = (dscores @ params["W2"].T) * (z1 > 0)
    dW1 = h1.T @ dz1 + reg * params["W1"]
    db1 = dz1.sum(axis=0)''')),
        ("skips the ReLU's mask in the backward pass: the gradient passes where z1 <= 0 too", _BACKWARD.format(body='''    dW2 = h1.T @ dscores + reg * params["W2"]
    db2 = dscores.sum(axis=0)
    dz1 = dscores @ params["W2"].T
    dW1 = X.T @ dz1 + reg * params["W1"]
    db1 = dz1.sum(axis=0)''')),
        ("adds reg * b to the biases' gradients: the L2 penalty is on the weights only", _BACKWARD.format(body='''    dW2 = h1.T @ dscores + reg * params["W2"]
    db2 = dscores.sum(axis=0) + reg * params["b2"]
    dz1 = (dscores @ params["W2"].T) * (z1 > 0)
    dW1 = X.T @ dz1 + reg * params["W1"]
    db1 = dz1.sum(axis=0) + reg * params["b1"]''')),
        ("forgets the L2 penalty's reg * W in the weights' gradients", _BACKWARD.format(body='''    dW2 = h1.T @ dscores
    db2 = dscores.sum(axis=0)
    dz1 = (dscores @ params["W2"].T) * (z1 > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)''')),
        ("takes the L2 gradient as 2 * reg * W: the 0.5 in the penalty cancels the 2", _BACKWARD.format(body='''    dW2 = h1.T @ dscores + 2 * reg * params["W2"]
    db2 = dscores.sum(axis=0)
    dz1 = (dscores @ params["W2"].T) * (z1 > 0)
    dW1 = X.T @ dz1 + 2 * reg * params["W1"]
    db1 = dz1.sum(axis=0)''')),
        ("writes the ReLU's slope into the cached z1 in place: right gradients, but the cache changes", _BACKWARD.format(body='''    dW2 = h1.T @ dscores + reg * params["W2"]
    db2 = dscores.sum(axis=0)
    relu_slope = z1
    relu_slope[z1 > 0] = 1
    relu_slope[z1 <= 0] = 0
    dz1 = (dscores @ params["W2"].T) * relu_slope
    dW1 = X.T @ dz1 + reg * params["W1"]
    db1 = dz1.sum(axis=0)''')),
    ],
    "predict_accuracy": [
        ("computes the accuracy on the training data instead of on the X and y it is given", _PREDICT + '''def accuracy(model, X, y):
    return float(np.mean(predict(model, X_train) == y_train))
'''),
        ("returns the accuracy as a percentage (0 to 100) instead of a fraction (0 to 1)", _PREDICT + '''def accuracy(model, X, y):
    return 100 * float(np.mean(predict(model, X) == y))
'''),
        ("takes the argmax over the batch (axis=0) instead of over each row's classes", '''def predict(model, X):
    return np.argmax(model.loss(X), axis=0)


def accuracy(model, X, y):
    return float(np.mean(predict(model, X) == y))
'''),
        ("returns the error rate, the share of wrong predictions, instead of the accuracy", _PREDICT + '''def accuracy(model, X, y):
    return float(np.mean(predict(model, X) != y))
'''),
    ],
    "sgd_train": [
        ("never shuffles the training data", _SGD.format(body='''    for epoch in range(epochs):
        for start in range(0, n, batch_size):
            loss, grads = model.loss(X[start:start + batch_size], y[start:start + batch_size])
            for name in model.params:
                model.params[name] -= lr * grads[name]
            batch_losses.append(float(loss))''')),
        ("shuffles only once, before the first epoch, instead of at every epoch", _SGD.format(body='''    order = rng.permutation(n)
    for epoch in range(epochs):
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            for name in model.params:
                model.params[name] -= lr * grads[name]
            batch_losses.append(float(loss))''')),
        ("leaves out the last, smaller batch of each epoch", _SGD.format(body='''    for epoch in range(epochs):
        order = rng.permutation(n)
        for k in range(n // batch_size):
            batch = order[k * batch_size:(k + 1) * batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            for name in model.params:
                model.params[name] -= lr * grads[name]
            batch_losses.append(float(loss))''')),
        ("shuffles X but not y: the labels no longer belong to their images", _SGD.format(body='''    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[start:start + batch_size])
            for name in model.params:
                model.params[name] -= lr * grads[name]
            batch_losses.append(float(loss))''')),
        ("adds the gradient instead of subtracting it: steps up the loss", _SGD.format(body='''    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            for name in model.params:
                model.params[name] += lr * grads[name]
            batch_losses.append(float(loss))''')),
        ("ignores rng and shuffles with np.random, so a run cannot be repeated", _SGD.format(body='''    for epoch in range(epochs):
        order = np.random.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            for name in model.params:
                model.params[name] -= lr * grads[name]
            batch_losses.append(float(loss))''')),
    ],
    "final_model": [
        ("hands in the model before training it", '''final_model = TwoLayerNet(784, 512, 10, seed=0)
final_params = final_model.params
'''),
        ("trains too little: 32 hidden units, plain SGD, one epoch on 5000 images",
         _final(hidden=32, data="X_train[:5000], y_train[:5000], X_val, y_val",
                optimizer="SGD(lr=0.01)", epochs=1, schedule=None)),
        ("trains too little: one epoch of a small net (64 hidden units)", _final(hidden=64, epochs=1)),
        ("hands in the training history instead of the parameters", _final(hidden=32, epochs=1).replace(
            "final_params = final_model.params", "final_params = final_history")),
        ("uses a learning rate far too large: training diverges", _final(
            hidden=32, optimizer="SGD(lr=1e4)", schedule=None, epochs=1)),
        ("hands in the model object instead of its params", _final(hidden=32, epochs=1).replace(
            "final_params = final_model.params", "final_params = final_model")),
        ("hands in the weights without the biases", _final(hidden=32, epochs=1).replace(
            "final_params = final_model.params",
            'final_params = {"W1": final_model.params["W1"], "W2": final_model.params["W2"]}')),
        ("trains too little: a small hidden layer and two epochs of SGD", _final(
            hidden=16, optimizer="SGD(lr=0.05)", schedule=None, epochs=2)),
    ],
}

VARIANTS = {
    "network_shapes": [
        ("measures the shapes: numpy's forward and backward pass on arrays of zeros", '''def network_shapes(N, D, H, C):
    X, y = np.zeros((N, D)), np.zeros(N, dtype=int)
    W1, b1, W2, b2 = np.zeros((D, H)), np.zeros(H), np.zeros((H, C)), np.zeros(C)
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    scores = h1 @ W2 + b2
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs / N
    dh1 = dscores @ W2.T
    dz1 = dh1 * (z1 > 0)
    arrays = {"X": X, "y": y, "W1": W1, "b1": b1, "z1": z1, "h1": h1, "W2": W2, "b2": b2,
              "scores": scores, "probs": probs, "loss": loss, "dscores": dscores,
              "dW2": h1.T @ dscores, "db2": dscores.sum(axis=0), "dh1": dh1, "dz1": dz1,
              "dW1": X.T @ dz1, "db1": dz1.sum(axis=0)}
    return {name: np.shape(value) for name, value in arrays.items()}
'''),
        ("lists instead of tuples, built from rules, leftover check code rebinding expected/shapes",
         '''def network_shapes(N, D, H, C):
    width = {"X": D, "z1": H, "h1": H, "scores": C, "probs": C}
    table = {name: [N, w] for name, w in width.items()}
    table.update(y=[N], loss=[], W1=[D, H], b1=[H], W2=[H, C], b2=[C])
    for name in ("scores", "W2", "b2", "h1", "z1", "W1", "b1"):
        table["d" + name] = list(table[name])
    return table


expected = {"X": (0, 0)}
shapes = network_shapes(2, 3, 4, 5)
N, D, H, C = 1, 1, 1, 1
'''),
    ],
    "two_layer_forward": [
        ("a loop over the examples", '''def two_layer_forward(X, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1 = np.zeros((X.shape[0], W1.shape[1]), dtype=X.dtype)
    for i in range(X.shape[0]):
        z1[i] = X[i] @ W1 + b1
    h1 = z1 * (z1 > 0)
    scores = np.dot(h1, W2) + b2
    return scores, (X, z1, h1)
'''),
        ("np.where and np.dot", _FORWARD.format(body='''    z1 = np.dot(X, W1) + b1
    h1 = np.where(z1 > 0, z1, 0)
    scores = np.dot(h1, W2) + b2[None, :]
    cache = (X, z1, h1)''')),
    ],
    "softmax_l2_loss": [
        ("probabilities first, one-hot labels", _LOSS.format(body='''    exp = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    one_hot = np.zeros_like(probs)
    one_hot[np.arange(n), y] = 1
    shift = np.max(scores, axis=1)
    log_correct = scores[np.arange(n), y] - shift - np.log(np.sum(exp, axis=1))
    loss = -np.sum(log_correct) / n
    loss = loss + reg * 0.5 * (np.sum(params["W1"] * params["W1"]) + np.sum(params["W2"] * params["W2"]))
    dscores = (probs - one_hot) / n''')),
        ("a loop over the examples", _LOSS.format(body='''    loss = 0.0
    dscores = np.zeros_like(scores)
    for i in range(n):
        s = scores[i] - scores[i].max()
        log_sum = np.log(np.sum(np.exp(s)))
        loss -= s[y[i]] - log_sum
        dscores[i] = np.exp(s - log_sum)
        dscores[i, y[i]] -= 1
    loss /= n
    dscores /= n
    for name in ("W1", "W2"):
        loss += 0.5 * reg * np.sum(params[name] ** 2)''')),
    ],
    "two_layer_backward": [
        ("masks with h1 > 0, np.dot", _BACKWARD.format(body='''    dW2 = np.dot(h1.T, dscores) + reg * params["W2"]
    db2 = np.sum(dscores, axis=0)
    dh1 = np.dot(dscores, params["W2"].T)
    dz1 = np.where(h1 > 0, dh1, 0.0)
    dW1 = np.dot(X.T, dz1) + reg * params["W1"]
    db1 = np.sum(dz1, axis=0)''')),
        ("einsum and an in-place mask", _BACKWARD.format(body='''    W2 = params["W2"]
    dW2 = np.einsum("nh,nc->hc", h1, dscores) + reg * W2
    db2 = dscores.sum(0)
    dz1 = dscores @ W2.T
    dz1[z1 <= 0] = 0
    dW1 = np.einsum("nd,nh->dh", X, dz1) + reg * params["W1"]
    db1 = dz1.sum(0)''')),
    ],
    "predict_accuracy": [
        ("a loop over the rows", '''def predict(model, X):
    scores = model.loss(X)
    return np.array([int(np.argmax(row)) for row in scores])


def accuracy(model, X, y):
    predicted = predict(model, X)
    correct = 0
    for p, label in zip(predicted, y):
        correct += int(p == label)
    return correct / len(y)
'''),
        ("count_nonzero", _PREDICT + '''def accuracy(model, X, y):
    return np.count_nonzero(predict(model, X) == y) / X.shape[0]
'''),
        ("leftover check code: its own ScoresOnly, and X, y, model, expected rebound", _PREDICT + '''def accuracy(model, X, y):
    return float(np.mean(predict(model, X) == y))


class ScoresOnly:
    def __init__(self, net):
        self.params = {}

    def loss(self, X, y=None):
        return np.zeros((len(X), 2))


X, y = X_val[:5], y_val[:5]
model = ScoresOnly(None)
expected = predict(model, X)
'''),
    ],
    "sgd_train": [
        ("np.array_split of the permutation, dict entries rebound", _SGD.format(body='''    num_batches = -(-n // batch_size)
    for epoch in range(epochs):
        perm = rng.permutation(n)
        for batch in np.array_split(perm, [batch_size * k for k in range(1, num_batches)]):
            loss, grads = model.loss(X[batch], y[batch])
            for name, grad in grads.items():
                model.params[name] = model.params[name] - lr * grad
            batch_losses.append(loss)''')),
        ("shuffled copies of X and y, a while loop", _SGD.format(body='''    for epoch in range(epochs):
        perm = rng.permutation(n)
        X_shuffled, y_shuffled = X[perm], y[perm]
        start = 0
        while start < n:
            loss, grads = model.loss(X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size])
            for name in model.params:
                model.params[name] -= lr * grads[name]
            batch_losses.append(float(loss))
            start += batch_size''')),
        ("leftover check code: its own Recorder and epochs_of, X, y, model rebound", _SGD.format(body='''    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            for name in model.params:
                model.params[name] -= lr * grads[name]
            batch_losses.append(float(loss))''') + '''

class Recorder:
    def __init__(self, *args, **kwargs):
        self.batches = []


def epochs_of(batches, n, batch_size):
    return []


X, y = np.zeros((3, 2)), np.zeros(3, dtype=int)
model = Recorder()
'''),
    ],
    "final_model": [
        ("trained on the training and validation images together once the settings are fixed",
         _final(data="X_train_all, y_train_all, X_val, y_val")
         .replace("final_params = final_model.params",
                  "final_params = {name: value.copy() for name, value in final_model.params.items()}")),
    ],
}

CHEATS = {
    "network_shapes": [
        ("returns nnref's two_layer_shapes", '''def network_shapes(N, D, H, C):
    from nnref.homework import two_layer_shapes
    return two_layer_shapes(N, D, H, C)
'''),
        ("measures the shapes with nnref's layers (two_layer_shapes copied)", '''def network_shapes(N, D, H, C):
    from nnref import layers, losses
    X, y = np.zeros((N, D)), np.zeros(N, dtype=int)
    W1, b1, W2, b2 = np.zeros((D, H)), np.zeros(H), np.zeros((H, C)), np.zeros(C)
    z1, first = layers.affine_forward(X, W1, b1)
    h1, relu = layers.relu_forward(z1)
    scores, second = layers.affine_forward(h1, W2, b2)
    loss, dscores = losses.softmax_cross_entropy(scores, y)
    dh1, dW2, db2 = layers.affine_backward(dscores, second)
    dz1 = layers.relu_backward(dh1, relu)
    _, dW1, db1 = layers.affine_backward(dz1, first)
    arrays = dict(X=X, y=y, W1=W1, b1=b1, z1=z1, h1=h1, W2=W2, b2=b2, scores=scores,
                  probs=losses.softmax(scores), loss=loss, dscores=dscores, dW2=dW2, db2=db2,
                  dh1=dh1, dz1=dz1, dW1=dW1, db1=db1)
    return {name: np.shape(value) for name, value in arrays.items()}
'''),
    ],
    "two_layer_forward": [
        ("calls nnref's layers", '''from nnref.layers import affine_forward as _affine, relu_forward as _relu


def two_layer_forward(X, params):
    z1, _ = _affine(X, params["W1"], params["b1"])
    h1, _ = _relu(z1)
    scores, _ = _affine(h1, params["W2"], params["b2"])
    return scores, (X, z1, h1)
'''),
        ("uses nnref's TwoLayerNet", '''def two_layer_forward(X, params):
    net = TwoLayerNet(params["W1"].shape[0], params["W1"].shape[1], params["W2"].shape[1],
                      dtype=X.dtype)
    net.params.update(params)
    z1 = X @ params["W1"] + params["b1"]
    return net.loss(X), (X, z1, np.maximum(z1, 0))
'''),
    ],
    "softmax_l2_loss": [
        ("calls nnref.losses.softmax_cross_entropy", '''from nnref.losses import softmax_cross_entropy as _ce


def softmax_l2_loss(scores, y, params, reg):
    loss, dscores = _ce(scores, y)
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return loss, dscores
'''),
    ],
    "two_layer_backward": [
        ("calls nnref's affine_backward and relu_backward", '''from nnref.layers import affine_backward as _affine_back, relu_backward as _relu_back


def two_layer_backward(dscores, cache, params, reg):
    X, z1, h1 = cache
    dh1, dW2, db2 = _affine_back(dscores, (h1, params["W2"]))
    dz1 = _relu_back(dh1, z1)
    _, dW1, db1 = _affine_back(dz1, (X, params["W1"]))
    return {"W1": dW1 + reg * params["W1"], "b1": db1, "W2": dW2 + reg * params["W2"], "b2": db2}
'''),
    ],
    "predict_accuracy": [
        ("calls nnref.train.accuracy", _PREDICT + '''def accuracy(model, X, y):
    import nnref.train
    return nnref.train.accuracy(model, X, y)
'''),
        ("calls nnref's TwoLayerNet.predict", '''def predict(model, X):
    return TwoLayerNet.predict(model, X)


def accuracy(model, X, y):
    return float(np.mean(predict(model, X) == y))
'''),
    ],
    "sgd_train": [
        ("calls nnref.train.train with SGD", '''def sgd_train(model, X, y, lr, batch_size, epochs, rng):
    history = train(model, (X, y), SGD(lr=lr), batch_size=batch_size, epochs=epochs,
                    seed=rng, verbose=False)
    return history["batch_loss"]
'''),
    ],
}

# Test cells the audit has nothing of nnref's to withhold in: the grader itself scores the final
# model's parameters on the MNIST test set (check_final_model); no function of the student's runs.
UNAUDITED = {
    "test_final_model": "the grader evaluates final_params on the MNIST test set; no function of the student's runs",
    "test_final_model__97": "the grader evaluates final_params on the MNIST test set; no function of the student's runs",
    "test_final_model__98": "the grader evaluates final_params on the MNIST test set; no function of the student's runs",
}
