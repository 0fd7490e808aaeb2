// The 8x8 float transpose in AVX registers, shared by the translation units built with
// -mavx2 (or -mavx512f, which builds with -mavx2 too). In an anonymous namespace, as
// blocks.h: each of those units keeps its own copy, so none leaks into the baseline.
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace striate {
namespace {

// r[0..7] rows in, columns out: r[c][i] = old r[i][c]. 32-bit interleaves and 64-bit
// shuffles give 4x4 blocks per 128-bit lane; 128-bit lane permutes gather them.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], s[8];
  for (int q = 0; q < 8; q += 2) {
    t[q] = _mm256_unpacklo_ps(r[q], r[q + 1]);
    t[q + 1] = _mm256_unpackhi_ps(r[q], r[q + 1]);
  }
  for (int q = 0; q < 8; q += 4) {
    s[q] = _mm256_shuffle_ps(t[q], t[q + 2], 0x44);
    s[q + 1] = _mm256_shuffle_ps(t[q], t[q + 2], 0xee);
    s[q + 2] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0x44);
    s[q + 3] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0xee);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
  }
}

// to[j * to_ld + c] = from[c * ld + j] for c, j < 8.
inline void transpose8x8(const float* from, int64_t ld, float* to, int64_t to_ld) {
  __m256 r[8];
  for (int c = 0; c < 8; ++c) r[c] = _mm256_loadu_ps(from + c * ld);
  transpose8(r);
  for (int j = 0; j < 8; ++j) _mm256_storeu_ps(to + j * to_ld, r[j]);
}

}  // namespace
}  // namespace striate
