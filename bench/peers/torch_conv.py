"""PyTorch (oneDNN/native CPU) convolution timings on the shapes of bench/native/conv.cc.

Usage: /usr/bin/python3 bench/peers/torch_conv.py [--threads 1,2] [--reps 7]
Prints CSV: shape,threads,forward_ms,backward_ms (backward = dx + dw + db in one
autograd pass), each the median of `reps` timed runs after a warm-up.
"""
import argparse
import statistics
import time

import torch

SHAPES = [
    ("c1", 64, 1, 6, 32, 32, 5, 1, 0),
    ("c3", 64, 6, 16, 14, 14, 5, 1, 0),
    ("v3", 8, 64, 64, 56, 56, 3, 1, 1),
    ("r3", 16, 128, 128, 28, 28, 3, 1, 1),
    ("r3s", 16, 128, 256, 28, 28, 3, 2, 1),
    ("p1", 16, 256, 64, 28, 28, 1, 1, 0),
    ("a11", 4, 3, 64, 224, 224, 11, 4, 2),
]


def median_ms(reps, fn):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    torch.manual_seed(0)
    print("shape,threads,forward_ms,backward_ms")
    for name, n, cin, cout, h, w, k, stride, pad in SHAPES:
        x = torch.randn(n, cin, h, w, requires_grad=True)
        conv = torch.nn.Conv2d(cin, cout, k, stride=stride, padding=pad)
        for threads in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(threads)
            with torch.no_grad():
                forward = median_ms(args.reps, lambda: conv(x))
            y = conv(x)
            dy = torch.randn_like(y)

            def backward():
                x.grad = None
                conv.zero_grad(set_to_none=True)
                y.backward(dy, retain_graph=True)

            print(f"{name},{threads},{forward:.4f},{median_ms(args.reps, backward):.4f}", flush=True)


if __name__ == "__main__":
    main()
