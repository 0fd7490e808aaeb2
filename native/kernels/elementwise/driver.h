// The elementwise driver shared by every ISA. Each ISA file includes it with its vector
// traits T (lanes.h lists what T provides), whose helpers stay in an anonymous
// namespace so code built with -mavx2 or -mavx512f stays there; batch_norm.h and
// softmax.h hold the per-channel and per-row kernels, lrn.h local response norm,
// vector_math.h exp, log and tanh.
//
// Layout: flat arrays, or [outer, channels, inner] for the bias kernels. A streaming op
// runs T::V elements per step over [begin, end), then a scalar tail with Lane1 (the same
// formulas, one float), so any length and any start offset work (unaligned loads).
// Threads take contiguous index ranges (parallel_for) only when each gets at least
// kStreamGrain elements (1 MB of floats): below that, waking a second OpenMP thread
// costs more than the memory traffic it would split, and on a loaded machine far more
// (measured on 2 cores: ReLU over LeNet's largest activation at batch 64, 301056
// floats, 0.17 ms on 1 thread, 0.3-2 ms on 2). So every LeNet elementwise op at batch
// 64 runs on the calling thread. Each output element is written by one thread, so
// results do not depend on the split.
// Bias gradient: one thread per channel range; a channel's sum is T::V float lane
// partials over blocks of kSumBlock values, each block reduced and added in double in
// order: deterministic, and accurate for long planes.
// Softmax cross-entropy runs one row at a time in scalar code: rows are K classes
// (10..1000), exp dominates, and the loss total is a serial double sum.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "dispatch/parallel.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/elementwise/batch_norm.h"
#include "kernels/elementwise/lanes.h"
#include "kernels/elementwise/lrn.h"
#include "kernels/elementwise/softmax.h"
#include "kernels/elementwise/vector_math.h"

namespace striate {
namespace {

template <class T>
void relu_fwd_impl(int64_t n, const float* x, float* y) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    U::store(y + i, U::max0(U::load(x + i)));
  });
}

template <class T>
void relu_bwd_impl(int64_t n, const float* x, const float* dy, float* dx) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    U::store(dx + i, U::select(U::gt0(U::load(x + i)), U::load(dy + i), U::zero()));
  });
}

template <class T>
void leaky_relu_fwd_impl(int64_t n, float alpha, const float* x, float* y) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto v = U::load(x + i);
    U::store(y + i, U::select(U::gt0(v), v, U::mul(U::set1(alpha), v)));
  });
}

template <class T>
void leaky_relu_bwd_impl(int64_t n, float alpha, const float* x, const float* dy, float* dx) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto g = U::load(dy + i);
    U::store(dx + i, U::select(U::gt0(U::load(x + i)), g, U::mul(U::set1(alpha), g)));
  });
}

template <class T>
void bias_add_impl(int64_t outer, int64_t channels, int64_t inner, const float* b, float* y) {
  if (inner == 1) {
    // [N, F]: each row gets the whole bias vector.
    dispatch::parallel_for(outer, grain_for(channels), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        float* row = y + o * channels;
        map_range<T>(0, channels, [=](auto t, int64_t c) {
          using U = decltype(t);
          U::store(row + c, U::add(U::load(row + c), U::load(b + c)));
        });
      }
    });
    return;
  }
  dispatch::parallel_for(outer * channels, grain_for(inner), [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      float* row = y + plane * inner;
      const float bias = b[plane % channels];
      map_range<T>(0, inner, [=](auto t, int64_t i) {
        using U = decltype(t);
        U::store(row + i, U::add(U::load(row + i), U::set1(bias)));
      });
    }
  });
}

template <class T>
void bias_grad_impl(int64_t outer, int64_t channels, int64_t inner, const float* dy, float* db) {
  if (inner == 1) {
    // [N, F]: column sums, T::V columns at a time down the rows.
    dispatch::parallel_for(channels, grain_for(outer), [&](int64_t begin, int64_t end) {
      map_range<T>(begin, end, [=](auto t, int64_t c) {
        using U = decltype(t);
        double sums[U::V];
        column_sums<U>(outer, [=](int64_t o) { return U::load(dy + o * channels + c); }, sums);
        for (int l = 0; l < U::V; ++l) db[c + l] = static_cast<float>(db[c + l] + sums[l]);
      });
    });
    return;
  }
  dispatch::parallel_for(channels, grain_for(outer * inner), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      double sum = 0;
      for (int64_t o = 0; o < outer; ++o) sum += plane_sum<T>(dy + (o * channels + c) * inner, inner);
      db[c] = static_cast<float>(db[c] + sum);
    }
  });
}

template <class T>
void add_impl(int64_t n, const float* a, const float* b, float* out) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    U::store(out + i, U::add(U::load(a + i), U::load(b + i)));
  });
}

template <class T>
void mul_impl(int64_t n, const float* a, const float* b, float* out) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    U::store(out + i, U::mul(U::load(a + i), U::load(b + i)));
  });
}

template <class T>
void sigmoid_fwd_impl(int64_t n, const float* x, float* y) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    U::store(y + i, vsigmoid<U>(U::load(x + i)));
  });
}

