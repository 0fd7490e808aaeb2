// The readable spec of the elementwise kernels: one element at a time, in index order,
// single-threaded. Sums (bias gradient, softmax) run in double.
#include <algorithm>
#include <cmath>

#include "kernels/elementwise/elementwise.h"

namespace striate::reference {

void relu_fwd(int64_t n, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_bwd(int64_t n, const float* x, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

void leaky_relu_fwd(int64_t n, float alpha, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}

void leaky_relu_bwd(int64_t n, float alpha, const float* x, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : alpha * dy[i];
}

void bias_add(int64_t outer, int64_t channels, int64_t inner, const float* b, float* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) y[(o * channels + c) * inner + i] += b[c];
}

void bias_grad(int64_t outer, int64_t channels, int64_t inner, const float* dy, float* db) {
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) sum += dy[(o * channels + c) * inner + i];
    db[c] = static_cast<float>(db[c] + sum);
  }
}

double softmax_xent(int64_t n, int64_t k, const float* logits, const int32_t* labels, const float* targets, float eps,
                    float* dlogits) {
  double total = 0;
  for (int64_t r = 0; r < n; ++r) {
    const float* z = logits + r * k;
    double max = z[0];
    for (int64_t j = 1; j < k; ++j) max = std::max(max, double(z[j]));
    double sum = 0;
    for (int64_t j = 0; j < k; ++j) sum += std::exp(z[j] - max);
    const double log_sum = max + std::log(sum);
    for (int64_t j = 0; j < k; ++j) {
      const double target = labels ? (labels[r] == j ? 1.0 : 0.0) : targets[r * k + j];
      const double q = (1.0 - eps) * target + double(eps) / k;
      const double log_p = z[j] - log_sum;
      if (q != 0) total -= q * log_p;
      dlogits[r * k + j] = static_cast<float>((std::exp(log_p) - q) / n);
    }
  }
  return total;
}

void sgd_update(int64_t n, const SgdStep& s, float* value, const float* grad, float* momentum) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i] + s.weight_decay * value[i];
    if (s.momentum == 0.0f) {
      value[i] -= s.lr * g;
      continue;
    }
    const float b = s.keep * momentum[i] + s.share * g;
    momentum[i] = b;
    value[i] -= s.lr * (s.nesterov ? g + s.momentum * b : b);
  }
}

void adam_update(int64_t n, const AdamStep& s, float* value, const float* grad, float* m, float* v) {
  for (int64_t i = 0; i < n; ++i) {
    const float p = value[i] * s.decay;
    const float g = grad[i] + s.l2 * p;
    m[i] = s.beta1 * m[i] + (1.0f - s.beta1) * g;
    v[i] = s.beta2 * v[i] + (1.0f - s.beta2) * g * g;
    value[i] = p - s.step_size * m[i] / (std::sqrt(v[i]) / s.root2 + s.eps);
  }
}

}  // namespace striate::reference
