// The Winograd forward, F(2x2, 3x3) and F(4x4, 3x3), on every ISA's SGEMM: against
// reference.cc on awkward shapes (1 channel, odd and prime sizes, maps smaller than a
// tile, rows of tiles longer than a transform segment, several chunks, padding 0 to 2,
// batch 1 and 3) with the epilogue; fused = unfused + add + ReLU bit for bit; the same
// bits at 1, 2 and 3 threads; and its error against a float64 convolution, held to the
// bound below next to the im2col path's.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"
#include "kernels/conv2d/winograd.h"
#include "tests/harness.h"

namespace striate::test {

namespace {

struct Shape {
  int64_t n, cin, h, w, cout, pad;
};

Conv2dParams params(const Shape& s) {
  Conv2dParams p;
  p.batch = s.n, p.in_channels = s.cin, p.in_h = s.h, p.in_w = s.w, p.out_channels = s.cout;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = s.pad;
  conv2d_output_size(&p);
  return p;
}

std::string describe(const Shape& s, int tile) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "F(%d,3) x=[%lld,%lld,%lld,%lld] w=[%lld,%lld,3,3] p=%lld", tile, (long long)s.n,
                (long long)s.cin, (long long)s.h, (long long)s.w, (long long)s.cout, (long long)s.cin,
                (long long)s.pad);
  return buf;
}

std::vector<float> winograd(int tile, const Conv2dParams& p, const std::vector<float>& x, const std::vector<float>& w,
                            const float* b, SgemmFn sgemm) {
  std::vector<float> u(conv::winograd_weight_floats(tile, p.out_channels, p.in_channels));
  conv::winograd_weights(tile, p.out_channels, p.in_channels, w.data(), u.data());
  // NaN first, so that an output the kernel misses fails.
  std::vector<float> y(p.batch * p.out_channels * p.out_h * p.out_w, std::nanf(""));
  conv::forward_winograd(tile, p, x.data(), u.data(), b, y.data(), sgemm);
  return y;
}

// The normalised error the other convolution tests use: |got - want| / (|want| + sqrt(terms) + 1).
double worst_error(const std::vector<float>& got, const std::vector<double>& want, double terms) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double e = std::abs(got[i] - want[i]) / (std::abs(want[i]) + std::sqrt(terms) + 1.0);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

// y in float64 (no bias, no epilogue), the yardstick for the error of each float path.
std::vector<double> exact_forward(const Conv2dParams& p, const std::vector<float>& x, const std::vector<float>& w) {
  std::vector<double> y(p.batch * p.out_channels * p.out_h * p.out_w, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t co = 0; co < p.out_channels; ++co)
      for (int64_t oh = 0; oh < p.out_h; ++oh)
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          double acc = 0;
          for (int64_t ci = 0; ci < p.in_channels; ++ci)
            for (int64_t kh = 0; kh < 3; ++kh)
              for (int64_t kw = 0; kw < 3; ++kw) {
                const int64_t ih = oh - p.pad_top + kh, iw = ow - p.pad_left + kw;
                if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;
                acc += double(w[((co * p.in_channels + ci) * 3 + kh) * 3 + kw]) *
                       x[((n * p.in_channels + ci) * p.in_h + ih) * p.in_w + iw];
              }
          y[((n * p.out_channels + co) * p.out_h + oh) * p.out_w + ow] = acc;
        }
  return y;
}

