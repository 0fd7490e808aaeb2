// The elementwise driver shared by every ISA. Each ISA file includes it inside an
// anonymous namespace with its vector traits T, so code built with -mavx2 or -mavx512f
// stays there.
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

namespace striate {
namespace {

constexpr int64_t kStreamGrain = int64_t{1} << 18;

struct Lane1 {
  static constexpr int V = 1;
  using F = float;
  using M = bool;
  static F load(const float* p) { return *p; }
  static void store(float* p, F v) { *p = v; }
  static F set1(float v) { return v; }
  static F zero() { return 0.0f; }
  static F add(F a, F b) { return a + b; }
  static F sub(F a, F b) { return a - b; }
  static F mul(F a, F b) { return a * b; }
  static F div(F a, F b) { return a / b; }
  static F sqrt(F a) { return std::sqrt(a); }
  static F max0(F a) { return a > 0.0f ? a : 0.0f; }
  static M gt0(F a) { return a > 0.0f; }
  static F select(M m, F t, F f) { return m ? t : f; }
  static float hsum(F a) { return a; }
};

// Calls op(T{}, i) for i = begin, begin + T::V, ... and op(Lane1{}, i) for the tail.
template <class T, class Op>
inline void map_range(int64_t begin, int64_t end, const Op& op) {
  int64_t i = begin;
  for (; i + T::V <= end; i += T::V) op(T{}, i);
  for (; i < end; ++i) op(Lane1{}, i);
}

template <class T, class Op>
inline void map(int64_t n, const Op& op) {
  dispatch::parallel_for(n, kStreamGrain, [&](int64_t begin, int64_t end) { map_range<T>(begin, end, op); });
}

// Units of `unit_work` elements each, so that a thread gets at least kStreamGrain elements.
inline int64_t grain_for(int64_t unit_work) { return std::max<int64_t>(1, kStreamGrain / std::max<int64_t>(1, unit_work)); }

// The sum of p[0, n) in T::V float lanes, moved into a double every kSumBlock elements
// so the float partials stay short whatever n is.
constexpr int64_t kSumBlock = 1024;

template <class T>
double plane_sum(const float* p, int64_t n) {
  double total = 0;
  for (int64_t start = 0; start < n; start += kSumBlock) {
    const int64_t end = std::min(n, start + kSumBlock);
    typename T::F acc = T::zero();
    int64_t i = start;
    for (; i + T::V <= end; i += T::V) acc = T::add(acc, T::load(p + i));
    float sum = T::hsum(acc);
    for (; i < end; ++i) sum += p[i];
    total += sum;
  }
  return total;
}

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
        double sums[U::V] = {};
        float lanes[U::V];
        for (int64_t start = 0; start < outer; start += kSumBlock) {
          const int64_t stop = std::min(outer, start + kSumBlock);
          auto acc = U::zero();
          for (int64_t o = start; o < stop; ++o) acc = U::add(acc, U::load(dy + o * channels + c));
          U::store(lanes, acc);
          for (int l = 0; l < U::V; ++l) sums[l] += lanes[l];
        }
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
  void sgd_update(int64_t n, const SgdStep& s, float* value, const float* grad, float* momentum) {             \
    sgd_update_impl<T>(n, s, value, grad, momentum);                                                           \
  }                                                                                                            \
  void adam_update(int64_t n, const AdamStep& s, float* value, const float* grad, float* m, float* v) {        \
    adam_update_impl<T>(n, s, value, grad, m, v);                                                              \
  }
