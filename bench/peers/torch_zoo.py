"""PyTorch peer of bench/zoo.mjs: every zoo network written out in plain torch.nn, so it
runs with Debian's python3-torch alone (no torchvision). Each network is torchvision's
layer for layer where striate's matches one (alexnet without LRN, vgg11/13/16/19,
googlenet and inception_v3 without auxiliary classifiers, resnet18..152, densenet121/169/201;
src/models/zoo/ names the torchvision model each file matches), and the CIFAR nets
(resnet20/32/56 with projection shortcuts, the CIFAR VGG with batch norm, DenseNet-BC)
as striate builds them. zoo.mjs holds each network's parameter count against striate's.

A long-lived child: one JSON request per line on stdin, one JSON answer per line on stdout.
  {"op": "hello", "threads": N}                           -> {"version", "threads"}
  {"op": "build", "name", "side", "classes", "batches", "depth"?}
                                                          -> {"params"}: the model, one input
                                                             [b, 3, side, side] per batch size b and an
                                                             SGD optimizer; depth: the CIFAR vgg's (11..19)
  {"op": "time", "mode": "forward" | "train", "batch"}    -> {"seconds"}: one call, timed here
forward: eval mode under torch.no_grad; train: zero_grad, forward in training mode,
cross-entropy, backward, SGD step with momentum 0.9.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout, kernel, stride=1, padding=0, eps=1e-5):
    """torchvision's BasicConv2d: conv without bias, batch norm, ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding, bias=False), nn.BatchNorm2d(cout, eps=eps), nn.ReLU(inplace=True))


# --- AlexNet and VGG (torchvision.models.alexnet, vgg11..19) ---------------------------

def alexnet(classes):
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d(6), nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(256 * 36, 4096), nn.ReLU(inplace=True),
        nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, classes))