// The error bound. Random rounding errors add up like a random walk: a sum of `terms`
// products of values in [-1, 1] is off by about u * sqrt(terms) of its scale (u = 2^-24),
// and each path's worst output over thousands stays within a small multiple of that.
// Winograd multiplies it: the GEMM's sums are rounded relative to the transformed values,
// which B^T (entries up to 5) and G make larger than the inputs, and A^T (entries up to
// 8, six terms a row, applied twice) adds those roundings back up into each output.
// Measured (winograd_error_against_float64 with STRIATE_TEST_VERBOSE=1 on AVX2: 3x3 on
// a 12x12 map, padding 1, 16 output channels, inputs and weights uniform in [-1, 1], 3
// draws; the normalised error of the worst output against float64):
//   Cin          1        4        16       64       256      512
//   im2col       6.9e-8   1.5e-7   2.5e-7   3.1e-7   4.2e-7   3.4e-7
//   F(2,3)       1.3e-7   1.2e-7   2.1e-7   3.4e-7   6.5e-7   5.7e-7
//   F(4,3)       1.9e-6   2.3e-6   3.1e-6   7.6e-6   1.4e-5   1.0e-5
// F(2,3) is as accurate as im2col (within 2x); F(4,3) is 10 to 30 times less accurate
// at the worst output (6 to 13 times in RMS), 1e-5 of the output's scale at 512
// channels. With inputs in [0, 1] (after a ReLU) F(4,3)'s errors are about half that.
// The bound, kAmplification[tile] * u * (sqrt(terms) + 8) with terms = 9 Cin, holds
// the worst F(4,3) output measured (about 4.3 u (sqrt(terms) + 8)) by 7x and grows
// with Cin as the errors do; F(2,3)'s (0.3 u (...)) by 13x.
constexpr double kAmplification[5] = {0, 0, 4, 0, 32};

double tolerance(int tile, double terms) {
  return kAmplification[tile] * std::ldexp(1.0, -24) * (std::sqrt(terms) + 8);
}

bool check(dispatch::Isa isa, int tile, const Shape& s, int threads, std::mt19937& rng) {
  const Conv2dParams p = params(s);
  const size_t ys = p.batch * p.out_channels * p.out_h * p.out_w;
  const auto x = random_floats(p.batch * s.cin * s.h * s.w, rng), w = random_floats(s.cout * s.cin * 9, rng);
  const auto b = random_floats(s.cout, rng), r = random_floats(ys, rng);
  Conv2dParams fused = p;
  fused.residual = r.data(), fused.activation = ConvActivation::relu;
  std::vector<float> want(ys);
  reference::conv2d_forward(fused, x.data(), w.data(), b.data(), want.data());
  dispatch::set_num_threads(threads);
  const SgemmFn sgemm = dispatch::kernels_for(isa).sgemm;
  const auto got = winograd(tile, fused, x, w, b.data(), sgemm);
  auto composed = winograd(tile, p, x, w, b.data(), sgemm);
  for (size_t i = 0; i < ys; ++i) composed[i] = std::max(0.0f, composed[i] + r[i]);
  bool ok = true;
  if (std::memcmp(got.data(), composed.data(), ys * sizeof(float)) != 0) {
    std::printf("  %s threads=%d %s: fused differs from conv, add, relu\n", dispatch::isa_name(isa), threads,
                describe(s, tile).c_str());
    ok = false;
  }
  const double terms = double(s.cin) * 9, tol = tolerance(tile, terms);
  const Diff d = compare(got.data(), want.data(), ys, std::sqrt(terms) + 1.0);
  if (d.worst > tol) {
    std::printf("  %s threads=%d %s: error %.3g at %zu (got %g, want %g, tol %.3g)\n", dispatch::isa_name(isa),
                threads, describe(s, tile).c_str(), d.worst, d.index, got[d.index], want[d.index], tol);
    ok = false;
  }
  return ok;
}

const Shape kShapes[] = {
    {1, 1, 1, 1, 1, 1},      // a 1x1 map: one tile, mostly padding
    {3, 1, 5, 5, 1, 0},      // one channel, a 3x3 output: less than a tile
    {1, 2, 4, 4, 3, 0},      // a 2x2 output
    {3, 3, 7, 11, 5, 1},     // prime sizes, tails in both directions
    {1, 5, 13, 17, 7, 2},    // padding 2: a 15x19 output
    {2, 16, 8, 8, 16, 1},    // whole tiles
    {1, 33, 23, 9, 40, 1},   // odd channel counts across GEMM register blocks
    {3, 19, 6, 70, 11, 1},   // a row of 18 (F(4,3)) or 35 (F(2,3)) tiles: two transform segments
    {1, 64, 14, 14, 64, 1},  // ResNet's last stage, small map
    {1, 1, 7770, 80, 2, 1},  // two chunks of tile rows
    {7, 13, 8, 8, 20, 1},    // chunks shared out whole to the threads
};

Shape random_shape(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Shape s{pick(1, 3), pick(1, 24), 0, 0, pick(1, 24), pick(0, 2)};
  s.h = pick(std::max<int64_t>(1, 3 - 2 * s.pad), 21), s.w = pick(std::max<int64_t>(1, 3 - 2 * s.pad), 40);
  return s;
}

}  // namespace

