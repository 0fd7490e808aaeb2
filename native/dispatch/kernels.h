// The kernel table: one function pointer per op, filled once for the chosen ISA
// (XNNPACK's configs, ATen's DispatchStub). Bindings call through kernels().
#pragma once
#include <string>

#include "dispatch/cpu.h"
#include "kernels/gemm/gemm.h"
#include "kernels/pool2d/pool2d.h"
#include "kernels/conv2d/conv2d.h"
#include "kernels/elementwise/elementwise.h"

namespace striate::dispatch {

struct Kernels {
  Isa isa = Isa::scalar;
  void (*sgemm)(const GemmArgs&) = nullptr;
  void (*conv2d_forward)(const Conv2dParams&, const float* x, const float* w, const float* b, float* y) = nullptr;
  void (*conv2d_grad_input)(const Conv2dParams&, const float* dy, const float* w, float* dx) = nullptr;
  void (*conv2d_grad_weight)(const Conv2dParams&, const float* x, const float* dy, float* dw, float* db) = nullptr;
  void (*maxpool2d_fwd)(const Pool2dParams&, const float* x, float* y, int32_t* argmax) = nullptr;
  int64_t (*maxpool2d_bwd)(const Pool2dParams&, const float* dy, const int32_t* argmax, float* dx) = nullptr;
  void (*avgpool2d_fwd)(const Pool2dParams&, const float* x, float* y) = nullptr;
  void (*avgpool2d_bwd)(const Pool2dParams&, const float* dy, float* dx) = nullptr;
  void (*stochpool2d_train)(const Pool2dParams&, const float* x, const double* u, float* y, int32_t* index) = nullptr;
  void (*stochpool2d_infer)(const Pool2dParams&, const float* x, float* y) = nullptr;
  void (*stochpool2d_infer_bwd)(const Pool2dParams&, const float* x, const float* dy, float* dx) = nullptr;
  void (*relu_fwd)(int64_t n, const float* x, float* y) = nullptr;
  void (*relu_bwd)(int64_t n, const float* x, const float* dy, float* dx) = nullptr;
  void (*leaky_relu_fwd)(int64_t n, float alpha, const float* x, float* y) = nullptr;
  void (*leaky_relu_bwd)(int64_t n, float alpha, const float* x, const float* dy, float* dx) = nullptr;
  void (*bias_add)(int64_t outer, int64_t channels, int64_t inner, const float* b, float* y) = nullptr;
  void (*bias_grad)(int64_t outer, int64_t channels, int64_t inner, const float* dy, float* db) = nullptr;
  double (*softmax_xent)(int64_t n, int64_t k, const float* logits, const int32_t* labels, const float* targets,
                         float eps, float* dlogits) = nullptr;
  void (*sgd_update)(int64_t n, const SgdStep&, float* value, const float* grad, float* momentum) = nullptr;
  void (*adam_update)(int64_t n, const AdamStep&, float* value, const float* grad, float* m, float* v) = nullptr;
  void (*add)(int64_t n, const float* a, const float* b, float* out) = nullptr;
  void (*mul)(int64_t n, const float* a, const float* b, float* out) = nullptr;
  void (*sigmoid_fwd)(int64_t n, const float* x, float* y) = nullptr;
  void (*sigmoid_bwd)(int64_t n, const float* y, const float* dy, float* dx) = nullptr;
  void (*tanh_fwd)(int64_t n, const float* x, float* y) = nullptr;
  void (*tanh_bwd)(int64_t n, const float* y, const float* dy, float* dx) = nullptr;
  void (*elu_fwd)(int64_t n, float alpha, const float* x, float* y) = nullptr;
  void (*elu_bwd)(int64_t n, float alpha, const float* x, const float* y, const float* dy, float* dx) = nullptr;
  void (*softmax_fwd)(int64_t outer, int64_t dim, int64_t inner, const float* x, float* y) = nullptr;
  void (*softmax_bwd)(int64_t outer, int64_t dim, int64_t inner, const float* y, const float* dy, float* dx) = nullptr;
  void (*batch_norm_fwd)(int64_t outer, int64_t channels, int64_t inner, const float* x, const double* mean,
                         const double* inv_std, const float* gamma, const float* beta, bool relu, float* y) = nullptr;
  void (*batch_norm_train_fwd)(int64_t outer, int64_t channels, int64_t inner, const float* x, double eps,
                               const float* gamma, const float* beta, bool relu, double* mean, double* var,
                               float* y) = nullptr;
  void (*batch_norm_bwd)(int64_t outer, int64_t channels, int64_t inner, const float* x, const float* dy,
                         const float* relu_y, const double* mean, const double* inv_std, const float* gamma,
                         bool batch_stats, float* dgamma, float* dbeta, float* dx) = nullptr;
  void (*lrn_fwd)(const LrnParams&, const float* x, float* scale, float* y) = nullptr;
  void (*lrn_bwd)(const LrnParams&, const float* x, const float* scale, const float* dy, float* work, float* dx) = nullptr;
};

// The table for one ISA (which must be available on this CPU).
Kernels kernels_for(Isa isa);

// Selects the ISA (STRIATE_ISA or the best) once per process. Returns false and sets
// `error` when STRIATE_ISA cannot be honoured.
bool init_kernels(std::string* error);

// The table chosen by init_kernels.
const Kernels& kernels();

}  // namespace striate::dispatch
