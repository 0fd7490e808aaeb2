"""PyTorch (oneDNN/native CPU) convolution timings on the shapes of bench/native/conv.cc.

Usage: /usr/bin/python3 bench/peers/torch_conv.py [--threads 1,2] [--reps 7] [--shapes c1,r3] [--cpu]
Prints CSV: shape,threads,forward_ms,backward_ms (backward = dx + dw + db in one
autograd pass), each the median of `reps` timed runs after a warm-up; with --cpu the
minimum of the process's CPU time instead, as striate_bench_conv --cpu measures.
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


def median_ms(reps, fn, cpu=False):
    clock = time.process_time if cpu else time.perf_counter
    fn()
    times = []
    for _ in range(reps):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return (min(times) if cpu else statistics.median(times)) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--shapes", default="")
    parser.add_argument("--cpu", action="store_true")
    args = parser.parse_args()
    only = set(filter(None, args.shapes.split(",")))
    torch.manual_seed(0)
    print("shape,threads,forward_ms,backward_ms")
    for name, n, cin, cout, h, w, k, stride, pad in SHAPES:
        if only and name not in only:
            continue
        x = torch.randn(n, cin, h, w, requires_grad=True)
        conv = torch.nn.Conv2d(cin, cout, k, stride=stride, padding=pad)
        for threads in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(threads)
            with torch.no_grad():
                forward = median_ms(args.reps, lambda: conv(x), args.cpu)
            y = conv(x)
            dy = torch.randn_like(y)

            def backward():
                x.grad = None
                conv.zero_grad(set_to_none=True)
                y.backward(dy, retain_graph=True)

            print(f"{name},{threads},{forward:.4f},{median_ms(args.reps, backward, args.cpu):.4f}", flush=True)


if __name__ == "__main__":
    main()