STRIATE_TEST(winograd_matches_reference_with_epilogue) {
  std::mt19937 rng(8);
  std::vector<Shape> shapes(std::begin(kShapes), std::end(kShapes));
  for (int i = 0; i < 12; ++i) shapes.push_back(random_shape(rng));
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int tile : {2, 4})
      for (int threads : {1, 2})
        for (const Shape& s : shapes) ok &= check(isa, tile, s, threads, rng);
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(winograd_is_deterministic) {
  std::mt19937 rng(21);
  // The last two share whole chunks out to 2 and 3 threads.
  const Shape shapes[] = {{3, 24, 17, 30, 20, 1}, {1, 40, 12, 12, 36, 0}, {7, 13, 8, 8, 20, 1}, {33, 6, 4, 4, 9, 1}};
  bool ok = true;
  for (const Shape& s : shapes) {
    const Conv2dParams p = params(s);
    const auto x = random_floats(s.n * s.cin * s.h * s.w, rng), w = random_floats(s.cout * s.cin * 9, rng);
    const auto b = random_floats(s.cout, rng);
    for (auto isa : isas_under_test())
      for (int tile : {2, 4}) {
        std::vector<float> first;
        for (int threads : {1, 2, 3})
          for (int run = 0; run < 2; ++run) {
            dispatch::set_num_threads(threads);
            const auto y = winograd(tile, p, x, w, b.data(), dispatch::kernels_for(isa).sgemm);
            if (first.empty()) first = y;
            if (std::memcmp(y.data(), first.data(), y.size() * sizeof(float)) != 0) {
              std::printf("  %s threads=%d run %d %s: differs from 1 thread\n", dispatch::isa_name(isa), threads, run,
                          describe(s, tile).c_str());
              ok = false;
            }
          }
      }
  }
  dispatch::set_num_threads(0);
  return ok;
}

// The error table in the comment above, recomputed: each path's worst normalised error
// against float64 within its bound (im2col within F(2,3)'s), and F(2,3) below F(4,3).
// STRIATE_TEST_VERBOSE=1 prints the table.
STRIATE_TEST(winograd_error_against_float64) {
  std::mt19937 rng(1);
  const bool verbose = std::getenv("STRIATE_TEST_VERBOSE") != nullptr;
  const auto isa = isas_under_test().back();
  const SgemmFn sgemm = dispatch::kernels_for(isa).sgemm;
  bool ok = true;
  if (verbose) std::printf("  %s, Cin: im2col F(2,3) F(4,3)\n", dispatch::isa_name(isa));
  for (int64_t cin : {1, 4, 16, 64, 256, 512}) {
    const Shape s{1, cin, 12, 12, 16, 1};
    const Conv2dParams p = params(s);
    const double terms = double(cin) * 9;
    double e_gemm = 0, e2 = 0, e4 = 0;
    for (int draw = 0; draw < 3; ++draw) {
      const auto x = random_floats(s.n * s.cin * s.h * s.w, rng), w = random_floats(s.cout * s.cin * 9, rng);
      const auto exact = exact_forward(p, x, w);
      std::vector<float> gemm(exact.size());
      conv::forward_gemm(p, x.data(), w.data(), nullptr, gemm.data(), sgemm);
      e_gemm = std::max(e_gemm, worst_error(gemm, exact, terms));
      e2 = std::max(e2, worst_error(winograd(2, p, x, w, nullptr, sgemm), exact, terms));
      e4 = std::max(e4, worst_error(winograd(4, p, x, w, nullptr, sgemm), exact, terms));
    }
    if (verbose) std::printf("  %lld: %.2g %.2g %.2g\n", (long long)cin, e_gemm, e2, e4);
    if (!(e4 <= tolerance(4, terms) && e2 <= tolerance(2, terms) && e_gemm <= tolerance(2, terms) && e2 < e4)) {
      std::printf("  Cin=%lld: im2col %.3g, F(2,3) %.3g, F(4,3) %.3g (tolerances %.3g, %.3g)\n", (long long)cin, e_gemm,
                  e2, e4, tolerance(2, terms), tolerance(4, terms));
      ok = false;
    }
  }
  return ok;
}

}  // namespace striate::test
