// Portable SGEMM: the blocked driver with a plain C++ 4x8 micro-kernel that the
// compiler vectorises for the architecture's baseline (SSE2 on x86-64).
#include "kernels/gemm/blocked.h"

namespace striate::scalar {

namespace {

struct Kernel {
  static constexpr int MR = 4, NR = 8;
  static constexpr int64_t KC = 256, MC = 128, NC = 2048;

  // Computes the whole zero-padded tile and stores its rows x cols part.
  static void run(int64_t kc, const float* a, int64_t /*lda: always packed here*/, const float* b, int64_t b_stride,
                  float* c, int64_t ldc, float alpha, float beta, int rows, int cols, const TileEpilogue& e) {
    float acc[MR][NR] = {};
    for (int64_t p = 0; p < kc; ++p, a += MR, b += b_stride)
      for (int r = 0; r < MR; ++r)
        for (int j = 0; j < NR; ++j) acc[r][j] += a[r] * b[j];
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) {
        float& out = c[r * ldc + j];
        out = beta == 0.0f ? alpha * acc[r][j] : alpha * acc[r][j] + beta * out;
        if (e.bias) out += e.bias[r];
        if (e.residual) out += e.residual[r * e.ldr + j];
        if (e.relu) out = 0.0f < out ? out : 0.0f;
      }
  }
};

}  // namespace

void sgemm(const GemmArgs& args) { sgemm_blocked<Kernel>(args); }

}  // namespace striate::scalar
