// Local response norm over x [outer, channels, inner] on any lane traits T.
// Columns: T::V adjacent positions of inner at a time (a Lane1 tail), each walking the
// channels with stride inner; the window sums are read directly (size loads per
// output: size is 3..5 in practice, and a sliding sum would drift). Threads split the
// outer·inner columns. s^(−beta) = e^(−beta·log s) in float (vector_math.h), with s
// kept >= FLT_MIN so log stays finite (s >= k > 0 always in practice).
// Backward: pass 1 writes t_c = dy_c·x_c·s_c^(−beta−1) to work and dy·s^(−beta) to dx,
// pass 2 subtracts (2·alpha·beta/size)·x·Σ t over the window; both passes run on one
// column block at a time, so work is read back from cache.
#pragma once
#include <cfloat>

#include "dispatch/parallel.h"
#include "kernels/elementwise/lanes.h"
#include "kernels/elementwise/vector_math.h"

namespace striate {
namespace {

template <class U>
inline typename U::F pow_neg(typename U::F s, float beta) {
  return vexp<U>(U::mul(U::set1(-beta), vlog<U>(U::max(U::set1(FLT_MIN), s))));
}

// Calls block(o, i_begin, i_end) over the columns [begin, end) of outer·inner.
template <class Block>
void for_columns(int64_t inner, int64_t begin, int64_t end, const Block& block) {
  for (int64_t q = begin; q < end;) {
    const int64_t o = q / inner, i = q % inner;
    const int64_t stop = std::min(inner, i + (end - q));
    block(o, i, stop);
    q += stop - i;
  }
}

template <class T>
void lrn_fwd_impl(const LrnParams& p, const float* x, float* scale, float* y) {
  const int64_t channels = p.channels, inner = p.inner, before = p.size / 2, after = (p.size - 1) / 2;
  const float a = p.alpha / static_cast<float>(p.size), k = p.k, beta = p.beta;
  dispatch::parallel_for(p.outer * inner, grain_for(channels * (p.size + 8)), [&](int64_t begin, int64_t end) {
    for_columns(inner, begin, end, [&](int64_t o, int64_t i0, int64_t i1) {
      const int64_t plane = o * channels * inner;
      map_range<T>(i0, i1, [=](auto t, int64_t i) {
        using U = decltype(t);
        for (int64_t c = 0; c < channels; ++c) {
          auto sum = U::zero();
          for (int64_t j = std::max<int64_t>(0, c - before); j <= std::min(channels - 1, c + after); ++j) {
            const auto v = U::load(x + plane + j * inner + i);
            sum = U::fma(v, v, sum);
          }
          const int64_t at = plane + c * inner + i;
          const auto s = U::fma(U::set1(a), sum, U::set1(k));
          U::store(scale + at, s);
          U::store(y + at, U::mul(U::load(x + at), pow_neg<U>(s, beta)));
        }
      });
    });
  });
}

template <class T>
void lrn_bwd_impl(const LrnParams& p, const float* x, const float* scale, const float* dy, float* work, float* dx) {
  const int64_t channels = p.channels, inner = p.inner, before = p.size / 2, after = (p.size - 1) / 2;
  const float factor = 2.0f * p.alpha * p.beta / static_cast<float>(p.size), beta = p.beta;
  dispatch::parallel_for(p.outer * inner, grain_for(channels * (p.size + 8)), [&](int64_t begin, int64_t end) {
    for_columns(inner, begin, end, [&](int64_t o, int64_t i0, int64_t i1) {
      const int64_t plane = o * channels * inner;
      map_range<T>(i0, i1, [=](auto t, int64_t i) {
        using U = decltype(t);
        for (int64_t c = 0; c < channels; ++c) {
          const int64_t at = plane + c * inner + i;
          const auto s = U::load(scale + at);
          const auto g = U::mul(U::load(dy + at), pow_neg<U>(s, beta));
          U::store(dx + at, g);
          U::store(work + at, U::div(U::mul(g, U::load(x + at)), s));
        }
        for (int64_t ch = 0; ch < channels; ++ch) {
          auto sum = U::zero();
          for (int64_t c = std::max<int64_t>(0, ch - after); c <= std::min(channels - 1, ch + before); ++c)
            sum = U::add(sum, U::load(work + plane + c * inner + i));
          const int64_t at = plane + ch * inner + i;
          U::store(dx + at, U::sub(U::load(dx + at), U::mul(U::mul(U::set1(factor), U::load(x + at)), sum)));
        }
      });
    });
  });
}

}  // namespace
}  // namespace striate
