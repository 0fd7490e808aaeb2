// Integer helpers for cutting work into blocks, shared by the GEMM and convolution
// drivers. In an anonymous namespace, as the drivers that include them are: every
// translation unit (some built with -mavx2 or -mavx512f) keeps its own copy.
#pragma once
#include <cstdint>

namespace striate {
namespace {

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Splits `total` into equal blocks of at most `cap` (so k = 257 is two blocks of 129,
// not 256 + 1).
inline int64_t balanced_block(int64_t total, int64_t cap) { return ceil_div(total, ceil_div(total, cap)); }

}  // namespace
}  // namespace striate
