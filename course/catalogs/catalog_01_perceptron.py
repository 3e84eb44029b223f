"""Lesson 01's mutants, correct variants and cheats for the validity harness (AUTHORING.md)."""
ASSIGNMENT = "01_perceptron"

# The XOR network's solution cell holds two functions; mutants of one keep the other correct.
_STEP_NETWORK = '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = (X @ W1 + b1 > 0).astype(int)
    return (hidden @ w2 + b2 > 0).astype(int)
'''
_XOR_WEIGHTS = '''def xor_weights():
    (w_nand, b_nand), (w_or, b_or), (w_and, b_and) = (pw.GATES[g] for g in ["NAND", "OR", "AND"])
    return np.column_stack([w_nand, w_or]), np.array([b_nand, b_or]), w_and, b_and
'''
# sigmoid_net_forward's body around a given sigmoid.
_SIGMOID_NET = '''def sigmoid_net_forward(X, params):
    hidden = {hidden}
    return {output}
'''


def _sigmoid_net(hidden="sigmoid(X @ params['W1'] + params['b1'])",
                 output="sigmoid(hidden @ params['W2'] + params['b2'])",
                 sigmoid="1 / (1 + np.exp(-z))"):
    return (f"def sigmoid(z):\n    return {sigmoid}\n\n\n"
            + _SIGMOID_NET.format(hidden=hidden, output=output))


MUTANTS = {
    "perceptron_predict": [
        ("returns the weighted total, no step", '''def perceptron_predict(X, w, b):
    return X @ w + b
'''),
        ("step(0) = 1: z >= 0", '''def perceptron_predict(X, w, b):
    return (X @ w + b >= 0).astype(int)
'''),
        ("forgets the bias", '''def perceptron_predict(X, w, b):
    return (X @ w > 0).astype(int)
'''),
        ("subtracts the bias", '''def perceptron_predict(X, w, b):
    return (X @ w - b > 0).astype(int)
'''),
        ("np.sign: -1 instead of 0", '''def perceptron_predict(X, w, b):
    return np.sign(X @ w + b)
'''),
        ("hard-codes two inputs: x[0] * w[0] + x[1] * w[1]", '''def perceptron_predict(X, w, b):
    return (X[:, 0] * w[0] + X[:, 1] * w[1] + b > 0).astype(int)
'''),
    ],
    "perceptron_update": [
        ("error with the wrong sign: y_hat - y", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + lr * (y_hat - y) * x, b + lr * (y_hat - y)
'''),
        ("forgets to update the bias", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + lr * (y - y_hat) * x, b
'''),
        ("uses the raw total instead of the step (delta rule)", '''def perceptron_update(x, y, w, b, lr):
    error = y - (x @ w + b)
    return w + lr * error * x, b + lr * error
'''),
        ("updates even when right: w + lr * y * x", '''def perceptron_update(x, y, w, b, lr):
    return w + lr * y * x, b + lr * y
'''),
        ("ignores the learning rate", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + (y - y_hat) * x, b + (y - y_hat)
'''),
        ("step(0) = 1 in the prediction", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)
