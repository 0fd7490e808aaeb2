// The readable specification of 2-D pooling: one window at a time, plain loops, one
// thread. Every other ISA is tested against these.
#include <algorithm>
#include <cstring>

#include "kernels/pool2d/pool2d.h"

namespace striate::reference {

namespace {

// The in-bounds part of one window, and its extent clipped only to the padded input
// (what PyTorch's average pooling divides by when it counts the padding).
struct Window {
  int64_t h0, h1, w0, w1;
  int64_t padded_count;
};

Window window(const Pool2dParams& p, int64_t oh, int64_t ow) {
  const int64_t hs = oh * p.stride_h - p.pad_h, ws = ow * p.stride_w - p.pad_w;
  const int64_t he = std::min(hs + p.kernel_h, p.in_h + p.pad_h);
  const int64_t we = std::min(ws + p.kernel_w, p.in_w + p.pad_w);
  return {std::max<int64_t>(hs, 0), std::min(he, p.in_h), std::max<int64_t>(ws, 0), std::min(we, p.in_w),
          (he - hs) * (we - ws)};
}

int64_t planes(const Pool2dParams& p) { return p.batch * p.channels; }

}  // namespace

void maxpool2d_fwd(const Pool2dParams& p, const float* x, float* y, int32_t* argmax) {
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  for (int64_t c = 0; c < planes(p); ++c)
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window w = window(p, oh, ow);
        const float* plane = x + c * in_plane;
        int64_t best = w.h0 * p.in_w + w.w0;
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw)
            if (plane[ih * p.in_w + iw] > plane[best]) best = ih * p.in_w + iw;
        const int64_t o = c * out_plane + oh * p.out_w + ow;
        y[o] = plane[best];
        if (argmax) argmax[o] = static_cast<int32_t>(best);
      }
}

int64_t maxpool2d_bwd(const Pool2dParams& p, const float* dy, const int32_t* argmax, float* dx) {
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  std::fill(dx, dx + planes(p) * in_plane, 0.0f);
  int64_t bad = 0;
  for (int64_t c = 0; c < planes(p); ++c)
    for (int64_t o = 0; o < out_plane; ++o) {
      const int32_t i = argmax[c * out_plane + o];
      if (i < 0 || i >= in_plane) {
        ++bad;
        continue;
      }
      dx[c * in_plane + i] += dy[c * out_plane + o];
    }
  return bad;
}

void avgpool2d_fwd(const Pool2dParams& p, const float* x, float* y) {
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  for (int64_t c = 0; c < planes(p); ++c)
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window w = window(p, oh, ow);
        float sum = 0.0f;
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) sum += x[c * in_plane + ih * p.in_w + iw];
        const int64_t count = p.count_include_pad ? w.padded_count : (w.h1 - w.h0) * (w.w1 - w.w0);
        y[c * out_plane + oh * p.out_w + ow] = sum / static_cast<float>(count);
      }
}

void avgpool2d_bwd(const Pool2dParams& p, const float* dy, float* dx) {
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  std::fill(dx, dx + planes(p) * in_plane, 0.0f);
  for (int64_t c = 0; c < planes(p); ++c)
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window w = window(p, oh, ow);
        const int64_t count = p.count_include_pad ? w.padded_count : (w.h1 - w.h0) * (w.w1 - w.w0);
        const float g = dy[c * out_plane + oh * p.out_w + ow] / static_cast<float>(count);
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) dx[c * in_plane + ih * p.in_w + iw] += g;
      }
}

void stochpool2d_train(const Pool2dParams& p, const float* x, const double* u, float* y, int32_t* index) {
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  for (int64_t c = 0; c < planes(p); ++c)
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window w = window(p, oh, ow);
        const float* plane = x + c * in_plane;
        double total = 0.0;
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) total += std::max(0.0, double(plane[ih * p.in_w + iw]));
        const int64_t o = c * out_plane + oh * p.out_w + ow;
        const double target = u[o] * total;
        // An all-zero window keeps its first element; rounding that leaves the target at
        // the total keeps the last positive one.
        int64_t chosen = w.h0 * p.in_w + w.w0;
        double cum = 0.0;
        bool found = false;
        for (int64_t ih = w.h0; ih < w.h1 && !found; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) {
            const double a = plane[ih * p.in_w + iw];
            if (!(a > 0.0)) continue;
            cum += a;
            chosen = ih * p.in_w + iw;
            if (cum > target) {
              found = true;
              break;
            }
          }
        y[o] = total > 0.0 ? plane[chosen] : 0.0f;
        index[o] = static_cast<int32_t>(chosen);
      }
}

void stochpool2d_infer(const Pool2dParams& p, const float* x, float* y) {
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  for (int64_t c = 0; c < planes(p); ++c)
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window w = window(p, oh, ow);
        float s1 = 0.0f, s2 = 0.0f;
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) {
            const float a = x[c * in_plane + ih * p.in_w + iw];
            if (a > 0.0f) {
              s1 += a;
              s2 += a * a;
            }
          }
        y[c * out_plane + oh * p.out_w + ow] = s1 > 0.0f ? s2 / s1 : 0.0f;
      }
}

void stochpool2d_infer_bwd(const Pool2dParams& p, const float* x, const float* dy, float* dx) {
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  std::fill(dx, dx + planes(p) * in_plane, 0.0f);
  for (int64_t c = 0; c < planes(p); ++c)
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window w = window(p, oh, ow);
        const float* plane = x + c * in_plane;
        float s1 = 0.0f, s2 = 0.0f;
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) {
            const float a = plane[ih * p.in_w + iw];
            if (a > 0.0f) {
              s1 += a;
              s2 += a * a;
            }
          }
        if (!(s1 > 0.0f)) continue;
        const float y = s2 / s1;
        const float g = dy[c * out_plane + oh * p.out_w + ow] / s1;
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) {
            const float a = plane[ih * p.in_w + iw];
            if (a > 0.0f) dx[c * in_plane + ih * p.in_w + iw] += g * (2.0f * a - y);
          }
      }
}

}  // namespace striate::reference
