// Direct convolution for the x86 ISAs, vectorised over output channels: the forward
// pass; the backward pass to the input (at stride 1 a forward convolution of dy with the
// flipped, transposed weights; at stride s, s_h*s_w such convolutions with sub-kernels,
// one per phase of dx); and the backward pass to the weights (further down).
// Included by avx2.cc and avx512.cc, each with its own Simd (vector type, lanes, tile
// sizes), inside an anonymous namespace so that code built with -mavx2 or -mavx512f
// never leaks into the baseline.
//
//   x    [N, Cin, H, W] (dy for the backward pass), read through xp, a copy with its
//        zero padding written out (only when padded), so the inner loop never tests bounds
//   wt   [co block][K][nv*L], K = Cin*kH*kW: one k is nv vectors of output channels
//        (zero lanes past Cout); blocks of up to kMaxVectors vectors
//   tile PIX consecutive output pixels of one row x nv*L channels in PIX*nv registers;
//        per k: nv weight loads, PIX broadcasts of the pixels' taps
// Blocking: a work unit is one image and a band of output rows; for each channel block,
// K is walked in chunks of whole input channels whose packed weights (<= kChunkFloats)
// stay in L1 while every tile of the band uses them. Between chunks a tile's
// accumulators wait in a per-thread buffer [rows][outW][nv*L]; the last chunk adds the
// bias (and the forward's epilogue: residual, ReLU) and stores them transposed into the
// output rows (NCHW, or a phase's strided pixels of dx). Each output is summed over k in one
// fixed order by one thread: no reductions across threads, the same bits at any count.
// A row is split into tiles of near-equal width (one instantiation per pixel count).
#pragma once
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "dispatch/parallel.h"
#include "dispatch/workspace.h"
#include "kernels/avx_transpose.h"
#include "kernels/blocks.h"
#include "kernels/conv2d/conv2d.h"

namespace striate {
namespace {
namespace direct {

constexpr int64_t kChunkFloats = 4096;  // packed weights per K chunk: 16 KiB, half of a 32 KiB L1
constexpr int64_t kTilesPerBand = 8;    // tiles that share one chunk of weights

struct TileArgs {
  const float* in;    // the tile's first tap: image, chunk's first channel, row oh*strideH, column ow*strideW
  const int64_t* offsets;  // [taps]: where tap (ci, kh, kw) of the chunk is, from `in`
  int64_t taps, stride_w;
  const float* wt;    // this chunk's packed weights in the channel block
  float* acc;         // the tile's accumulators between chunks, [PIX][nv*L]
  bool first, last;   // first chunk: start from zero; last chunk: store into out
  float* out;         // y[n, co0, oh, ow]
  int64_t hwo, out_step;  // distances between output channels and between pixels in y
  int channels;       // valid channels in the block
  const float* bias;  // b + co0 or null
  const Conv2dParams* epilogue;  // the forward's residual and activation, or null (backward)
  int64_t at;         // where `out` is in y, for the epilogue's residual
};

template <typename S, int V>
struct Tile {
  static constexpr int L = S::kLanes;
  using Reg = typename S::Reg;

  // STRIDE 1 and 2 (the common cases) get constant displacements for the taps; 0 reads
  // d.stride_w (14 pixel offsets would not all fit in general registers).
  template <int PIX, int STRIDE>
  struct Pixels {
    static void run(const TileArgs& d) {
      const int64_t stride_w = STRIDE ? STRIDE : d.stride_w;
      // Every loop over i and v fully unrolled, so that acc lives in registers.
      Reg acc[PIX][V];
#pragma GCC unroll 16
      for (int i = 0; i < PIX; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) acc[i][v] = d.first ? S::zero() : S::load(d.acc + i * V * L + v * L);
      const float* wk = d.wt;
      for (int64_t kk = 0; kk < d.taps; ++kk, wk += V * L) {
        const float* tap = d.in + d.offsets[kk];
        Reg wv[V];
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) wv[v] = S::load(wk + v * L);
#pragma GCC unroll 16
        for (int i = 0; i < PIX; ++i) {
          const Reg xv = S::broadcast(tap + i * stride_w);
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v) acc[i][v] = S::fma(xv, wv[v], acc[i][v]);
        }
      }
      if (!d.last) {
#pragma GCC unroll 16
        for (int i = 0; i < PIX; ++i)
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v) S::store(d.acc + i * V * L + v * L, acc[i][v]);
        return;
      }
      alignas(64) float buf[PIX][V * L];
#pragma GCC unroll 16
      for (int i = 0; i < PIX; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) S::store(buf[i] + v * L, acc[i][v]);
      for (int c = 0; c < d.channels; ++c) {
        const float bias = d.bias ? d.bias[c] : 0.0f;
        float* dst = d.out + c * d.hwo;
        if (!d.epilogue) {
          for (int i = 0; i < PIX; ++i) dst[i * d.out_step] = buf[i][c] + bias;
        } else {
          conv_finish(*d.epilogue, &buf[0][c], V * L, bias, PIX, dst, d.out_step, d.at + c * d.hwo);
        }
      }
    }
  };