VGG = {11: [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
       13: [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
       16: [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
       19: [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0]}


def vgg_features(depth, batch_norm):
    layers, cin = [], 3
    for c in VGG[depth]:
        if c == 0:
            layers.append(nn.MaxPool2d(2, 2))
            continue
        layers.append(nn.Conv2d(cin, c, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(c))
        layers.append(nn.ReLU(inplace=True))
        cin = c
    return layers


def vgg(depth, classes):
    return nn.Sequential(
        *vgg_features(depth, False), nn.AdaptiveAvgPool2d(7), nn.Flatten(),
        nn.Linear(512 * 49, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5), nn.Linear(4096, classes))


def cifar_vgg(classes, depth=16):
    return nn.Sequential(*vgg_features(depth, True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes))


# --- GoogLeNet (torchvision.models.googlenet, aux_logits=False) --------------------------

class InceptionV1(nn.Module):
    def __init__(self, cin, c1, r3, c3, r5, c5, pool):
        super().__init__()
        self.b1 = conv_bn_relu(cin, c1, 1, eps=1e-3)
        self.b2 = nn.Sequential(conv_bn_relu(cin, r3, 1, eps=1e-3), conv_bn_relu(r3, c3, 3, padding=1, eps=1e-3))
        # torchvision's "5x5" branch is a 3x3 (a quirk of the ported weights), as is striate's default form.
        self.b3 = nn.Sequential(conv_bn_relu(cin, r5, 1, eps=1e-3), conv_bn_relu(r5, c5, 3, padding=1, eps=1e-3))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), conv_bn_relu(cin, pool, 1, eps=1e-3))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


def googlenet(classes):
    pool = lambda k: nn.MaxPool2d(k, 2, ceil_mode=True)  # noqa: E731
    return nn.Sequential(
        conv_bn_relu(3, 64, 7, 2, 3, eps=1e-3), pool(3),
        conv_bn_relu(64, 64, 1, eps=1e-3), conv_bn_relu(64, 192, 3, padding=1, eps=1e-3), pool(3),
        InceptionV1(192, 64, 96, 128, 16, 32, 32), InceptionV1(256, 128, 128, 192, 32, 96, 64), pool(3),
        InceptionV1(480, 192, 96, 208, 16, 48, 64), InceptionV1(512, 160, 112, 224, 24, 64, 64),
        InceptionV1(512, 128, 128, 256, 24, 64, 64), InceptionV1(512, 112, 144, 288, 32, 64, 64),
        InceptionV1(528, 256, 160, 320, 32, 128, 128), pool(2),
        InceptionV1(832, 256, 160, 320, 32, 128, 128), InceptionV1(832, 384, 192, 384, 48, 128, 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1024, classes))


# --- Inception-v3 (torchvision.models.inception_v3, aux_logits=False) --------------------

def unit(cin, cout, kernel, stride=1, padding=0):
    return conv_bn_relu(cin, cout, kernel, stride, padding, eps=1e-3)


class Branches(nn.Module):
    """Runs each branch (a module, or a pair whose outputs are concatenated) on x; concatenates."""

    def __init__(self, *branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], 1)


class Fork(nn.Module):
    """A stem followed by two parallel heads, concatenated (Inception-E's 1x3 | 3x1)."""

    def __init__(self, stem, a, b):
        super().__init__()
        self.stem, self.a, self.b = stem, a, b

    def forward(self, x):
        y = self.stem(x)
        return torch.cat([self.a(y), self.b(y)], 1)


def avg_pool():
    return nn.AvgPool2d(3, 1, 1)


def inception_a(cin, pool):
    return Branches(unit(cin, 64, 1), nn.Sequential(unit(cin, 48, 1), unit(48, 64, 5, padding=2)),
                    nn.Sequential(unit(cin, 64, 1), unit(64, 96, 3, padding=1), unit(96, 96, 3, padding=1)),
                    nn.Sequential(avg_pool(), unit(cin, pool, 1)))


def inception_b(cin):
    return Branches(unit(cin, 384, 3, 2), nn.Sequential(unit(cin, 64, 1), unit(64, 96, 3, padding=1), unit(96, 96, 3, 2)),
                    nn.MaxPool2d(3, 2))


def inception_c(cin, c7):
    return Branches(unit(cin, 192, 1),
                    nn.Sequential(unit(cin, c7, 1), unit(c7, c7, (1, 7), padding=(0, 3)), unit(c7, 192, (7, 1), padding=(3, 0))),
                    nn.Sequential(unit(cin, c7, 1), unit(c7, c7, (7, 1), padding=(3, 0)), unit(c7, c7, (1, 7), padding=(0, 3)),
                                  unit(c7, c7, (7, 1), padding=(3, 0)), unit(c7, 192, (1, 7), padding=(0, 3))),
                    nn.Sequential(avg_pool(), unit(cin, 192, 1)))


def inception_d(cin):
    return Branches(nn.Sequential(unit(cin, 192, 1), unit(192, 320, 3, 2)),
                    nn.Sequential(unit(cin, 192, 1), unit(192, 192, (1, 7), padding=(0, 3)),
                                  unit(192, 192, (7, 1), padding=(3, 0)), unit(192, 192, 3, 2)),
                    nn.MaxPool2d(3, 2))


def inception_e(cin):
    split = lambda stem: Fork(stem, unit(384, 384, (1, 3), padding=(0, 1)), unit(384, 384, (3, 1), padding=(1, 0)))  # noqa: E731
    return Branches(unit(cin, 320, 1), split(unit(cin, 384, 1)),
                    split(nn.Sequential(unit(cin, 448, 1), unit(448, 384, 3, padding=1))),
                    nn.Sequential(avg_pool(), unit(cin, 192, 1)))


def inception_v3(classes):
    return nn.Sequential(
        unit(3, 32, 3, 2), unit(32, 32, 3), unit(32, 64, 3, padding=1), nn.MaxPool2d(3, 2),
        unit(64, 80, 1), unit(80, 192, 3), nn.MaxPool2d(3, 2),
        inception_a(192, 32), inception_a(256, 64), inception_a(288, 64), inception_b(288),
        inception_c(768, 128), inception_c(768, 160), inception_c(768, 160), inception_c(768, 192),
        inception_d(768), inception_e(1280), inception_e(2048),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(2048, classes))


# --- ResNets (torchvision.models.resnet18..152, v1.5; the CIFAR resnet20/32/56) ---------

class Residual(nn.Module):
    """relu(branch(x) + shortcut(x)), the shortcut a 1x1 conv and batch norm where the shape changes."""

    def __init__(self, branch, cin, cout, stride):
        super().__init__()
        self.branch = branch
        self.shortcut = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                         if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        return F.relu(self.branch(x) + self.shortcut(x))


def basic(cin, planes, stride):
    branch = nn.Sequential(nn.Conv2d(cin, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(inplace=True),
                           nn.Conv2d(planes, planes, 3, 1, 1, bias=False), nn.BatchNorm2d(planes))
    return Residual(branch, cin, planes, stride), planes


def bottleneck(cin, planes, stride):
    out = 4 * planes
    branch = nn.Sequential(nn.Conv2d(cin, planes, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(inplace=True),
                           nn.Conv2d(planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(inplace=True),
                           nn.Conv2d(planes, out, 1, bias=False), nn.BatchNorm2d(out))
    return Residual(branch, cin, out, stride), out


def resnet(block, counts, classes):
    layers, cin = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)], 64
    for stage, count in enumerate(counts):
        for b in range(count):
            layer, cin = block(cin, 64 << stage, 2 if b == 0 and stage > 0 else 1)
            layers.append(layer)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))


