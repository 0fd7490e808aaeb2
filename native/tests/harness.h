// A small test harness for the native kernel tests: register, run, count.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "dispatch/cpu.h"

namespace striate::test {

struct Registry {
  static std::vector<std::pair<std::string, std::function<bool()>>>& all() {
    static std::vector<std::pair<std::string, std::function<bool()>>> tests;
    return tests;
  }
};

struct Register {
  Register(const char* name, std::function<bool()> fn) { Registry::all().emplace_back(name, std::move(fn)); }
};

#define STRIATE_TEST(name)                                        \
  static bool name();                                             \
  static ::striate::test::Register register_##name(#name, name); \
  static bool name()

inline std::vector<float> random_floats(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// Largest |got - want| / (|want| + scale), with the index where it occurs.
struct Diff {
  double worst = 0;
  size_t index = 0;
};

inline Diff compare(const float* got, const float* want, size_t n, double scale) {
  Diff d;
  for (size_t i = 0; i < n; ++i) {
    const double e = std::abs(double(got[i]) - double(want[i])) / (std::abs(double(want[i])) + scale);
    if (!(e <= d.worst)) {
      d.worst = e;
      d.index = i;
    }
  }
  return d;
}

// The ISAs beside scalar that this CPU runs, each to be held against reference.cc.
inline std::vector<dispatch::Isa> isas_under_test() { return dispatch::available_isas(); }

}  // namespace striate::test
