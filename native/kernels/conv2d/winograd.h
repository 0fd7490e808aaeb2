// Winograd's minimal filtering (Lavin & Gray, 2016) for the inference forward of 3x3
// convolutions at stride 1, dilation 1, groups 1, any padding. Each m x m block of
// outputs (a tile, m = 2 or 4, alpha = m + 2) is
//   Y = A^T [ sum over ci of (G g G^T) . (B^T d B) ] A
// with g a 3x3 filter and d the alpha x alpha input patch under the tile, so that the
// alpha^2 elementwise products, summed over the input channels, become alpha^2 GEMMs:
//   U [alpha^2, Cout, Cin]   G g G^T per (co, ci), once per set of weights (winograd_weights)
//   V [alpha^2, Cin, T]      B^T d B for a chunk of T tiles (whole rows of tiles, any image)
//   M [alpha^2, Cout, T]     M[xi] = U[xi] . V[xi], on the ISA's SGEMM
//   y                        A^T M A per tile, + bias, then the epilogue (residual, ReLU)
// F(4x4, 3x3) does 36 products per 16 outputs against the direct 144 (4x fewer); F(2x2,
// 3x3) 16 per 4 (2.25x). The price is rounding: the transforms' constants (up to 8 in
// A, 5 in B, 1/24 in G for F(4,3)) amplify it; see native/tests/winograd_test.cc for the
// measured error and the bound the tests hold.
#pragma once
#include <cstdint>

#include "dispatch/cpu.h"
#include "kernels/conv2d/conv2d.h"

namespace striate::conv {

// Whether the Winograd forward applies to p (3x3, stride 1, dilation 1, groups 1).
bool winograd_fits(const Conv2dParams& p);

// Floats of U for output tiles of `tile` (2 or 4): (tile + 2)^2 * cout * cin.
int64_t winograd_weight_floats(int tile, int64_t cout, int64_t cin);

// u [alpha^2, cout, cin] = G w G^T for w [cout, cin, 3, 3], computed in double and
// rounded once.
void winograd_weights(int tile, int64_t cout, int64_t cin, const float* w, float* u);

// y = act((conv(x, w) + b) + residual) as conv2d_forward, from u = winograd_weights(w).
// p must satisfy winograd_fits. Bitwise deterministic at any thread count.
void forward_winograd(int tile, const Conv2dParams& p, const float* x, const float* u, const float* b, float* y,
                      SgemmFn sgemm);

// The path conv2d_forward of `isa` takes for p (pointwise, im2col or direct).
ConvAlgorithm plain_forward_algorithm(dispatch::Isa isa, const Conv2dParams& p);

// The algorithm an inference plan runs for p on `isa` at `threads` threads: Winograd
// F(4,3) or F(2,3) where a cost model (winograd.cc) predicts it 1.2x faster than the
// plain path (and F(4,3) 1.2x faster than F(2,3), whose error is 10 times smaller),
// else the plain path. A function of its arguments only: the same choice every time.
ConvAlgorithm plan_forward_algorithm(dispatch::Isa isa, const Conv2dParams& p, int threads);

}  // namespace striate::conv
