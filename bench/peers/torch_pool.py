"""PyTorch's max pooling 2x2/2 on [16, 64, 56, 56], forward (with indices) and backward,
timed like bench/native/pool.cc: median of REPS runs after a warm-up, per thread count.
Usage: /usr/bin/python3 bench/peers/torch_pool.py [threads,...] [reps]"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

threads = [int(t) for t in (sys.argv[1] if len(sys.argv) > 1 else "1,2").split(",")]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 15
x = torch.rand(16, 64, 56, 56) * 2 - 1
dy = torch.rand(16, 64, 28, 28) * 2 - 1
fwd_bytes = 4.0 * (x.numel() + 2 * dy.numel())
bwd_bytes = 4.0 * (2 * dy.numel() + x.numel())

print(f"PyTorch {torch.__version__}; max pool 2x2/2 on x=[16, 64, 56, 56], median of {reps}\n")
print("| pass | threads | PyTorch ms | PyTorch GB/s |\n|---|---:|---:|---:|")
for t in threads:
    torch.set_num_threads(t)
    tf, tb, tt = [], [], []
    for r in range(reps + 1):
        t0 = time.perf_counter()
        y, idx = F.max_pool2d(x, 2, 2, return_indices=True)
        t1 = time.perf_counter()
        dx = torch.ops.aten.max_pool2d_with_indices_backward(dy, x, [2, 2], [2, 2], [0, 0], [1, 1], False, idx)
        t2 = time.perf_counter()
        if r:
            tf.append(t1 - t0)
            tb.append(t2 - t1)
            tt.append(t2 - t0)
    for name, ts, b in (("forward", tf, fwd_bytes), ("backward", tb, bwd_bytes), ("forward + backward", tt, fwd_bytes + bwd_bytes)):
        m = statistics.median(ts)
        print(f"| {name} | {t} | {m * 1e3:.3f} | {b / m * 1e-9:.1f} |")
