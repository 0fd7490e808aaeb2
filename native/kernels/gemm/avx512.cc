// AVX-512F SGEMM: 12x32 micro-kernel, 24 zmm accumulators, 2 B loads and 12 A
// broadcasts per k step. Tail tiles compute only their rows (one instantiation per
// row count) and half their columns when 16 are enough, storing through a lane mask.
// The packings that read across rows (untransposed A, transposed B) go through 16x16
// register transposes; a k tail shorter than 16 is read with masked loads.
#include <immintrin.h>

#include "kernels/gemm/blocked.h"

namespace striate::avx512 {

namespace {

constexpr int kMR = 12, kNR = 32;

// V = 1 or 2 vectors of 16 columns: a tail strip of at most 16 columns (N = 196 leaves
// one of 4) computes half the tile instead of padding it to 32.
// A_IN_PLACE: a is A itself (row r at a + r * lda) rather than a packed strip.
template <int ROWS, int V, bool A_IN_PLACE>
void tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t b_stride, float* c, int64_t ldc, float alpha,
          float beta, int cols, const TileEpilogue& e) {
  __m512 acc[ROWS][V];
  for (int r = 0; r < ROWS; ++r) {
    for (int h = 0; h < V; ++h) acc[r][h] = _mm512_setzero_ps();
    // C rows lie ldc apart, beyond the hardware prefetcher's reach: ask for them now so
    // they have arrived when the k loop ends (0.82 -> 0.93 of OpenBLAS on 2048^3).
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 16 * V - 1), _MM_HINT_T0);
    // The residual's rows for the tile below, as in avx2.cc.
    if (e.residual) {
      const float* ahead = e.residual + (r + ROWS) * e.ldr;
      _mm_prefetch(reinterpret_cast<const char*>(ahead), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(ahead + 16 * V - 1), _MM_HINT_T0);
    }
  }
  for (int64_t p = 0; p < kc; ++p, a += A_IN_PLACE ? 1 : kMR, b += b_stride) {
    __m512 bv[V];
    for (int h = 0; h < V; ++h) bv[h] = _mm512_loadu_ps(b + 16 * h);
    for (int r = 0; r < ROWS; ++r) {
      const __m512 av = _mm512_set1_ps(A_IN_PLACE ? a[r * lda] : a[r]);
      for (int h = 0; h < V; ++h) acc[r][h] = _mm512_fmadd_ps(av, bv[h], acc[r][h]);
    }
  }
  const __mmask16 mask[2] = {
      static_cast<__mmask16>(cols >= 16 ? 0xffff : (1u << cols) - 1),
      static_cast<__mmask16>(cols >= 32 ? 0xffff : cols <= 16 ? 0 : (1u << (cols - 16)) - 1)};
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
  for (int r = 0; r < ROWS; ++r) {
    float* row = c + r * ldc;
    for (int h = 0; h < V; ++h) {
      const __m512 scaled = _mm512_mul_ps(va, acc[r][h]);
      __m512 out = beta == 0.0f ? scaled : _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[h], row + 16 * h), scaled);
      // The epilogue (gemm.h): max(v, 0) is v > 0 ? v : 0, so NaN and -0 give +0.
      if (e.bias) out = _mm512_add_ps(out, _mm512_set1_ps(e.bias[r]));
      if (e.residual) out = _mm512_add_ps(out, _mm512_maskz_loadu_ps(mask[h], e.residual + r * e.ldr + 16 * h));
      if (e.relu) out = _mm512_max_ps(out, _mm512_setzero_ps());
      _mm512_mask_storeu_ps(row + 16 * h, mask[h], out);
    }
  }
}

template <int ROWS>
struct Tile {
  // lda > 0: A read in place; 0: a packed strip.
  static void run(int64_t kc, const float* a, int64_t lda, const float* b, int64_t b_stride, float* c, int64_t ldc,
                  float alpha, float beta, int cols, TileEpilogue e) {
    if (lda > 0) return cols <= 16 ? tile<ROWS, 1, true>(kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e)
                                   : tile<ROWS, 2, true>(kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e);
    if (cols <= 16) return tile<ROWS, 1, false>(kc, a, 0, b, b_stride, c, ldc, alpha, beta, cols, e);
    tile<ROWS, 2, false>(kc, a, 0, b, b_stride, c, ldc, alpha, beta, cols, e);
  }
};

// r[0..15] rows in, columns out: r[c][i] = old r[i][c]. 32-bit then 64-bit interleaves
// give 4x4 blocks per 128-bit lane; two 128-bit lane shuffles gather them.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int q = 0; q < 16; q += 4) {
    t[q] = _mm512_unpacklo_ps(r[q], r[q + 1]);
    t[q + 1] = _mm512_unpackhi_ps(r[q], r[q + 1]);
    t[q + 2] = _mm512_unpacklo_ps(r[q + 2], r[q + 3]);
    t[q + 3] = _mm512_unpackhi_ps(r[q + 2], r[q + 3]);
    const auto pd = [](__m512 v) { return _mm512_castps_pd(v); };
    r[q] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t[q]), pd(t[q + 2])));
    r[q + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t[q]), pd(t[q + 2])));
    r[q + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t[q + 1]), pd(t[q + 3])));
    r[q + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t[q + 1]), pd(t[q + 3])));
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
  }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
  }
}

// dst[p * dst_ld + i] = src[i * ld + p] for i < rows (<= 16), p < kc; lanes past `rows`
// are stored only when store_mask covers them (as zeros).
inline void transpose_panel(const float* src, int64_t ld, int rows, int64_t kc, float* dst, int64_t dst_ld,
                            __mmask16 store_mask) {
  __m512 r[16];
  for (int64_t p0 = 0; p0 < kc; p0 += 16) {
    const int64_t width = std::min<int64_t>(16, kc - p0);
    const __mmask16 load_mask = static_cast<__mmask16>(width == 16 ? 0xffff : (1u << width) - 1);
    for (int i = 0; i < 16; ++i)
      r[i] = i < rows ? _mm512_maskz_loadu_ps(load_mask, src + i * ld + p0) : _mm512_setzero_ps();
    transpose16(r);
    for (int64_t c = 0; c < width; ++c) _mm512_mask_storeu_ps(dst + (p0 + c) * dst_ld, store_mask, r[c]);
  }
}

struct Kernel {
  static constexpr int MR = kMR, NR = kNR;
  static constexpr int64_t KC = 384, MC = 96, NC = 1024;

  static void pack_a_rows(const float* src, int64_t lda, int64_t kc, float* dst) {
    transpose_panel(src, lda, MR, kc, dst, MR, (1u << MR) - 1);
  }

  static void pack_b_cols(const float* src, int64_t ldb, int64_t kc, float* dst) {
    transpose_panel(src, ldb, 16, kc, dst, NR, 0xffff);
    transpose_panel(src + 16 * ldb, ldb, 16, kc, dst + 16, NR, 0xffff);
  }

  static constexpr bool kReadsAInPlace = true;

  static void run(int64_t kc, const float* a, int64_t lda, const float* b, int64_t b_stride, float* c, int64_t ldc,
                  float alpha, float beta, int rows, int cols, const TileEpilogue& e) {
    if (rows == MR) return Tile<MR>::run(kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e);
    run_rows<Tile, MR>(rows, kc, a, lda, b, b_stride, c, ldc, alpha, beta, cols, e);
  }
};

}  // namespace

void sgemm(const GemmArgs& args) { sgemm_blocked<Kernel>(args); }

}  // namespace striate::avx512
