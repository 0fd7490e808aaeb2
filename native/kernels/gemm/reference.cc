#include "kernels/gemm/gemm.h"

namespace striate::reference {

void sgemm(const GemmArgs& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      float acc = 0.0f;
      for (int64_t p = 0; p < g.k; ++p) {
        const float a = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
        const float raw = g.trans_b ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j];
        const float b = g.b_rows ? gemm_b_row(g.b_rows[p], raw) : raw;
        acc += a * b;
      }
      float& c = g.c[i * g.ldc + j];
      c = gemm_finish(g, i, j, g.beta == 0.0f ? g.alpha * acc : g.alpha * acc + g.beta * c);
    }
  }
}

}  // namespace striate::reference
