// Convolution forward, backward-data and backward-weights (+ bias) time on real-network
// shapes, through the kernel table the addon uses.
// Usage: striate_bench_conv [--threads 1,2] [--reps 7] [--shapes c1,r3] [--csv] [--cpu]
// Median of `reps` timed runs after a warm-up; with --cpu, the minimum of the process's
// CPU time instead (sees through other jobs' load on a shared machine; at 1 thread it is
// the kernel's own time, at n threads the sum over threads). GFLOP/s from 2·N·Cout·outH·outW·Cin/groups·kH·kW
// (the same count for each of the three passes). --csv prints one line per shape and
// thread count for bench/conv.mjs.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"

namespace {

using namespace striate;

struct Shape {
  const char* name;
  int64_t n, cin, cout, h, w, k, stride, pad;
};

// LeNet C1 and C3, VGG/ResNet 3x3 layers, a ResNet strided 3x3 and 1x1 projection, AlexNet conv1.
const Shape kShapes[] = {
    {"c1", 64, 1, 6, 32, 32, 5, 1, 0},      {"c3", 64, 6, 16, 14, 14, 5, 1, 0},
    {"v3", 8, 64, 64, 56, 56, 3, 1, 1},     {"r3", 16, 128, 128, 28, 28, 3, 1, 1},
    {"r3s", 16, 128, 256, 28, 28, 3, 2, 1}, {"p1", 16, 256, 64, 28, 28, 1, 1, 0},
    {"a11", 4, 3, 64, 224, 224, 11, 4, 2},
};

bool cpu_time = false;  // --cpu

double now() {
  if (cpu_time) {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename Fn>
double median_seconds(int reps, const Fn& fn) {
  fn();
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now();
    fn();
    t.push_back(now() - t0);
  }
  std::sort(t.begin(), t.end());
  return cpu_time ? t.front() : t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads = {1, 2};
  int reps = 7;
  bool csv = false;
  std::string only;  // ",c1,r3," from --shapes; empty: every shape
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads.clear();
      for (char* tok = std::strtok(argv[++i], ","); tok; tok = std::strtok(nullptr, ",")) threads.push_back(std::atoi(tok));
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--shapes") && i + 1 < argc) {
      only = "," + std::string(argv[++i]) + ",";
    } else if (!std::strcmp(argv[i], "--csv")) {
      csv = true;
    } else if (!std::strcmp(argv[i], "--cpu")) {
      cpu_time = true;
    }
  }
  std::string error;
  if (!dispatch::init_kernels(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const auto& k = dispatch::kernels();
  if (csv) {
    std::printf("shape,threads,forward_ms,grad_input_ms,grad_weight_ms,gflop\n");
  } else {
    std::printf("striate ISA: %s, %d hardware threads\n\n", dispatch::isa_name(k.isa), dispatch::hardware_threads());
    std::printf("| shape | threads | fwd ms | fwd GFLOP/s | bwd-data ms | GFLOP/s | bwd-weights ms | GFLOP/s |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  }
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (const Shape& s : kShapes) {
    if (!only.empty() && only.find("," + std::string(s.name) + ",") == std::string::npos) continue;
    Conv2dParams p;
    p.batch = s.n, p.in_channels = s.cin, p.in_h = s.h, p.in_w = s.w, p.out_channels = s.cout;
    p.kernel_h = p.kernel_w = s.k, p.stride_h = p.stride_w = s.stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = s.pad;
    conv2d_output_size(&p);
    std::vector<float> x(s.n * s.cin * s.h * s.w), w(s.cout * s.cin * s.k * s.k), b(s.cout);
    std::vector<float> y(s.n * s.cout * p.out_h * p.out_w), dx(x.size()), dw(w.size()), db(s.cout);
    for (auto* v : {&x, &w, &b, &y}) std::generate(v->begin(), v->end(), [&] { return dist(rng); });
    const double flop = 2.0 * s.n * s.cout * p.out_h * p.out_w * s.cin * s.k * s.k;
    for (int t : threads) {
      dispatch::set_num_threads(t);
      const double fwd = median_seconds(reps, [&] { k.conv2d_forward(p, x.data(), w.data(), b.data(), y.data()); });
      const double bwd_data = median_seconds(reps, [&] { k.conv2d_grad_input(p, y.data(), w.data(), dx.data()); });
      const double bwd_weights =
          median_seconds(reps, [&] { k.conv2d_grad_weight(p, x.data(), y.data(), dw.data(), db.data()); });
      if (csv) {
        std::printf("%s,%d,%.4f,%.4f,%.4f,%.6f\n", s.name, t, fwd * 1e3, bwd_data * 1e3, bwd_weights * 1e3, flop * 1e-9);
      } else {
        std::printf("| %s %lld,%lld→%lld,%lldx%lld,k%lld,s%lld,p%lld | %d | %.2f | %.1f | %.2f | %.1f | %.2f | %.1f |\n", s.name,
                    (long long)s.n, (long long)s.cin, (long long)s.cout, (long long)s.h, (long long)s.w, (long long)s.k,
                    (long long)s.stride, (long long)s.pad, t, fwd * 1e3, flop / fwd * 1e-9, bwd_data * 1e3,
                    flop / bwd_data * 1e-9, bwd_weights * 1e3, flop / bwd_weights * 1e-9);
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