  template <int STRIDE, int... P>
  static constexpr std::array<void (*)(const TileArgs&), sizeof...(P)> table(std::integer_sequence<int, P...>) {
    return {&Pixels<P + 1, STRIDE>::run...};
  }

  // Computes `pixels` (1..S::pixels_for(V)) outputs.
  static void run(int pixels, const TileArgs& d) {
    static constexpr auto kStride1 = table<1>(std::make_integer_sequence<int, S::pixels_for(V)>{});
    static constexpr auto kStride2 = table<2>(std::make_integer_sequence<int, S::pixels_for(V)>{});
    static constexpr auto kStrided = table<0>(std::make_integer_sequence<int, S::pixels_for(V)>{});
    (d.stride_w == 1 ? kStride1 : d.stride_w == 2 ? kStride2 : kStrided)[pixels - 1](d);
  }
};

template <typename S, int... V>
void run_tile(int vectors, int pixels, const TileArgs& d, std::integer_sequence<int, V...>) {
  (void)((vectors == V + 1 ? (Tile<S, V + 1>::run(pixels, d), true) : false) || ...);
}

// Packs weight (co, kk) = w[co * co_stride + offsets[kk]] for co < cout, kk < k into
// [co block][k][nv*L] (zeros past cout). Each channel's weights are read in k order,
// which for both callers walks w forwards, and written at a stride of nv*L.
template <typename S>
void pack_weights(int64_t cout, const float* w, int64_t co_stride, const std::vector<int64_t>& offsets, float* wt) {
  constexpr int64_t L = S::kLanes;
  const int64_t k = static_cast<int64_t>(offsets.size());
  const int64_t vectors = ceil_div(cout, L), blocks = ceil_div(vectors, int64_t{S::kMaxVectors});
  dispatch::parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t v0 = blk * S::kMaxVectors, nv = std::min<int64_t>(S::kMaxVectors, vectors - v0);
      float* dst = wt + v0 * L * k;
      for (int64_t c = 0; c < nv * L; ++c) {
        const int64_t co = v0 * L + c;
        if (co >= cout) {
          for (int64_t kk = 0; kk < k; ++kk) dst[kk * nv * L + c] = 0.0f;
          continue;
        }
        const float* from = w + co * co_stride;
        for (int64_t kk = 0; kk < k; ++kk) dst[kk * nv * L + c] = from[offsets[kk]];
      }
    }
  });
}

