// SGEMM for a few rows of A against transposed B: C[i][j] = alpha * dot(A row i, B row j)
// + beta * C[i][j], both rows contiguous in k. A dense layer at batch 1 (y = x . W^T) is
// this product: the blocked driver would pack all of W (a copy of VGG-16's 411 MB first
// classifier, to use it once) and run 6-row micro-kernels on 1 row; here W streams
// through once, each row read by every row of A while it is in cache.
// The lanes are plain arrays that the compiler vectorises for the ISA the including file
// is built for: lane l of an accumulator sums k = l, l + kLanes, ... in k order, and the
// lanes are added in one fixed tree. An element's arithmetic depends only on K, never on
// the thread that computes it or on the rows around it.
#pragma once
#include <algorithm>
#include <cstdint>

#include "dispatch/parallel.h"
#include "kernels/blocks.h"
#include "kernels/gemm/gemm.h"

namespace striate {
namespace {

namespace dot_rows {

constexpr int kMaxRows = 4;   // A rows this path takes; more amortise packing in the blocked driver
constexpr int kLanes = 16;    // one AVX-512 vector, two AVX2 or four NEON/SSE vectors
constexpr int64_t kMinK = 64; // shorter rows would leave most lanes idle

inline bool fits(const GemmArgs& g) { return g.trans_b && !g.trans_a && g.m <= kMaxRows && g.k >= kMinK; }

inline float sum_lanes(const float* v) {
  float half[kLanes / 2];
  for (int l = 0; l < kLanes / 2; ++l) half[l] = v[l] + v[l + kLanes / 2];
  for (int w = kLanes / 4; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) half[l] += half[l + w];
  return half[0];
}

// Columns [j0, j1) of all ROWS rows, J columns at a time (ROWS * J accumulators, which
// fill half of AVX2's registers) and then one at a time.
template <int ROWS>
void columns(const GemmArgs& g, int64_t j0, int64_t j1) {
  constexpr int J = kMaxRows / ROWS;
  const int64_t k_full = g.k / kLanes * kLanes;
  auto group = [&](int64_t j, auto width) {
    constexpr int W = decltype(width)::value;
    float acc[ROWS][W][kLanes] = {};
    for (int64_t p = 0; p < k_full; p += kLanes)
      for (int c = 0; c < W; ++c) {
        const float* w = g.b + (j + c) * g.ldb + p;
        for (int r = 0; r < ROWS; ++r) {
          const float* a = g.a + r * g.lda + p;
          for (int l = 0; l < kLanes; ++l) acc[r][c][l] += a[l] * w[l];
        }
      }
    for (int64_t p = k_full; p < g.k; ++p)
      for (int c = 0; c < W; ++c)
        for (int r = 0; r < ROWS; ++r) acc[r][c][p - k_full] += g.a[r * g.lda + p] * g.b[(j + c) * g.ldb + p];
    for (int r = 0; r < ROWS; ++r)
      for (int c = 0; c < W; ++c) {
        float* out = g.c + r * g.ldc + j + c;
        const float s = g.alpha * sum_lanes(acc[r][c]);
        *out = g.beta == 0.0f ? s : s + g.beta * *out;
      }
  };
  int64_t j = j0;
  for (; j + J <= j1; j += J) group(j, std::integral_constant<int, J>{});
  for (; j < j1; ++j) group(j, std::integral_constant<int, 1>{});
}

// Threads take runs of columns of at least 64 KiB of B each.
inline void run(const GemmArgs& g) {
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 14) / g.k);
  dispatch::parallel_for(g.n, grain, [&](int64_t j0, int64_t j1) {
    switch (g.m) {
      case 1: return columns<1>(g, j0, j1);
      case 2: return columns<2>(g, j0, j1);
      case 3: return columns<3>(g, j0, j1);
      default: return columns<4>(g, j0, j1);
    }
  });
}

}  // namespace dot_rows

}  // namespace
}  // namespace striate
