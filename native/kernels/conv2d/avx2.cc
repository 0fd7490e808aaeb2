// avx2: the direct kernels where they fit (direct.h: forward, weight gradient, input
// gradient at any stride for >= 12 input channels; direct_rows.h: input gradient at
// stride 1 for fewer); everything else on the GEMM paths, driven by avx2::sgemm.
// Tiles: 6 pixels x 2 vectors (16 channels) in 12 ymm accumulators, 2 weight registers
// and a broadcast, out of 16; 12 x 1 when a block has one vector. Chosen by measurement
// over 4 pixels x 3 vectors (24 channels), which was slower on every bench shape.
// Weight-gradient tiles: taps_for(V) consecutive k x V vectors of output channels.
#include <immintrin.h>

#include "kernels/conv2d/choose.h"

namespace striate::avx2 {

namespace {

struct Simd {
  using Reg = __m256;
  static constexpr int kLanes = 8, kMaxVectors = 2;
  static constexpr int pixels_for(int vectors) { return vectors == 1 ? 12 : 6; }
  static constexpr int taps_for(int vectors) { return vectors == 1 ? 12 : 6; }
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  // Not _mm256_broadcast_ss: GCC treats its pointer argument as possibly reading the
  // accumulator arrays and stores them back to the stack on every k step.
  static Reg broadcast(const float* p) { return _mm256_set1_ps(*p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  // direct_rows.h: 2 rows x 6 channels in 12 accumulators.
  static constexpr int kRowTileRows = 2, kRowTileChannels = 6;
  // weight_pixels.h: up to 2 channels x 5 taps in 10 accumulators, 2 dy vectors and one of x.
  static constexpr int kPixelChannels = 2, kPixelTaps = 5;
  static __m256i lanes_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg load_masked(const float* p, __m256i m) { return _mm256_maskload_ps(p, m); }
  static void store_masked(float* p, __m256i m, Reg v) { _mm256_maskstore_ps(p, m, v); }
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

}  // namespace striate::avx2
