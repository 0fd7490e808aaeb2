"""PyTorch timings of the zoo networks, for bench/zoo.mjs: the torchvision model where
striate's matches one (alexnet, vgg*, googlenet, inception_v3, resnet*, densenet*),
and for the CIFAR nets (resnet20/32/56 with projection shortcuts, the CIFAR vgg and
DenseNet-BC) the same architecture written out here.

Usage: /usr/bin/python3 bench/peers/torch_zoo.py --models resnet20,resnet18 --sizes cifar
       [--reps 5] [--threads N] [--classes 10]
Prints CSV: model,size,input,mode,batch,images_per_s with mode forward (no_grad, eval)
at batch 1 and 32 and train (forward, cross-entropy, backward, SGD step) at batch 32,
each the median of `reps` timed runs after a warm-up.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torchvision.models as tvm


def cifar_resnet(n, classes):
    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return torch.relu(y + (x if self.down is None else self.down(x)))

    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for stage in range(3):
        for b in range(n):
            cout = 16 << stage
            layers.append(Block(cin, cout, 2 if b == 0 and stage > 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes)]
    return nn.Sequential(*layers)


def cifar_vgg(classes, depth=16):
    cfg = {11: [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
           16: [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]}[depth]
    layers, cin = [], 3
    for c in cfg:
        if c == 0:
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU()]
            cin = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes)]
    return nn.Sequential(*layers)


def cifar_densenet(classes, depth=100, growth=12):
    # torchvision's _DenseBlock/_Transition with a CIFAR stem: 3x3 conv to 2k, 3 blocks.
    from torchvision.models.densenet import _DenseBlock, _Transition
    n = (depth - 4) // 6
    c = 2 * growth
    layers = [nn.Conv2d(3, c, 3, padding=1, bias=False)]
    for i in range(3):
        layers.append(_DenseBlock(n, c, 4, growth, 0.0))
        c += n * growth
        if i < 2:
            layers.append(_Transition(c, c // 2))
            c //= 2
    layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes)]
    return nn.Sequential(*layers)


def build(name, classes):
    if name == 'resnet20':
        return cifar_resnet(3, classes)
    if name == 'resnet32':
        return cifar_resnet(5, classes)
    if name == 'resnet56':
        return cifar_resnet(9, classes)
    if name == 'vgg':
        return cifar_vgg(classes)
    if name == 'densenet':
        return cifar_densenet(classes)
    if name == 'googlenet':
        return tvm.googlenet(num_classes=classes, aux_logits=False, init_weights=True)
    if name == 'inceptionV3':
        return tvm.inception_v3(num_classes=classes, aux_logits=False, init_weights=True)
    return getattr(tvm, name)(num_classes=classes)


def median_rate(reps, batch, fn):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return batch / statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--models', required=True)
    p.add_argument('--sizes', default='cifar')
    p.add_argument('--inputs', default='', help='model/size=HxW pairs chosen by zoo.mjs')
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=0)
    p.add_argument('--classes', type=int, default=10)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    inputs = dict(kv.split('=') for kv in filter(None, a.inputs.split(',')))
    torch.manual_seed(0)
    print('model,size,input,mode,batch,images_per_s')
    for name in a.models.split(','):
        for size in a.sizes.split(','):
            key = f'{name}/{size}'
            if key not in inputs:
                continue
            h = int(inputs[key])
            model = build(name, a.classes)
            model.eval()
            for batch in (1, 32):
                x = torch.randn(batch, 3, h, h)
                with torch.no_grad():
                    rate = median_rate(a.reps, batch, lambda: model(x))
                print(f'{name},{size},{h},forward,{batch},{rate:.2f}', flush=True)
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            loss_fn = nn.CrossEntropyLoss()
            x = torch.randn(32, 3, h, h)
            y = torch.randint(0, a.classes, (32,))

            def step():
                opt.zero_grad(set_to_none=True)
                loss_fn(model(x), y).backward()
                opt.step()
            print(f'{name},{size},{h},train,32,{median_rate(a.reps, 32, step):.2f}', flush=True)


if __name__ == '__main__':
    main()
