// SGEMM throughput, striate against OpenBLAS's cblas_sgemm in the same process.
// Usage: striate_bench_gemm [--threads 1,2] [--reps 7] [--quick] [--only TEXT]
// Prints a markdown table: median GFLOP/s of `reps` timed runs after a warm-up,
// the two libraries interleaved so that drift hits both alike.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"

#ifdef STRIATE_BENCH_OPENBLAS
#include <cblas.h>
#endif

namespace {

using namespace striate;

struct Shape {
  const char* name;
  bool ta, tb;
  int64_t m, n, k;
};

// Square sizes, then the GEMMs of convolution forward (W[Cout, Cin*k*k] x cols),
// backward-data (W^T x dY) and backward-weights (dY x cols^T), and a LeNet dense layer.
const Shape kShapes[] = {
    {"256^3", false, false, 256, 256, 256},
    {"512^3", false, false, 512, 512, 512},
    {"1024^3", false, false, 1024, 1024, 1024},
    {"2048^3", false, false, 2048, 2048, 2048},
    {"conv 64x3136x576", false, false, 64, 3136, 576},
    {"conv 128x784x1152", false, false, 128, 784, 1152},
    {"conv 256x196x2304", false, false, 256, 196, 2304},
    {"dX 576x3136x64 (A^T)", true, false, 576, 3136, 64},
    {"dX 1152x784x128 (A^T)", true, false, 1152, 784, 128},
    {"dX 2304x196x256 (A^T)", true, false, 2304, 196, 256},
    {"dW 64x576x3136 (B^T)", false, true, 64, 576, 3136},
    {"dW 128x1152x784 (B^T)", false, true, 128, 1152, 784},
    {"dW 256x2304x196 (B^T)", false, true, 256, 2304, 196},
    {"dense 64x120x400 (B^T)", false, true, 64, 120, 400},
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads = {1, 2};
  int reps = 7;
  bool quick = false;
  const char* only = nullptr;  // run only the shapes whose name contains this text
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads.clear();
      for (char* tok = std::strtok(argv[++i], ","); tok; tok = std::strtok(nullptr, ",")) threads.push_back(std::atoi(tok));
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = argv[++i];
    }
  }
  std::string error;
  if (!dispatch::init_kernels(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const auto& k = dispatch::kernels();
  const int lanes = k.isa == dispatch::Isa::avx512 ? 16 : k.isa == dispatch::Isa::scalar ? 4 : 8;
  std::printf("CPU: %s, %d hardware threads; striate ISA: %s\n", cpu_model().c_str(), dispatch::hardware_threads(),
              dispatch::isa_name(k.isa));
  std::printf("Peak per core at 3.1 GHz with 2 FMA units: %.0f GFLOP/s (2 FMA x %d lanes x 2 flops x 3.1 GHz)\n\n",
              2.0 * lanes * 2 * 3.1, lanes);
#ifdef STRIATE_BENCH_OPENBLAS
  std::printf("| shape (M x N x K) | threads | striate GFLOP/s | OpenBLAS GFLOP/s | striate / OpenBLAS |\n");
  std::printf("|---|---:|---:|---:|---:|\n");
#else
  std::printf("(OpenBLAS not found at build time: install libopenblas-dev and rebuild to compare)\n\n");
  std::printf("| shape (M x N x K) | threads | striate GFLOP/s |\n|---|---:|---:|\n");
#endif
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (const Shape& s : kShapes) {
    if (quick && s.m * s.n * s.k > int64_t{1} << 30) continue;
    if (only && !std::strstr(s.name, only)) continue;
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
    for (auto& x : a) x = dist(rng);
    for (auto& x : b) x = dist(rng);
    const int64_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
    const double flops = 2.0 * s.m * s.n * s.k;
    const int inner = std::max<int>(1, static_cast<int>(2e8 / flops));
    for (int t : threads) {
      dispatch::set_num_threads(t);
      auto run_striate = [&] {
        for (int i = 0; i < inner; ++i)
          k.sgemm({s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), s.n});
      };
#ifdef STRIATE_BENCH_OPENBLAS
      openblas_set_num_threads(t);
      auto run_blas = [&] {
        for (int i = 0; i < inner; ++i)
          cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, s.m, s.n,
                      s.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), s.n);
      };
      run_blas();
#endif
      run_striate();
      std::vector<double> ts, tb;
      for (int r = 0; r < reps; ++r) {
        double t0 = now();
        run_striate();
        ts.push_back((now() - t0) / inner);
#ifdef STRIATE_BENCH_OPENBLAS
        t0 = now();
        run_blas();
        tb.push_back((now() - t0) / inner);
#endif
      }
      const double gs = flops / median(ts) * 1e-9;
#ifdef STRIATE_BENCH_OPENBLAS
      const double gb = flops / median(tb) * 1e-9;
      std::printf("| %s | %d | %.1f | %.1f | %.2f |\n", s.name, t, gs, gb, gs / gb);
#else
      std::printf("| %s | %d | %.1f |\n", s.name, t, gs);
#endif
      std::fflush(stdout);
    }
  }
  return 0;
}
