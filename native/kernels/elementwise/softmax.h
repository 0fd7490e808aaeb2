// Softmax along dim of x [outer, dim, inner], on any lane traits T.
// inner = 1 (the last axis, class scores [N, K]): one row of dim contiguous floats at a
// time; max, then e^(x − max) written to y and summed (lanes.h's blocked sums), then y
// scaled by 1/sum: three T::V-float passes over a row that stays in L1.
// inner > 1 (e.g. per-pixel classes [N, K, H, W]): T::V adjacent positions of inner at a
// time (a Lane1 tail), each pass walking dim with stride inner; the lane sums move into
// double every kSumBlock rows (column_sums).
// Rows (outer) are split over threads only past kStreamGrain floats each; every output
// is written by one thread, in the same order for any split.
#pragma once
#include "dispatch/parallel.h"
#include "kernels/elementwise/lanes.h"
#include "kernels/elementwise/vector_math.h"

namespace striate {
namespace {

template <class T>
float row_max(const float* x, int64_t n) {
  auto acc = T::load(x);  // only called with n >= T::V
  int64_t i = T::V;
  for (; i + T::V <= n; i += T::V) acc = T::max(acc, T::load(x + i));
  float m = T::hmax(acc);
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

template <class T>
void softmax_row(const float* x, float* y, int64_t dim) {
  float max = x[0];
  if (dim >= T::V)
    max = row_max<T>(x, dim);
  else
    for (int64_t d = 1; d < dim; ++d) max = std::max(max, x[d]);
  map_range<T>(0, dim, [=](auto t, int64_t d) {
    using U = decltype(t);
    U::store(y + d, vexp<U>(U::sub(U::load(x + d), U::set1(max))));
  });
  const float inv = static_cast<float>(1.0 / plane_sum<T>(y, dim));
  map_range<T>(0, dim, [=](auto t, int64_t d) {
    using U = decltype(t);
    U::store(y + d, U::mul(U::load(y + d), U::set1(inv)));
  });
}

template <class T>
void softmax_fwd_impl(int64_t outer, int64_t dim, int64_t inner, const float* x, float* y) {
  dispatch::parallel_for(outer, grain_for(dim * inner), [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      const float* in = x + o * dim * inner;
      float* out = y + o * dim * inner;
      if (inner == 1) {
        softmax_row<T>(in, out, dim);
        continue;
      }
      map_range<T>(0, inner, [=](auto t, int64_t i) {
        using U = decltype(t);
        auto max = U::load(in + i);
        for (int64_t d = 1; d < dim; ++d) max = U::max(max, U::load(in + d * inner + i));
        double sums[U::V];
        column_sums<U>(dim, [&](int64_t d) {
          const auto e = vexp<U>(U::sub(U::load(in + d * inner + i), max));
          U::store(out + d * inner + i, e);
          return e;
        }, sums);
        float inv[U::V];
        for (int l = 0; l < U::V; ++l) inv[l] = static_cast<float>(1.0 / sums[l]);
        const auto scale = U::load(inv);
        for (int64_t d = 0; d < dim; ++d) U::store(out + d * inner + i, U::mul(U::load(out + d * inner + i), scale));
      });
    }
  });
}

template <class T>
void softmax_bwd_impl(int64_t outer, int64_t dim, int64_t inner, const float* y, const float* dy, float* dx) {
  dispatch::parallel_for(outer, grain_for(dim * inner), [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      const float* py = y + o * dim * inner;
      const float* pdy = dy + o * dim * inner;
      float* pdx = dx + o * dim * inner;
      if (inner == 1) {
        const float dot = static_cast<float>(sum_of<T>(dim, [=](auto t, int64_t d) {
          using U = decltype(t);
          return U::mul(U::load(pdy + d), U::load(py + d));
        }));
        map_range<T>(0, dim, [=](auto t, int64_t d) {
          using U = decltype(t);
          U::store(pdx + d, U::mul(U::load(py + d), U::sub(U::load(pdy + d), U::set1(dot))));
        });
        continue;
      }
      map_range<T>(0, inner, [=](auto t, int64_t i) {
        using U = decltype(t);
        double sums[U::V];
        column_sums<U>(dim, [&](int64_t d) { return U::mul(U::load(pdy + d * inner + i), U::load(py + d * inner + i)); },
                       sums);
        float lanes[U::V];
        for (int l = 0; l < U::V; ++l) lanes[l] = static_cast<float>(sums[l]);
        const auto dot = U::load(lanes);
        for (int64_t d = 0; d < dim; ++d) {
          const int64_t p = d * inner + i;
          U::store(pdx + p, U::mul(U::load(py + p), U::sub(U::load(pdy + p), dot)));
        }
      });
    }
  });
}

}  // namespace
}  // namespace striate
