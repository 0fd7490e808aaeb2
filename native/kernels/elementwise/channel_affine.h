// A batch norm with fixed statistics as one affine map per channel, y = (x − m)·a + b,
// computed once from the statistics in double: batch_norm.h's inference kernel and the
// SGEMM's normalised B rows (gemm.h: GemmArgs.b_rows) both apply it, so they give the same
// floats.
#pragma once
#include <cstdint>

namespace striate {

struct ChannelAffine {
  float m, a, b;  // y = (x − m)·a + b
};

// y = gamma·(x − mean)·inv_std + beta with m = float(mean).
inline ChannelAffine bn_affine(double mean, double inv_std, float gamma, float beta) {
  const float m = static_cast<float>(mean);
  const double a = double(gamma) * inv_std;
  return {m, static_cast<float>(a), static_cast<float>(beta + a * (double(m) - mean))};
}

}  // namespace striate
