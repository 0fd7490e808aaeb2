// The lane traits and loops every elementwise kernel is built from. Each ISA supplies a
// traits struct T (T::V floats per vector: load/store, arithmetic, fma, compares, masks,
// horizontal sum and max); Lane1 is the same interface on one float, for the scalar
// path and every tail, so a tail computes exactly what a vector lane would.
// Streams: T::V elements per step over [begin, end), then Lane1; any length and any
// start offset (unaligned loads).
// Sums: T::V float lane partials over blocks of kSumBlock values, each block reduced
// and added in double in order: deterministic, and accurate for long planes.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "dispatch/parallel.h"

namespace striate {
namespace {

constexpr int64_t kStreamGrain = int64_t{1} << 18;

struct Lane1 {
  static constexpr int V = 1;
  using F = float;
  using M = bool;
  static F load(const float* p) { return *p; }
  static void store(float* p, F v) { *p = v; }
  static F set1(float v) { return v; }
  static F zero() { return 0.0f; }
  static F add(F a, F b) { return a + b; }
  static F sub(F a, F b) { return a - b; }
  static F mul(F a, F b) { return a * b; }
  static F div(F a, F b) { return a / b; }
  static F sqrt(F a) { return std::sqrt(a); }
  static F fma(F a, F b, F c) { return std::fma(a, b, c); }
  // b when either is NaN, as maxps/minps: the vector math clamps with the input second.
  static F max(F a, F b) { return a > b ? a : b; }
  static F min(F a, F b) { return a < b ? a : b; }
  static F abs(F a) { return std::fabs(a); }
  static F round(F a) { return std::nearbyint(a); }
  // 2^n for an integral n in [-126, 127], built in the exponent field (NaN: any value;
  // the caller's result is NaN anyway, and casting NaN to int would be undefined).
  static F pow2i(F n) {
    const int32_t bits = ((n == n ? static_cast<int32_t>(n) : 0) + 127) << 23;
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  // The mantissa in [0.5, 1) and, in *e, the exponent of a positive normal a.
  static F frexp(F a, F* e) {
    int exponent;
    const float m = std::frexp(a, &exponent);
    *e = static_cast<float>(exponent);
    return m;
  }
  static F max0(F a) { return a > 0.0f ? a : 0.0f; }
  static M gt0(F a) { return a > 0.0f; }
  static M lt(F a, F b) { return a < b; }
  static F select(M m, F t, F f) { return m ? t : f; }
  static float hsum(F a) { return a; }
  static float hmax(F a) { return a; }
};

// Calls op(T{}, i) for i = begin, begin + T::V, ... and op(Lane1{}, i) for the tail.
template <class T, class Op>
inline void map_range(int64_t begin, int64_t end, const Op& op) {
  int64_t i = begin;
  for (; i + T::V <= end; i += T::V) op(T{}, i);
  for (; i < end; ++i) op(Lane1{}, i);
}

template <class T, class Op>
inline void map(int64_t n, const Op& op) {
  dispatch::parallel_for(n, kStreamGrain, [&](int64_t begin, int64_t end) { map_range<T>(begin, end, op); });
}

// Units of `unit_work` elements each, so that a thread gets at least kStreamGrain elements.
inline int64_t grain_for(int64_t unit_work) { return std::max<int64_t>(1, kStreamGrain / std::max<int64_t>(1, unit_work)); }

// The sum of p[0, n) in T::V float lanes, moved into a double every kSumBlock elements
// so the float partials stay short whatever n is.
constexpr int64_t kSumBlock = 1024;

// Σ term(i) over [0, n) that way; term(U{}, i) gives U::V terms (U = T, or Lane1 for the tail).
template <class T, class Term>
double sum_of(int64_t n, const Term& term) {
  double total = 0;
  for (int64_t start = 0; start < n; start += kSumBlock) {
    const int64_t end = std::min(n, start + kSumBlock);
    typename T::F acc = T::zero();
    int64_t i = start;
    for (; i + T::V <= end; i += T::V) acc = T::add(acc, term(T{}, i));
    float sum = T::hsum(acc);
    for (; i < end; ++i) sum += term(Lane1{}, i);
    total += sum;
  }
  return total;
}

template <class T>
double plane_sum(const float* p, int64_t n) {
  return sum_of<T>(n, [p](auto t, int64_t i) { return decltype(t)::load(p + i); });
}

// Column sums for the strided layouts: lanes hold U::V adjacent columns; add(lanes) adds
// the next row's values, and every kSumBlock rows the float lanes move into sums[].
template <class U, class AddRow>
void column_sums(int64_t rows, const AddRow& add_row, double* sums) {
  float lanes[U::V];
  for (int l = 0; l < U::V; ++l) sums[l] = 0;
  for (int64_t start = 0; start < rows; start += kSumBlock) {
    const int64_t stop = std::min(rows, start + kSumBlock);
    auto acc = U::zero();
    for (int64_t r = start; r < stop; ++r) acc = U::add(acc, add_row(r));
    U::store(lanes, acc);
    for (int l = 0; l < U::V; ++l) sums[l] += lanes[l];
  }
}

}  // namespace
}  // namespace striate
