// 2-D pooling over NCHW planes, forward and backward.
//   x, dx: [N, C, inH, inW]   y, dy, argmax, index: [N, C, outH, outW]
// A window starts at (oh * strideH - padH, ow * strideW - padW) and spans kernelH x kernelW;
// padding is never read: max and stochastic pooling see only in-bounds elements, and
// average pooling counts the padding in its divisor when count_include_pad (PyTorch's rule,
// including windows that ceil mode lets run past the padded input).
// argmax / index: the flat position ih * inW + iw inside the input plane.
#pragma once
#include <cstdint>

namespace striate {

struct Pool2dParams {
  int64_t batch = 0, channels = 0;
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  bool count_include_pad = true;
};

// Output extent of one dimension (PyTorch's pooling_output_shape): in ceil mode the last
// window is kept if it starts inside the input or its left padding.
inline int64_t pool2d_out_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode) {
  const int64_t span = in + 2 * pad - kernel;
  if (span < 0) return 0;
  int64_t out = (span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Every ISA provides the same set; `reference` is the readable spec. Kernels assume a
// valid geometry (every window overlaps the input) and never throw.
#define STRIATE_POOL2D_DECLARATIONS                                                                         \
  /* argmax may be null when the caller needs only y. Ties keep the first element in row-major order. */   \
  void maxpool2d_fwd(const Pool2dParams& p, const float* x, float* y, int32_t* argmax);                     \
  /* dx = scatter-add of dy through argmax (also the training backward of stochastic pooling). Returns */  \
  /* the count of argmax entries outside [0, inH * inW), which are skipped.                             */  \
  int64_t maxpool2d_bwd(const Pool2dParams& p, const float* dy, const int32_t* argmax, float* dx);         \
  void avgpool2d_fwd(const Pool2dParams& p, const float* x, float* y);                                      \
  void avgpool2d_bwd(const Pool2dParams& p, const float* dy, float* dx);                                    \
  /* Training: u holds one uniform in [0, 1) per output; the window element whose cumulative share of */  \
  /* max(a, 0), summed in double in row-major order, first exceeds u is chosen (the same on every ISA). */  \
  void stochpool2d_train(const Pool2dParams& p, const float* x, const double* u, float* y, int32_t* index); \
  /* Inference: sum(a+^2) / sum(a+), a+ = max(a, 0); 0 for an all-zero window. */                          \
  void stochpool2d_infer(const Pool2dParams& p, const float* x, float* y);                                  \
  /* Its gradient: dy * (2 a - y) / sum(a+) for each a > 0, else 0. */                                     \
  void stochpool2d_infer_bwd(const Pool2dParams& p, const float* x, const float* dy, float* dx);

namespace reference { STRIATE_POOL2D_DECLARATIONS }
// The shared driver (driver.h) with one float per "vector": the portable threaded path.
namespace scalar { STRIATE_POOL2D_DECLARATIONS }
namespace avx2 { STRIATE_POOL2D_DECLARATIONS }
namespace avx512 { STRIATE_POOL2D_DECLARATIONS }
namespace neon { STRIATE_POOL2D_DECLARATIONS }

}  // namespace striate