// xp [planes, hp, wp] = x [planes, h, w] inside its zero border.
inline void pad_planes(const Conv2dParams& p, int64_t planes, const float* x, float* xp) {
  const int64_t hp = p.in_h + p.pad_top + p.pad_bottom, wp = p.in_w + p.pad_left + p.pad_right;
  dispatch::parallel_for(planes, 1, [&](int64_t q0, int64_t q1) {
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
}

// Where output (n, c, oh, ow) is: y + n*image + c*channel + oh*row + ow*pixel.
struct OutputLayout {
  int64_t image, channel, row, pixel;
};

inline OutputLayout nchw(const Conv2dParams& p) {
  return {p.out_channels * p.out_h * p.out_w, p.out_h * p.out_w, p.out_w, 1};
}

// y = the convolution p of x with the weights packed in wt (+ b): pads x when needed,
// then runs the bands of rows on the threads.
template <typename S>
void convolve(const Conv2dParams& p, const float* x, const float* wt, const float* b, float* y,
              const OutputLayout& out) {
  constexpr int64_t L = S::kLanes, kMaxVectors = S::kMaxVectors;
  const int64_t taps = p.kernel_h * p.kernel_w, k = p.in_channels * taps, hwo = p.out_h * p.out_w;
  const int64_t vectors = ceil_div(p.out_channels, L), blocks = ceil_div(vectors, kMaxVectors);
  const int64_t hp = p.in_h + p.pad_top + p.pad_bottom, wp = p.in_w + p.pad_left + p.pad_right;
  const bool padded = hp != p.in_h || wp != p.in_w;
  const int64_t chunk = std::max<int64_t>(1, kChunkFloats / (taps * kMaxVectors * L));
  const int64_t row_tiles = ceil_div(p.out_w, S::pixels_for(kMaxVectors));
  const int64_t band = std::min(p.out_h, ceil_div(kTilesPerBand, row_tiles));
  const int64_t bands = ceil_div(p.out_h, band);
  const int64_t acc_floats = chunk < p.in_channels ? band * p.out_w * kMaxVectors * L : 0;
  const int64_t xp_floats = padded ? p.batch * p.in_channels * hp * wp : 0;

  float* aux = dispatch::scratch(dispatch::Scratch::conv_aux, xp_floats + acc_floats * dispatch::num_threads());
  float* accs = aux + xp_floats;
  if (padded) pad_planes(p, p.batch * p.in_channels, x, aux);
  const float* src = padded ? aux : x;
  // One flat loop over a chunk's taps rather than three nested short ones.
  std::vector<int64_t> offsets(std::min(chunk, p.in_channels) * taps);
  for (size_t kk = 0; kk < offsets.size(); ++kk) {
    const int64_t ci = kk / taps, kh = kk / p.kernel_w % p.kernel_h, kw = kk % p.kernel_w;
    offsets[kk] = ci * hp * wp + kh * p.dilation_h * wp + kw * p.dilation_w;
  }

  const int64_t image_in = p.in_channels * hp * wp;
  dispatch::parallel_for(p.batch * bands, 1, [&](int64_t u0, int64_t u1) {
    float* acc = accs + dispatch::thread_index() * acc_floats;
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t n = u / bands, oh0 = u % bands * band, oh1 = std::min(p.out_h, oh0 + band);
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const int64_t v0 = blk * kMaxVectors, nv = std::min(kMaxVectors, vectors - v0), co0 = v0 * L;
        const int max_pixels = S::pixels_for(static_cast<int>(nv));
        const int64_t tiles = ceil_div(p.out_w, max_pixels);
        TileArgs d{};
        d.offsets = offsets.data(), d.stride_w = p.stride_w, d.hwo = out.channel, d.out_step = out.pixel;
        d.channels = static_cast<int>(std::min(nv * L, p.out_channels - co0));
        d.bias = b ? b + co0 : nullptr;
        d.epilogue = p.has_epilogue() ? &p : nullptr;
        for (int64_t c0 = 0; c0 < p.in_channels; c0 += chunk) {
          d.taps = std::min(chunk, p.in_channels - c0) * taps;
          d.first = c0 == 0, d.last = c0 + chunk >= p.in_channels;
          d.wt = wt + co0 * k + c0 * taps * nv * L;
          for (int64_t oh = oh0; oh < oh1; ++oh)
            // Tiles of near-equal width: a row of 14 is 7 + 7, not 12 + 2.
            for (int64_t t = 0, ow = 0; t < tiles; ++t) {
              const int64_t pixels = ceil_div(p.out_w - ow, tiles - t);
              d.in = src + n * image_in + c0 * hp * wp + oh * p.stride_h * wp + ow * p.stride_w;
              d.acc = acc + ((oh - oh0) * p.out_w + ow) * nv * L;
              d.at = n * out.image + co0 * out.channel + oh * out.row + ow * out.pixel;
              d.out = y + d.at;
              run_tile<S>(static_cast<int>(nv), static_cast<int>(pixels), d,
                          std::make_integer_sequence<int, S::kMaxVectors>{});
              ow += pixels;
            }
        }
      }
    }
  });
}

