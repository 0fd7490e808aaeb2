// AVX-512F SGEMM: 12x32 micro-kernel, 24 zmm accumulators, 2 B loads and 12 A
// broadcasts per k step.
#include <immintrin.h>

#include "kernels/gemm/blocked.h"

namespace striate::avx512 {

namespace {

struct Kernel {
  static constexpr int MR = 12, NR = 32;
  static constexpr int64_t KC = 256, MC = 144, NC = 3072;

  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
    __m512 acc[MR][2];
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kc; ++p, a += MR, b += NR) {
      const __m512 b0 = _mm512_loadu_ps(b);
      const __m512 b1 = _mm512_loadu_ps(b + 16);
      for (int r = 0; r < MR; ++r) {
        const __m512 av = _mm512_set1_ps(a[r]);
        acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
      }
    }
    const __m512 va = _mm512_set1_ps(alpha);
    const __m512 vb = _mm512_set1_ps(beta);
    for (int r = 0; r < MR; ++r) {
      float* row = c + r * ldc;
      for (int h = 0; h < 2; ++h) {
        const __m512 scaled = _mm512_mul_ps(va, acc[r][h]);
        _mm512_storeu_ps(row + 16 * h, beta == 0.0f ? scaled : _mm512_fmadd_ps(vb, _mm512_loadu_ps(row + 16 * h), scaled));
      }
    }
  }
};

}  // namespace

void sgemm(const GemmArgs& args) { sgemm_blocked<Kernel>(args); }

}  // namespace striate::avx512
