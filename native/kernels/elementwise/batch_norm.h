// Batch norm over x [outer, channels, inner] on any lane traits T.
// Training forward and backward take one channel per thread (parallel_for over
// channels): the channel's sums are lane partials in fixed order (lanes.h), so results
// do not depend on the thread count. Each pass walks the channel's outer planes of
// inner floats with T::V-float steps and a Lane1 tail; for [N, F] (inner = 1) a plane
// is one float, strided by F. A channel's data is read two (statistics) or three
// times; a channel of a CNN activation (N·H·W floats) stays in L2 between passes.
// Inference forward splits the outer·channels planes instead (no reduction); planes of
// fewer than kTablePlane floats ([N, F] included) run image by image against a table of
// each element's coefficients.
// Precision: the mean is summed as x − x₀ (x₀ the channel's first value), and the other
// float passes work on x − m with m = float(mean); the double results
// are corrected exactly for mean − m, so a channel whose mean is large against its
// spread loses nothing to cancellation:
//   Σ(x − mean)² = Σ(x − m)² − M·(mean − m)²,  Σ dy·(x − mean) = Σ dy·(x − m) − (mean − m)·Σ dy.
// The output is one fma per element, y = (x − m)·a + b, a and b folded per channel in double.
// A ReLU right after the batch norm can run inside it (the inference plan, and training in
// a Graph): max(0, y) as y is stored, and in the backward pass dy taken only where that
// output is > 0: the same bits as the two layers, one pass over the activation less each way.
#pragma once
#include <vector>

#include "dispatch/parallel.h"
#include "kernels/elementwise/channel_affine.h"
#include "kernels/elementwise/lanes.h"

namespace striate {
namespace {

// RELU: then max(0, ·), batch norm and the ReLU after it in one pass.
template <class T, bool RELU = false>
void bn_apply_plane(const float* x, float* y, int64_t inner, ChannelAffine f) {
  map_range<T>(0, inner, [=](auto t, int64_t i) {
    using U = decltype(t);
    const auto v = U::fma(U::sub(U::load(x + i), U::set1(f.m)), U::set1(f.a), U::set1(f.b));
    U::store(y + i, RELU ? U::max0(v) : v);
  });
}

// Per-plane coefficients cost a table lookup and a vector tail per plane: on DenseNet's
// small maps at batch 32 (planes of 4 or 16 floats) the inference forward ran at 0.8-3.7
// G elements/s against 5-10 on large planes, and at 0.8 on [N, F] (channels down the rows,
// each row 4 KiB from the last). Below kTablePlane floats a plane, it runs over each
// image's C·inner floats contiguously instead, against a table of every element's
// coefficients built once a call (same m, a, b per element: the same bits).
constexpr int64_t kTablePlane = 32, kTableFloats = int64_t{1} << 14;

template <class T>
void batch_norm_fwd_impl(int64_t outer, int64_t channels, int64_t inner, const float* x, const double* mean,
                         const double* inv_std, const float* gamma, const float* beta, bool relu, float* y) {
  // The calling thread's tables, kept at their largest size like the kernels' scratch
  // (read through pointers: inside the parallel loop the names would be each worker's own).
  thread_local std::vector<ChannelAffine> affine;
  thread_local std::vector<float> table;
  affine.resize(channels);
  for (int64_t c = 0; c < channels; ++c) affine[c] = bn_affine(mean[c], inv_std[c], gamma[c], beta[c]);
  const ChannelAffine* coefficients = affine.data();
  const int64_t image = channels * inner;
  if (inner < kTablePlane && (image <= kTableFloats || inner == 1)) {
    // [m | a | b] for the image's elements, each its channel's.
    table.resize(3 * image);
    float* m = table.data();
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        m[c * inner + i] = coefficients[c].m;
        m[image + c * inner + i] = coefficients[c].a;
        m[2 * image + c * inner + i] = coefficients[c].b;
      }
    dispatch::parallel_for(outer, grain_for(image), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const float* xo = x + o * image;
        float* yo = y + o * image;
        map_range<T>(0, image, [=](auto t, int64_t e) {
          using U = decltype(t);
          const auto v = U::fma(U::sub(U::load(xo + e), U::load(m + e)), U::load(m + image + e), U::load(m + 2 * image + e));
          U::store(yo + e, relu ? U::max0(v) : v);
        });
      }
    });
    return;
  }
  dispatch::parallel_for(outer * channels, grain_for(inner), [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      const ChannelAffine f = coefficients[plane % channels];
      if (relu) bn_apply_plane<T, true>(x + plane * inner, y + plane * inner, inner, f);
      else bn_apply_plane<T>(x + plane * inner, y + plane * inner, inner, f);
    }
  });
}