// Worth it when the GEMM path's im2col and packing cost as much as its arithmetic
// (few output channels against which each im2col element is reused, or large K).
// Not for 1x1, which the GEMM path runs without im2col.
inline bool forward_fits(const Conv2dParams& p, int64_t min_channels) {
  const bool pointwise = p.kernel_h == 1 && p.kernel_w == 1;
  return p.groups == 1 && !pointwise && p.out_channels >= min_channels && p.out_w >= 4;
}

template <typename S>
void forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y) {
  const int64_t k = p.in_channels * p.kernel_h * p.kernel_w;
  float* wt = dispatch::scratch(dispatch::Scratch::conv_cols, ceil_div(p.out_channels, S::kLanes) * S::kLanes * k);
  std::vector<int64_t> offsets(k);
  for (int64_t kk = 0; kk < k; ++kk) offsets[kk] = kk;
  pack_weights<S>(p.out_channels, w, k, offsets, wt);
  convolve<S>(p, x, wt, b, y, nchw(p));
}

// dx[n, ci, ih, iw] = sum over co, kh, kw of w[co, ci, kh, kw] * dy[n, co, ih + padTop - kh*dilH, ...]
// at stride 1: a forward convolution of dy (padded by dil*(k-1) - pad on each side) with
// w'[ci, co, kh', kw'] = w[co, ci, kH-1-kh', kW-1-kw'].
inline Conv2dParams transposed_params(const Conv2dParams& p) {
  Conv2dParams q = p;
  q.residual = nullptr, q.activation = ConvActivation::none;
  q.in_channels = p.out_channels, q.in_h = p.out_h, q.in_w = p.out_w, q.out_channels = p.in_channels;
  q.pad_top = p.dilation_h * (p.kernel_h - 1) - p.pad_top;
  q.pad_bottom = p.dilation_h * (p.kernel_h - 1) - p.pad_bottom;
  q.pad_left = p.dilation_w * (p.kernel_w - 1) - p.pad_left;
  q.pad_right = p.dilation_w * (p.kernel_w - 1) - p.pad_right;
  q.out_h = p.in_h, q.out_w = p.in_w;
  return q;
}

inline bool grad_input_fits(const Conv2dParams& p, int64_t min_channels) {
  const Conv2dParams q = transposed_params(p);
  return p.stride_h == 1 && p.stride_w == 1 && q.pad_top >= 0 && q.pad_bottom >= 0 && q.pad_left >= 0 &&
         q.pad_right >= 0 && forward_fits(q, min_channels);
}

template <typename S>
void grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  const Conv2dParams q = transposed_params(p);
  const int64_t taps = p.kernel_h * p.kernel_w, k = p.out_channels * taps;
  float* wt = dispatch::scratch(dispatch::Scratch::conv_cols, ceil_div(q.out_channels, S::kLanes) * S::kLanes * k);
  // w'[ci, (co, t)] = w[co, ci, taps-1-t]: (kh', kw') flipped is taps-1-t.
  std::vector<int64_t> offsets(k);
  for (int64_t co = 0; co < p.out_channels; ++co)
    for (int64_t t = 0; t < taps; ++t) offsets[co * taps + t] = co * p.in_channels * taps + taps - 1 - t;
  pack_weights<S>(q.out_channels, w, taps, offsets, wt);
  convolve<S>(q, dy, wt, nullptr, dx, nchw(q));
}

// At stride s > 1 the backward to the input splits into s_h*s_w phases: the pixels
// (ih, iw) = (c_h + s_h*i, c_w + s_w*j) of dx receive only the taps kh = a + s_h*m
// (a = (c_h + pad_top) mod s_h) and likewise kw, each from dy[i + e_h - m, ...]. A phase
// is a stride-1 convolution of dy with that flipped sub-kernel (ceil((kH-a)/s_h) taps
// high), written into dx at strides s_h rows and s_w pixels. Dilation 1 only; every
// phase must have taps (s <= k) and non-negative padding, else the GEMM path runs.
struct Phase {
  int64_t first, count, taps, offset;  // first dx row, rows, sub-kernel taps, first tap (a)
  int64_t pad_before, pad_after;
};

inline Phase phase_of(int64_t r, int64_t stride, int64_t pad, int64_t kernel, int64_t in, int64_t out) {
  Phase ph{};
  ph.first = r;
  ph.count = in > r ? ceil_div(in - r, stride) : 0;
  ph.offset = (r + pad) % stride;
  ph.taps = kernel > ph.offset ? ceil_div(kernel - ph.offset, stride) : 0;
  const int64_t e = (r + pad - ph.offset) / stride;  // dy row of the phase's first pixel, sub-tap 0
  ph.pad_before = ph.taps - 1 - e;
  ph.pad_after = ph.count - out - ph.pad_before + ph.taps - 1;
  return ph;
}

