"""W1 in PyTorch, one repetition, for `npm run bench` (benchmarks/src/peers/pytorch.ts starts it).

Reads the data set, initial weights and options the Node side wrote (the same bytes every library
trains on), trains the MLP with the same batches in the same order (x @ W + b, ReLU, mean softmax
cross-entropy, torch.optim.SGD), and prints one JSON line: samples/s of the timed steps and the
loss of step lossSteps - 1. One thread (torch.set_num_threads(1)) unless told otherwise.
"""
import json
import sys
import time

import torch


def main() -> None:
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg.get("threads", 1))
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set in this process
    sizes, samples, batch = cfg["sizes"], cfg["samples"], cfg["batch"]
    with open(cfg["data"], "rb") as f:
        raw = bytearray(f.read())
    off = 0

    def take(n: int, dtype: torch.dtype) -> torch.Tensor:
        nonlocal off
        t = torch.frombuffer(raw, dtype=dtype, count=n, offset=off).clone()
        off += 4 * n
        return t

    x = take(samples * sizes[0], torch.float32).reshape(samples, sizes[0])
    labels = take(samples, torch.int32).long()
    params = []
    for l in range(len(sizes) - 1):
        w = take(sizes[l] * sizes[l + 1], torch.float32).reshape(sizes[l], sizes[l + 1]).requires_grad_()
        b = take(sizes[l + 1], torch.float32).requires_grad_()
        params.append((w, b))
    opt = torch.optim.SGD([p for wb in params for p in wb], lr=cfg["lr"])
    n_batches = samples // batch
    xs = [x[i * batch:(i + 1) * batch].contiguous() for i in range(n_batches)]
    ys = [labels[i * batch:(i + 1) * batch].contiguous() for i in range(n_batches)]
    loss_step = cfg["lossSteps"] - 1
    loss_at = float("nan")

    def step(s: int) -> None:
        nonlocal loss_at
        h = xs[s % n_batches]
        for l, (w, b) in enumerate(params):
            h = torch.addmm(b, h, w)
            if l < len(params) - 1:
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, ys[s % n_batches])
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
        if s == loss_step:
            loss_at = loss.item()

    s = 0
    for _ in range(cfg["warmup"]):
        step(s)
        s += 1
    # As the Node side times it (w1-timing.ts): blocks of `steps` steps until minSeconds have passed.
    t0 = time.perf_counter()
    timed = 0
    while True:
        for _ in range(cfg["steps"]):
            step(s)
            s += 1
        timed += cfg["steps"]
        if time.perf_counter() - t0 >= cfg.get("minSeconds", 0):
            break
    dt = time.perf_counter() - t0
    while s < cfg["lossSteps"]:
        step(s)
        s += 1
    print(json.dumps({
        "samplesPerSec": timed * batch / dt,
        "loss": None if loss_at != loss_at else loss_at,
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
