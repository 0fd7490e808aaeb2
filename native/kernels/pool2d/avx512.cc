// AVX-512 pooling: the shared driver (driver.h) with 16 output columns per zmm register;
// rows narrower than 16 run on the AVX2 ymm (8) and xmm (4) traits of x86_traits.h, which
// this file's -mavx2 also allows. Stride 2 splits two loads into even and odd floats with
// two-source permutes; load_dup2 repeats 8 floats into 16 with one permute. Compares give
// mask registers that blend both the maxima and their argmax lanes.
#include <immintrin.h>

#include "kernels/pool2d/x86_traits.h"

namespace striate::avx512 {

namespace {

struct Avx512 {
  static constexpr int V = 16;
  using Narrower = Avx2;
  using F = __m512;
  using I = __m512i;
  using M = __mmask16;
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static F load_even(const float* p) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(_mm512_loadu_ps(p), even, _mm512_loadu_ps(p + 16));
  }
  static void load_pair(const float* p, F* even, F* odd) {
    const __m512i even_lanes = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd_lanes = _mm512_add_epi32(even_lanes, _mm512_set1_epi32(1));
    const __m512 lo = _mm512_loadu_ps(p), hi = _mm512_loadu_ps(p + 16);
    *even = _mm512_permutex2var_ps(lo, even_lanes, hi);
    *odd = _mm512_permutex2var_ps(lo, odd_lanes, hi);
  }
  static F load_dup2(const float* p) {
    const __m512i pairs = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    return _mm512_permutexvar_ps(pairs, _mm512_castps256_ps512(_mm256_loadu_ps(p)));
  }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F zero() { return _mm512_setzero_ps(); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  // max(a, 0) returns its second operand for NaN, so NaN counts as 0 as in Lane1::relu.
  static F relu(F a) { return _mm512_max_ps(a, _mm512_setzero_ps()); }
  static M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static F larger(F best, F v) { return _mm512_max_ps(v, best); }
  static F select(M m, F t, F f) { return _mm512_mask_blend_ps(m, f, t); }
  static int count(M m) { return __builtin_popcount(m); }
  static I load_i(const int32_t* p) { return _mm512_loadu_si512(p); }
  static I load_dup2_i(const int32_t* p) {
    const __m512i pairs = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    return _mm512_permutexvar_epi32(pairs, _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))));
  }
  static M eq_i(I a, I b) { return _mm512_cmpeq_epi32_mask(a, b); }
  static I lane_offsets(int32_t stride) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm512_mullo_epi32(lanes, _mm512_set1_epi32(stride));
  }
  static I index(int32_t base, I lanes) { return _mm512_add_epi32(_mm512_set1_epi32(base), lanes); }
  static I select_i(M m, I t, I f) { return _mm512_mask_blend_epi32(m, f, t); }
  static void store_i(int32_t* p, I v) { _mm512_storeu_si512(p, v); }
};

}  // namespace

STRIATE_POOL2D_DEFINITIONS(Avx512)

}  // namespace striate::avx512
