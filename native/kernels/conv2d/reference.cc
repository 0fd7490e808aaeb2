// The specification: direct loops over every output (forward), every input (grad
// input, gathering from the outputs it feeds) and every weight (grad weight), with
// float accumulation in (ci, kh, kw) or (n, oh, ow) order; the forward's epilogue
// (residual, ReLU) on each output after its bias.
#include "kernels/conv2d/conv2d.h"

namespace striate::reference {

namespace {

// The input coordinate a kernel tap reads for an output coordinate, or -1 outside.
inline int64_t in_coord(int64_t out, int64_t stride, int64_t pad, int64_t k, int64_t dilation, int64_t size) {
  const int64_t i = out * stride - pad + k * dilation;
  return i >= 0 && i < size ? i : -1;
}

}  // namespace

void conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y) {
  const int64_t cin_g = p.in_per_group(), cout_g = p.out_per_group();
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t co = 0; co < p.out_channels; ++co) {
      const int64_t g = co / cout_g;
      for (int64_t oh = 0; oh < p.out_h; ++oh)
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          float acc = 0.0f;
          for (int64_t ci = 0; ci < cin_g; ++ci)
            for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
              const int64_t ih = in_coord(oh, p.stride_h, p.pad_top, kh, p.dilation_h, p.in_h);
              if (ih < 0) continue;
              for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
                const int64_t iw = in_coord(ow, p.stride_w, p.pad_left, kw, p.dilation_w, p.in_w);
                if (iw < 0) continue;
                const float xv = x[((n * p.in_channels + g * cin_g + ci) * p.in_h + ih) * p.in_w + iw];
                acc += w[((co * cin_g + ci) * p.kernel_h + kh) * p.kernel_w + kw] * xv;
              }
            }
          const int64_t at = ((n * p.out_channels + co) * p.out_h + oh) * p.out_w + ow;
          y[at] = conv_epilogue(p, acc + (b ? b[co] : 0.0f), at);
        }
    }
}

void conv2d_grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  const int64_t cin_g = p.in_per_group(), cout_g = p.out_per_group();
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t c = 0; c < p.in_channels; ++c) {
      const int64_t g = c / cin_g, ci = c % cin_g;
      for (int64_t ih = 0; ih < p.in_h; ++ih)
        for (int64_t iw = 0; iw < p.in_w; ++iw) {
          float acc = 0.0f;
          for (int64_t co = g * cout_g; co < (g + 1) * cout_g; ++co)
            for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
              // ih = oh*stride - pad + kh*dilation, solved for an integer oh in range.
              const int64_t th = ih + p.pad_top - kh * p.dilation_h;
              if (th < 0 || th % p.stride_h != 0 || th / p.stride_h >= p.out_h) continue;
              const int64_t oh = th / p.stride_h;
              for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
                const int64_t tw = iw + p.pad_left - kw * p.dilation_w;
                if (tw < 0 || tw % p.stride_w != 0 || tw / p.stride_w >= p.out_w) continue;
                const int64_t ow = tw / p.stride_w;
                acc += w[((co * cin_g + ci) * p.kernel_h + kh) * p.kernel_w + kw] *
                       dy[((n * p.out_channels + co) * p.out_h + oh) * p.out_w + ow];
              }
            }
          dx[((n * p.in_channels + c) * p.in_h + ih) * p.in_w + iw] = acc;
        }
    }
}

void conv2d_grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db) {
  const int64_t cin_g = p.in_per_group(), cout_g = p.out_per_group();
  for (int64_t co = 0; co < p.out_channels; ++co) {
    const int64_t g = co / cout_g;
    for (int64_t ci = 0; ci < cin_g; ++ci)
      for (int64_t kh = 0; kh < p.kernel_h; ++kh)
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
          float acc = 0.0f;
          for (int64_t n = 0; n < p.batch; ++n)
            for (int64_t oh = 0; oh < p.out_h; ++oh) {
              const int64_t ih = in_coord(oh, p.stride_h, p.pad_top, kh, p.dilation_h, p.in_h);
              if (ih < 0) continue;
              for (int64_t ow = 0; ow < p.out_w; ++ow) {
                const int64_t iw = in_coord(ow, p.stride_w, p.pad_left, kw, p.dilation_w, p.in_w);
                if (iw < 0) continue;
                acc += dy[((n * p.out_channels + co) * p.out_h + oh) * p.out_w + ow] *
                       x[((n * p.in_channels + g * cin_g + ci) * p.in_h + ih) * p.in_w + iw];
              }
            }
          dw[((co * cin_g + ci) * p.kernel_h + kh) * p.kernel_w + kw] = acc;
        }
    if (db) {
      float acc = 0.0f;
      for (int64_t n = 0; n < p.batch; ++n)
        for (int64_t i = 0; i < p.out_h * p.out_w; ++i) acc += dy[(n * p.out_channels + co) * p.out_h * p.out_w + i];
      db[co] = acc;
    }
  }
}

}  // namespace striate::reference
