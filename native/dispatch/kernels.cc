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
  k.add = scalar::add;
  k.mul = scalar::mul;
  k.sigmoid_fwd = scalar::sigmoid_fwd;
  k.sigmoid_bwd = scalar::sigmoid_bwd;
  k.tanh_fwd = scalar::tanh_fwd;
  k.tanh_bwd = scalar::tanh_bwd;
  k.elu_fwd = scalar::elu_fwd;
  k.elu_bwd = scalar::elu_bwd;
  k.softmax_fwd = scalar::softmax_fwd;
  k.softmax_bwd = scalar::softmax_bwd;
  k.batch_norm_fwd = scalar::batch_norm_fwd;
  k.batch_norm_train_fwd = scalar::batch_norm_train_fwd;
  k.batch_norm_bwd = scalar::batch_norm_bwd;
  k.lrn_fwd = scalar::lrn_fwd;
  k.lrn_bwd = scalar::lrn_bwd;
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
      k.add = avx2::add;
      k.mul = avx2::mul;
      k.sigmoid_fwd = avx2::sigmoid_fwd;
      k.sigmoid_bwd = avx2::sigmoid_bwd;
      k.tanh_fwd = avx2::tanh_fwd;
      k.tanh_bwd = avx2::tanh_bwd;
      k.elu_fwd = avx2::elu_fwd;
      k.elu_bwd = avx2::elu_bwd;
      k.softmax_fwd = avx2::softmax_fwd;
      k.softmax_bwd = avx2::softmax_bwd;
      k.batch_norm_fwd = avx2::batch_norm_fwd;
      k.batch_norm_train_fwd = avx2::batch_norm_train_fwd;
      k.batch_norm_bwd = avx2::batch_norm_bwd;
      k.lrn_fwd = avx2::lrn_fwd;
      k.lrn_bwd = avx2::lrn_bwd;
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
      k.add = avx512::add;
      k.mul = avx512::mul;
      k.sigmoid_fwd = avx512::sigmoid_fwd;
      k.sigmoid_bwd = avx512::sigmoid_bwd;
      k.tanh_fwd = avx512::tanh_fwd;
      k.tanh_bwd = avx512::tanh_bwd;
      k.elu_fwd = avx512::elu_fwd;
      k.elu_bwd = avx512::elu_bwd;
      k.softmax_fwd = avx512::softmax_fwd;
      k.softmax_bwd = avx512::softmax_bwd;
      k.batch_norm_fwd = avx512::batch_norm_fwd;
      k.batch_norm_train_fwd = avx512::batch_norm_train_fwd;
      k.batch_norm_bwd = avx512::batch_norm_bwd;
      k.lrn_fwd = avx512::lrn_fwd;
      k.lrn_bwd = avx512::lrn_bwd;
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
      k.add = neon::add;
      k.mul = neon::mul;
      k.sigmoid_fwd = neon::sigmoid_fwd;
      k.sigmoid_bwd = neon::sigmoid_bwd;
      k.tanh_fwd = neon::tanh_fwd;
      k.tanh_bwd = neon::tanh_bwd;
      k.elu_fwd = neon::elu_fwd;
      k.elu_bwd = neon::elu_bwd;
      k.softmax_fwd = neon::softmax_fwd;
      k.softmax_bwd = neon::softmax_bwd;
      k.batch_norm_fwd = neon::batch_norm_fwd;
      k.batch_norm_train_fwd = neon::batch_norm_train_fwd;
      k.batch_norm_bwd = neon::batch_norm_bwd;
      k.lrn_fwd = neon::lrn_fwd;
      k.lrn_bwd = neon::lrn_bwd;
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