template <class T>
void sigmoid_bwd_impl(int64_t n, const float* y, const float* dy, float* dx) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto v = U::load(y + i);
    U::store(dx + i, U::mul(U::mul(U::load(dy + i), v), U::sub(U::set1(1.0f), v)));
  });
}

template <class T>
void tanh_fwd_impl(int64_t n, const float* x, float* y) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    U::store(y + i, vtanh<U>(U::load(x + i)));
  });
}

template <class T>
void tanh_bwd_impl(int64_t n, const float* y, const float* dy, float* dx) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto v = U::load(y + i);
    // 1 − y² as (1 − y)(1 + y): exact near |y| = 1, where 1 − y·y would cancel.
    U::store(dx + i, U::mul(U::load(dy + i), U::mul(U::sub(U::set1(1.0f), v), U::add(U::set1(1.0f), v))));
  });
}

template <class T>
void elu_fwd_impl(int64_t n, float alpha, const float* x, float* y) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto v = U::load(x + i);
    U::store(y + i, U::select(U::gt0(v), v, U::mul(U::set1(alpha), vexpm1<U>(v))));
  });
}

template <class T>
void elu_bwd_impl(int64_t n, float alpha, const float* x, const float* y, const float* dy, float* dx) {
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto g = U::load(dy + i);
    U::store(dx + i, U::select(U::gt0(U::load(x + i)), g, U::mul(g, U::add(U::load(y + i), U::set1(alpha)))));
  });
}

inline double softmax_xent_rows(int64_t n, int64_t k, const float* logits, const int32_t* labels,
                                const float* targets, float eps, float* dlogits) {
  const float inv_n = 1.0f / static_cast<float>(n);
  const float smooth = eps / static_cast<float>(k);
  double total = 0;
  for (int64_t r = 0; r < n; ++r) {
    const float* z = logits + r * k;
    float* d = dlogits + r * k;
    float max = z[0];
    for (int64_t j = 1; j < k; ++j) max = std::max(max, z[j]);
    float sum = 0;
    for (int64_t j = 0; j < k; ++j) {
      d[j] = std::exp(z[j] - max);
      sum += d[j];
    }
    const float log_sum = std::log(sum);
    const float inv_sum = 1.0f / sum;
    for (int64_t j = 0; j < k; ++j) {
      const float target = labels ? (labels[r] == j ? 1.0f : 0.0f) : targets[r * k + j];
      const float q = (1.0f - eps) * target + smooth;
      if (q != 0.0f) total -= double(q) * double(z[j] - max - log_sum);
      d[j] = (d[j] * inv_sum - q) * inv_n;
    }
  }
  return total;
}

template <class T>
void sgd_update_impl(int64_t n, const SgdStep& s, float* value, const float* grad, float* momentum) {
  const float lr = s.lr, wd = s.weight_decay, mu = s.momentum, keep = s.keep, share = s.share;
  if (mu == 0.0f) {
    map<T>(n, [=](auto t, int64_t i) {
      using U = decltype(t);
      const auto p = U::load(value + i);
      const auto g = U::add(U::load(grad + i), U::mul(U::set1(wd), p));
      U::store(value + i, U::sub(p, U::mul(U::set1(lr), g)));
    });
    return;
  }
  const bool nesterov = s.nesterov;
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto p = U::load(value + i);
    const auto g = U::add(U::load(grad + i), U::mul(U::set1(wd), p));
    const auto b = U::add(U::mul(U::set1(keep), U::load(momentum + i)), U::mul(U::set1(share), g));
    U::store(momentum + i, b);
    const auto d = nesterov ? U::add(g, U::mul(U::set1(mu), b)) : b;
    U::store(value + i, U::sub(p, U::mul(U::set1(lr), d)));
  });
}

template <class T>
void adam_update_impl(int64_t n, const AdamStep& s, float* value, const float* grad, float* m, float* v) {
  const AdamStep c = s;
  map<T>(n, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto p = U::mul(U::load(value + i), U::set1(c.decay));
    const auto g = U::add(U::load(grad + i), U::mul(U::set1(c.l2), p));
    const auto mi = U::add(U::mul(U::set1(c.beta1), U::load(m + i)), U::mul(U::set1(1.0f - c.beta1), g));
    const auto vi = U::add(U::mul(U::set1(c.beta2), U::load(v + i)), U::mul(U::mul(U::set1(1.0f - c.beta2), g), g));
    U::store(m + i, mi);
    U::store(v + i, vi);
    const auto denom = U::add(U::div(U::sqrt(vi), U::set1(c.root2)), U::set1(c.eps));
    U::store(value + i, U::sub(p, U::div(U::mul(U::set1(c.step_size), mi), denom)));
  });
}

}  // namespace
}  // namespace striate

