// avx512: the direct kernels where they fit (direct.h: forward, weight gradient, input
// gradient at any stride for >= 12 input channels; direct_rows.h: input gradient at
// stride 1 for fewer); everything else on the GEMM paths, driven by avx512::sgemm.
// Tiles: 14 pixels x 2 vectors (32 channels) in 28 zmm accumulators, 2 weight registers
// and a broadcast; 14 x 1 when a block has one vector. A ResNet row of 28 or 14 pixels
// is then whole tiles.
// Weight-gradient tiles: taps_for(V) consecutive k x V vectors of output channels.
#include <immintrin.h>

#include "kernels/conv2d/choose.h"

namespace striate::avx512 {

namespace {

struct Simd {
  using Reg = __m512;
  static constexpr int kLanes = 16, kMaxVectors = 2;
  static constexpr int pixels_for(int) { return 14; }
  static constexpr int taps_for(int vectors) { return vectors == 1 ? 24 : 12; }
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  // direct_rows.h: 3 rows x 8 channels in 24 accumulators.
  static constexpr int kRowTileRows = 3, kRowTileChannels = 8;
  // weight_pixels.h: up to 4 channels x 6 taps in 24 accumulators, 4 dy vectors and one of x.
  static constexpr int kPixelChannels = 4, kPixelTaps = 6;
  static __mmask16 lanes_mask(int n) { return static_cast<__mmask16>(n >= 16 ? 0xffff : (1u << n) - 1); }
  static Reg load_masked(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_masked(float* p, __mmask16 m, Reg v) { _mm512_mask_storeu_ps(p, m, v); }
};

}  // namespace

void conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y) {
  choose::forward<Simd>(p, x, w, b, y, sgemm);
}

ConvAlgorithm conv2d_forward_path(const Conv2dParams& p) { return choose::forward_path<Simd>(p); }

void conv2d_grad_input(const Conv2dParams& p, const float* dy, const float* w, float* dx) {
  choose::grad_input<Simd>(p, dy, w, dx, sgemm);
}

void conv2d_grad_weight(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db) {
  choose::grad_weight<Simd>(p, x, dy, dw, db, sgemm);
}

}  // namespace striate::avx512
