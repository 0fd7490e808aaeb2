// NEON pooling: the shared driver (driver.h) with 4 output columns per q register; rows
// narrower than 4 run one lane wide. Stride 2 uses vld2q, which de-interleaves 8 floats
// into even and odd lanes; load_dup2 zips 2 floats with themselves.
#include <arm_neon.h>

#include "kernels/pool2d/driver.h"

namespace striate::neon {

namespace {

struct Neon {
  static constexpr int V = 4;
  using Narrower = Lane1;
  using F = float32x4_t;
  using I = int32x4_t;
  using M = uint32x4_t;
  static F load(const float* p) { return vld1q_f32(p); }
  static F load_even(const float* p) { return vld2q_f32(p).val[0]; }
  static void load_pair(const float* p, F* even, F* odd) {
    const float32x4x2_t both = vld2q_f32(p);
    *even = both.val[0];
    *odd = both.val[1];
  }
  static F load_dup2(const float* p) {
    const float32x2x2_t z = vzip_f32(vld1_f32(p), vld1_f32(p));
    return vcombine_f32(z.val[0], z.val[1]);
  }
  static void store(float* p, F v) { vst1q_f32(p, v); }
  static F set1(float v) { return vdupq_n_f32(v); }
  static F zero() { return vdupq_n_f32(0.0f); }
  static F add(F a, F b) { return vaddq_f32(a, b); }
  static F mul(F a, F b) { return vmulq_f32(a, b); }
  static F div(F a, F b) { return vdivq_f32(a, b); }
  // A compare-and-select, not vmaxq (which propagates NaN), so NaN counts as 0 as in Lane1::relu.
  static F relu(F a) { return vbslq_f32(vcgtq_f32(a, vdupq_n_f32(0.0f)), a, vdupq_n_f32(0.0f)); }
  static M gt(F a, F b) { return vcgtq_f32(a, b); }
  // Not vmaxq (NaN and signed zeros differ): v where v > best, as select(gt) gives.
  static F larger(F best, F v) { return vbslq_f32(vcgtq_f32(v, best), v, best); }
  static F select(M m, F t, F f) { return vbslq_f32(m, t, f); }
  static int count(M m) { return static_cast<int>(vaddvq_u32(vshrq_n_u32(m, 31))); }
  static I load_i(const int32_t* p) { return vld1q_s32(p); }
  static I load_dup2_i(const int32_t* p) {
    const int32x2x2_t z = vzip_s32(vld1_s32(p), vld1_s32(p));
    return vcombine_s32(z.val[0], z.val[1]);
  }
  static M eq_i(I a, I b) { return vceqq_s32(a, b); }
  static I lane_offsets(int32_t stride) {
    const int32_t lanes[4] = {0, 1, 2, 3};
    return vmulq_n_s32(vld1q_s32(lanes), stride);
  }
  static I index(int32_t base, I lanes) { return vaddq_s32(vdupq_n_s32(base), lanes); }
  static I select_i(M m, I t, I f) { return vbslq_s32(m, t, f); }
  static void store_i(int32_t* p, I v) { vst1q_s32(p, v); }
};

}  // namespace

STRIATE_POOL2D_DEFINITIONS(Neon)

}  // namespace striate::neon
