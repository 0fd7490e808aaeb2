// AVX2+FMA SGEMM: 6x16 micro-kernel, 12 ymm accumulators, 2 B loads and 6 A
// broadcasts per k step (Haswell-class BLIS shape).
#include <immintrin.h>

#include "kernels/gemm/blocked.h"

namespace striate::avx2 {

namespace {

struct Kernel {
  static constexpr int MR = 6, NR = 16;
  static constexpr int64_t KC = 256, MC = 144, NC = 3072;

  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
    __m256 acc[MR][2];
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; ++p, a += MR, b += NR) {
      const __m256 b0 = _mm256_loadu_ps(b);
      const __m256 b1 = _mm256_loadu_ps(b + 8);
      for (int r = 0; r < MR; ++r) {
        const __m256 av = _mm256_broadcast_ss(a + r);
        acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
      }
    }
    const __m256 va = _mm256_set1_ps(alpha);
    const __m256 vb = _mm256_set1_ps(beta);
    for (int r = 0; r < MR; ++r) {
      float* row = c + r * ldc;
      for (int h = 0; h < 2; ++h) {
        const __m256 scaled = _mm256_mul_ps(va, acc[r][h]);
        _mm256_storeu_ps(row + 8 * h, beta == 0.0f ? scaled : _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8 * h), scaled));
      }
    }
  }
};

}  // namespace

void sgemm(const GemmArgs& args) { sgemm_blocked<Kernel>(args); }

}  // namespace striate::avx2