'''),
        ("w += ...: updates the caller's weights in place (values right)", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    w += lr * (y - y_hat) * x
    return w, b + lr * (y - y_hat)
'''),
        ("scales the caller's x in place by the error (values right)", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    x *= lr * (y - y_hat)
    return w + x, b + lr * (y - y_hat)
'''),
    ],
    "xor_network": [
        ("no step on the hidden layer (two linear layers = one)", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = X @ W1 + b1
    return (hidden @ w2 + b2 > 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("W1.T: a unit's weights read from a row", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = (X @ W1.T + b1 > 0).astype(int)
    return (hidden @ w2 + b2 > 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("step(0) = 1: z >= 0", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = (X @ W1 + b1 >= 0).astype(int)
    return (hidden @ w2 + b2 >= 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("forgets the output bias", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = (X @ W1 + b1 > 0).astype(int)
    return (hidden @ w2 > 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("xor_weights: gates' weights as rows of W1", _STEP_NETWORK + "\n\n" + '''def xor_weights():
    (w_nand, b_nand), (w_or, b_or), (w_and, b_and) = (pw.GATES[g] for g in ["NAND", "OR", "AND"])
    return np.array([w_nand, w_or]), np.array([b_nand, b_or]), w_and, b_and
'''),
        ("xor_weights: AND as a hidden unit, OR as the output", _STEP_NETWORK + "\n\n" + '''def xor_weights():
    (w_nand, b_nand), (w_or, b_or), (w_and, b_and) = (pw.GATES[g] for g in ["NAND", "OR", "AND"])
    return np.column_stack([w_nand, w_and]), np.array([b_nand, b_and]), w_or, b_or
'''),
    ],
    "sigmoid_net_forward": [
        ("no sigmoid on the output", _sigmoid_net(output="hidden @ params['W2'] + params['b2']")),
        ("no sigmoid on the hidden layer", _sigmoid_net(hidden="X @ params['W1'] + params['b1']")),
        ("W1.T", _sigmoid_net(hidden="sigmoid(X @ params['W1'].T + params['b1'])")),
        ("sign error: 1 / (1 + exp(z))", _sigmoid_net(sigmoid="1 / (1 + np.exp(z))")),
        ("exp(z) / (1 + exp(z)): nan for large z", _sigmoid_net(sigmoid="np.exp(z) / (1 + np.exp(z))")),
        ("tanh on the hidden layer", _sigmoid_net(hidden="np.tanh(X @ params['W1'] + params['b1'])")),
        ("forgets b2", _sigmoid_net(output="sigmoid(hidden @ params['W2'])")),
        ("squeezes the output to (N,)",
         _sigmoid_net(output="sigmoid(hidden @ params['W2'] + params['b2']).ravel()")),
    ],
}

VARIANTS = {
    "perceptron_predict": [
        ("a Python loop over rows and features", '''def perceptron_predict(X, w, b):
    out = np.zeros(len(X), dtype=int)
    for n in range(len(X)):
        total = b
        for d in range(len(w)):
            total += X[n, d] * w[d]
        out[n] = 1 if total > 0 else 0
    return out
'''),
        ("np.heaviside(z, 0), as floats", '''def perceptron_predict(X, w, b):
    return np.heaviside(np.dot(X, w) + b, 0.0)
'''),
        ("np.where, booleans via einsum", '''def perceptron_predict(X, w, b):
    return np.where(np.einsum("nd,d->n", X, w) > -b, 1, 0)
'''),
    ],
    "perceptron_update": [
        ("leaves its own check in the cell, rebinding x, w and b", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


x, w, b = np.array([1.0, 1.0]), np.array([-3.0, 2.0]), 7.0    # my own check
print(perceptron_update(x, 0, w, b, 1.0))
'''),
        ("if/else, in-place on copies", '''def perceptron_update(x, y, w, b, lr):
    w = w.copy()
    y_hat = int(np.dot(w, x) + b > 0)
    if y_hat != y:
        sign = 1 if y == 1 else -1
        w += lr * sign * x
        b = b + lr * sign
    return w, b
'''),
        ("calls np.heaviside and returns a list", '''def perceptron_update(x, y, w, b, lr):
    delta = lr * (y - np.heaviside(x @ w + b, 0.0))
    return [w + delta * x, b + delta]
'''),
    ],
    "xor_network": [
        ("loops over hidden units; other valid XOR weights (scaled, OR first)", '''def step_network_forward(X, W1, b1, w2, b2):
    H = np.zeros((X.shape[0], W1.shape[1]))
    for j in range(W1.shape[1]):
        H[:, j] = np.heaviside(X @ W1[:, j] + b1[j], 0)
    return np.heaviside(H @ w2 + b2, 0).astype(int)


def xor_weights():
    W1 = np.array([[1.0, -1.0], [1.0, -1.0]])
    b1 = np.array([-0.5, 1.5])
    return W1, b1, np.array([1.0, 1.0]), -1.5
'''),
        ("calls a local step helper and indexes the gates one by one", '''def _step(z):
    return (np.asarray(z) > 0) * 1


def step_network_forward(X, W1, b1, w2, b2):
    return _step(_step(np.matmul(X, W1) + b1).dot(w2) + b2)


def xor_weights():
    W1 = np.empty((2, 2))
    W1[:, 0] = pw.GATES["NAND"][0]
    W1[:, 1] = pw.GATES["OR"][0]
    b1 = np.array([pw.GATES["NAND"][1], pw.GATES["OR"][1]])
    return W1, b1, pw.GATES["AND"][0], pw.GATES["AND"][1]
'''),
    ],
    "sigmoid_net_forward": [
        ("sigmoid as 0.5 * (1 + tanh(z / 2))", _sigmoid_net(sigmoid="0.5 * (1 + np.tanh(z / 2))")),
        ("stable two-branch sigmoid and explicit loops over units", '''def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_net_forward(X, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    hidden = np.empty((X.shape[0], W1.shape[1]))
    for j in range(W1.shape[1]):
        hidden[:, j] = sigmoid(X @ W1[:, j] + b1[j])
    return sigmoid(hidden @ W2 + b2)
'''),
    ],
}

CHEATS = {
    "perceptron_predict": [
        ("calls nnref's perceptron", '''def perceptron_predict(X, w, b):
    from nnref.widgets.perceptron import predict
    return predict(X, w, b)
'''),
        ("calls nnref's step", '''def perceptron_predict(X, w, b):
    return pw.step(X @ w + b)
'''),
    ],
    "perceptron_update": [
        ("calls nnref's learning step", '''def perceptron_update(x, y, w, b, lr):
    return pw.learning_step(x, y, w, b, lr)
'''),
    ],
    "sigmoid_net_forward": [
        ("calls nnref's network", '''def sigmoid_net_forward(X, params):
    return pw.xor_net_forward(X, params)
'''),
        ("calls nnref.layers", '''def sigmoid_net_forward(X, params):
    from nnref.layers import affine_forward, sigmoid_forward
    hidden, _ = sigmoid_forward(affine_forward(X, params["W1"], params["b1"])[0])
    return sigmoid_forward(affine_forward(hidden, params["W2"], params["b2"])[0])[0]
'''),
    ],
}
