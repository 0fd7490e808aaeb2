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
  static F max0(F a) { return _mm512_max_ps(a, _mm512_setzero_ps()); }
  static M gt0(F a) { return _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_GT_OQ); }
  static F select(M m, F t, F f) { return _mm512_mask_blend_ps(m, f, t); }
  static float hsum(F a) { return _mm512_reduce_add_ps(a); }
};

}  // namespace

STRIATE_ELEMENTWISE_DEFINITIONS(Avx512)

}  // namespace striate::avx512
