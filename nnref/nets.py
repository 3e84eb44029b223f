"""Networks built from nnref.layers and nnref.losses.

A model has ``params`` (a dict of arrays) and ``loss(X, y=None)``: without labels it returns
the class scores, with labels ``(loss, grads)`` where ``grads`` has the keys of ``params``.
That is all a trainer or an optimizer needs to know about it.

Shapes: N examples, D input features, H_i units in hidden layer i, C classes.
Models compute in the dtype of their parameters (``dtype``, float32 by default): inputs are
cast to it, and the loss, scores and gradients come out in it.
"""
import inspect
from types import SimpleNamespace

import numpy as np

from nnref import init as initializers
from nnref import layers
from nnref.losses import softmax_cross_entropy

__all__ = ["FullyConnectedNet", "TwoLayerNet", "LAYER_FUNCTIONS", "layer_functions"]

NONLINEAR = ("relu", "tanh", "sigmoid", "leaky_relu", "elu")
ACTIVATIONS = (*NONLINEAR, "linear")  # linear: no activation, the identity
INITIALIZERS = ("he", "xavier", "small_random", "standard_normal")
# The layer functions a net calls, each with its lesson's signature (02, 04, 07, 08).
LAYER_FUNCTIONS = ("affine_forward", "affine_backward",
                   *(f"{a}_{d}" for a in NONLINEAR for d in ("forward", "backward")),
                   "batchnorm_forward", "batchnorm_backward", "dropout_forward", "dropout_backward")


def layer_functions(namespace=None):
    """The layer functions of ``LAYER_FUNCTIONS`` a net calls: each one that ``namespace``
    defines (a module, an object, or a dict such as a notebook's ``globals()``), nnref.layers'
    for the others. Returns (a SimpleNamespace of all of them, the names taken from
    ``namespace``)."""
    def found(name):
        value = namespace.get(name) if isinstance(namespace, dict) else getattr(namespace, name, None)
        return value if callable(value) else None

    own = [name for name in LAYER_FUNCTIONS if namespace is not None and found(name)]
    return SimpleNamespace(**{name: found(name) if name in own else getattr(layers, name)
                              for name in LAYER_FUNCTIONS}), own


def _linear_forward(x):
    return x, None


def _linear_backward(dout, cache):
    return dout


