// AVX-512F SGEMM: 12x32 micro-kernel, 24 zmm accumulators, 2 B loads and 12 A
// broadcasts per k step. Tail tiles compute only their rows (one instantiation per
// row count) and store their columns through a lane mask.
#include <immintrin.h>

#include "kernels/gemm/blocked.h"

namespace striate::avx512 {

namespace {

constexpr int kMR = 12, kNR = 32;

template <int ROWS>
struct Tile {
  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                  int cols) {
    __m512 acc[ROWS][2];
    for (int r = 0; r < ROWS; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kc; ++p, a += kMR, b += kNR) {
      const __m512 b0 = _mm512_loadu_ps(b);
      const __m512 b1 = _mm512_loadu_ps(b + 16);
      for (int r = 0; r < ROWS; ++r) {
        const __m512 av = _mm512_set1_ps(a[r]);
        acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
      }
    }
    const __mmask16 mask[2] = {
        static_cast<__mmask16>(cols >= 16 ? 0xffff : (1u << cols) - 1),
        static_cast<__mmask16>(cols >= 32 ? 0xffff : cols <= 16 ? 0 : (1u << (cols - 16)) - 1)};
    const __m512 va = _mm512_set1_ps(alpha);
    const __m512 vb = _mm512_set1_ps(beta);
    for (int r = 0; r < ROWS; ++r) {
      float* row = c + r * ldc;
      for (int h = 0; h < 2; ++h) {
        const __m512 scaled = _mm512_mul_ps(va, acc[r][h]);
        const __m512 out =
            beta == 0.0f ? scaled : _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[h], row + 16 * h), scaled);
        _mm512_mask_storeu_ps(row + 16 * h, mask[h], out);
      }
    }
  }
};

struct Kernel {
  static constexpr int MR = kMR, NR = kNR;
  static constexpr int64_t KC = 256, MC = 144, NC = 3072;

  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta, int rows,
                  int cols) {
    if (rows == MR) return Tile<MR>::run(kc, a, b, c, ldc, alpha, beta, cols);
    run_rows<Tile, MR>(rows, kc, a, b, c, ldc, alpha, beta, cols);
  }
};

}  // namespace

void sgemm(const GemmArgs& args) { sgemm_blocked<Kernel>(args); }

}  // namespace striate::avx512
