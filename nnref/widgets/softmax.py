"""Lesson 03: softmax probabilities, temperature, the cross-entropy loss; figures and a widget.

``softmax_state`` is pure (no widget, no display), so it is tested without a browser;
``softmax_explorer`` wires it to ipywidgets controls. The numbers come from nnref.losses
(this module holds no second copy of the formulas).
"""
import numpy as np

from nnref.losses import mse, softmax, softmax_cross_entropy

__all__ = ["IRIS_CLASSES", "softmax_state", "plot_probabilities", "plot_cross_entropy_curve",
           "plot_mse_vs_cross_entropy", "softmax_explorer", "LOGIT_STEP"]

IRIS_CLASSES = ("setosa", "versicolor", "virginica")
# The logit sliders' step, fine enough that the probabilities keep their 4 printed decimals.
LOGIT_STEP = 1e-4


def softmax_state(logits, temperature=1.0, label=0):
    """Probabilities softmax(logits / temperature) and the loss -ln p[label].

    logits: (C,) scores of one sample.  temperature: a number > 0; small values sharpen the
    distribution towards the largest logit, large values flatten it towards uniform.
    label: the true class, an integer in [0, C).
    Returns a dict: probs (C,), loss (a float, natural log), dscores (C,) = d loss / d logits.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or logits.size < 2:
        raise ValueError(f"softmax_state: logits must be a 1-D array of at least 2 class scores, "
                         f"got shape {logits.shape}.")
    if not temperature > 0:
        raise ValueError(f"softmax_state: the temperature must be > 0 (it divides the logits), "
                         f"got {temperature}.")
    if not (isinstance(label, (int, np.integer)) and 0 <= label < logits.size):
        raise ValueError(f"softmax_state: label must be a class id in [0, {logits.size}), "
                         f"got {label!r}.")
    scores = logits[None, :] / temperature
    loss, dscores = softmax_cross_entropy(scores, np.array([label]))
    # The chain rule through the division by the temperature gives the gradient w.r.t. logits.
    return {"probs": softmax(scores)[0], "loss": float(loss), "dscores": dscores[0] / temperature}


def plot_probabilities(probs, class_names=IRIS_CLASSES, label=None, ax=None, title=None):
    """Bar chart of one sample's class probabilities; the true class (label) in green.

    probs: (C,).  Returns the matplotlib axes.
    """
    import matplotlib.pyplot as plt

    probs = np.asarray(probs, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3))
    colors = ["C2" if k == label else "C0" for k in range(probs.size)]
    bars = ax.bar(range(probs.size), probs, color=colors)
    ax.bar_label(bars, labels=[f"{p:.4f}" for p in probs], fontsize=8)
    ax.set_xticks(range(probs.size), class_names[:probs.size])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("probability")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_cross_entropy_curve(p_true=(), ax=None):
    """The loss -ln p of a sample against p, the probability it gets on its true class.

    p_true: probabilities to mark on the curve (e.g. a batch's), (N,).  Returns the axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    p = np.linspace(0.005, 1, 400)
    ax.plot(p, -np.log(p), lw=2, label="cross-entropy  -ln p")
    ax.plot(p, -np.log10(p), lw=1.5, ls="--", color="0.5", label="with log10  -log10 p")
    p_true = np.asarray(p_true, dtype=np.float64)
    for i, pi in enumerate(p_true):
        ax.plot(pi, -np.log(pi), "o", color="C3")
        ax.annotate(f"sample {i}", (pi, -np.log(pi)), textcoords="offset points",
                    xytext=(5, 5), fontsize=8)
    ax.set_xlabel("p = probability of the true class")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 5)
    ax.legend(fontsize=8)
    return ax


def _two_class_curves(z):
    """Loss and d loss / d z_true for MSE and cross-entropy, two classes, true class 0.

    The scores are (z, 0): z is how far the true class's score is ahead of the other's.
    """
    ce, mse_loss, ce_grad, mse_grad = [], [], [], []
    one_hot = np.array([[1.0, 0.0]])
    for zi in z:
        scores = np.array([[zi, 0.0]])
        loss, dscores = softmax_cross_entropy(scores, np.array([0]))
        ce.append(loss)
        ce_grad.append(dscores[0, 0])
        p = softmax(scores)
        loss, dp = mse(p, one_hot)
        # Back through softmax: dL/dz = J^T dL/dp with the Jacobian J = diag(p) - p p^T.
        jacobian = np.diag(p[0]) - np.outer(p[0], p[0])
        mse_loss.append(loss)
        mse_grad.append((jacobian.T @ dp[0])[0])
    return np.array(ce), np.array(mse_loss), np.array(ce_grad), np.array(mse_grad)


