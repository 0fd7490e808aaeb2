// The readable spec of the elementwise kernels: one element at a time, in index order,
// single-threaded. Sums (bias gradient, softmax, batch norm statistics) and the
// transcendental functions run in double.
#include <algorithm>
#include <cmath>
#include <vector>

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

void add(int64_t n, const float* a, const float* b, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void mul(int64_t n, const float* a, const float* b, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

void sigmoid_fwd(int64_t n, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(1.0 / (1.0 + std::exp(-double(x[i]))));
}

void sigmoid_bwd(int64_t n, const float* y, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = static_cast<float>(double(dy[i]) * y[i] * (1.0 - y[i]));
}

void tanh_fwd(int64_t n, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(std::tanh(double(x[i])));
}

void tanh_bwd(int64_t n, const float* y, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = static_cast<float>(double(dy[i]) * (1.0 - double(y[i]) * y[i]));
}

void elu_fwd(int64_t n, float alpha, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : static_cast<float>(alpha * std::expm1(double(x[i])));
}

void elu_bwd(int64_t n, float alpha, const float* x, const float* y, const float* dy, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : static_cast<float>(double(dy[i]) * (double(y[i]) + alpha));
}

void softmax_fwd(int64_t outer, int64_t dim, int64_t inner, const float* x, float* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float* in = x + o * dim * inner + i;
      float* out = y + o * dim * inner + i;
      double max = in[0];
      for (int64_t d = 1; d < dim; ++d) max = std::max(max, double(in[d * inner]));
      double sum = 0;
      for (int64_t d = 0; d < dim; ++d) sum += std::exp(in[d * inner] - max);
      for (int64_t d = 0; d < dim; ++d) out[d * inner] = static_cast<float>(std::exp(in[d * inner] - max) / sum);
    }
}

void softmax_bwd(int64_t outer, int64_t dim, int64_t inner, const float* y, const float* dy, float* dx) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * dim * inner + i;
      double dot = 0;
      for (int64_t d = 0; d < dim; ++d) dot += double(dy[base + d * inner]) * y[base + d * inner];
      for (int64_t d = 0; d < dim; ++d) {
        const int64_t p = base + d * inner;
        dx[p] = static_cast<float>(y[p] * (dy[p] - dot));
      }
    }
}

void batch_norm_fwd(int64_t outer, int64_t channels, int64_t inner, const float* x, const double* mean,
                    const double* inv_std, const float* gamma, const float* beta, bool relu, float* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t p = (o * channels + c) * inner + i;
        const float v = static_cast<float>(gamma[c] * (x[p] - mean[c]) * inv_std[c] + beta[c]);
        y[p] = relu ? std::max(0.0f, v) : v;
      }
}

void batch_norm_train_fwd(int64_t outer, int64_t channels, int64_t inner, const float* x, double eps,
                          const float* gamma, const float* beta, bool relu, double* mean, double* var, float* y) {
  const double count = double(outer * inner);
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) sum += x[(o * channels + c) * inner + i];
    mean[c] = sum / count;
    double squares = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const double d = x[(o * channels + c) * inner + i] - mean[c];
        squares += d * d;
      }
    var[c] = squares / count;
    const double inv_std = 1.0 / std::sqrt(var[c] + eps);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t p = (o * channels + c) * inner + i;
        const float v = static_cast<float>(gamma[c] * (x[p] - mean[c]) * inv_std + beta[c]);
        y[p] = relu ? std::max(0.0f, v) : v;
      }
  }
}

void batch_norm_bwd(int64_t outer, int64_t channels, int64_t inner, const float* x, const float* dy_in,
                    const float* relu_y, const double* mean, const double* inv_std, const float* gamma,
                    bool batch_stats, float* dgamma, float* dbeta, float* dx) {
  const double count = double(outer * inner);
  std::vector<float> dy(dy_in, dy_in + outer * channels * inner);
  if (relu_y)
    for (size_t p = 0; p < dy.size(); ++p) dy[p] = relu_y[p] > 0.0f ? dy[p] : 0.0f;
  for (int64_t c = 0; c < channels; ++c) {
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t p = (o * channels + c) * inner + i;
        sum_dy += dy[p];
        sum_dy_xhat += dy[p] * (x[p] - mean[c]) * inv_std[c];
      }
    dgamma[c] = static_cast<float>(dgamma[c] + sum_dy_xhat);
    dbeta[c] = static_cast<float>(dbeta[c] + sum_dy);
    const double mean_dy = batch_stats ? sum_dy / count : 0.0;
    const double mean_dy_xhat = batch_stats ? sum_dy_xhat / count : 0.0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t p = (o * channels + c) * inner + i;
        const double xhat = (x[p] - mean[c]) * inv_std[c];
        dx[p] = static_cast<float>(gamma[c] * inv_std[c] * (dy[p] - mean_dy - xhat * mean_dy_xhat));
      }
  }
}

void lrn_fwd(const LrnParams& p, const float* x, float* scale, float* y) {
  const int64_t before = p.size / 2, after = (p.size - 1) / 2;
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t c = 0; c < p.channels; ++c)
      for (int64_t i = 0; i < p.inner; ++i) {
        double sum = 0;
        for (int64_t j = std::max<int64_t>(0, c - before); j <= std::min(p.channels - 1, c + after); ++j) {
          const double v = x[(o * p.channels + j) * p.inner + i];
          sum += v * v;
        }
        const int64_t at = (o * p.channels + c) * p.inner + i;
        const double s = p.k + double(p.alpha) / p.size * sum;
        scale[at] = static_cast<float>(s);
        y[at] = static_cast<float>(x[at] * std::pow(s, -double(p.beta)));
      }
}

// work is the SIMD kernels' scratch; the spec needs none.
void lrn_bwd(const LrnParams& p, const float* x, const float* scale, const float* dy, float*, float* dx) {
  const int64_t before = p.size / 2, after = (p.size - 1) / 2;
  const double factor = 2.0 * p.alpha * p.beta / p.size;
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t ch = 0; ch < p.channels; ++ch)
      for (int64_t i = 0; i < p.inner; ++i) {
        double sum = 0;
        for (int64_t c = std::max<int64_t>(0, ch - after); c <= std::min(p.channels - 1, ch + before); ++c) {
          const int64_t q = (o * p.channels + c) * p.inner + i;
          sum += double(dy[q]) * x[q] * std::pow(double(scale[q]), -double(p.beta) - 1);
        }
        const int64_t at = (o * p.channels + ch) * p.inner + i;
        dx[at] = static_cast<float>(dy[at] * std::pow(double(scale[at]), -double(p.beta)) - factor * x[at] * sum);
      }
}

}  // namespace striate::reference
