// avx512: a direct forward for few output channels and small filters; everything else
// (and every backward) on the GEMM paths, driven by avx512::sgemm.
//
// Direct forward, per image and output row, with K = Cin*kH*kW:
//   wt   [co block][K][16*V]   weights transposed so that one k is V vectors of output
//                              channels (zero lanes past Cout); blocks of up to 32 channels
//   xp   [N, Cin, Hp, Wp]      x with its zero padding written out (only when padded), so
//                              the inner loop never tests bounds
//   tile PIX consecutive output pixels of one row x V*16 channels in PIX*V zmm
//        accumulators; per k: V weight loads, PIX broadcasts of the pixels' taps
// A row is split into tiles of near-equal width (one instantiation per pixel count). Each output is
// summed over k in one fixed order by one tile: no reductions across threads.
// The tile is stored through a small stack buffer, transposed into NCHW rows (+ bias).
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "dispatch/parallel.h"
#include "dispatch/workspace.h"
#include "kernels/conv2d/conv2d.h"

namespace striate::avx512 {

namespace {

constexpr int kLanes = 16;
constexpr int64_t kMaxVectors = 2;           // 32 output channels per block
constexpr int64_t kWeightBudget = 1 << 18;   // floats of packed weights worth keeping in L2

// Pixels per tile for V vectors of channels: PIX*V accumulators out of 32 zmm.
constexpr int pixels_for(int v) { return v == 1 ? 14 : 12; }

struct DirectArgs {
  const float* in;   // the tile's first tap: image, channel 0, row oh*strideH, column ow*strideW
  int64_t plane, row, stride_w, dil_h, dil_w, cin, kernel_h, kernel_w;
  const float* wt;   // this channel block's packed weights
  float* out;        // y[n, co0, oh, ow]
  int64_t hwo;       // distance between output channels in y
  int channels;      // valid channels in the block
  const float* bias; // b + co0 or null
};

template <int V>
struct DirectTile {
  template <int PIX>
  struct Pixels {
    static void run(const DirectArgs& d) {
      __m512 acc[PIX][V];
      for (int i = 0; i < PIX; ++i)
        for (int v = 0; v < V; ++v) acc[i][v] = _mm512_setzero_ps();
      const float* wk = d.wt;
      for (int64_t ci = 0; ci < d.cin; ++ci)
        for (int64_t kh = 0; kh < d.kernel_h; ++kh) {
          const float* tap = d.in + ci * d.plane + kh * d.dil_h * d.row;
          for (int64_t kw = 0; kw < d.kernel_w; ++kw, tap += d.dil_w, wk += V * kLanes) {
            __m512 wv[V];
            for (int v = 0; v < V; ++v) wv[v] = _mm512_loadu_ps(wk + v * kLanes);
            for (int i = 0; i < PIX; ++i) {
              const __m512 xv = _mm512_set1_ps(tap[i * d.stride_w]);
              for (int v = 0; v < V; ++v) acc[i][v] = _mm512_fmadd_ps(xv, wv[v], acc[i][v]);
            }
          }
        }
      alignas(64) float buf[PIX][V * kLanes];
      for (int i = 0; i < PIX; ++i)
        for (int v = 0; v < V; ++v) _mm512_store_ps(buf[i] + v * kLanes, acc[i][v]);
      for (int c = 0; c < d.channels; ++c) {
        const float bias = d.bias ? d.bias[c] : 0.0f;
        float* dst = d.out + c * d.hwo;
        for (int i = 0; i < PIX; ++i) dst[i] = buf[i][c] + bias;
      }
    }
  };

  template <int... P>
  static constexpr std::array<void (*)(const DirectArgs&), sizeof...(P)> table(std::integer_sequence<int, P...>) {
    return {&Pixels<P + 1>::run...};
  }

