// Elementwise and per-channel kernels of the training hot path: activations, bias and
// its gradient, softmax cross-entropy, and the SGD-momentum and Adam updates.
//   x, y, dy, dx: n floats (flat; dx may alias dy, y may alias x)
//   bias:  y, dy [outer, channels, inner] (NCHW: outer = N, inner = H·W; [N, F]: inner = 1), b, db [channels]
//   loss:  logits, dlogits [n, k]; labels [n] (int32 class indices) or targets [n, k]
// Every ISA provides the same set; `reference` is the readable spec. Kernels assume
// valid arguments (the binding checks them), never throw and never allocate.
#pragma once
#include <cstdint>

namespace striate {

// One SGD step (torch.optim.SGD): g = grad + weight_decay·p; without momentum p -= lr·g;
// with it b = keep·b + share·g (keep = 0, share = 1 on the first step, else momentum and
// 1 − dampening) and p -= lr·(nesterov ? g + momentum·b : b).
struct SgdStep {
  float lr = 0, weight_decay = 0, momentum = 0, keep = 0, share = 1;
  bool nesterov = false;
};

// One Adam / AdamW step: p' = p·decay; g = grad + l2·p'; m = beta1·m + (1 − beta1)·g;
// v = beta2·v + (1 − beta2)·g²; p = p' − step_size·m / (sqrt(v) / root2 + eps), where
// step_size = lr / (1 − beta1^t) and root2 = sqrt(1 − beta2^t).
struct AdamStep {
  float step_size = 0, beta1 = 0, beta2 = 0, root2 = 1, eps = 0, l2 = 0, decay = 1;
};

#define STRIATE_ELEMENTWISE_DECLARATIONS                                                                      \
  /* y = max(x, 0) (NaN gives 0). */                                                                        \
  void relu_fwd(int64_t n, const float* x, float* y);                                                       \
  /* dx = dy where x > 0, else 0. */                                                                        \
  void relu_bwd(int64_t n, const float* x, const float* dy, float* dx);                                     \
  /* y = x for x > 0, else alpha·x. */                                                                      \
  void leaky_relu_fwd(int64_t n, float alpha, const float* x, float* y);                                    \
  void leaky_relu_bwd(int64_t n, float alpha, const float* x, const float* dy, float* dx);                  \
  /* y[o, c, i] += b[c]. */                                                                                 \
  void bias_add(int64_t outer, int64_t channels, int64_t inner, const float* b, float* y);                  \
  /* db[c] += sum over o, i of dy[o, c, i]; each channel summed by one thread in a fixed order. */          \
  void bias_grad(int64_t outer, int64_t channels, int64_t inner, const float* dy, float* db);               \
  /* Softmax cross-entropy with label smoothing eps: q = (1 − eps)·target + eps/k, target one-hot of  */    \
  /* labels[r] or row r of targets (exactly one of them non-null). Writes dlogits = (softmax − q)/n   */    \
  /* and returns the summed loss −sum q·log softmax (the caller divides by n).                        */    \
  double softmax_xent(int64_t n, int64_t k, const float* logits, const int32_t* labels, const float* targets, \
                      float eps, float* dlogits);                                                           \
  /* One optimizer step over n parameters; momentum may be null when s.momentum == 0. */                    \
  void sgd_update(int64_t n, const SgdStep& s, float* value, const float* grad, float* momentum);            \
  void adam_update(int64_t n, const AdamStep& s, float* value, const float* grad, float* m, float* v);

namespace reference { STRIATE_ELEMENTWISE_DECLARATIONS }
// The shared driver (driver.h) with one float per "vector": the portable threaded path.
namespace scalar { STRIATE_ELEMENTWISE_DECLARATIONS }
namespace avx2 { STRIATE_ELEMENTWISE_DECLARATIONS }
namespace avx512 { STRIATE_ELEMENTWISE_DECLARATIONS }
namespace neon { STRIATE_ELEMENTWISE_DECLARATIONS }

}  // namespace striate