inline bool phase_ok(const Phase& ph) { return ph.count > 0 && ph.taps > 0 && ph.pad_before >= 0 && ph.pad_after >= 0; }

inline bool grad_input_strided_fits(const Conv2dParams& p, int64_t min_channels) {
  if (p.groups != 1 || p.dilation_h != 1 || p.dilation_w != 1 || (p.stride_h == 1 && p.stride_w == 1)) return false;
  if (p.in_channels < min_channels || p.stride_h > p.kernel_h || p.stride_w > p.kernel_w) return false;
  for (int64_t r = 0; r < p.stride_h; ++r)
    if (!phase_ok(phase_of(r, p.stride_h, p.pad_top, p.kernel_h, p.in_h, p.out_h))) return false;
  for (int64_t r = 0; r < p.stride_w; ++r)
    if (!phase_ok(phase_of(r, p.stride_w, p.pad_left, p.kernel_w, p.in_w, p.out_w))) return false;
  return true;
}

template <typename S>
void grad_input_strided(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  const int64_t taps = p.kernel_h * p.kernel_w, hw = p.in_h * p.in_w;
  for (int64_t rh = 0; rh < p.stride_h; ++rh)
    for (int64_t rw = 0; rw < p.stride_w; ++rw) {
      const Phase ph = phase_of(rh, p.stride_h, p.pad_top, p.kernel_h, p.in_h, p.out_h);
      const Phase pw = phase_of(rw, p.stride_w, p.pad_left, p.kernel_w, p.in_w, p.out_w);
      Conv2dParams q;
      q.batch = p.batch, q.in_channels = p.out_channels, q.in_h = p.out_h, q.in_w = p.out_w;
      q.out_channels = p.in_channels, q.kernel_h = ph.taps, q.kernel_w = pw.taps;
      q.pad_top = ph.pad_before, q.pad_bottom = ph.pad_after, q.pad_left = pw.pad_before, q.pad_right = pw.pad_after;
      q.out_h = ph.count, q.out_w = pw.count;
      // Sub-tap (m', n') of the flipped sub-kernel is tap (a + s_h*(taps_h-1-m'), b + s_w*(taps_w-1-n')).
      const int64_t sub = ph.taps * pw.taps, k = p.out_channels * sub;
      std::vector<int64_t> offsets(k);
      for (int64_t co = 0; co < p.out_channels; ++co)
        for (int64_t m = 0; m < ph.taps; ++m)
          for (int64_t n = 0; n < pw.taps; ++n) {
            const int64_t kh = ph.offset + p.stride_h * (ph.taps - 1 - m), kw = pw.offset + p.stride_w * (pw.taps - 1 - n);
            offsets[co * sub + m * pw.taps + n] = co * p.in_channels * taps + kh * p.kernel_w + kw;
          }
      float* wt = dispatch::scratch(dispatch::Scratch::conv_cols, ceil_div(p.in_channels, S::kLanes) * S::kLanes * k);
      pack_weights<S>(p.in_channels, w, taps, offsets, wt);
      const OutputLayout out{p.in_channels * hw, hw, p.stride_h * p.in_w, p.stride_w};
      convolve<S>(q, dy, wt, nullptr, dx + ph.first * p.in_w + pw.first, out);
    }
}

// Backward to the weights, vectorised over output channels like the forward:
//   dw[co, kk] = sum over pixels l = (n, oh, ow) of dy[n, co, oh, ow] * xp[n, ci, oh*sH + kh*dilH, ow*sW + kw*dilW]
//   dyt  [co block][N*outH*outW][nv*L]  dy transposed so that one pixel is nv vectors of channels
//   dwt  [co block][K][nv*L]            the accumulators, the packed-weight layout, unpacked into dw at the end
//   task one channel block x a group of T consecutive k (T*nv registers); per pixel: nv
//        loads of dyt, T broadcasts of the taps, T*nv FMAs
// Images are taken in batches (dyt and the padded x of one batch at a time), and their
// pixels in chunks (one image, a band of about kChunkPixels) in order; each range of
// tasks that parallel_for hands out runs over every chunk, so each dw element is one
// thread's sum in pixel order whatever the thread count. The chunk's dyt and x rows stay
// in cache across the range's tasks.
constexpr int64_t kChunkPixels = 256;
constexpr int64_t kBatchFloats = 1 << 20;  // dyt per batch of images: 4 MiB

