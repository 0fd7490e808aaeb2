// NEON elementwise kernels (arm64): the shared driver (driver.h) with 4 floats per
// q register, a scalar tail. maxnm(x, 0) returns the number for NaN, so NaN gives 0
// as in reference.cc (plain vmaxq would propagate it).
#include <arm_neon.h>

#include "kernels/elementwise/driver.h"

namespace striate::neon {

namespace {

struct Neon {
  static constexpr int V = 4;
  using F = float32x4_t;
  using M = uint32x4_t;
  static F load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, F v) { vst1q_f32(p, v); }
  static F set1(float v) { return vdupq_n_f32(v); }
  static F zero() { return vdupq_n_f32(0.0f); }
  static F add(F a, F b) { return vaddq_f32(a, b); }
  static F sub(F a, F b) { return vsubq_f32(a, b); }
  static F mul(F a, F b) { return vmulq_f32(a, b); }
  static F div(F a, F b) { return vdivq_f32(a, b); }
  static F sqrt(F a) { return vsqrtq_f32(a); }
  static F fma(F a, F b, F c) { return vfmaq_f32(c, a, b); }
  // maxps/minps semantics (b when either is NaN), which the vector math relies on.
  static F max(F a, F b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
  static F min(F a, F b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
  static F abs(F a) { return vabsq_f32(a); }
  static F round(F a) { return vrndnq_f32(a); }
  static F pow2i(F n) {
    return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtnq_s32_f32(n), vdupq_n_s32(127)), 23));
  }
  static F frexp(F a, F* e) {
    const uint32x4_t bits = vreinterpretq_u32_f32(a);
    *e = vcvtq_f32_s32(vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(bits, 23)), vdupq_n_s32(126)));
    const uint32x4_t mantissa = vandq_u32(bits, vdupq_n_u32(0x807fffff));
    return vreinterpretq_f32_u32(vorrq_u32(mantissa, vdupq_n_u32(0x3f000000)));
  }
  static F max0(F a) { return vmaxnmq_f32(a, vdupq_n_f32(0.0f)); }
  static M gt0(F a) { return vcgtq_f32(a, vdupq_n_f32(0.0f)); }
  static M lt(F a, F b) { return vcltq_f32(a, b); }
  static F select(M m, F t, F f) { return vbslq_f32(m, t, f); }
  static float hsum(F a) { return vaddvq_f32(a); }
  static float hmax(F a) { return vmaxvq_f32(a); }
};

}  // namespace

STRIATE_ELEMENTWISE_DEFINITIONS(Neon)

}  // namespace striate::neon