def cifar_resnet(n, classes):
    layers, cin = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True)], 16
    for stage in range(3):
        for b in range(n):
            layer, cin = basic(cin, 16 << stage, 2 if b == 0 and stage > 0 else 1)
            layers.append(layer)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))


# --- DenseNets (torchvision.models.densenet121/169/201; the CIFAR DenseNet-BC) -----------

class DenseLayer(nn.Module):
    """x -> concat(x, conv3x3(relu(bn(conv1x1(relu(bn(x))))))), the 1x1 giving 4·growth channels."""

    def __init__(self, cin, growth):
        super().__init__()
        self.f = nn.Sequential(nn.BatchNorm2d(cin), nn.ReLU(inplace=True), nn.Conv2d(cin, 4 * growth, 1, bias=False),
                               nn.BatchNorm2d(4 * growth), nn.ReLU(inplace=True), nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False))

    def forward(self, x):
        return torch.cat([x, self.f(x)], 1)


def dense_blocks(layers, c, blocks, growth):
    for i, count in enumerate(blocks):
        for _ in range(count):
            layers.append(DenseLayer(c, growth))
            c += growth
        if i < len(blocks) - 1:
            layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2, 2)]
            c //= 2
    layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return c


def densenet(blocks, classes, growth=32):
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    c = dense_blocks(layers, 64, blocks, growth)
    return nn.Sequential(*layers, nn.Linear(c, classes))


def cifar_densenet(classes, depth=100, growth=12):
    n = (depth - 4) // 6
    layers = [nn.Conv2d(3, 2 * growth, 3, padding=1, bias=False)]
    c = dense_blocks(layers, 2 * growth, [n, n, n], growth)
    return nn.Sequential(*layers, nn.Linear(c, classes))


BUILDERS = {
    'alexnet': alexnet,
    'vgg11': lambda k: vgg(11, k), 'vgg13': lambda k: vgg(13, k), 'vgg16': lambda k: vgg(16, k), 'vgg19': lambda k: vgg(19, k),
    'googlenet': googlenet,
    'inceptionV3': inception_v3,
    'resnet18': lambda k: resnet(basic, [2, 2, 2, 2], k), 'resnet34': lambda k: resnet(basic, [3, 4, 6, 3], k),
    'resnet50': lambda k: resnet(bottleneck, [3, 4, 6, 3], k), 'resnet101': lambda k: resnet(bottleneck, [3, 4, 23, 3], k),
    'resnet152': lambda k: resnet(bottleneck, [3, 8, 36, 3], k),
    'densenet121': lambda k: densenet([6, 12, 24, 16], k), 'densenet169': lambda k: densenet([6, 12, 32, 32], k),
    'densenet201': lambda k: densenet([6, 12, 48, 32], k),
    'resnet20': lambda k: cifar_resnet(3, k), 'resnet32': lambda k: cifar_resnet(5, k), 'resnet56': lambda k: cifar_resnet(9, k),
    'vgg': cifar_vgg,
    'densenet': cifar_densenet,
}


class Session:
    def __init__(self):
        self.model = None

    def build(self, name, side, classes, batches, depth=None):
        if name not in BUILDERS:
            raise ValueError(f'unknown model {name!r}; known: {", ".join(BUILDERS)}')
        if depth is not None and name != 'vgg':
            raise ValueError(f'depth is an option of the CIFAR vgg only, not {name!r}')
        torch.manual_seed(0)
        self.model = cifar_vgg(classes, depth) if depth is not None else BUILDERS[name](classes)
        self.inputs = {b: torch.randn(b, 3, side, side) for b in batches}
        self.labels = torch.randint(0, classes, (max(batches),))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        self.loss = nn.CrossEntropyLoss()
        return sum(p.numel() for p in self.model.parameters())

    def call(self, mode, batch):
        if mode == 'forward':
            self.model.eval()
            with torch.no_grad():
                self.model(self.inputs[batch])
            return
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        self.loss(self.model(self.inputs[batch]), self.labels[:batch]).backward()
        self.optimizer.step()


def main():
    session = Session()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            op = request['op']
            if op == 'hello':
                torch.set_num_threads(request['threads'])
                answer = {'version': torch.__version__, 'threads': torch.get_num_threads()}
            elif op == 'build':
                answer = {'params': session.build(request['name'], request['side'], request['classes'],
                                                  request['batches'], request.get('depth'))}
            elif op == 'time':
                t0 = time.perf_counter()
                session.call(request['mode'], request['batch'])
                answer = {'seconds': time.perf_counter() - t0}
            else:
                raise ValueError(f'unknown op {op!r}')
        except Exception as e:  # noqa: BLE001 -- every failure goes back to zoo.mjs as an answer
            answer = {'error': f'{type(e).__name__}: {e}'}
        print(json.dumps(answer), flush=True)


if __name__ == '__main__':
    main()
