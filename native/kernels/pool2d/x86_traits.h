// x86 vector traits for the pooling driver (driver.h) narrower than a zmm register:
// Avx2 (8 floats per ymm) and Sse4 (4 floats per xmm, SSE4.1/AVX encodings). avx2.cc runs
// the driver on Avx2; avx512.cc reaches both through its chain of Narrower traits, which
// serves rows too narrow for 16 lanes. Include only from files built with -mavx2.
//
// Stride 2 de-interleaves two loads into even and odd floats (shuffles; for ymm, then a
// 64-bit permute to undo the per-128-bit-lane order). load_dup2 reads V/2 floats and
// repeats each twice, the columns of a row of 2-wide tiles. Argmax lanes are blended by
// the same compare mask as the maxima. Avx2's transpose (8x8, shared with the SGEMM)
// moves eight planes into lanes and back for the window-table path.
#pragma once
#include <immintrin.h>

#include "kernels/avx_transpose.h"
#include "kernels/pool2d/driver.h"

namespace striate {
namespace {

struct Sse4 {
  static constexpr int V = 4;
  using Narrower = Lane1;
  using F = __m128;
  using I = __m128i;
  using M = __m128;
  static F load(const float* p) { return _mm_loadu_ps(p); }
  static F load_even(const float* p) { return _mm_shuffle_ps(_mm_loadu_ps(p), _mm_loadu_ps(p + 4), _MM_SHUFFLE(2, 0, 2, 0)); }
  static void load_pair(const float* p, F* even, F* odd) {
    const __m128 lo = _mm_loadu_ps(p), hi = _mm_loadu_ps(p + 4);
    *even = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    *odd = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
  }
  // 64-bit integer loads: they may alias any type, unlike a double* cast.
  static F load_dup2(const float* p) {
    const __m128 two = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    return _mm_unpacklo_ps(two, two);
  }
  static void store(float* p, F v) { _mm_storeu_ps(p, v); }
  static F set1(float v) { return _mm_set1_ps(v); }
  static F zero() { return _mm_setzero_ps(); }
  static F add(F a, F b) { return _mm_add_ps(a, b); }
  static F mul(F a, F b) { return _mm_mul_ps(a, b); }
  static F div(F a, F b) { return _mm_div_ps(a, b); }
  // max(a, 0) returns its second operand for NaN, so NaN counts as 0 as in Lane1::relu.
  static F relu(F a) { return _mm_max_ps(a, _mm_setzero_ps()); }
  static M gt(F a, F b) { return _mm_cmp_ps(a, b, _CMP_GT_OQ); }
  static F larger(F best, F v) { return _mm_max_ps(v, best); }
  static F select(M m, F t, F f) { return _mm_blendv_ps(f, t, m); }
  static int count(M m) { return __builtin_popcount(_mm_movemask_ps(m)); }
  static I load_i(const int32_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static I load_dup2_i(const int32_t* p) {
    const __m128i two = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    return _mm_unpacklo_epi32(two, two);
  }
  static M eq_i(I a, I b) { return _mm_castsi128_ps(_mm_cmpeq_epi32(a, b)); }
  static I lane_offsets(int32_t stride) { return _mm_mullo_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32(stride)); }
  static I index(int32_t base, I lanes) { return _mm_add_epi32(_mm_set1_epi32(base), lanes); }
  static I select_i(M m, I t, I f) {
    return _mm_castps_si128(_mm_blendv_ps(_mm_castsi128_ps(f), _mm_castsi128_ps(t), m));
  }
  static void store_i(int32_t* p, I v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
};

struct Avx2 {
  static constexpr int V = 8;
  using Narrower = Sse4;
  using F = __m256;
  using I = __m256i;
  using M = __m256;
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static F load_even(const float* p) {
    const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
    const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));  // l0 l2 h0 h2 | l4 l6 h4 h6
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
  }
  static void load_pair(const float* p, F* even, F* odd) {
    const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
    const __m256d e = _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
    const __m256d o = _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1)));
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(e, _MM_SHUFFLE(3, 1, 2, 0)));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(o, _MM_SHUFFLE(3, 1, 2, 0)));
  }
  static F load_dup2(const float* p) {
    const __m128 four = _mm_loadu_ps(p);
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_unpacklo_ps(four, four)), _mm_unpackhi_ps(four, four), 1);
  }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F zero() { return _mm256_setzero_ps(); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F relu(F a) { return _mm256_max_ps(a, _mm256_setzero_ps()); }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static F larger(F best, F v) { return _mm256_max_ps(v, best); }
  static F select(M m, F t, F f) { return _mm256_blendv_ps(f, t, m); }
  static int count(M m) { return __builtin_popcount(_mm256_movemask_ps(m)); }
  static I load_i(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static I load_dup2_i(const int32_t* p) {
    const __m128i four = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi32(four, four)),
                                   _mm_unpackhi_epi32(four, four), 1);
  }
  static M eq_i(I a, I b) { return _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)); }
  static I lane_offsets(int32_t stride) {
    return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
  }
  static I index(int32_t base, I lanes) { return _mm256_add_epi32(_mm256_set1_epi32(base), lanes); }
  static I select_i(M m, I t, I f) {
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(f), _mm256_castsi256_ps(t), m));
  }
  static void store_i(int32_t* p, I v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static void transpose(const float* from, int64_t ld, float* to, int64_t to_ld) { transpose8x8(from, ld, to, to_ld); }
};

}  // namespace
}  // namespace striate
