// SGEMM: C = alpha * op(A) * op(B) + beta * C, row-major.
//   op(A): [M, K], stored [M, K] (lda >= K) or, transposed, [K, M] (lda >= M)
//   op(B): [K, N], stored [K, N] (ldb >= N) or, transposed, [N, K] (ldb >= K)
//   C:     [M, N] (ldc >= N)
// beta == 0 means C is written without being read (NaNs in C do not propagate).
// Then, optionally, each element of C gets its row's bias and its element of a residual
// matrix added and goes through a ReLU, max(0, v) (NaN and -0 give +0), as the tile that
// holds it is stored: a convolution's bias, shortcut and activation without a pass over C
// after the product. The same floats as that pass:
//   c = relu(((alpha * AB + beta * c) + row_bias[i]) + residual[i, j]).
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/elementwise/channel_affine.h"

namespace striate {

struct GemmArgs {
  bool trans_a = false;
  bool trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  int64_t lda = 0;
  const float* b = nullptr;
  int64_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  int64_t ldc = 0;
  const float* row_bias = nullptr;  // [M], or none
  bool relu = false;
  // Untransposed B only (the packing of a transposed B does not read it): its row p goes
  // through a batch norm and a ReLU as it is packed, max(0, (b − m)·a + c) with
  // (m, a, c) = b_rows[p] and one fused multiply-add, the floats of batch_norm.h's
  // kernel: an inference plan's BN → ReLU → 1x1 convolution (DenseNet) without the
  // normalised input going through memory.
  const ChannelAffine* b_rows = nullptr;  // [K], or none
  // [M, N] with rows ldr apart, or none; must not overlap C, which holds partial sums
  // before the last k block adds it.
  const float* residual = nullptr;
  int64_t ldr = 0;
};

// The epilogue as a micro-kernel applies it to one tile: bias[r] and residual[r * ldr + j]
// for the tile's row r and column j (both pointing at its first element), then the ReLU.
// Empty on every k block but the last.
struct TileEpilogue {
  const float* bias = nullptr;
  const float* residual = nullptr;
  int64_t ldr = 0;
  bool relu = false;
};

// Element b of B's row p after b_rows.
inline float gemm_b_row(const ChannelAffine& f, float b) {
  const float v = std::fma(b - f.m, f.a, f.b);
  return v > 0.0f ? v : 0.0f;
}

// The epilogue above for element (i, j).
inline float gemm_finish(const GemmArgs& g, int64_t i, int64_t j, float v) {
  if (g.row_bias) v += g.row_bias[i];
  if (g.residual) v += g.residual[i * g.ldr + j];
  return g.relu ? (0.0f < v ? v : 0.0f) : v;
}

// The readable specification: three loops, float accumulation in k order.
namespace reference { void sgemm(const GemmArgs& args); }
// Packed, cache-blocked and threaded, one register-tiled micro-kernel per ISA.
namespace scalar { void sgemm(const GemmArgs& args); }
namespace avx2 { void sgemm(const GemmArgs& args); }
namespace avx512 { void sgemm(const GemmArgs& args); }
namespace neon { void sgemm(const GemmArgs& args); }

}  // namespace striate
