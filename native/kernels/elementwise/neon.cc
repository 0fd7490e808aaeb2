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
  static F max0(F a) { return vmaxnmq_f32(a, vdupq_n_f32(0.0f)); }
  static M gt0(F a) { return vcgtq_f32(a, vdupq_n_f32(0.0f)); }
  static F select(M m, F t, F f) { return vbslq_f32(m, t, f); }
  static float hsum(F a) { return vaddvq_f32(a); }
};

}  // namespace

STRIATE_ELEMENTWISE_DEFINITIONS(Neon)

}  // namespace striate::neon
