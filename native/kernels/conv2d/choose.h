// Which convolution path runs, per shape, for the ISAs with direct kernels (AVX2,
// AVX-512): the direct kernels where they fit, the GEMM paths (gemm_path.cc, driven by
// the ISA's own sgemm) everywhere else. Included by each of those ISA files with its
// vector traits Simd, inside an anonymous namespace.
#pragma once
#include "kernels/conv2d/direct_rows.h"
#include "kernels/conv2d/weight_pixels.h"

namespace striate {
namespace {
namespace choose {

// Least output channels for the direct kernels. The forward and the weight gradient win
// from 4 (LeNet C1's 6 channels fill part of one vector, yet skip im2col and many small
// GEMMs); the backward to the input, whose outputs are the input channels, loses to the
// GEMM path below 12 (LeNet C3's 6).
constexpr int64_t kMinChannels = 4, kMinChannelsGradInput = 12;

// Below this many output pixels in a call (a 7x7 or 14x14 map at batch 1) the direct
// forward's packing of all the weights costs more than its arithmetic, while the GEMM
// path reads them in place (ResNet-18's 512-channel 3x3 on 7x7: 6.1 -> 2.8 ms). Rows
// that fill at most half a pixel tile (4x4 maps under AVX-512) also go to the GEMM:
// CIFAR ResNet-18's last stage at batch 32, 16.9 -> 12.5 ms a layer.
constexpr int64_t kMinDirectPixels = 256;

// Whether output rows `width` pixels wide fill more than half of the direct kernels' pixel tile.
template <class Simd>
bool fills_tile(int64_t width) {
  return 2 * width > Simd::pixels_for(Simd::kMaxVectors);
}

template <class Simd>
ConvAlgorithm forward_path(const Conv2dParams& p) {
  if (!p.input_norm && direct::forward_fits(p, kMinChannels) && p.batch * p.out_h * p.out_w >= kMinDirectPixels &&
      fills_tile<Simd>(p.out_w))
    return ConvAlgorithm::direct;
  return conv_pointwise(p) ? ConvAlgorithm::pointwise : ConvAlgorithm::im2col;
}

template <class Simd>
void forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y, SgemmFn sgemm) {
  if (forward_path<Simd>(p) == ConvAlgorithm::direct) return direct::forward<Simd>(p, x, w, b, y);
  conv::forward_gemm(p, x, w, b, y, sgemm);
}

template <class Simd>
void grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx, SgemmFn sgemm) {
  if (direct::grad_input_fits(p, kMinChannelsGradInput)) return direct::grad_input<Simd>(p, dy, w, dx);
  // Each phase of a strided backward is about in_w / stride wide: on rows that fill at
  // most half a pixel tile, as in the forward, the GEMM path wins (ResNet-18's 256->512
  // 3x3/2 on 4x4 maps at batch 32: 9.2 -> 4.5 ms, AVX2, 1 thread, CPU time).
  if (direct::grad_input_strided_fits(p, kMinChannelsGradInput) && fills_tile<Simd>(p.in_w / p.stride_w))
    return direct::grad_input_strided<Simd>(p, dy, w, dx);
  if (direct::grad_input_rows_fits<Simd>(p, kMinChannelsGradInput)) return direct::grad_input_rows<Simd>(p, dy, w, dx);
  conv::grad_input_gemm(p, dy, w, dx, sgemm);
}

// The direct weight gradient on maps at most 4 wide sums 16 pixels an image per tile of
// taps; with 256 or more output channels the GEMM path (one long product over all the
// batch's pixels) is faster: VGG-11's 512->512 3x3 on 4x4 at batch 64 76-79 -> 60-62 ms,
// 256->512 37-38 -> 32-33, 512->256 at batch 32 20-23 -> 17-18 (AVX2, 1 thread, CPU time).
// With fewer output channels the direct kernel stays ahead (256->128: 10.5 against 11.0 ms;
// 64->64 at batch 128: 2.5-2.7 against 2.6-3.3), and from 5-wide maps on it is level or ahead.
// Also on the GEMM: fewer than 64 taps (an RGB input's 3x3 convolution) into 32 or more
// channels, where transposing dy for the direct kernel costs more than its short sums
// (VGG's 3->64 on 32x32 at batch 64: 9.9-10.6 -> 6.7-7.1 ms). LeNet's C1 (1->6, 5x5) and
// resnet20's 3->16 stay direct (level or ahead there).
inline bool gemm_weight_grad(const Conv2dParams& p) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w;
  return (p.out_w <= 4 && p.out_channels >= 256) || (taps < 64 && p.out_channels >= 32);
}

template <class Simd>
void grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db, SgemmFn sgemm) {
  if (weight_pixels::fits<Simd>(p)) return weight_pixels::grad_weight<Simd>(p, x, dy, dw, db);
  if (direct::grad_weight_fits(p, kMinChannels) && !gemm_weight_grad(p)) return direct::grad_weight<Simd>(p, x, dy, dw, db);
  conv::grad_weight_gemm(p, x, dy, dw, db, sgemm);
}

}  // namespace choose
}  // namespace
}  // namespace striate
