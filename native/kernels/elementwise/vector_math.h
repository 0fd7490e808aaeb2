// exp, expm1, log, tanh and the logistic sigmoid on any lane traits U (a vector, or Lane1 for
// tails and the scalar path), in float with fma, so each lane is computed the same way
// whatever its position.
// Range reduction (Cephes): x = n·ln2 + r, |r| <= ln2/2, with ln2 split in two so n·ln2_hi
// is exact; e^r − 1 = r + r²·(1/2! + r/3! + ... + r⁵/7!), whose truncation error
// (r⁸/8! < 6e-9) is far below a float ulp; 2^n is built in the exponent field, as two
// factors for exp so that results down to the subnormals (x > −104) come out right.
// Arguments are clamped to [−104, 88.3] (exp) and [−87.3, 88.3] (expm1, which is −1
// there); NaN propagates. Accuracy against float64 is held in
// native/tests/elementwise_test.cc and test/kernels/elementwise.test.ts (4e-7 relative).
#pragma once
#include "kernels/elementwise/lanes.h"

namespace striate {
namespace {

constexpr float kExpLow = -104.0f;   // e^x rounds to 0 below this
constexpr float kExpm1Low = -87.3f;  // e^x − 1 rounds to −1 below this, and 2^n is normal above it
constexpr float kExpHigh = 88.3f;    // e^x is finite, with n <= 127, below this

// e^r − 1 for the reduced r of x; *n receives n.
template <class U>
inline typename U::F expm1_reduced(typename U::F x, typename U::F* n_out) {
  using F = typename U::F;
  const F n = U::round(U::mul(x, U::set1(1.44269504088896341f)));
  F r = U::fma(n, U::set1(-0.693359375f), x);
  r = U::fma(n, U::set1(2.12194440e-4f), r);
  F q = U::set1(1.0f / 5040);
  q = U::fma(q, r, U::set1(1.0f / 720));
  q = U::fma(q, r, U::set1(1.0f / 120));
  q = U::fma(q, r, U::set1(1.0f / 24));
  q = U::fma(q, r, U::set1(1.0f / 6));
  q = U::fma(q, r, U::set1(0.5f));
  *n_out = n;
  return U::fma(U::mul(r, r), q, r);
}

// The input goes second in max/min so that NaN passes the clamps.
template <class U>
inline typename U::F clamp(typename U::F x, float low, float high) {
  return U::min(U::set1(high), U::max(U::set1(low), x));
}

// e^x = (2^a·e^r)·2^b with a + b = n, a = round(n/2): each factor is a normal float
// for n in [−150, 127], and the last product rounds once into the subnormals.
template <class U>
inline typename U::F vexp(typename U::F x) {
  typename U::F n;
  const auto em = expm1_reduced<U>(clamp<U>(x, kExpLow, kExpHigh), &n);
  const auto a = U::round(U::mul(n, U::set1(0.5f)));
  const auto sa = U::pow2i(a);
  return U::mul(U::fma(sa, em, sa), U::pow2i(U::sub(n, a)));
}

// e^x − 1 = 2^n·(e^r − 1) + (2^n − 1): exact e^r − 1 near 0, where e^x − 1 would cancel.
template <class U>
inline typename U::F vexpm1(typename U::F x) {
  typename U::F n;
  const auto em = expm1_reduced<U>(clamp<U>(x, kExpm1Low, kExpHigh), &n);
  const auto s = U::pow2i(n);
  return U::fma(s, em, U::sub(s, U::set1(1.0f)));
}

// 1/(1 + e^−|x|), or e^−|x| times that for x < 0: e^−|x| <= 1 never overflows.
template <class U>
inline typename U::F vsigmoid(typename U::F x) {
  const auto e = vexp<U>(U::sub(U::zero(), U::abs(x)));
  const auto r = U::div(U::set1(1.0f), U::add(U::set1(1.0f), e));
  return U::select(U::lt(x, U::zero()), U::mul(e, r), r);
}

// Cephes logf for a positive normal x: x = m·2^e with m in [√½, √2), log(1 + (m − 1))
// by a degree-9 polynomial, e·ln2 added in two parts.
template <class U>
inline typename U::F vlog(typename U::F x) {
  using F = typename U::F;
  F e;
  F m = U::frexp(x, &e);
  const auto low = U::lt(m, U::set1(0.707106781186547524f));
  m = U::sub(U::select(low, U::add(m, m), m), U::set1(1.0f));
  e = U::select(low, U::sub(e, U::set1(1.0f)), e);
  const F z = U::mul(m, m);
  F p = U::set1(7.0376836292e-2f);
  p = U::fma(p, m, U::set1(-1.1514610310e-1f));
  p = U::fma(p, m, U::set1(1.1676998740e-1f));
  p = U::fma(p, m, U::set1(-1.2420140846e-1f));
  p = U::fma(p, m, U::set1(1.4249322787e-1f));
  p = U::fma(p, m, U::set1(-1.6668057665e-1f));
  p = U::fma(p, m, U::set1(2.0000714765e-1f));
  p = U::fma(p, m, U::set1(-2.4999993993e-1f));
  p = U::fma(p, m, U::set1(3.3333331174e-1f));
  F y = U::mul(U::mul(m, z), p);
  y = U::fma(e, U::set1(-2.12194440e-4f), y);
  y = U::fma(z, U::set1(-0.5f), y);
  return U::fma(e, U::set1(0.693359375f), U::add(m, y));
}

// Cephes tanhf: an odd polynomial below |x| = 0.625 (where 1 − 2/(e^2|x| + 1) would
// cancel), 1 − 2/(e^2|x| + 1) above it, with the sign of x.
template <class U>
inline typename U::F vtanh(typename U::F x) {
  using F = typename U::F;
  const F a = U::abs(x);
  const F z = U::mul(x, x);
  F p = U::set1(-5.70498872745e-3f);
  p = U::fma(p, z, U::set1(2.06390887954e-2f));
  p = U::fma(p, z, U::set1(-5.37397155531e-2f));
  p = U::fma(p, z, U::set1(1.33314422036e-1f));
  p = U::fma(p, z, U::set1(-3.33332819422e-1f));
  const F small = U::fma(U::mul(p, z), x, x);
  const F e = vexp<U>(U::add(a, a));
  F big = U::sub(U::set1(1.0f), U::div(U::set1(2.0f), U::add(e, U::set1(1.0f))));
  big = U::select(U::lt(x, U::zero()), U::sub(U::zero(), big), big);
  return U::select(U::lt(a, U::set1(0.625f)), small, big);
}

}  // namespace
}  // namespace striate