template <class T>
void batch_norm_train_fwd_impl(int64_t outer, int64_t channels, int64_t inner, const float* x, double eps,
                               const float* gamma, const float* beta, bool relu, double* mean, double* var,
                               float* y) {
  const double count = double(outer) * double(inner);
  dispatch::parallel_for(channels, grain_for(outer * inner), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      // Summed around the channel's first value, so the float lanes see the spread, not the mean.
      const float pivot = x[c * inner];
      double sum = 0;
      for (int64_t o = 0; o < outer; ++o) {
        const float* p = x + (o * channels + c) * inner;
        sum += sum_of<T>(inner, [=](auto t, int64_t i) {
          using U = decltype(t);
          return U::sub(U::load(p + i), U::set1(pivot));
        });
      }
      const double mu = double(pivot) + sum / count;
      const float m = static_cast<float>(mu);
      double squares = 0;
      for (int64_t o = 0; o < outer; ++o) {
        const float* p = x + (o * channels + c) * inner;
        squares += sum_of<T>(inner, [=](auto t, int64_t i) {
          using U = decltype(t);
          const auto d = U::sub(U::load(p + i), U::set1(m));
          return U::mul(d, d);
        });
      }
      const double shift = mu - double(m);
      const double variance = std::max(0.0, squares / count - shift * shift);
      mean[c] = mu;
      var[c] = variance;
      const ChannelAffine f = bn_affine(mu, 1.0 / std::sqrt(variance + eps), gamma[c], beta[c]);
      for (int64_t o = 0; o < outer; ++o) {
        const int64_t offset = (o * channels + c) * inner;
        if (relu) bn_apply_plane<T, true>(x + offset, y + offset, inner, f);
        else bn_apply_plane<T>(x + offset, y + offset, inner, f);
      }
    }
  });
}

// dL/d(the batch norm's output) at i: dy, or, with the ReLU after it fused in, dy where
// that ReLU's output relu_y is > 0, else 0 (exactly the ReLU's own backward).
template <bool FUSED_RELU, class U>
inline auto output_grad(const float* dy, const float* relu_y, int64_t i) {
  if constexpr (FUSED_RELU) return U::select(U::gt0(U::load(relu_y + i)), U::load(dy + i), U::zero());
  else return U::load(dy + i);
}

template <class T, bool FUSED_RELU>
void batch_norm_bwd_channel(int64_t outer, int64_t channels, int64_t inner, int64_t c, const float* x,
                            const float* dy, const float* relu_y, const double* mean, const double* inv_std,
                            const float* gamma, bool batch_stats, float* dgamma, float* dbeta, float* dx) {
  const double count = double(outer) * double(inner);
  const float m = static_cast<float>(mean[c]);
  double sum_dy = 0, sum_dy_x = 0;
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t offset = (o * channels + c) * inner;
    const float *px = x + offset, *pdy = dy + offset, *py = FUSED_RELU ? relu_y + offset : nullptr;
    sum_dy += sum_of<T>(inner, [=](auto t, int64_t i) { return output_grad<FUSED_RELU, decltype(t)>(pdy, py, i); });
    sum_dy_x += sum_of<T>(inner, [=](auto t, int64_t i) {
      using U = decltype(t);
      return U::mul(output_grad<FUSED_RELU, U>(pdy, py, i), U::sub(U::load(px + i), U::set1(m)));
    });
  }
  const double shift = mean[c] - double(m);
  const double sum_dy_xhat = (sum_dy_x - shift * sum_dy) * inv_std[c];
  dgamma[c] = static_cast<float>(dgamma[c] + sum_dy_xhat);
  dbeta[c] = static_cast<float>(dbeta[c] + sum_dy);
  // dx = k_dy·dy + k_x·(x − m) + k_1, the training formula expanded around m.
  const double scale = double(gamma[c]) * inv_std[c];
  const double k_x = batch_stats ? -scale * inv_std[c] * sum_dy_xhat / count : 0.0;
  const double k_1 = batch_stats ? -scale * sum_dy / count - k_x * shift : 0.0;
  const float a = static_cast<float>(scale), b = static_cast<float>(k_x), d = static_cast<float>(k_1);
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t offset = (o * channels + c) * inner;
    const float *px = x + offset, *pdy = dy + offset, *py = FUSED_RELU ? relu_y + offset : nullptr;
    float* pdx = dx + offset;
    map_range<T>(0, inner, [=](auto t, int64_t i) {
      using U = decltype(t);
      const auto g = U::fma(output_grad<FUSED_RELU, U>(pdy, py, i), U::set1(a), U::set1(d));
      U::store(pdx + i, U::fma(U::sub(U::load(px + i), U::set1(m)), U::set1(b), g));
    });
  }
}

template <class T>
void batch_norm_bwd_impl(int64_t outer, int64_t channels, int64_t inner, const float* x, const float* dy,
                         const float* relu_y, const double* mean, const double* inv_std, const float* gamma,
                         bool batch_stats, float* dgamma, float* dbeta, float* dx) {
  dispatch::parallel_for(channels, grain_for(outer * inner), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c)
      if (relu_y)
        batch_norm_bwd_channel<T, true>(outer, channels, inner, c, x, dy, relu_y, mean, inv_std, gamma, batch_stats,
                                        dgamma, dbeta, dx);
      else
        batch_norm_bwd_channel<T, false>(outer, channels, inner, c, x, dy, relu_y, mean, inv_std, gamma, batch_stats,
                                         dgamma, dbeta, dx);
  });
}

}  // namespace
}  // namespace striate
