"""PyTorch peer of `npm run bench`: a child process driven by bench/peers/torch.mjs.

Reads one JSON request per line on stdin and answers one JSON line on stdout:
  {"op": "hello"}                      -> {"version", "threads"}
  {"op": "threads", "n": N}            -> {"threads"}
  {"op": "prepare", "task": {...}}     -> {"id"} or {"na": why}; inputs arrive as raw
                                          float32/int32 files written by the harness
  {"op": "result", "id", "dir"}        -> {"files": [...]}: outputs as raw float32
  {"op": "time", "id"}                 -> {"seconds"}: one call, timed here so the pipe
                                          is not counted
  {"op": "drop", "id"}                 -> {}
The same workloads, data and weights as every other library (see bench/workloads.json).
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_interop_threads(1)


def load(path, shape, dtype=np.float32):
    return torch.from_numpy(np.fromfile(path, dtype=dtype)).reshape(shape)


class Net(torch.nn.Module):
    """The layer list of bench/lib/nets.mjs as torch modules."""

    def __init__(self, net, files):
        super().__init__()
        self.net = net
        self.layers = torch.nn.ModuleDict()
        for node in net["nodes"]:
            if node["op"] == "conv":
                layer = torch.nn.Conv2d(node["cin"], node["cout"], node["k"], stride=node["stride"], padding=node["pad"])
            elif node["op"] == "fc":
                layer = torch.nn.Linear(node["cin"], node["cout"])
            else:
                continue
            with torch.no_grad():
                layer.weight.copy_(load(files[node["name"] + ".w"], layer.weight.shape))
                layer.bias.copy_(load(files[node["name"] + ".b"], layer.bias.shape))
            self.layers[node["name"]] = layer

    def forward(self, x):
        out = {"x": x}
        for node in self.net["nodes"]:
            op, src = node["op"], node["in"]
            if op in ("conv", "fc"):
                y = self.layers[node["name"]](out[src])
            elif op == "maxpool":
                y = F.max_pool2d(out[src], node["k"], node["stride"], node["pad"])
            elif op == "add":
                y = out[src[0]] + out[src[1]]
            elif op == "gap":
                y = torch.flatten(F.adaptive_avg_pool2d(out[src], 1), 1)
            else:
                y = torch.flatten(out[src], 1)
            out[node["name"]] = F.relu(y) if node.get("relu") else y
        return out[self.net["output"]]


def lenet(task, files):
    model = Net(task["net"], files)
    c, h, w = task["net"]["input"]
    images = np.fromfile(files["images"], dtype=np.float32)
    count = len(images) // (c * h * w)
    images = torch.from_numpy(images).reshape(count, c, h, w)
    labels = torch.from_numpy(np.fromfile(files["labels"], dtype=np.int32).astype(np.int64))
    opt = torch.optim.SGD(model.parameters(), lr=task["lr"], momentum=task["momentum"])
    batch = task["batch"]

    def step(first):
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(images[first:first + batch]), labels[first:first + batch])
        loss.backward()
        opt.step()
        return loss.item()

    def call():
        for first in range(0, task["count"] - batch + 1, batch):
            step(first)

    def result():
        return [torch.tensor([step(i * batch) for i in range(task["checkSteps"])])]

    return call, result


def prepare(task):
    kind, s, files = task["kind"], task.get("spec"), task["files"]
    if kind == "gemm":
        a, b = load(files["a"], (s["m"], s["k"])), load(files["b"], (s["k"], s["n"]))
        call = lambda: torch.mm(a, b)
        return call, lambda: [call()]
    if kind in ("conv-fwd", "conv-bwd"):
        x, w = load(files["x"], task["xShape"]), load(files["w"], task["wShape"])
        stride, pad = [s["stride"]] * 2, [s["pad"]] * 2
        if kind == "conv-fwd":
            b = load(files["b"], (s["cout"],))
            call = lambda: F.conv2d(x, w, b, stride, pad)
            return call, lambda: [call()]
        dy = load(files["dy"], task["yShape"])
        # One ATen call computes dx, dw and db, what autograd runs for a conv layer.
        call = lambda: torch.ops.aten.convolution_backward(dy, x, w, [s["cout"]], stride, pad, [1, 1], False, [0, 0], 1, [True, True, True])
        return call, lambda: list(call())
    if kind in ("pool-fwd", "pool-bwd"):
        x = load(files["x"], task["xShape"])
        k, stride = [s["k"]] * 2, [s["stride"]] * 2
        if kind == "pool-fwd":
            call = lambda: F.max_pool2d(x, k, stride)
            return call, lambda: [call()]
        _, index = F.max_pool2d_with_indices(x, k, stride)
        dy = load(files["dy"], task["yShape"])
        call = lambda: torch.ops.aten.max_pool2d_with_indices_backward(dy, x, k, stride, [0, 0], [1, 1], False, index)
        return call, lambda: [call()]
    if kind == "lenet":
        return lenet(task, files)
    if kind == "resnet":
        model = Net(task["net"], files).eval()
        x = load(files["x"], [task["batch"]] + task["net"]["input"])

        def call():
            with torch.inference_mode():
                return model(x)

        return call, lambda: [call()]
    return None


def main():
    cases = {}
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "hello":
            res = {"version": torch.__version__, "threads": torch.get_num_threads()}
        elif op == "threads":
            torch.set_num_threads(req["n"])
            res = {"threads": torch.get_num_threads()}
        elif op == "prepare":
            case = prepare(req["task"])
            if case is None:
                res = {"na": "no such workload"}
            else:
                cases[len(cases)] = case
                res = {"id": len(cases) - 1}
        elif op == "result":
            outs = cases[req["id"]][1]()
            paths = []
            for i, t in enumerate(outs):
                path = os.path.join(req["dir"], f"torch-{req['id']}-{i}.bin")
                t.detach().contiguous().numpy().astype(np.float32).tofile(path)
                paths.append(path)
            res = {"files": paths}
        elif op == "time":
            call = cases[req["id"]][0]
            t0 = time.perf_counter()
            call()
            res = {"seconds": time.perf_counter() - t0}
        elif op == "drop":
            cases.pop(req["id"], None)
            res = {}
        else:
            res = {"error": f"unknown op {op}"}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
