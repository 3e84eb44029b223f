"""Speed of nnref's training against PyTorch CPU and against the matrix-multiply floor.

A 784-256-10 ReLU net on MNIST, batch 128, SGD with momentum 0.9. nnref and (when installed)
PyTorch start from the same weights, see the same mini-batches, and take turns epoch by
epoch, so that load from other processes hits both alike. Prints seconds per epoch for each,
their ratio, the floor (the epoch's matrix-multiply FLOPs run by numpy alone) and test accuracy.

    python tests/benchmarks/bench_mlp.py --epochs 3
    python tests/benchmarks/bench_mlp.py --epochs 10 --threads 2

BLAS threads are set explicitly (--threads, default 1): on a shared 2-core machine two
processes with 2 BLAS threads each slow each other down several times over.
"""
import argparse
import os
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS / torch threads (default 1)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.2, help="initial learning rate")
    parser.add_argument("--decay", type=float, default=0.7,
                        help="learning rate factor per epoch (ExponentialDecay)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    return parser.parse_args()


ARGS = parse_args()
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)  # before numpy (and torch) load their BLAS

import numpy as np  # noqa: E402

from nnref.data import load_mnist  # noqa: E402
from nnref.nets import TwoLayerNet  # noqa: E402
from nnref.optim import Momentum  # noqa: E402
from nnref.schedules import ExponentialDecay  # noqa: E402
from nnref.train import accuracy  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(ARGS.threads, user_api="blas")  # importing nnref limited BLAS to one thread (nnref/threads.py)


def batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def gemm_shapes(batch, D, H, C):
    """(m, k, n) of every matrix product one training step needs (none for dX of the input)."""
    return [(batch, D, H), (batch, H, C),      # forward: X @ W1, h @ W2
            (H, batch, C), (batch, C, H),      # backward: h.T @ dscores, dscores @ W2.T
            (D, batch, H)]                     # backward: X.T @ dh


def epoch_flops(n, batch_size, D, H, C):
    sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    return sum(2 * m * k * p for b in sizes for m, k, p in gemm_shapes(b, D, H, C))


def gemm_epoch(n, batch_size, D, H, C):
    """A function that runs one epoch's matrix products in numpy float32, on random data."""
    rng = np.random.default_rng(0)
    sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    operands = {b: [(rng.random((m, k), dtype=np.float32), rng.random((k, p), dtype=np.float32))
                    for m, k, p in gemm_shapes(b, D, H, C)] for b in set(sizes)}

    def run():
        for b in sizes:
            for left, right in operands[b]:
                left @ right
    return run


def nnref_epoch(model, optimizer, X, y, order):
    for batch in order:
        _, grads = model.loss(X[batch], y[batch])
        optimizer.step(model.params, grads)


def torch_setup(model, threads):
    import torch
    torch.set_num_threads(threads)
    net = torch.nn.Sequential(torch.nn.Linear(model.params["W1"].shape[0], ARGS.hidden),
                              torch.nn.ReLU(), torch.nn.Linear(ARGS.hidden, 10))
    with torch.no_grad():  # torch's Linear keeps W transposed: (out, in)
        net[0].weight.copy_(torch.from_numpy(model.params["W1"].T.copy()))
        net[0].bias.copy_(torch.from_numpy(model.params["b1"]))
        net[2].weight.copy_(torch.from_numpy(model.params["W2"].T.copy()))
        net[2].bias.copy_(torch.from_numpy(model.params["b2"]))
    # torch: buf = mu buf + g, w -= lr buf; nnref: v = mu v + lr g, w -= v; the same steps
    # at a constant lr (v = lr buf).
    optimizer = torch.optim.SGD(net.parameters(), lr=ARGS.lr, momentum=0.9)
    return torch, net, optimizer


def torch_epoch(torch, net, optimizer, X, y, order):
    loss_fn = torch.nn.functional.cross_entropy
    for batch in order:
        index = torch.from_numpy(batch)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(net(X[index]), y[index])
        loss.backward()
        optimizer.step()


