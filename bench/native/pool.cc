// Pooling 2x2/2 at each thread count: median of `reps` timed runs after a warm-up.
//   resnet  x=[16, 64, 56, 56]  max forward (with argmax) and backward
//   lenet1  x=[64, 6, 28, 28]   max and average, forward and backward (LeNet-5's first pool)
//   lenet2  x=[64, 16, 10, 10]  the same (its second pool)
// Usage: striate_bench_pool [--threads 1,2] [--reps 15] [--shapes resnet,lenet1,lenet2]
// GB/s counts the bytes each pass must move: forward reads x and writes y (and argmax);
// backward reads dy (and argmax) and writes dx.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"

namespace {

using namespace striate;

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Shape {
  const char* name;
  int64_t n, c, h, w;
  bool avg;
};

const Shape kShapes[] = {{"resnet", 16, 64, 56, 56, false}, {"lenet1", 64, 6, 28, 28, true}, {"lenet2", 64, 16, 10, 10, true}};

struct Pass {
  const char* name;
  double bytes;
  std::function<void()> run;
};

void bench_shape(const dispatch::Kernels& k, const Shape& s, const std::vector<int>& threads, int reps) {
  Pool2dParams p;
  p.batch = s.n, p.channels = s.c, p.in_h = s.h, p.in_w = s.w;
  p.kernel_h = p.kernel_w = p.stride_h = p.stride_w = 2;
  p.out_h = pool2d_out_size(p.in_h, 2, 2, 0, false);
  p.out_w = pool2d_out_size(p.in_w, 2, 2, 0, false);
  const size_t in = p.batch * p.channels * p.in_h * p.in_w, out = p.batch * p.channels * p.out_h * p.out_w;
  std::vector<float> x(in), y(out), dy(out), dx(in);
  std::vector<int32_t> argmax(out);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (auto& v : x) v = dist(rng);
  for (auto& v : dy) v = dist(rng);
  std::vector<Pass> passes = {
      {"max forward", 4.0 * (in + 2 * out), [&] { k.maxpool2d_fwd(p, x.data(), y.data(), argmax.data()); }},
      {"max backward", 4.0 * (2 * out + in), [&] { k.maxpool2d_bwd(p, dy.data(), argmax.data(), dx.data()); }},
  };
  if (s.avg) {
    passes.push_back({"avg forward", 4.0 * (in + out), [&] { k.avgpool2d_fwd(p, x.data(), y.data()); }});
    passes.push_back({"avg backward", 4.0 * (out + in), [&] { k.avgpool2d_bwd(p, dy.data(), dx.data()); }});
  }
  for (int t : threads) {
    dispatch::set_num_threads(t);
    std::vector<std::vector<double>> times(passes.size());
    // Interleaved, so the max backward sees the argmax its forward just wrote.
    for (int r = -1; r < reps; ++r)
      for (size_t i = 0; i < passes.size(); ++i) {
        const double t0 = now();
        passes[i].run();
        if (r >= 0) times[i].push_back(now() - t0);
      }
    for (size_t i = 0; i < passes.size(); ++i) {
      const double m = median(times[i]);
      std::printf("| [%lld, %lld, %lld, %lld] | %s | %d | %.3f | %.1f |\n", (long long)s.n, (long long)s.c,
                  (long long)s.h, (long long)s.w, passes[i].name, t, m * 1e3, passes[i].bytes / m * 1e-9);
    }
    std::fflush(stdout);
  }
}

std::vector<std::string> split(char* list) {
  std::vector<std::string> out;
  for (char* tok = std::strtok(list, ","); tok; tok = std::strtok(nullptr, ",")) out.push_back(tok);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads = {1, 2};
  std::vector<std::string> shapes = {"resnet", "lenet1", "lenet2"};
  int reps = 15;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads.clear();
      for (const auto& t : split(argv[++i])) threads.push_back(std::atoi(t.c_str()));
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--shapes") && i + 1 < argc) {
      shapes = split(argv[++i]);
    }
  }
  std::string error;
  if (!dispatch::init_kernels(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const auto& k = dispatch::kernels();
  std::printf("striate ISA: %s; pooling 2x2/2, median of %d\n\n", dispatch::isa_name(k.isa), reps);
  std::printf("| x | pass | threads | striate ms | striate GB/s |\n|---|---|---:|---:|---:|\n");
  for (const auto& name : shapes) {
    const Shape* s = std::find_if(std::begin(kShapes), std::end(kShapes), [&](const Shape& c) { return name == c.name; });
    if (s == std::end(kShapes)) {
      std::fprintf(stderr, "unknown shape %s (resnet, lenet1, lenet2)\n", name.c_str());
      return 1;
    }
    bench_shape(k, *s, threads, reps);
  }
  return 0;
}
