// Elementwise and per-channel kernels of the training hot path: activations, bias and
// its gradient, batch norm, softmax and softmax cross-entropy, and the SGD-momentum and
// Adam updates.
//   x, y, dy, dx: n floats (flat; dx may alias dy, y may alias x)
//   bias:  y, dy [outer, channels, inner] (NCHW: outer = N, inner = H·W; [N, F]: inner = 1), b, db [channels]
//   batch norm: x, y, dy, dx [outer, channels, inner]; gamma, beta, dgamma, dbeta [channels] float;
//               mean, var, inv_std [channels] double
//   softmax: x, y, dy, dx [outer, dim, inner], normalised along dim (the last axis: inner = 1)
//   local response norm: x, y, scale, dy, dx, work [outer, channels, inner]
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

// Local response norm across channels (PyTorch's convention): the window of channel c is
// [c − size/2, c + (size − 1)/2] (integer division) clipped to [0, channels), and
// s_c = k + (alpha/size)·Σ_{j∈W(c)} x_j²,  y_c = x_c·s_c^(−beta).
struct LrnParams {
  int64_t outer = 0, channels = 0, inner = 0, size = 1;
  float alpha = 0, beta = 0, k = 1;
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
  /* out = a + b (the residual Add, and fan-out gradients summed). */                                       \
  void add(int64_t n, const float* a, const float* b, float* out);                                          \
  /* out = a·b (dropout's mask, forward and backward). */                                                  \
  void mul(int64_t n, const float* a, const float* b, float* out);                                          \
  /* y = 1/(1 + e^−x); dx = dy·y·(1 − y). */                                                                \
  void sigmoid_fwd(int64_t n, const float* x, float* y);                                                    \
  void sigmoid_bwd(int64_t n, const float* y, const float* dy, float* dx);                                  \
  /* y = tanh x; dx = dy·(1 − y²). */                                                                       \
  void tanh_fwd(int64_t n, const float* x, float* y);                                                       \
  void tanh_bwd(int64_t n, const float* y, const float* dy, float* dx);                                     \
  /* y = x for x > 0, else alpha·(e^x − 1); dx = dy for x > 0, else dy·(y + alpha). */                      \
  void elu_fwd(int64_t n, float alpha, const float* x, float* y);                                           \
  void elu_bwd(int64_t n, float alpha, const float* x, const float* y, const float* dy, float* dx);        \
  /* y = e^(x − max) / Σ e^(x − max) along dim; dx = y·(dy − Σ dy·y). */                                    \
  void softmax_fwd(int64_t outer, int64_t dim, int64_t inner, const float* x, float* y);                   \
  void softmax_bwd(int64_t outer, int64_t dim, int64_t inner, const float* y, const float* dy, float* dx);  \
  /* Batch norm with fixed statistics: y = gamma·(x − mean)·inv_std + beta, per channel, then */           \
  /* max(0, y) when relu (an inference plan's batch norm followed by ReLU, in one pass).       */           \
  void batch_norm_fwd(int64_t outer, int64_t channels, int64_t inner, const float* x, const double* mean,   \
                      const double* inv_std, const float* gamma, const float* beta, bool relu, float* y);   \
  /* Batch norm on the batch's statistics: writes each channel's mean and biased variance over */         \
  /* its outer·inner values, then y as above with inv_std = 1/sqrt(var + eps) (and relu).      */         \
  void batch_norm_train_fwd(int64_t outer, int64_t channels, int64_t inner, const float* x, double eps,     \
                            const float* gamma, const float* beta, bool relu, double* mean, double* var,    \
                            float* y);                                                                      \
  /* With x̂ = (x − mean)·inv_std and M = outer·inner: dgamma += Σ dy·x̂, dbeta += Σ dy, and       */       \
  /* dx = gamma·inv_std·(dy − Σdy/M − x̂·Σ(dy·x̂)/M) with batch statistics, gamma·inv_std·dy without. */       \
  /* relu_y: the output of a forward run with relu, or null; then dy counts only where relu_y > 0  */       \
  /* (the ReLU's backward, fused in).                                                               */       \
  void batch_norm_bwd(int64_t outer, int64_t channels, int64_t inner, const float* x, const float* dy,      \
                      const float* relu_y, const double* mean, const double* inv_std, const float* gamma,   \
                      bool batch_stats, float* dgamma, float* dbeta, float* dx);                            \
  /* Local response norm: writes y and scale = s. */                                                        \
  void lrn_fwd(const LrnParams& p, const float* x, float* scale, float* y);                                 \
  /* dx_i = dy_i·s_i^(−beta) − (2·alpha·beta/size)·x_i·Σ_{c: i∈W(c)} dy_c·x_c·s_c^(−beta−1); work: n floats. */ \
  void lrn_bwd(const LrnParams& p, const float* x, const float* scale, const float* dy, float* work, float* dx); \
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