def plot_mse_vs_cross_entropy(z_min=-10.0, z_max=10.0):
    """Two panels, two classes: loss and |gradient| against the true class's score lead z.

    Returns the figure.
    """
    import matplotlib.pyplot as plt

    z = np.linspace(z_min, z_max, 201)
    ce, mse_loss, ce_grad, mse_grad = _two_class_curves(z)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    left.plot(z, ce, lw=2, label="cross-entropy")
    left.plot(z, mse_loss, lw=2, label="MSE (p vs one-hot)")
    left.set_ylabel("loss")
    right.semilogy(z, np.abs(ce_grad), lw=2, label="cross-entropy")
    right.semilogy(z, np.abs(mse_grad), lw=2, label="MSE (p vs one-hot)")
    right.set_ylabel("|d loss / d z_true|")
    for ax in (left, right):
        ax.axvspan(z_min, -3, color="0.9")
        ax.set_xlabel("z = score of the true class minus the other's")
        ax.legend(fontsize=8)
    left.set_title("confidently wrong (grey): cross-entropy keeps growing", fontsize=9)
    right.set_title("... and keeps its gradient; MSE's gradient vanishes", fontsize=9)
    fig.tight_layout()
    return fig


def softmax_explorer(logits=(-0.894, 1.100, 2.083), label=2, class_names=IRIS_CLASSES):
    """A widget: one slider per logit, a temperature slider and the true class;
    probability bars and the loss follow. Returns a VBox.
    """
    import ipywidgets as widgets

    if len(class_names) != len(logits):
        raise ValueError(f"softmax_explorer: {len(logits)} logits but {len(class_names)} class "
                         f"names; give one name per logit.")
    layout = widgets.Layout(width="360px")
    # The browser snaps a slider to its step and sends the snapped value back: with step 0.1
    # the lesson's p = 0.7018 became 0.7054 before anything was moved. So the logits start on
    # a grid fine enough to keep p's four decimals.
    sliders = [widgets.FloatSlider(value=round(float(v), 4), min=-10.0, max=10.0,
                                   step=LOGIT_STEP, layout=layout, readout_format=".4f",
                                   description=f"z ({name})",
                                   style={"description_width": "110px"})
               for v, name in zip(logits, class_names)]
    temperature = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05,
                                         description="temperature T", layout=layout,
                                         style={"description_width": "110px"})
    true_class = widgets.Dropdown(options=[(name, k) for k, name in enumerate(class_names)],
                                  value=label, description="true class")
    bars = [widgets.FloatProgress(min=0.0, max=1.0, description=name) for name in class_names]
    # HTML, not Label: a Label collapses the spaces between p and dL/dz.
    numbers = [widgets.HTML() for _ in class_names]
    loss_text = widgets.HTML()

    def update(change=None):
        state = softmax_state([s.value for s in sliders], temperature.value, true_class.value)
        for k, (bar, number, p) in enumerate(zip(bars, numbers, state["probs"])):
            bar.value = p
            bar.bar_style = "success" if k == true_class.value else "info"
            number.value = (f"<span style='font-family: monospace; white-space: pre'>"
                            f"p = {p:.4f}   dL/dz = {state['dscores'][k]:+.4f}</span>")
        loss_text.value = (f"<b>loss</b> = -ln p({class_names[true_class.value]}) = "
                           f"{state['loss']:.4f}")

    for control in sliders + [temperature, true_class]:
        control.observe(update, names="value")
    update()
    controls = widgets.VBox(sliders + [temperature, true_class])
    display = widgets.VBox([widgets.HBox([bar, number]) for bar, number in zip(bars, numbers)]
                           + [loss_text])
    return widgets.VBox([controls, display])