def torch_accuracy(torch, net, X, y):
    with torch.no_grad():
        return (net(X).argmax(1) == y).float().mean().item()


def blas_info():
    from threadpoolctl import threadpool_info

    return ", ".join(f"{p['internal_api']} {p['version']} x{p['num_threads']}"
                     for p in threadpool_info() if p["user_api"] == "blas")


def main():
    X_train, y_train, X_test, y_test = load_mnist()
    n, D = X_train.shape
    H, C = ARGS.hidden, 10
    model = TwoLayerNet(D, H, C, seed=ARGS.seed)
    optimizer = Momentum(lr=ARGS.lr, momentum=0.9)
    schedule = ExponentialDecay(lr0=ARGS.lr, decay=ARGS.decay)

    torch = None
    if not ARGS.no_torch:
        try:
            torch, net, torch_opt = torch_setup(model, ARGS.threads)
            tX, ty = torch.from_numpy(X_train), torch.from_numpy(y_train)
            tXt, tyt = torch.from_numpy(X_test), torch.from_numpy(y_test)
        except ImportError:
            print("PyTorch not installed: timing nnref only")

    flops = epoch_flops(n, ARGS.batch_size, D, H, C)
    print(f"MNIST {n} x {D}, net {D}-{H}-{C} ReLU, batch {ARGS.batch_size}, momentum 0.9, "
          f"lr {ARGS.lr} x {ARGS.decay}^epoch; BLAS: {blas_info()}"
          + (f"; torch {torch.__version__} x{torch.get_num_threads()}" if torch else ""))
    print(f"floor: the {flops / 1e9:.1f} GFLOP of matrix products of an epoch, run by numpy "
          f"alone, timed in turn with the two trainers\n")
    print(f"{'epoch':>5} {'lr':>7} {'nnref s':>8} {'torch s':>8} {'floor s':>8} "
          f"{'nnref/torch':>11} {'nnref/floor':>11}")

    rng = np.random.default_rng(ARGS.seed)
    floor = gemm_epoch(n, ARGS.batch_size, D, H, C)
    times = {"nnref": [], "torch": [], "floor": []}
    for epoch in range(ARGS.epochs):
        optimizer.lr = schedule(epoch)
        order = batches(n, ARGS.batch_size, rng)
        runs = [("nnref", lambda: nnref_epoch(model, optimizer, X_train, y_train, order)),
                ("floor", floor)]
        if torch:
            for group in torch_opt.param_groups:
                group["lr"] = optimizer.lr
            runs.append(("torch", lambda: torch_epoch(torch, net, torch_opt, tX, ty, order)))
        for name, run in runs[epoch % len(runs):] + runs[:epoch % len(runs)]:  # rotate the order
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
        t = {name: values[-1] for name, values in times.items() if values}
        print(f"{epoch + 1:>5} {optimizer.lr:7.4f} {t['nnref']:8.3f} {t.get('torch', np.nan):8.3f} "
              f"{t['floor']:8.3f} {t['nnref'] / t.get('torch', np.nan):11.2f} "
              f"{t['nnref'] / t['floor']:11.2f}", flush=True)

    med = {name: float(np.median(values)) for name, values in times.items() if values}

    def ratio(a, b):
        return float(np.median(np.divide(times[a], times[b])))

    print(f"\nmedian seconds per epoch: nnref {med['nnref']:.3f}"
          + (f", torch {med['torch']:.3f}" if torch else "")
          + f", floor {med['floor']:.3f} ({flops / med['floor'] / 1e9:.0f} GFLOP/s)")
    print("median of the per-epoch ratios: "
          + (f"nnref/torch {ratio('nnref', 'torch'):.2f}, " if torch else "")
          + f"nnref/floor {ratio('nnref', 'floor'):.2f}")
    print(f"test accuracy after {ARGS.epochs} epochs: nnref {accuracy(model, X_test, y_test):.4f}"
          + (f", torch {torch_accuracy(torch, net, tXt, tyt):.4f}" if torch else ""))


if __name__ == "__main__":
    main()
