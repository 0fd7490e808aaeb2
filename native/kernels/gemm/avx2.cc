// AVX2+FMA SGEMM: 6x16 micro-kernel, 12 ymm accumulators, 2 B loads and 6 A
// broadcasts per k step (Haswell-class BLIS shape). Tail tiles compute only their
// rows (one instantiation per row count) and store their columns with maskstore.
#include <immintrin.h>

#include "kernels/gemm/blocked.h"

namespace striate::avx2 {

namespace {

constexpr int kMR = 6, kNR = 16;

// Lane masks for maskload/maskstore: lanes [0, n) enabled.
inline __m256i lanes_below(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <int ROWS>
struct Tile {
  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                  int cols) {
    __m256 acc[ROWS][2];
    for (int r = 0; r < ROWS; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; ++p, a += kMR, b += kNR) {
      const __m256 b0 = _mm256_loadu_ps(b);
      const __m256 b1 = _mm256_loadu_ps(b + 8);
      for (int r = 0; r < ROWS; ++r) {
        const __m256 av = _mm256_broadcast_ss(a + r);
        acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
      }
    }
    const __m256 va = _mm256_set1_ps(alpha);
    const __m256 vb = _mm256_set1_ps(beta);
    if (cols == kNR) {
      for (int r = 0; r < ROWS; ++r) {
        float* row = c + r * ldc;
        for (int h = 0; h < 2; ++h) {
          const __m256 scaled = _mm256_mul_ps(va, acc[r][h]);
          _mm256_storeu_ps(row + 8 * h,
                           beta == 0.0f ? scaled : _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8 * h), scaled));
        }
      }
      return;
    }
    const __m256i mask[2] = {lanes_below(cols), lanes_below(cols - 8)};
    for (int r = 0; r < ROWS; ++r) {
      float* row = c + r * ldc;
      for (int h = 0; h < 2; ++h) {
        const __m256 scaled = _mm256_mul_ps(va, acc[r][h]);
        const __m256 out =
            beta == 0.0f ? scaled : _mm256_fmadd_ps(vb, _mm256_maskload_ps(row + 8 * h, mask[h]), scaled);
        _mm256_maskstore_ps(row + 8 * h, mask[h], out);
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

}  // namespace striate::avx2
