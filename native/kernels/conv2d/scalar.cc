// scalar: convolution runs on the GEMM paths, driven by scalar::sgemm.
#include "kernels/conv2d/conv2d.h"

namespace striate::scalar {

void conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y) {
  conv::forward_gemm(p, x, w, b, y, sgemm);
}

ConvAlgorithm conv2d_forward_path(const Conv2dParams& p) {
  return conv_pointwise(p) ? ConvAlgorithm::pointwise : ConvAlgorithm::im2col;
}

void conv2d_grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  conv::grad_input_gemm(p, dy, w, dx, sgemm);
}

void conv2d_grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db) {
  conv::grad_weight_gemm(p, x, dy, dw, db, sgemm);
}

}  // namespace striate::scalar
