// AVX2+FMA SGEMM: 6x16 micro-kernel, 12 ymm accumulators, 2 B loads and 6 A
// broadcasts per k step (Haswell-class BLIS shape). Tail tiles compute only their
// rows (one instantiation per row count) and half their columns when 8 are enough,
// storing with maskstore.
// The packings that read across rows (untransposed A, transposed B) go through 8x8
// register transposes; a k tail shorter than 8 is read with masked loads.
#include <immintrin.h>

#include "kernels/avx_transpose.h"
#include "kernels/gemm/blocked.h"

namespace striate::avx2 {

namespace {

constexpr int kMR = 6, kNR = 16;

// Lane masks for maskload/maskstore: lanes [0, n) enabled.
inline __m256i lanes_below(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// V = 1 or 2 vectors of 8 columns: a tail strip of at most 8 columns computes half the
// tile instead of padding it to 16.
// A_IN_PLACE: a is A itself (row r at a + r * lda) rather than a packed strip.
template <int ROWS, int V, bool A_IN_PLACE>
void tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t b_stride, float* c, int64_t ldc, float alpha,
          float beta, int cols, const TileEpilogue& e) {
  __m256 acc[ROWS][V];
  for (int r = 0; r < ROWS; ++r) {
    for (int h = 0; h < V; ++h) acc[r][h] = _mm256_setzero_ps();
    // C rows lie ldc apart, beyond the hardware prefetcher's reach: ask for them now so
    // they have arrived when the k loop ends.
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 8 * V - 1), _MM_HINT_T0);
    // A residual is read only as the tile is stored, too soon after this for memory: its
    // rows for the tile below (the next one a thread computes) are asked for instead
    // (ResNet-50's 64 -> 256 on 56x56 with a residual: 1.62 -> 1.53 ms, 1.38 without).
    if (e.residual) {
      const float* ahead = e.residual + (r + ROWS) * e.ldr;
      _mm_prefetch(reinterpret_cast<const char*>(ahead), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(ahead + 8 * V - 1), _MM_HINT_T0);
    }
  }
  // Unrolled by 4: on Zen (AMD EPYC, this project's CI machine) the loop's own
  // increments and branch took issue slots from the FMAs; 2048^3 went from 0.85-0.88 to
  // 0.97-1.01 of OpenBLAS at 1 thread (bench:gemm, alternating builds, 3 runs each).
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p, a += A_IN_PLACE ? 1 : kMR, b += b_stride) {
    __m256 bv[V];
    for (int h = 0; h < V; ++h) bv[h] = _mm256_loadu_ps(b + 8 * h);
    for (int r = 0; r < ROWS; ++r) {
      // Not _mm256_broadcast_ss(a + r): GCC treats that pointer as possibly reading acc
      // and stores every accumulator to the stack on every k step (half speed).
      const __m256 av = _mm256_set1_ps(A_IN_PLACE ? a[r * lda] : a[r]);
      for (int h = 0; h < V; ++h) acc[r][h] = _mm256_fmadd_ps(av, bv[h], acc[r][h]);
    }
  }
  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
  // The epilogue (gemm.h): max(v, 0) is v > 0 ? v : 0, so NaN and -0 give +0. `load`
  // reads 8 floats of C or the residual (whole or masked).
  auto finish = [&](__m256 v, int r, int h, auto load) {
    if (e.bias) v = _mm256_add_ps(v, _mm256_set1_ps(e.bias[r]));
    if (e.residual) v = _mm256_add_ps(v, load(e.residual + r * e.ldr + 8 * h, h));
    return e.relu ? _mm256_max_ps(v, _mm256_setzero_ps()) : v;
  };
  if (cols == 8 * V) {
    const auto load = [](const float* at, int) { return _mm256_loadu_ps(at); };
    for (int r = 0; r < ROWS; ++r) {
      float* row = c + r * ldc;
      for (int h = 0; h < V; ++h) {
        const __m256 scaled = _mm256_mul_ps(va, acc[r][h]);
        _mm256_storeu_ps(row + 8 * h,
                         finish(beta == 0.0f ? scaled : _mm256_fmadd_ps(vb, load(row + 8 * h, h), scaled), r, h, load));
      }
    }
    return;
  }
  const __m256i mask[2] = {lanes_below(cols), lanes_below(cols - 8)};
  const auto load = [&](const float* at, int h) { return _mm256_maskload_ps(at, mask[h]); };
  for (int r = 0; r < ROWS; ++r) {
    float* row = c + r * ldc;
    for (int h = 0; h < V; ++h) {
      const __m256 scaled = _mm256_mul_ps(va, acc[r][h]);
      const __m256 out = beta == 0.0f ? scaled : _mm256_fmadd_ps(vb, load(row + 8 * h, h), scaled);
      _mm256_maskstore_ps(row + 8 * h, mask[h], finish(out, r, h, load));
    }
  }
}

