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
        ("returns the weighted sum X @ w + b itself, without the step to 0 or 1", '''def perceptron_predict(X, w, b):
    return X @ w + b
'''),
        ("fires when the weighted sum is exactly 0 (z >= 0): the step gives 1 only for z > 0", '''def perceptron_predict(X, w, b):
    return (X @ w + b >= 0).astype(int)
'''),
        ("leaves out the bias b", '''def perceptron_predict(X, w, b):
    return (X @ w > 0).astype(int)
'''),
        ("subtracts the bias b instead of adding it", '''def perceptron_predict(X, w, b):
    return (X @ w - b > 0).astype(int)
'''),
        ("uses np.sign: -1 instead of 0 below the threshold", '''def perceptron_predict(X, w, b):
    return np.sign(X @ w + b)
'''),
        ("uses only the first two inputs (x[0] * w[0] + x[1] * w[1]): right for two features only", '''def perceptron_predict(X, w, b):
    return (X[:, 0] * w[0] + X[:, 1] * w[1] + b > 0).astype(int)
'''),
    ],
    "perceptron_update": [
        ("takes the error as y_hat - y: the sign is flipped, so each update pushes the wrong way", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + lr * (y_hat - y) * x, b + lr * (y_hat - y)
'''),
        ("updates w but leaves the bias b unchanged", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + lr * (y - y_hat) * x, b
'''),
        ("uses the weighted sum itself as the prediction, without the step (the delta rule)", '''def perceptron_update(x, y, w, b, lr):
    error = y - (x @ w + b)
    return w + lr * error * x, b + lr * error
'''),
        ("adds lr * y * x whatever the prediction: it changes the weights even when the prediction is right", '''def perceptron_update(x, y, w, b, lr):
    return w + lr * y * x, b + lr * y
'''),
        ("ignores the learning rate lr", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + (y - y_hat) * x, b + (y - y_hat)
'''),
        ("predicts 1 when the weighted sum is exactly 0 (z >= 0): the step gives 1 only for z > 0", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)
'''),
        ("changes the caller's w in place (w += ...): right values, but the array passed in changes too", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    w += lr * (y - y_hat) * x
    return w, b + lr * (y - y_hat)
'''),
        ("scales the caller's x in place (x *= ...): right values, but the input passed in changes too", '''def perceptron_update(x, y, w, b, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    x *= lr * (y - y_hat)
    return w + x, b + lr * (y - y_hat)
'''),
    ],
    "xor_network": [
        ("no step on the hidden layer: two linear layers in a row act as one, which cannot compute XOR", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = X @ W1 + b1
    return (hidden @ w2 + b2 > 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("multiplies by W1.T: reads a hidden unit's weights from a row of W1, not from its column", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = (X @ W1.T + b1 > 0).astype(int)
    return (hidden @ w2 + b2 > 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("fires when the weighted sum is exactly 0 (z >= 0): the step gives 1 only for z > 0", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = (X @ W1 + b1 >= 0).astype(int)
    return (hidden @ w2 + b2 >= 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("leaves out the output bias b2", '''def step_network_forward(X, W1, b1, w2, b2):
    hidden = (X @ W1 + b1 > 0).astype(int)
    return (hidden @ w2 > 0).astype(int)
''' + "\n\n" + _XOR_WEIGHTS),
        ("xor_weights puts the gates' weights in the rows of W1: a hidden unit's weights are a column", _STEP_NETWORK + "\n\n" + '''def xor_weights():
    (w_nand, b_nand), (w_or, b_or), (w_and, b_and) = (pw.GATES[g] for g in ["NAND", "OR", "AND"])
    return np.array([w_nand, w_or]), np.array([b_nand, b_or]), w_and, b_and
'''),
        ("xor_weights swaps two gates: AND as a hidden unit, OR as the output", _STEP_NETWORK + "\n\n" + '''def xor_weights():
    (w_nand, b_nand), (w_or, b_or), (w_and, b_and) = (pw.GATES[g] for g in ["NAND", "OR", "AND"])
    return np.column_stack([w_nand, w_and]), np.array([b_nand, b_and]), w_or, b_or
'''),
    ],
    "sigmoid_net_forward": [
        ("leaves out the sigmoid on the output layer", _sigmoid_net(output="hidden @ params['W2'] + params['b2']")),
        ("leaves out the sigmoid on the hidden layer", _sigmoid_net(hidden="X @ params['W1'] + params['b1']")),
        ("multiplies by W1.T: reads a hidden unit's weights from a row of W1, not from its column", _sigmoid_net(hidden="sigmoid(X @ params['W1'].T + params['b1'])")),
        ("a sign error in the sigmoid, 1 / (1 + exp(z)): it falls where it should rise", _sigmoid_net(sigmoid="1 / (1 + np.exp(z))")),
        ("computes the sigmoid as exp(z) / (1 + exp(z)), which gives nan for large z (exp overflows)", _sigmoid_net(sigmoid="np.exp(z) / (1 + np.exp(z))")),
        ("uses tanh on the hidden layer instead of the sigmoid", _sigmoid_net(hidden="np.tanh(X @ params['W1'] + params['b1'])")),
        ("leaves out the output bias b2", _sigmoid_net(output="sigmoid(hidden @ params['W2'])")),
        ("flattens the output to shape (N,) instead of keeping one column per output",
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
