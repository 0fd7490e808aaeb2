#include "kernels/conv2d/conv2d.h"

namespace striate {

bool conv2d_output_size(Conv2dParams* p) {
  if (p->batch < 0 || p->in_channels < 1 || p->in_h < 1 || p->in_w < 1 || p->out_channels < 1) return false;
  if (p->kernel_h < 1 || p->kernel_w < 1 || p->stride_h < 1 || p->stride_w < 1) return false;
  if (p->dilation_h < 1 || p->dilation_w < 1 || p->groups < 1) return false;
  if (p->pad_top < 0 || p->pad_bottom < 0 || p->pad_left < 0 || p->pad_right < 0) return false;
  if (p->in_channels % p->groups != 0 || p->out_channels % p->groups != 0) return false;
  const int64_t span_h = p->dilation_h * (p->kernel_h - 1) + 1;
  const int64_t span_w = p->dilation_w * (p->kernel_w - 1) + 1;
  const int64_t padded_h = p->in_h + p->pad_top + p->pad_bottom;
  const int64_t padded_w = p->in_w + p->pad_left + p->pad_right;
  if (span_h > padded_h || span_w > padded_w) return false;
  p->out_h = (padded_h - span_h) / p->stride_h + 1;
  p->out_w = (padded_w - span_w) / p->stride_w + 1;
  return true;
}

}  // namespace striate