// Defines the STRIATE_ELEMENTWISE_DECLARATIONS set in the enclosing ISA namespace with traits T.
#define STRIATE_ELEMENTWISE_DEFINITIONS(T)                                                                       \
  void relu_fwd(int64_t n, const float* x, float* y) { relu_fwd_impl<T>(n, x, y); }                            \
  void relu_bwd(int64_t n, const float* x, const float* dy, float* dx) { relu_bwd_impl<T>(n, x, dy, dx); }     \
  void leaky_relu_fwd(int64_t n, float alpha, const float* x, float* y) { leaky_relu_fwd_impl<T>(n, alpha, x, y); } \
  void leaky_relu_bwd(int64_t n, float alpha, const float* x, const float* dy, float* dx) {                    \
    leaky_relu_bwd_impl<T>(n, alpha, x, dy, dx);                                                               \
  }                                                                                                            \
  void bias_add(int64_t outer, int64_t channels, int64_t inner, const float* b, float* y) {                    \
    bias_add_impl<T>(outer, channels, inner, b, y);                                                            \
  }                                                                                                            \
  void bias_grad(int64_t outer, int64_t channels, int64_t inner, const float* dy, float* db) {                 \
    bias_grad_impl<T>(outer, channels, inner, dy, db);                                                         \
  }                                                                                                            \
  double softmax_xent(int64_t n, int64_t k, const float* logits, const int32_t* labels, const float* targets,  \
                      float eps, float* dlogits) {                                                             \
    return softmax_xent_rows(n, k, logits, labels, targets, eps, dlogits);                                     \
  }                                                                                                            \
  void add(int64_t n, const float* a, const float* b, float* out) { add_impl<T>(n, a, b, out); }                \
  void mul(int64_t n, const float* a, const float* b, float* out) { mul_impl<T>(n, a, b, out); }                \
  void sigmoid_fwd(int64_t n, const float* x, float* y) { sigmoid_fwd_impl<T>(n, x, y); }                        \
  void sigmoid_bwd(int64_t n, const float* y, const float* dy, float* dx) { sigmoid_bwd_impl<T>(n, y, dy, dx); } \
  void tanh_fwd(int64_t n, const float* x, float* y) { tanh_fwd_impl<T>(n, x, y); }                              \
  void tanh_bwd(int64_t n, const float* y, const float* dy, float* dx) { tanh_bwd_impl<T>(n, y, dy, dx); }       \
  void elu_fwd(int64_t n, float alpha, const float* x, float* y) { elu_fwd_impl<T>(n, alpha, x, y); }            \
  void elu_bwd(int64_t n, float alpha, const float* x, const float* y, const float* dy, float* dx) {            \
    elu_bwd_impl<T>(n, alpha, x, y, dy, dx);                                                                   \
  }                                                                                                            \
  void softmax_fwd(int64_t outer, int64_t dim, int64_t inner, const float* x, float* y) {                      \
    softmax_fwd_impl<T>(outer, dim, inner, x, y);                                                              \
  }                                                                                                            \
  void softmax_bwd(int64_t outer, int64_t dim, int64_t inner, const float* y, const float* dy, float* dx) {    \
    softmax_bwd_impl<T>(outer, dim, inner, y, dy, dx);                                                         \
  }                                                                                                            \
  void batch_norm_fwd(int64_t outer, int64_t channels, int64_t inner, const float* x, const double* mean,     \
                      const double* inv_std, const float* gamma, const float* beta, bool relu, float* y) {     \
    batch_norm_fwd_impl<T>(outer, channels, inner, x, mean, inv_std, gamma, beta, relu, y);                    \
  }                                                                                                            \
  void batch_norm_train_fwd(int64_t outer, int64_t channels, int64_t inner, const float* x, double eps,       \
                            const float* gamma, const float* beta, bool relu, double* mean, double* var,      \
                            float* y) {                                                                        \
    batch_norm_train_fwd_impl<T>(outer, channels, inner, x, eps, gamma, beta, relu, mean, var, y);             \
  }                                                                                                            \
  void batch_norm_bwd(int64_t outer, int64_t channels, int64_t inner, const float* x, const float* dy,        \
                      const float* relu_y, const double* mean, const double* inv_std, const float* gamma,     \
                      bool batch_stats, float* dgamma, float* dbeta, float* dx) {                              \
    batch_norm_bwd_impl<T>(outer, channels, inner, x, dy, relu_y, mean, inv_std, gamma, batch_stats, dgamma,   \
                           dbeta, dx);                                                                         \
  }                                                                                                            \
  void lrn_fwd(const LrnParams& p, const float* x, float* scale, float* y) { lrn_fwd_impl<T>(p, x, scale, y); }  \
  void lrn_bwd(const LrnParams& p, const float* x, const float* scale, const float* dy, float* work, float* dx) { \
    lrn_bwd_impl<T>(p, x, scale, dy, work, dx);                                                                \
  }                                                                                                            \
  void sgd_update(int64_t n, const SgdStep& s, float* value, const float* grad, float* momentum) {             \
    sgd_update_impl<T>(n, s, value, grad, momentum);                                                           \
  }                                                                                                            \
  void adam_update(int64_t n, const AdamStep& s, float* value, const float* grad, float* m, float* v) {        \
    adam_update_impl<T>(n, s, value, grad, m, v);                                                              \
  }