struct WeightTileArgs {
  const float* x;          // xp at the chunk's image and first row
  const int64_t* offsets;  // [T]: where tap kk0 + t is from a pixel's top-left tap
  const float* dy;         // dyt at the chunk's first pixel, this block
  int64_t rows, out_w, row_step, stride_w;
  float* acc;              // dwt at (block, kk0): [T][nv*L]
  bool first;              // first chunk: start from zero
};

template <typename S, int V>
struct WeightTile {
  static constexpr int L = S::kLanes;
  using Reg = typename S::Reg;

  template <int T>
  static void run(const WeightTileArgs& d) {
    Reg acc[T][V];
    int64_t off[T];
#pragma GCC unroll 32
    for (int t = 0; t < T; ++t) {
      off[t] = d.offsets[t];
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[t][v] = d.first ? S::zero() : S::load(d.acc + t * V * L + v * L);
    }
    const float* g = d.dy;
    for (int64_t r = 0; r < d.rows; ++r) {
      const float* base = d.x + r * d.row_step;
      for (int64_t ow = 0; ow < d.out_w; ++ow, base += d.stride_w, g += V * L) {
        Reg gv[V];
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) gv[v] = S::load(g + v * L);
#pragma GCC unroll 32
        for (int t = 0; t < T; ++t) {
          const Reg xv = S::broadcast(base + off[t]);
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v) acc[t][v] = S::fma(xv, gv[v], acc[t][v]);
        }
      }
    }
#pragma GCC unroll 32
    for (int t = 0; t < T; ++t)
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) S::store(d.acc + t * V * L + v * L, acc[t][v]);
  }

  template <int... T>
  static constexpr std::array<void (*)(const WeightTileArgs&), sizeof...(T)> table(std::integer_sequence<int, T...>) {
    return {&run<T + 1>...};
  }

  // Accumulates `taps` (1..S::taps_for(V)) consecutive k.
  static void run(int taps, const WeightTileArgs& d) {
    static constexpr auto kTable = table(std::make_integer_sequence<int, S::taps_for(V)>{});
    kTable[taps - 1](d);
  }
};

template <typename S, int... V>
void run_weight_tile(int vectors, int taps, const WeightTileArgs& d, std::integer_sequence<int, V...>) {
  (void)((vectors == V + 1 ? (WeightTile<S, V + 1>::run(taps, d), true) : false) || ...);
}

// Worth it where the GEMM path would im2col and transpose-pack; 1x1 without padding
// needs neither.
inline bool grad_weight_fits(const Conv2dParams& p, int64_t min_channels) {
  return forward_fits(p, min_channels) && p.batch > 0;
}

