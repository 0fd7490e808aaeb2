// The weight gradient vectorised over output pixels, for layers with few output channels
// (LeNet's C1: its 6 channels would fill 6 of 16 lanes of direct.h's channel vectors).
// Included by choose.h with the ISA's Simd, inside an anonymous namespace.
//
//   dw[co, ci, kh, kw] = sum over n, oh, ow of dy[n, co, oh, ow] * xp[n, ci, oh*sH + kh*dilH, ow + kw*dilW]
//
// At stride 1 along W, the taps of L consecutive output pixels are L consecutive floats of
// x, so a vector of dy (L pixels of one channel) times a vector of x adds L terms of one
// weight. A task owns CO output channels x one (ci, kh) x KW taps along kW: CO*KW
// accumulators, each summed over every image and output row in order, then across its
// lanes. One task sums each weight in one fixed order: the same bits at any thread count.
// xp is x with its zero padding written out, a batch of images at a time; between batches
// a task's accumulators wait in a workspace buffer.
#pragma once
#include "kernels/conv2d/direct.h"

namespace striate {
namespace {
namespace weight_pixels {

// Where direct.h's channel vectors would be at most half full and pixel vectors at
// least half full.
template <typename S>
bool fits(const Conv2dParams& p) {
  return p.groups == 1 && p.stride_w == 1 && p.batch > 0 && p.out_channels * 2 <= S::kLanes &&
         p.out_w * 2 >= S::kLanes;
}

struct TaskArgs {
  const float* x;              // xp at (first image of the batch, ci, row kh*dilH, column kw0*dilW)
  const float* dy;             // dy at (first image of the batch, co0, 0, 0)
  int64_t images, out_h, out_w;
  int64_t x_image, x_row_step;  // xp: floats between images, between output rows (sH * padded width)
  int64_t dy_image, dy_channel;  // dy: floats between images, between channels
  int64_t dil_w;
  float* acc;  // [CO][KW][L], kept between batches
  bool first;  // first batch: start from zero
};

template <typename S, int CO, int KW>
void run_task(const TaskArgs& d) {
  using Reg = typename S::Reg;
  constexpr int L = S::kLanes;
  Reg acc[CO][KW];
  for (int c = 0; c < CO; ++c)
    for (int j = 0; j < KW; ++j) acc[c][j] = d.first ? S::zero() : S::load(d.acc + (c * KW + j) * L);
  const int64_t full = d.out_w / L * L;
  const auto tail = S::lanes_mask(static_cast<int>(d.out_w - full));
  // L pixels from column ow: every channel's dy, then each tap's x against all of them.
  // The last, partial vector is read through the mask (zeros past the row).
  auto step = [&](const float* xr, const float* gr, int64_t ow, bool partial) {
    Reg g[CO];
    for (int c = 0; c < CO; ++c) {
      const float* at = gr + c * d.dy_channel + ow;
      g[c] = partial ? S::load_masked(at, tail) : S::load(at);
    }
    for (int j = 0; j < KW; ++j) {
      const float* at = xr + ow + j * d.dil_w;
      const Reg xv = partial ? S::load_masked(at, tail) : S::load(at);
      for (int c = 0; c < CO; ++c) acc[c][j] = S::fma(g[c], xv, acc[c][j]);
    }
  };
  for (int64_t n = 0; n < d.images; ++n)
    for (int64_t oh = 0; oh < d.out_h; ++oh) {
      const float* xr = d.x + n * d.x_image + oh * d.x_row_step;
      const float* gr = d.dy + n * d.dy_image + oh * d.out_w;
      for (int64_t ow = 0; ow < full; ow += L) step(xr, gr, ow, false);
      if (full < d.out_w) step(xr, gr, full, true);
    }
  for (int c = 0; c < CO; ++c)
    for (int j = 0; j < KW; ++j) S::store(d.acc + (c * KW + j) * L, acc[c][j]);
}

using TaskFn = void (*)(const TaskArgs&);

template <typename S, int... I>
constexpr std::array<TaskFn, sizeof...(I)> task_table(std::integer_sequence<int, I...>) {
  return {&run_task<S, I / S::kPixelTaps + 1, I % S::kPixelTaps + 1>...};
}

template <typename S>
void grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db) {
  constexpr int64_t L = S::kLanes, kMaxCo = S::kPixelChannels, kMaxKw = S::kPixelTaps;
  static constexpr auto kTasks = task_table<S>(std::make_integer_sequence<int, kMaxCo * kMaxKw>{});
  if (db) conv::grad_bias(p, dy, db);
  const int64_t co_block = balanced_block(p.out_channels, kMaxCo), kw_block = balanced_block(p.kernel_w, kMaxKw);
  const int64_t co_blocks = ceil_div(p.out_channels, co_block);
  const int64_t kw_blocks = ceil_div(p.kernel_w, kw_block);
  const int64_t tasks = co_blocks * p.in_channels * p.kernel_h * kw_blocks;
  const int64_t hp = p.in_h + p.pad_top + p.pad_bottom, wp = p.in_w + p.pad_left + p.pad_right;
  const bool padded = hp != p.in_h || wp != p.in_w;
  const int64_t image_in = p.in_channels * hp * wp, hwo = p.out_h * p.out_w;
  const int64_t batch = padded ? std::clamp<int64_t>(direct::kBatchFloats / image_in, 1, p.batch) : p.batch;
  const int64_t acc_floats = kMaxCo * kMaxKw * L;
  float* acc = dispatch::scratch(dispatch::Scratch::conv_cols, tasks * acc_floats);
  float* xp = padded ? dispatch::scratch(dispatch::Scratch::conv_aux, batch * image_in) : nullptr;

  // Task t: channel block, then input channel, kernel row, tap block (t's coordinates).
  auto coords = [&](int64_t t, int64_t* co0, int64_t* ci, int64_t* kh, int64_t* kw0) {
    *kw0 = t % kw_blocks * kw_block;
    *kh = t / kw_blocks % p.kernel_h;
    *ci = t / (kw_blocks * p.kernel_h) % p.in_channels;
    *co0 = t / (kw_blocks * p.kernel_h * p.in_channels) * co_block;
  };
  for (int64_t n0 = 0; n0 < p.batch; n0 += batch) {
    const int64_t count = std::min(batch, p.batch - n0);
    if (padded) direct::pad_planes(p, count * p.in_channels, x + n0 * p.in_channels * p.in_h * p.in_w, xp);
    const float* src = padded ? xp : x + n0 * image_in;
    dispatch::parallel_for(tasks, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        int64_t co0, ci, kh, kw0;
        coords(t, &co0, &ci, &kh, &kw0);
        const int64_t co_n = std::min(co_block, p.out_channels - co0), kw_n = std::min(kw_block, p.kernel_w - kw0);
        TaskArgs d{};
        d.x = src + (ci * hp + kh * p.dilation_h) * wp + kw0 * p.dilation_w;
        d.dy = dy + (n0 * p.out_channels + co0) * hwo;
        d.images = count, d.out_h = p.out_h, d.out_w = p.out_w;
        d.x_image = image_in, d.x_row_step = p.stride_h * wp;
        d.dy_image = p.out_channels * hwo, d.dy_channel = hwo;
        d.dil_w = p.dilation_w;
        d.acc = acc + t * acc_floats;
        d.first = n0 == 0;
        kTasks[(co_n - 1) * kMaxKw + (kw_n - 1)](d);
      }
    });
  }

  const int64_t taps = p.kernel_h * p.kernel_w, k = p.in_channels * taps;
  dispatch::parallel_for(tasks, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      int64_t co0, ci, kh, kw0;
      coords(t, &co0, &ci, &kh, &kw0);
      const int64_t co_n = std::min(co_block, p.out_channels - co0), kw_n = std::min(kw_block, p.kernel_w - kw0);
      for (int64_t c = 0; c < co_n; ++c)
        for (int64_t j = 0; j < kw_n; ++j) {
          const float* lanes = acc + t * acc_floats + (c * kw_n + j) * L;
          float sum = 0.0f;
          for (int64_t l = 0; l < L; ++l) sum += lanes[l];
          dw[(co0 + c) * k + ci * taps + kh * p.kernel_w + kw0 + j] = sum;
        }
    }
  });
}

}  // namespace weight_pixels
}  // namespace
}  // namespace striate
