// Max pooling 2x2/2, forward (with argmax) and backward, on a ResNet-sized activation
// [16, 64, 56, 56], at each thread count: median of `reps` timed runs after a warm-up.
// Usage: striate_bench_pool [--threads 1,2] [--reps 15]
// GB/s counts the bytes each pass must move: forward reads x and writes y and argmax;
// backward reads dy and argmax and writes dx.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
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

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads = {1, 2};
  int reps = 15;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads.clear();
      for (char* tok = std::strtok(argv[++i], ","); tok; tok = std::strtok(nullptr, ",")) threads.push_back(std::atoi(tok));
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    }
  }
  std::string error;
  if (!dispatch::init_kernels(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const auto& k = dispatch::kernels();
  Pool2dParams p;
  p.batch = 16, p.channels = 64, p.in_h = 56, p.in_w = 56;
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
  const double fwd_bytes = 4.0 * (in + 2 * out), bwd_bytes = 4.0 * (2 * out + in);

  std::printf("striate ISA: %s; max pool 2x2/2 on x=[16, 64, 56, 56], median of %d\n\n", dispatch::isa_name(k.isa), reps);
  std::printf("| pass | threads | striate ms | striate GB/s |\n|---|---:|---:|---:|\n");
  for (int t : threads) {
    dispatch::set_num_threads(t);
    std::vector<double> tf, tb, tt;
    k.maxpool2d_fwd(p, x.data(), y.data(), argmax.data());
    k.maxpool2d_bwd(p, dy.data(), argmax.data(), dx.data());
    for (int r = 0; r < reps; ++r) {
      const double t0 = now();
      k.maxpool2d_fwd(p, x.data(), y.data(), argmax.data());
      const double t1 = now();
      k.maxpool2d_bwd(p, dy.data(), argmax.data(), dx.data());
      const double t2 = now();
      tf.push_back(t1 - t0);
      tb.push_back(t2 - t1);
      tt.push_back(t2 - t0);
    }
    std::printf("| forward | %d | %.3f | %.1f |\n", t, median(tf) * 1e3, fwd_bytes / median(tf) * 1e-9);
    std::printf("| backward | %d | %.3f | %.1f |\n", t, median(tb) * 1e3, bwd_bytes / median(tb) * 1e-9);
    std::printf("| forward + backward | %d | %.3f | %.1f |\n", t, median(tt) * 1e3,
                (fwd_bytes + bwd_bytes) / median(tt) * 1e-9);
    std::fflush(stdout);
  }
  return 0;
}