template <typename S>
void grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db) {
  constexpr int64_t L = S::kLanes, kMaxVectors = S::kMaxVectors;
  if (db) conv::grad_bias(p, dy, db);
  const int64_t taps = p.kernel_h * p.kernel_w, k = p.in_channels * taps, hwo = p.out_h * p.out_w;
  const int64_t vectors = ceil_div(p.out_channels, L), blocks = ceil_div(vectors, kMaxVectors);
  const int64_t group = S::taps_for(static_cast<int>(kMaxVectors)), groups = ceil_div(k, group);
  const int64_t hp = p.in_h + p.pad_top + p.pad_bottom, wp = p.in_w + p.pad_left + p.pad_right;
  const bool padded = hp != p.in_h || wp != p.in_w;
  const int64_t band = std::max<int64_t>(1, std::min(p.out_h, kChunkPixels / p.out_w));
  const int64_t bands = ceil_div(p.out_h, band);
  // Images go through dyt and xp in batches of about kBatchFloats: the workspace stays
  // bounded, with few fork-joins for small images.
  const int64_t batch = std::clamp<int64_t>(kBatchFloats / (hwo * vectors * L), 1, p.batch);
  const int64_t pixels = batch * hwo, image_in = p.in_channels * hp * wp;

  float* dwt = dispatch::scratch(dispatch::Scratch::conv_cols, vectors * L * (k + pixels));
  float* dyt = dwt + vectors * L * k;
  float* xp = padded ? dispatch::scratch(dispatch::Scratch::conv_aux, batch * image_in) : nullptr;
  std::vector<int64_t> offsets(k);
  for (int64_t kk = 0; kk < k; ++kk) {
    const int64_t ci = kk / taps, kh = kk / p.kernel_w % p.kernel_h, kw = kk % p.kernel_w;
    offsets[kk] = ci * hp * wp + kh * p.dilation_h * wp + kw * p.dilation_w;
  }

  for (int64_t n0 = 0; n0 < p.batch; n0 += batch) {
    const int64_t count = std::min(batch, p.batch - n0);
    dispatch::parallel_for(count * blocks, 1, [&](int64_t u0, int64_t u1) {
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t i = u / blocks, blk = u % blocks;
        const int64_t v0 = blk * kMaxVectors, nv = std::min(kMaxVectors, vectors - v0);
        const int64_t valid = std::min(nv * L, p.out_channels - v0 * L);
        float* to = dyt + v0 * L * pixels + i * hwo * nv * L;
        const float* from = dy + ((n0 + i) * p.out_channels + v0 * L) * hwo;
        const int64_t width = nv * L;
        // Pixel j's channels from c0 on, a float at a time, and its zero lanes.
        auto rest = [&](int64_t j, int64_t c0) {
          for (int64_t c = c0; c < valid; ++c) to[j * width + c] = from[c * hwo + j];
          std::fill(to + j * width + valid, to + (j + 1) * width, 0.0f);
        };
        // 8x8 blocks through registers first: read a float at a time, dy's channel rows
        // hwo apart fell into one L1 set on 32x32 maps (hwo = 1024 floats), and the copy
        // took a third of resnet20's 16-channel weight gradient.
        int64_t j = 0;
        for (; j + 8 <= hwo; j += 8) {
          int64_t c = 0;
          for (; c + 8 <= valid; c += 8) transpose8x8(from + c * hwo + j, hwo, to + j * width + c, width);
          for (int64_t q = j; q < j + 8; ++q) rest(q, c);
        }
        for (; j < hwo; ++j) rest(j, 0);
      }
    });
    if (padded) pad_planes(p, count * p.in_channels, x + n0 * p.in_channels * p.in_h * p.in_w, xp);
    const float* src = padded ? xp : x + n0 * image_in;

    dispatch::parallel_for(blocks * groups, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t chunk = 0; chunk < count * bands; ++chunk) {
        const int64_t i = chunk / bands, oh0 = chunk % bands * band, rows = std::min(band, p.out_h - oh0);
        WeightTileArgs d{};
        d.x = src + i * image_in + oh0 * p.stride_h * wp;
        d.rows = rows, d.out_w = p.out_w, d.row_step = p.stride_h * wp, d.stride_w = p.stride_w;
        d.first = n0 == 0 && chunk == 0;
        for (int64_t task = t0; task < t1; ++task) {
          const int64_t blk = task / groups, kk0 = task % groups * group;
          const int64_t v0 = blk * kMaxVectors, nv = std::min(kMaxVectors, vectors - v0);
          d.offsets = offsets.data() + kk0;
          d.dy = dyt + v0 * L * pixels + (i * hwo + oh0 * p.out_w) * nv * L;
          d.acc = dwt + v0 * L * k + kk0 * nv * L;
          run_weight_tile<S>(static_cast<int>(nv), static_cast<int>(std::min(group, k - kk0)), d,
                             std::make_integer_sequence<int, S::kMaxVectors>{});
        }
      }
    });
  }

  dispatch::parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t v0 = blk * kMaxVectors, nv = std::min(kMaxVectors, vectors - v0);
      const int64_t valid = std::min(nv * L, p.out_channels - v0 * L);
      const float* from = dwt + v0 * L * k;
      for (int64_t c = 0; c < valid; ++c)
        for (int64_t kk = 0; kk < k; ++kk) dw[(v0 * L + c) * k + kk] = from[kk * nv * L + c];
    }
  });
}

}  // namespace direct
}  // namespace
}  // namespace striate