  // Computes `pixels` (1..pixels_for(V)) outputs.
  static void run(int pixels, const DirectArgs& d) {
    static constexpr auto kTable = table(std::make_integer_sequence<int, pixels_for(V)>{});
    kTable[pixels - 1](d);
  }
};

void run_tile(int vectors, int pixels, const DirectArgs& d) {
  switch (vectors) {
    case 1: return DirectTile<1>::run(pixels, d);
    default: return DirectTile<2>::run(pixels, d);
  }
}

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Worth it when the GEMM path's im2col and packing cost as much as its arithmetic
// (few output channels, against which every im2col element is reused) and the packed
// weights stay in L2. Not for 1x1, which the GEMM path runs without im2col.
bool direct_forward_fits(const Conv2dParams& p) {
  const int64_t k = p.in_channels * p.kernel_h * p.kernel_w;
  const bool pointwise = p.kernel_h == 1 && p.kernel_w == 1;
  return p.groups == 1 && !pointwise && p.out_channels >= 12 && p.out_w >= 4 &&
         k * ceil_div(p.out_channels, kLanes) * kLanes <= kWeightBudget;
}

void forward_direct(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y) {
  const int64_t k = p.in_channels * p.kernel_h * p.kernel_w, hwo = p.out_h * p.out_w;
  const int64_t vectors = ceil_div(p.out_channels, kLanes), blocks = ceil_div(vectors, kMaxVectors);
  const int64_t hp = p.in_h + p.pad_top + p.pad_bottom, wp = p.in_w + p.pad_left + p.pad_right;
  const bool padded = hp != p.in_h || wp != p.in_w;

  float* wt = dispatch::scratch(dispatch::Scratch::conv_cols, vectors * kLanes * k);
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t v0 = blk * kMaxVectors, nv = std::min(kMaxVectors, vectors - v0);
    float* dst = wt + v0 * kLanes * k;
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t c = 0; c < nv * kLanes; ++c) {
        const int64_t co = v0 * kLanes + c;
        dst[kk * nv * kLanes + c] = co < p.out_channels ? w[co * k + kk] : 0.0f;
      }
  }

  const float* src = x;
  if (padded) {
    float* xp = dispatch::scratch(dispatch::Scratch::conv_aux, p.batch * p.in_channels * hp * wp);
    dispatch::parallel_for(p.batch * p.in_channels, 1, [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; ++q) {
        float* plane = xp + q * hp * wp;
        const float* from = x + q * p.in_h * p.in_w;
        std::fill(plane, plane + p.pad_top * wp, 0.0f);
        for (int64_t ih = 0; ih < p.in_h; ++ih) {
          float* row = plane + (ih + p.pad_top) * wp;
          std::fill(row, row + p.pad_left, 0.0f);
          std::memcpy(row + p.pad_left, from + ih * p.in_w, p.in_w * sizeof(float));
          std::fill(row + p.pad_left + p.in_w, row + wp, 0.0f);
        }
        std::fill(plane + (p.pad_top + p.in_h) * wp, plane + hp * wp, 0.0f);
      }
    });
    src = xp;
  }

  const int64_t image_in = p.in_channels * hp * wp, image_out = p.out_channels * hwo;
  const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, p.out_w * p.out_channels * k));
  dispatch::parallel_for(p.batch * p.out_h, grain, [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t n = u / p.out_h, oh = u % p.out_h;
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const int64_t v0 = blk * kMaxVectors, nv = std::min(kMaxVectors, vectors - v0);
        const int64_t co0 = v0 * kLanes;
        const int max_pixels = pixels_for(static_cast<int>(nv));
        DirectArgs d{};
        d.plane = hp * wp, d.row = wp, d.stride_w = p.stride_w, d.dil_h = p.dilation_h, d.dil_w = p.dilation_w;
        d.cin = p.in_channels, d.kernel_h = p.kernel_h, d.kernel_w = p.kernel_w;
        d.wt = wt + co0 * k, d.hwo = hwo;
        d.channels = static_cast<int>(std::min<int64_t>(nv * kLanes, p.out_channels - co0));
        d.bias = b ? b + co0 : nullptr;
        // Tiles of near-equal width: a row of 14 is 7 + 7, not 12 + 2.
        const int64_t tiles = ceil_div(p.out_w, max_pixels);
        for (int64_t t = 0, ow = 0; t < tiles; ++t) {
          const int64_t pixels = ceil_div(p.out_w - ow, tiles - t);
          d.in = src + n * image_in + oh * p.stride_h * wp + ow * p.stride_w;
          d.out = y + n * image_out + co0 * hwo + oh * p.out_w + ow;
          run_tile(static_cast<int>(nv), static_cast<int>(pixels), d);
          ow += pixels;
        }
      }
    }
  });
}

}  // namespace

void conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y) {
  if (direct_forward_fits(p)) return forward_direct(p, x, w, b, y);
  conv::forward_gemm(p, x, w, b, y, sgemm);
}

void conv2d_grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  conv::grad_input_gemm(p, dy, w, dx, sgemm);
}

void conv2d_grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db) {
  conv::grad_weight_gemm(p, x, dy, dw, db, sgemm);
}

}  // namespace striate::avx512
