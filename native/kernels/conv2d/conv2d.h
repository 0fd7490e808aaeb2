// 2-D convolution (cross-correlation, as in PyTorch/ONNX), forward and backward.
//   x:  [N, Cin, H, W]            w:  [Cout, Cin/groups, kH, kW]     b: [Cout] or null
//   y:  [N, Cout, outH, outW]     outH = (H + padTop + padBottom - dilH*(kH-1) - 1) / strideH + 1
//   y[n, co, oh, ow] = b[co] + sum_{ci, kh, kw} w[co, ci, kh, kw] *
//                      x[n, g*Cin/groups + ci, oh*strideH - padTop + kh*dilH, ow*strideW - padLeft + kw*dilW]
//   with g = co / (Cout/groups) and x read as 0 outside the image.
// Backward: dx = the transposed convolution of dy with w; dw = sum over images of dy (x) x;
// db = sum of dy over N, outH, outW.
// The forward's epilogue (an inference plan's fusion of the layers that follow a
// convolution), applied to each output as it is stored, in this order:
//   y = act((conv + b) + residual)      residual [N, Cout, outH, outW] or null, act none or ReLU
// so that a fused call gives the bits of conv, then Add, then ReLU run one after another.
#pragma once
#include <algorithm>
#include <cstdint>

#include "kernels/gemm/gemm.h"

namespace striate {

enum class ConvActivation : int32_t { none = 0, relu = 1 };

struct Conv2dParams {
  int64_t batch = 0, in_channels = 0, in_h = 0, in_w = 0;
  int64_t out_channels = 0, kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
  int64_t out_h = 0, out_w = 0;  // filled by conv2d_output_size
  // The forward's epilogue; ignored by the backward passes.
  const float* residual = nullptr;
  ConvActivation activation = ConvActivation::none;
  // The forward's prologue: x's channel c through input_norm[c] and a ReLU before the
  // convolution, max(0, (x − m)·a + b) (gemm.h's b_rows): a batch norm and ReLU before a
  // 1x1 convolution, applied as the SGEMM packs x. Only where
  // conv::forward_reads_input_norm(p) holds; elsewhere the caller normalises x first.
  const ChannelAffine* input_norm = nullptr;

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  bool has_epilogue() const { return residual != nullptr || activation != ConvActivation::none; }
};

// The epilogue for the output at `index` (of y) whose convolution plus bias is v.
// ReLU as max(0, v) = (0 < v ? v : 0): NaN and -0 give +0, as the ReLU layer.
inline float conv_epilogue(const Conv2dParams& p, float v, int64_t index) {
  if (p.residual) v += p.residual[index];
  if (p.activation == ConvActivation::relu) v = std::max(0.0f, v);
  return v;
}

// The same over a run of n outputs: dst[i*dst_step] = epilogue(src[i*src_step] + bias) where
// dst[0] is y[at]. One loop per case, so that no test or unpredictable branch (ReLU on
// random signs) sits in the loop and the compiler can vectorise the contiguous ones.
inline void conv_finish(const Conv2dParams& p, const float* src, int64_t src_step, float bias, int64_t n, float* dst,
                        int64_t dst_step, int64_t at) {
  const float* r = p.residual ? p.residual + at : nullptr;
  if (r && p.activation == ConvActivation::relu) {
    for (int64_t i = 0; i < n; ++i) dst[i * dst_step] = std::max(0.0f, (src[i * src_step] + bias) + r[i * dst_step]);
  } else if (r) {
    for (int64_t i = 0; i < n; ++i) dst[i * dst_step] = (src[i * src_step] + bias) + r[i * dst_step];
  } else if (p.activation == ConvActivation::relu) {
    for (int64_t i = 0; i < n; ++i) dst[i * dst_step] = std::max(0.0f, src[i * src_step] + bias);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i * dst_step] = src[i * src_step] + bias;
  }
}

// The forward's algorithms: the GEMM paths (1x1 at stride 1 without padding straight on
// the SGEMM, im2col + SGEMM otherwise), the direct SIMD kernels, and Winograd F(2x2, 3x3)
// and F(4x4, 3x3) (winograd.h), which only an inference plan runs, on weights it has
// transformed once.
enum class ConvAlgorithm : int32_t { pointwise, im2col, direct, winograd2, winograd4 };

// Whether the GEMM path runs p without im2col: x of one image and group is its matrix.
inline bool conv_pointwise(const Conv2dParams& p) {
  return p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 &&
         p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0;
}

// Fills out_h and out_w from the other fields; returns false when the (dilated) kernel
// does not fit in the padded input or a field is out of range.
bool conv2d_output_size(Conv2dParams* p);

using SgemmFn = void (*)(const GemmArgs&);

// The direct loops: the readable specification every other path is held against.
namespace reference {
void conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y);
void conv2d_grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx);
void conv2d_grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db);
}  // namespace reference

// The ISA-independent GEMM paths (im2col + SGEMM, or the 1x1 shortcut), driven by the
// SGEMM of the ISA that calls them. Shared by every ISA's table entry.
namespace conv {
void forward_gemm(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y, SgemmFn sgemm);
// Whether the forward can apply p.input_norm as its SGEMM packs x: a 1x1 convolution, on x
// as it lies or its small maps gathered (one group; not on a 1x1 map, where x is the GEMM's A).
bool forward_reads_input_norm(const Conv2dParams& p);
void grad_input_gemm(const Conv2dParams& p, const float* dy, const float* w, float* dx, SgemmFn sgemm);
void grad_weight_gemm(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db, SgemmFn sgemm);
// db[co] = sum of dy[n, co, :, :], each channel summed serially (deterministic).
void grad_bias(const Conv2dParams& p, const float* dy, float* db);
}  // namespace conv

// Each ISA's entry points: pick the direct SIMD path or the GEMM path per shape;
// conv2d_forward_path says which conv2d_forward takes for p.
#define STRIATE_CONV2D_DECLARE(isa)                                                                    \
  namespace isa {                                                                                      \
  void conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y); \
  ConvAlgorithm conv2d_forward_path(const Conv2dParams& p);                                            \
  void conv2d_grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx);           \
  void conv2d_grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db); \
  }
STRIATE_CONV2D_DECLARE(scalar)
STRIATE_CONV2D_DECLARE(avx2)
STRIATE_CONV2D_DECLARE(avx512)
STRIATE_CONV2D_DECLARE(neon)
#undef STRIATE_CONV2D_DECLARE

}  // namespace striate
