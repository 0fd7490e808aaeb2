// avx512: convolution runs on the GEMM paths, driven by avx512::sgemm.
#include "kernels/conv2d/conv2d.h"

namespace striate::avx512 {

void conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y) {
  conv::forward_gemm(p, x, w, b, y, sgemm);
}

void conv2d_grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  conv::grad_input_gemm(p, dy, w, dx, sgemm);
}

void conv2d_grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db) {
  conv::grad_weight_gemm(p, x, dy, dw, db, sgemm);
}

}  // namespace striate::avx512
