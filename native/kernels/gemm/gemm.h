// SGEMM: C = alpha * op(A) * op(B) + beta * C, row-major.
//   op(A): [M, K], stored [M, K] (lda >= K) or, transposed, [K, M] (lda >= M)
//   op(B): [K, N], stored [K, N] (ldb >= N) or, transposed, [N, K] (ldb >= K)
//   C:     [M, N] (ldc >= N)
// beta == 0 means C is written without being read (NaNs in C do not propagate).
#pragma once
#include <cstdint>

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
};

// The readable specification: three loops, float accumulation in k order.
namespace reference { void sgemm(const GemmArgs& args); }
// Packed, cache-blocked and threaded, one register-tiled micro-kernel per ISA.
namespace scalar { void sgemm(const GemmArgs& args); }
namespace avx2 { void sgemm(const GemmArgs& args); }
namespace avx512 { void sgemm(const GemmArgs& args); }
namespace neon { void sgemm(const GemmArgs& args); }

}  // namespace striate
