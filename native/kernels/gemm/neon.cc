// NEON SGEMM: 8x12 micro-kernel, 24 q-register accumulators, 3 B loads and two
// 4-wide A loads per k step, multiplied by lane (fmla v.4s, v.4s, v.s[i]). Tail tiles
// compute the whole zero-padded tile and store their rows x cols part.
#include <arm_neon.h>

#include "kernels/gemm/blocked.h"

namespace striate::neon {

namespace {

struct Kernel {
  static constexpr int MR = 8, NR = 12;
  static constexpr int64_t KC = 256, MC = 128, NC = 3072;

  static void run(int64_t kc, const float* a, int64_t /*lda: always packed here*/, const float* b, int64_t b_stride,
                  float* c, int64_t ldc, float alpha, float beta, int rows, int cols, const TileEpilogue& e) {
    float32x4_t acc[MR][3];
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = acc[r][2] = vdupq_n_f32(0.0f);
    for (int64_t p = 0; p < kc; ++p, a += MR, b += b_stride) {
      const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
      const float32x4_t a_lo = vld1q_f32(a), a_hi = vld1q_f32(a + 4);
#define STRIATE_ROW(r, av, lane)                            \
  acc[r][0] = vfmaq_laneq_f32(acc[r][0], b0, av, lane); \
  acc[r][1] = vfmaq_laneq_f32(acc[r][1], b1, av, lane); \
  acc[r][2] = vfmaq_laneq_f32(acc[r][2], b2, av, lane);
      STRIATE_ROW(0, a_lo, 0) STRIATE_ROW(1, a_lo, 1) STRIATE_ROW(2, a_lo, 2) STRIATE_ROW(3, a_lo, 3)
      STRIATE_ROW(4, a_hi, 0) STRIATE_ROW(5, a_hi, 1) STRIATE_ROW(6, a_hi, 2) STRIATE_ROW(7, a_hi, 3)
#undef STRIATE_ROW
    }
    for (int r = 0; r < rows; ++r) {
      float* row = c + r * ldc;
      const float* res = e.residual ? e.residual + r * e.ldr : nullptr;
      if (cols == NR) {
        for (int h = 0; h < 3; ++h) {
          const float32x4_t scaled = vmulq_n_f32(acc[r][h], alpha);
          float32x4_t out = beta == 0.0f ? scaled : vfmaq_n_f32(scaled, vld1q_f32(row + 4 * h), beta);
          if (e.bias) out = vaddq_f32(out, vdupq_n_f32(e.bias[r]));
          if (res) out = vaddq_f32(out, vld1q_f32(res + 4 * h));
          // A compare-and-select, not vmaxq (which propagates NaN): NaN gives 0.
          if (e.relu) out = vbslq_f32(vcgtq_f32(out, vdupq_n_f32(0.0f)), out, vdupq_n_f32(0.0f));
          vst1q_f32(row + 4 * h, out);
        }
        continue;
      }
      float part[NR];
      for (int h = 0; h < 3; ++h) vst1q_f32(part + 4 * h, acc[r][h]);
      for (int j = 0; j < cols; ++j) {
        float out = beta == 0.0f ? alpha * part[j] : alpha * part[j] + beta * row[j];
        if (e.bias) out += e.bias[r];
        if (res) out += res[j];
        row[j] = e.relu ? (0.0f < out ? out : 0.0f) : out;
      }
    }
  }
};

}  // namespace

void sgemm(const GemmArgs& args) { sgemm_blocked<Kernel>(args); }

}  // namespace striate::neon
