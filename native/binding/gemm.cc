// sgemm(transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc)
#include "binding/args.h"
#include "binding/exports.h"
#include "dispatch/kernels.h"

namespace striate::binding {

namespace {

Napi::Value sgemm(const Napi::CallbackInfo& info) {
  constexpr const char* op = "sgemm";
  GemmArgs g;
  g.trans_a = boolean(info, 0, op, "transA");
  g.trans_b = boolean(info, 1, op, "transB");
  g.m = integer(info, 2, op, "M");
  g.n = integer(info, 3, op, "N");
  g.k = integer(info, 4, op, "K");
  g.alpha = number(info, 5, op, "alpha");
  const int64_t a_rows = g.trans_a ? g.k : g.m, a_cols = g.trans_a ? g.m : g.k;
  const int64_t b_rows = g.trans_b ? g.n : g.k, b_cols = g.trans_b ? g.k : g.n;
  g.lda = integer(info, 7, op, "lda", a_cols);
  g.ldb = integer(info, 9, op, "ldb", b_cols);
  g.ldc = integer(info, 12, op, "ldc", g.n);
  g.a = float_array(info, 6, op, "a", span(a_rows, a_cols, g.lda));
  g.b = float_array(info, 8, op, "b", span(b_rows, b_cols, g.ldb));
  g.beta = number(info, 10, op, "beta");
  g.c = float_array(info, 11, op, "c", span(g.m, g.n, g.ldc));
  dispatch::kernels().sgemm(g);
  return info.Env().Undefined();
}

}  // namespace

void export_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemm", Napi::Function::New(env, sgemm, "sgemm"));
}

}  // namespace striate::binding