class FullyConnectedNet:
    """{affine - [batchnorm] - activation - [dropout]} x (L - 1) - affine - softmax.

    Args:
        hidden_dims: sizes of the hidden layers, e.g. [100, 50] (L - 1 = len(hidden_dims)).
        input_dim: D.  num_classes: C.
        activation: 'relu', 'tanh', 'sigmoid', 'leaky_relu', 'elu' or 'linear' (none: every
            layer affine, the whole net one linear map).
        normalization: None or 'batchnorm' (after each hidden affine layer).
        keep_prob: dropout's probability of keeping a unit after each hidden layer; 1.0 = no
            dropout.
        reg: L2 strength; the loss adds 0.5 * reg * sum(W**2) over the weight matrices (not
            the biases, nor batchnorm's gamma and beta).
        l1: L1 strength; the loss adds l1 * sum(|W|) over the same weight matrices, whose
            gradients get l1 * sign(W) (the subgradient 0 where a weight is exactly 0).
        init: name of an initializer in nnref.init ('he', 'xavier', 'small_random',
            'standard_normal'); None picks 'he' for the ReLU family, 'xavier' for tanh and
            sigmoid.
        weight_scale: if given, weights are weight_scale * standard normal instead (CS231n).
        dtype: of the parameters and of all computation.
        seed: seeds the weights and the dropout masks (each training call draws a new mask).
        dropout_seed: if given, every training call uses the same dropout mask (for gradient
            checks).
        layers: where the layer functions come from (see ``layer_functions``): nnref.layers
            by default, or e.g. a notebook's globals() holding a student's affine_forward,
            relu_backward, ...; each is called with its lesson's signature, so the net trains
            with the student's layers. ``own_layers`` names those taken from it.
        loss_function: (scores, y) -> (loss, dscores), softmax_cross_entropy by default; for
            regression nnref.losses.mse with num_classes=1 and y (N,) real-valued targets.

    Parameters: W1 (D, H_1), b1 (H_1,), ..., W{L} (H_{L-1}, C), b{L} (C,); with batchnorm also
    gamma{i}, beta{i} (H_i,) for each hidden layer i. Batchnorm's running statistics live in
    ``bn_params`` (one dict per hidden layer).
    Batchnorm and dropout run in 'train' mode when ``loss`` gets labels, in 'test' mode without.
    """

    def __init__(self, hidden_dims, input_dim, num_classes, activation="relu",
                 normalization=None, keep_prob=1.0, reg=0.0, init=None, weight_scale=None,
                 dtype=np.float32, seed=None, dropout_seed=None, l1=0.0, layers=None,
                 loss_function=softmax_cross_entropy):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}")
        if normalization not in (None, "batchnorm"):
            raise ValueError(f"normalization must be None or 'batchnorm', got {normalization!r}")
        if not 0 < keep_prob <= 1:
            raise ValueError(f"keep_prob is the probability of keeping a unit, in (0, 1]; got {keep_prob}")
        if init is None:
            init = "he" if activation in ("relu", "leaky_relu", "elu") else "xavier"
        if init not in INITIALIZERS:
            raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITIALIZERS)}")
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise ValueError(f"dtype must be a float type (float32 or float64), got {self.dtype}")
        self.reg = float(reg)  # a Python float does not promote float32 arrays
        self.l1 = float(l1)
        self.activation = activation
        self.normalization = normalization
        self.keep_prob = float(keep_prob)
        self.dropout_seed = dropout_seed
        self.num_layers = len(hidden_dims) + 1
        self._rng = np.random.default_rng(seed)
        self.layers, self.own_layers = layer_functions(layers)
        self.loss_function = loss_function
        if activation == "linear":
            self._forward, self._backward = _linear_forward, _linear_backward
        else:
            self._forward = getattr(self.layers, f"{activation}_forward")
            self._backward = getattr(self.layers, f"{activation}_backward")
        # nnref's affine_backward can skip the first layer's dx, which no one uses; a lesson's
        # affine_backward(dout, cache) computes it
        self._skips_dx = "need_dx" in inspect.signature(self.layers.affine_backward).parameters

        dims = [input_dim, *hidden_dims, num_classes]
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            if weight_scale is not None:
                W = weight_scale * self._rng.standard_normal((fan_in, fan_out))
            else:
                W = getattr(initializers, init)(fan_in, fan_out, rng=self._rng, dtype=self.dtype)
            self.params[f"W{i}"] = np.asarray(W, dtype=self.dtype)
            self.params[f"b{i}"] = np.zeros(fan_out, dtype=self.dtype)
            if normalization and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(fan_out, dtype=self.dtype)
                self.params[f"beta{i}"] = np.zeros(fan_out, dtype=self.dtype)
        self.bn_params = [{} for _ in hidden_dims] if normalization else []

    def _forward_pass(self, X, mode):
        """Scores (N, C), the caches for the backward pass, and each hidden layer's output."""
        p, fns = self.params, self.layers
        out = np.asarray(X, dtype=self.dtype)
        caches, hidden = [], []
        dropout_param = {"keep_prob": self.keep_prob, "mode": mode,
                         "seed": self._rng if self.dropout_seed is None else self.dropout_seed}
        for i in range(1, self.num_layers):
            out, affine_cache = fns.affine_forward(out, p[f"W{i}"], p[f"b{i}"])
            bn_cache = dropout_cache = None
            if self.normalization:
                bn_param = self.bn_params[i - 1]
                bn_param["mode"] = mode
                out, bn_cache = fns.batchnorm_forward(out, p[f"gamma{i}"], p[f"beta{i}"], bn_param)
            out, act_cache = self._forward(out)
            if self.keep_prob < 1:
                out, dropout_cache = fns.dropout_forward(out, dropout_param)
            caches.append((affine_cache, bn_cache, act_cache, dropout_cache))
            hidden.append(out)
        L = self.num_layers
        scores, last_cache = fns.affine_forward(out, p[f"W{L}"], p[f"b{L}"])
        caches.append(last_cache)
        return scores, caches, hidden

    def loss(self, X, y=None):
        """Scores, or the loss and its gradients.

        X: (N, D) or (N, d1, ..., dk).  y: (N,) integer labels in [0, C), or None.
        Returns scores (N, C) if y is None (test mode), else (loss, grads): the loss function's
        (the mean cross-entropy by default) plus the L2 and L1 terms (a scalar in the model's dtype) and a dict with the
        gradient of each parameter, in its shape and dtype (train mode).
        """
        scores, caches, _ = self._forward_pass(X, "test" if y is None else "train")
        if y is None:
            return scores
        loss, dout = self.loss_function(scores, y)
        p, L, fns = self.params, self.num_layers, self.layers
        grads = {}
        dout, grads[f"W{L}"], grads[f"b{L}"] = fns.affine_backward(dout, caches[-1])
        for i in range(L - 1, 0, -1):
            affine_cache, bn_cache, act_cache, dropout_cache = caches[i - 1]
            if dropout_cache is not None:
                dout = fns.dropout_backward(dout, dropout_cache)
            dout = self._backward(dout, act_cache)
            if bn_cache is not None:
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = fns.batchnorm_backward(dout, bn_cache)
            skip = {"need_dx": False} if i == 1 and self._skips_dx else {}
            dout, grads[f"W{i}"], grads[f"b{i}"] = fns.affine_backward(dout, affine_cache, **skip)
        for i in range(1, L + 1):
            W = p[f"W{i}"]
            if self.reg:
                loss = loss + 0.5 * self.reg * np.vdot(W, W)
                grads[f"W{i}"] += self.reg * W
            if self.l1:
                loss = loss + self.l1 * np.abs(W).sum()
                grads[f"W{i}"] += self.l1 * np.sign(W)
        return self.dtype.type(loss), grads

    def predict(self, X):
        """Predicted class ids (N,) for X (N, D), in test mode."""
        return np.argmax(self.loss(X), axis=1)

    def hidden_activations(self, X):
        """The output of every hidden layer for X, in test mode: a list of (N, H_i) arrays."""
        return self._forward_pass(X, "test")[2]


class TwoLayerNet(FullyConnectedNet):
    """affine - ReLU - affine - softmax, with parameters W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).

    A FullyConnectedNet with one hidden layer of hidden_dim units; the other arguments are
    FullyConnectedNet's (reg, l1, init, weight_scale, dtype, seed, layers).
    """

    def __init__(self, input_dim, hidden_dim, num_classes, reg=0.0, init="he",
                 weight_scale=None, dtype=np.float32, seed=None, l1=0.0, layers=None):
        super().__init__([hidden_dim], input_dim, num_classes, reg=reg, l1=l1, init=init,
                         weight_scale=weight_scale, dtype=dtype, seed=seed, layers=layers)
