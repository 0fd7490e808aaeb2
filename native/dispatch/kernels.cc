#include "dispatch/kernels.h"

#include <mutex>

namespace striate::dispatch {

namespace {
Kernels g_kernels;
std::string g_error;
std::once_flag g_once;
}  // namespace

Kernels kernels_for(Isa isa) {
  Kernels k;
  k.isa = isa;
  k.sgemm = scalar::sgemm;
  k.conv2d_forward = scalar::conv2d_forward;
  k.conv2d_grad_input = scalar::conv2d_grad_input;
  k.conv2d_grad_weight = scalar::conv2d_grad_weight;
  k.maxpool2d_fwd = scalar::maxpool2d_fwd;
  k.maxpool2d_bwd = scalar::maxpool2d_bwd;
  k.avgpool2d_fwd = scalar::avgpool2d_fwd;
  k.avgpool2d_bwd = scalar::avgpool2d_bwd;
  k.stochpool2d_train = scalar::stochpool2d_train;
  k.stochpool2d_infer = scalar::stochpool2d_infer;
  k.stochpool2d_infer_bwd = scalar::stochpool2d_infer_bwd;
  k.relu_fwd = scalar::relu_fwd;
  k.relu_bwd = scalar::relu_bwd;
  k.leaky_relu_fwd = scalar::leaky_relu_fwd;
  k.leaky_relu_bwd = scalar::leaky_relu_bwd;
  k.bias_add = scalar::bias_add;
  k.bias_grad = scalar::bias_grad;
  k.softmax_xent = scalar::softmax_xent;
  k.sgd_update = scalar::sgd_update;
  k.adam_update = scalar::adam_update;
  switch (isa) {
    case Isa::scalar:
      break;
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::avx2:
      k.sgemm = avx2::sgemm;
      k.conv2d_forward = avx2::conv2d_forward;
      k.conv2d_grad_input = avx2::conv2d_grad_input;
      k.conv2d_grad_weight = avx2::conv2d_grad_weight;
      k.maxpool2d_fwd = avx2::maxpool2d_fwd;
      k.maxpool2d_bwd = avx2::maxpool2d_bwd;
      k.avgpool2d_fwd = avx2::avgpool2d_fwd;
      k.avgpool2d_bwd = avx2::avgpool2d_bwd;
      k.stochpool2d_train = avx2::stochpool2d_train;
      k.stochpool2d_infer = avx2::stochpool2d_infer;
      k.stochpool2d_infer_bwd = avx2::stochpool2d_infer_bwd;
      k.relu_fwd = avx2::relu_fwd;
      k.relu_bwd = avx2::relu_bwd;
      k.leaky_relu_fwd = avx2::leaky_relu_fwd;
      k.leaky_relu_bwd = avx2::leaky_relu_bwd;
      k.bias_add = avx2::bias_add;
      k.bias_grad = avx2::bias_grad;
      k.softmax_xent = avx2::softmax_xent;
      k.sgd_update = avx2::sgd_update;
      k.adam_update = avx2::adam_update;
      break;
    case Isa::avx512:
      k.sgemm = avx512::sgemm;
      k.conv2d_forward = avx512::conv2d_forward;
      k.conv2d_grad_input = avx512::conv2d_grad_input;
      k.conv2d_grad_weight = avx512::conv2d_grad_weight;
      k.maxpool2d_fwd = avx512::maxpool2d_fwd;
      k.maxpool2d_bwd = avx512::maxpool2d_bwd;
      k.avgpool2d_fwd = avx512::avgpool2d_fwd;
      k.avgpool2d_bwd = avx512::avgpool2d_bwd;
      k.stochpool2d_train = avx512::stochpool2d_train;
      k.stochpool2d_infer = avx512::stochpool2d_infer;
      k.stochpool2d_infer_bwd = avx512::stochpool2d_infer_bwd;
      k.relu_fwd = avx512::relu_fwd;
      k.relu_bwd = avx512::relu_bwd;
      k.leaky_relu_fwd = avx512::leaky_relu_fwd;
      k.leaky_relu_bwd = avx512::leaky_relu_bwd;
      k.bias_add = avx512::bias_add;
      k.bias_grad = avx512::bias_grad;
      k.softmax_xent = avx512::softmax_xent;
      k.sgd_update = avx512::sgd_update;
      k.adam_update = avx512::adam_update;
      break;
#endif
#if defined(__aarch64__)
    case Isa::neon:
      k.sgemm = neon::sgemm;
      k.conv2d_forward = neon::conv2d_forward;
      k.conv2d_grad_input = neon::conv2d_grad_input;
      k.conv2d_grad_weight = neon::conv2d_grad_weight;
      k.maxpool2d_fwd = neon::maxpool2d_fwd;
      k.maxpool2d_bwd = neon::maxpool2d_bwd;
      k.avgpool2d_fwd = neon::avgpool2d_fwd;
      k.avgpool2d_bwd = neon::avgpool2d_bwd;
      k.stochpool2d_train = neon::stochpool2d_train;
      k.stochpool2d_infer = neon::stochpool2d_infer;
      k.stochpool2d_infer_bwd = neon::stochpool2d_infer_bwd;
      k.relu_fwd = neon::relu_fwd;
      k.relu_bwd = neon::relu_bwd;
      k.leaky_relu_fwd = neon::leaky_relu_fwd;
      k.leaky_relu_bwd = neon::leaky_relu_bwd;
      k.bias_add = neon::bias_add;
      k.bias_grad = neon::bias_grad;
      k.softmax_xent = neon::softmax_xent;
      k.sgd_update = neon::sgd_update;
      k.adam_update = neon::adam_update;
      break;
#endif
    default:
      break;
  }
  return k;
}

bool init_kernels(std::string* error) {
  std::call_once(g_once, [] {
    Isa isa;
    if (select_isa(&isa, &g_error)) g_kernels = kernels_for(isa);
  });
  if (!g_error.empty()) *error = g_error;
  return g_error.empty();
}

const Kernels& kernels() { return g_kernels; }

}  // namespace striate::dispatch
