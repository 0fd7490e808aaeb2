// AVX2 pooling: the shared driver (driver.h) with 8 output columns per ymm register.
// Stride 2 loads 16 floats and splits them into even and odd (shuffles, then a 64-bit
// permute to undo the per-128-bit-lane order). Argmax lanes are blended by the same
// compare mask as the maxima.
#include <immintrin.h>

#include "kernels/pool2d/driver.h"

namespace striate::avx2 {

namespace {

struct Avx2 {
  static constexpr int V = 8;
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
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F zero() { return _mm256_setzero_ps(); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  // max(a, 0) returns its second operand for NaN, so NaN counts as 0 as in Lane1::relu.
  static F relu(F a) { return _mm256_max_ps(a, _mm256_setzero_ps()); }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static F select(M m, F t, F f) { return _mm256_blendv_ps(f, t, m); }
  static I lane_offsets(int32_t stride) {
    return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
  }
  static I index(int32_t base, I lanes) { return _mm256_add_epi32(_mm256_set1_epi32(base), lanes); }
  static I select_i(M m, I t, I f) {
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(f), _mm256_castsi256_ps(t), m));
  }
  static void store_i(int32_t* p, I v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
};

}  // namespace

STRIATE_POOL2D_DEFINITIONS(Avx2)

}  // namespace striate::avx2
