// Direct backward to the input vectorised along rows, for few input channels at stride 1
// (LeNet C3's 6): too few channels to fill the channel vectors of direct.h, and too
// little arithmetic per im2col element for the GEMM path.
// Like direct.h's, a forward convolution of dy (padded by dil*(k-1) - pad) with the
// flipped weights w'[ci, (co, kh', kw')] = w[co, ci, kH-1-kh', kW-1-kw'], but:
//   wt   [ci block][K][CB], K = Cout*kH*kW: one k is CB broadcastable input-channel weights
//        (zeros past Cin)
//   tile R rows x L consecutive pixels of dx x CB channels in R*CB registers; per k: R
//        loads of the tap's dy row segments, CB broadcasts. A row's last, partial vector
//        is read and written through a lane mask, so nothing past the row is touched.
// Units (image, channel block, band of R rows) are split over threads; each output is
// summed over k in one fixed order by one tile.
#pragma once
#include "kernels/conv2d/direct.h"

namespace striate {
namespace {
namespace direct {

struct RowTileArgs {
  const float* in;         // dy padded: the tap (0, 0, 0) of the tile's first row and pixel
  const int64_t* offsets;  // [k]: where tap kk is from `in`
  int64_t k, row;          // taps; distance between rows of the padded dy
  const float* wt;         // this channel block's packed weights
  float* out;              // dx at the block's first channel, the tile's first row and pixel
  int64_t out_row, hw;     // distances between rows and channels of dx
  int rows, channels, lanes;  // valid rows (<= R), channels (<= CB), pixels (<= L)
};

template <typename S, bool PARTIAL>
void row_tile(const RowTileArgs& d) {
  constexpr int R = S::kRowTileRows, CB = S::kRowTileChannels;
  using Reg = typename S::Reg;
  const auto mask = S::lanes_mask(d.lanes);
  // Rows past `rows` recompute the first row (in bounds) and are not stored.
  const float* in[R];
  for (int r = 0; r < R; ++r) in[r] = d.in + (r < d.rows ? r : 0) * d.row;
  Reg acc[R][CB];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) acc[r][c] = S::zero();
  const float* wk = d.wt;
  for (int64_t kk = 0; kk < d.k; ++kk, wk += CB) {
    const int64_t off = d.offsets[kk];
    Reg xv[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) xv[r] = PARTIAL ? S::load_masked(in[r] + off, mask) : S::load(in[r] + off);
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) {
      const Reg wv = S::broadcast(wk + c);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) acc[r][c] = S::fma(xv[r], wv, acc[r][c]);
    }
  }
  // Constant indices into acc (unrolled loops, runtime tests) keep it in registers.
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) {
      if (r >= d.rows || c >= d.channels) continue;
      float* dst = d.out + c * d.hw + r * d.out_row;
      if (PARTIAL) {
        S::store_masked(dst, mask, acc[r][c]);
      } else {
        S::store(dst, acc[r][c]);
      }
    }
}

// Worth it below `max_channels`, where direct.h's grad_input takes over, for rows at least
// half a vector wide and at least half a block of channels (LeNet C1's single input
// channel would waste 5/6 of the arithmetic: the GEMM path is faster there). Not for 1x1,
// which the GEMM path runs without col2im.
template <typename S>
bool grad_input_rows_fits(const Conv2dParams& p, int64_t max_channels) {
  const Conv2dParams q = transposed_params(p);
  const bool pointwise = p.kernel_h == 1 && p.kernel_w == 1;
  return p.groups == 1 && !pointwise && p.stride_h == 1 && p.stride_w == 1 && q.pad_top >= 0 && q.pad_bottom >= 0 &&
         q.pad_left >= 0 && q.pad_right >= 0 && 2 * p.in_w >= S::kLanes && 2 * p.in_channels >= S::kRowTileChannels &&
         p.in_channels < max_channels;
}

template <typename S>
void grad_input_rows(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  constexpr int64_t L = S::kLanes, R = S::kRowTileRows, CB = S::kRowTileChannels;
  const Conv2dParams q = transposed_params(p);
  const int64_t taps = p.kernel_h * p.kernel_w, k = p.out_channels * taps, hw = p.in_h * p.in_w;
  const int64_t blocks = ceil_div(p.in_channels, CB), bands = ceil_div(p.in_h, R);
  const int64_t hp = q.in_h + q.pad_top + q.pad_bottom, wp = q.in_w + q.pad_left + q.pad_right;
  const bool padded = hp != q.in_h || wp != q.in_w;

  float* wt = dispatch::scratch(dispatch::Scratch::conv_cols, blocks * CB * k);
  dispatch::parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk)
      for (int64_t c = 0; c < CB; ++c) {
        const int64_t ci = blk * CB + c;
        float* to = wt + blk * CB * k + c;
        for (int64_t co = 0; co < p.out_channels; ++co)
          for (int64_t t = 0; t < taps; ++t)
            to[(co * taps + t) * CB] = ci < p.in_channels ? w[(co * p.in_channels + ci) * taps + taps - 1 - t] : 0.0f;
      }
  });
  float* xp = padded ? dispatch::scratch(dispatch::Scratch::conv_aux, p.batch * p.out_channels * hp * wp) : nullptr;
  if (padded) pad_planes(q, p.batch * p.out_channels, dy, xp);
  const float* src = padded ? xp : dy;
  std::vector<int64_t> offsets(k);
  for (int64_t kk = 0; kk < k; ++kk) {
    const int64_t co = kk / taps, kh = kk / p.kernel_w % p.kernel_h, kw = kk % p.kernel_w;
    offsets[kk] = co * hp * wp + kh * p.dilation_h * wp + kw * p.dilation_w;
  }

  const int64_t image_in = p.out_channels * hp * wp, image_out = p.in_channels * hw;
  dispatch::parallel_for(p.batch * blocks * bands, 1, [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t n = u / (blocks * bands), blk = u / bands % blocks, ih0 = u % bands * R;
      RowTileArgs d{};
      d.offsets = offsets.data(), d.k = k, d.row = wp, d.wt = wt + blk * CB * k;
      d.out_row = p.in_w, d.hw = hw;
      d.rows = static_cast<int>(std::min(R, p.in_h - ih0));
      d.channels = static_cast<int>(std::min(CB, p.in_channels - blk * CB));
      for (int64_t iw0 = 0; iw0 < p.in_w; iw0 += L) {
        d.lanes = static_cast<int>(std::min(L, p.in_w - iw0));
        d.in = src + n * image_in + ih0 * wp + iw0;
        d.out = dx + n * image_out + blk * CB * hw + ih0 * p.in_w + iw0;
        if (d.lanes == L) {
          row_tile<S, false>(d);
        } else {
          row_tile<S, true>(d);
        }
      }
    }
  });
}

}  // namespace direct
}  // namespace
}  // namespace striate