template <int ROWS>
struct Tile {
  // lda > 0: A read in place; 0: a packed strip.
  static void run(int64_t kc, const float* a, int64_t lda, const float* b, int64_t b_stride, float* c, int64_t ldc,
                  float alpha, float beta, int cols, TileEpilogue e) {
    if (lda > 0) return cols <= 8 ? tile<ROWS, 1, true>(kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e)
                                   : tile<ROWS, 2, true>(kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e);
    if (cols <= 8) return tile<ROWS, 1, false>(kc, a, 0, b, b_stride, c, ldc, alpha, beta, cols, e);
    tile<ROWS, 2, false>(kc, a, 0, b, b_stride, c, ldc, alpha, beta, cols, e);
  }
};

// dst[p * dst_ld + i] = src[i * ld + p] for i < rows (<= 8), p < kc; lanes past `rows`
// are stored only when store_mask covers them (as zeros).
inline void transpose_panel(const float* src, int64_t ld, int rows, int64_t kc, float* dst, int64_t dst_ld,
                            __m256i store_mask) {
  __m256 r[8];
  for (int64_t p0 = 0; p0 < kc; p0 += 8) {
    const int64_t width = std::min<int64_t>(8, kc - p0);
    if (width == 8) {
      for (int i = 0; i < 8; ++i) r[i] = i < rows ? _mm256_loadu_ps(src + i * ld + p0) : _mm256_setzero_ps();
    } else {
      const __m256i load_mask = lanes_below(static_cast<int>(width));
      for (int i = 0; i < 8; ++i) r[i] = i < rows ? _mm256_maskload_ps(src + i * ld + p0, load_mask) : _mm256_setzero_ps();
    }
    transpose8(r);
    for (int64_t c = 0; c < width; ++c) _mm256_maskstore_ps(dst + (p0 + c) * dst_ld, store_mask, r[c]);
  }
}

struct Kernel {
  static constexpr int MR = kMR, NR = kNR;
  static constexpr int64_t KC = 256, MC = 144, NC = 3072;

  static void pack_a_rows(const float* src, int64_t lda, int64_t kc, float* dst) {
    transpose_panel(src, lda, MR, kc, dst, MR, lanes_below(MR));
  }

  static void pack_b_cols(const float* src, int64_t ldb, int64_t kc, float* dst) {
    transpose_panel(src, ldb, 8, kc, dst, NR, lanes_below(8));
    transpose_panel(src + 8 * ldb, ldb, 8, kc, dst + 8, NR, lanes_below(8));
  }

  static constexpr bool kReadsAInPlace = true;

  // acc[i] = sum over p < kc of a[i * lda + p] * b[p] for rows i < `rows`, one lane each:
  // 8 x 8 blocks of A transposed in registers, then one fused multiply-add per k in
  // order, the micro-kernel's arithmetic for a single column (blocked.h: sgemv).
  static void dot_rows(int64_t kc, const float* a, int64_t lda, const float* b, int rows, float* acc) {
    __m256 sum = _mm256_setzero_ps(), r[8];
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      for (int i = 0; i < 8; ++i) r[i] = i < rows ? _mm256_loadu_ps(a + i * lda + p) : _mm256_setzero_ps();
      transpose8(r);
      for (int j = 0; j < 8; ++j) sum = _mm256_fmadd_ps(r[j], _mm256_set1_ps(b[p + j]), sum);
    }
    alignas(32) float column[8] = {};
    for (; p < kc; ++p) {
      for (int i = 0; i < rows; ++i) column[i] = a[i * lda + p];
      sum = _mm256_fmadd_ps(_mm256_load_ps(column), _mm256_set1_ps(b[p]), sum);
    }
    _mm256_storeu_ps(acc, sum);
  }

  static void run(int64_t kc, const float* a, int64_t lda, const float* b, int64_t b_stride, float* c, int64_t ldc,
                  float alpha, float beta, int rows, int cols, const TileEpilogue& e) {
    if (rows == MR) return Tile<MR>::run(kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e);
    run_rows<Tile, MR>(rows, kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e);
  }
};

}  // namespace

void sgemm(const GemmArgs& args) { sgemm_blocked<Kernel>(args); }

}  // namespace striate::avx2
