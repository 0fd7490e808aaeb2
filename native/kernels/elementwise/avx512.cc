// AVX-512 elementwise kernels: the shared driver (driver.h) with 16 floats per zmm
// register, a scalar tail. Compares give __mmask16 masks, blended with mask_blend;
// max(x, 0) returns its second operand for NaN, so NaN gives 0 as in reference.cc.
#include <immintrin.h>

#include "kernels/elementwise/driver.h"

namespace striate::avx512 {

namespace {

struct Avx512 {
  static constexpr int V = 16;
  using F = __m512;
  using M = __mmask16;
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F zero() { return _mm512_setzero_ps(); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F sqrt(F a) { return _mm512_sqrt_ps(a); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F abs(F a) { return _mm512_abs_ps(a); }
  static F round(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F pow2i(F n) {
    const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
  }
  static F frexp(F a, F* e) {
    const __m512i bits = _mm512_castps_si512(a);
    *e = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(126)));
    const __m512i mantissa = _mm512_and_si512(bits, _mm512_set1_epi32(0x807fffff));
    return _mm512_castsi512_ps(_mm512_or_si512(mantissa, _mm512_set1_epi32(0x3f000000)));
  }
  static F max0(F a) { return _mm512_max_ps(a, _mm512_setzero_ps()); }
  static M gt0(F a) { return _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_GT_OQ); }
  static M lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static F select(M m, F t, F f) { return _mm512_mask_blend_ps(m, f, t); }
  static float hsum(F a) { return _mm512_reduce_add_ps(a); }
  static float hmax(F a) { return _mm512_reduce_max_ps(a); }
};

}  // namespace

STRIATE_ELEMENTWISE_DEFINITIONS(Avx512)

}  // namespace striate::avx512
