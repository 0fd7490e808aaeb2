// Every ISA's conv2d forward, grad input and grad weight (+ bias) against reference.cc,
// on random and hand-picked awkward shapes, at 1 and 2 threads; and bitwise determinism.
#include <cmath>
#include <cstring>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"
#include "tests/harness.h"

namespace striate::test {

namespace {

struct Case {
  int64_t n, cin, h, w, cout, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, groups;
};

std::string describe(const Case& c) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "x=[%lld,%lld,%lld,%lld] w=[%lld,%lld,%lld,%lld] s=%lld,%lld p=%lld,%lld,%lld,%lld d=%lld,%lld g=%lld",
                (long long)c.n, (long long)c.cin, (long long)c.h, (long long)c.w, (long long)c.cout,
                (long long)(c.cin / c.groups), (long long)c.kh, (long long)c.kw, (long long)c.sh, (long long)c.sw,
                (long long)c.pt, (long long)c.pb, (long long)c.pl, (long long)c.pr, (long long)c.dh, (long long)c.dw,
                (long long)c.groups);
  return buf;
}

// The convolution a Case describes, with its output size; out_h = out_w = 0 when the
// case has none (a bad test case: see check_case).
Conv2dParams params_of(const Case& c) {
  Conv2dParams p;
  p.batch = c.n, p.in_channels = c.cin, p.in_h = c.h, p.in_w = c.w, p.out_channels = c.cout;
  p.kernel_h = c.kh, p.kernel_w = c.kw, p.stride_h = c.sh, p.stride_w = c.sw;
  p.pad_top = c.pt, p.pad_bottom = c.pb, p.pad_left = c.pl, p.pad_right = c.pr;
  p.dilation_h = c.dh, p.dilation_w = c.dw, p.groups = c.groups;
  if (!conv2d_output_size(&p)) p.out_h = p.out_w = 0;
  return p;
}

bool check_case(dispatch::Isa isa, const Case& c, int threads, std::mt19937& rng) {
  const Conv2dParams p = params_of(c);
  if (p.out_h == 0) {
    std::printf("  bad test case %s\n", describe(c).c_str());
    return false;
  }
  const size_t xs = c.n * c.cin * c.h * c.w, ws = c.cout * (c.cin / c.groups) * c.kh * c.kw;
  const size_t ys = c.n * c.cout * p.out_h * p.out_w;
  const auto x = random_floats(xs, rng), w = random_floats(ws, rng), b = random_floats(c.cout, rng);
  const auto dy = random_floats(ys, rng);
  // Outputs start as NaN so that a missed element fails.
  std::vector<float> y(ys, std::nanf("")), y_ref(ys), dx(xs, std::nanf("")), dx_ref(xs);
  std::vector<float> dw(ws, std::nanf("")), dw_ref(ws), db(c.cout, std::nanf("")), db_ref(c.cout);
  reference::conv2d_forward(p, x.data(), w.data(), b.data(), y_ref.data());
  reference::conv2d_grad_input(p, dy.data(), w.data(), dx_ref.data());
  reference::conv2d_grad_weight(p, x.data(), dy.data(), dw_ref.data(), db_ref.data());
  dispatch::set_num_threads(threads);
  const auto k = dispatch::kernels_for(isa);
  k.conv2d_forward(p, x.data(), w.data(), b.data(), y.data());
  k.conv2d_grad_input(p, dy.data(), w.data(), dx.data());
  k.conv2d_grad_weight(p, x.data(), dy.data(), dw.data(), db.data());
  // Sums of `terms` products of values in [-1, 1]; the rounding grows with their count.
  const double fwd_terms = double(c.cin / c.groups) * c.kh * c.kw;
  const double dx_terms = double(c.cout / c.groups) * c.kh * c.kw;
  const double dw_terms = double(c.n) * p.out_h * p.out_w;
  bool ok = true;
  auto expect = [&](const char* what, const std::vector<float>& got, const std::vector<float>& want, double terms) {
    const double tol = 4e-7 * (terms + 8);
    const Diff d = compare(got.data(), want.data(), got.size(), std::sqrt(terms) + 1.0);
    if (d.worst > tol) {
      std::printf("  %s %s threads=%d %s: error %.3g at %zu (got %g, want %g, tol %.3g)\n", dispatch::isa_name(isa),
                  what, threads, describe(c).c_str(), d.worst, d.index, got[d.index], want[d.index], tol);
      ok = false;
    }
  };
  expect("forward", y, y_ref, fwd_terms);
  expect("grad_input", dx, dx_ref, dx_terms);
  expect("grad_weight", dw, dw_ref, dw_terms);
  expect("grad_bias", db, db_ref, dw_terms);
  return ok;
}

// Shapes the GEMM paths and the direct paths each meet: 1x1 (pointwise), few input
// channels with large kernels and strides, groups and depthwise, asymmetric padding.
const Case kFixed[] = {
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
    {2, 1, 32, 32, 6, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1},
    {3, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1},
    {1, 3, 47, 45, 7, 11, 11, 4, 4, 2, 2, 2, 2, 1, 1, 1},
    {2, 3, 17, 19, 5, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1},
    {7, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {2, 13, 11, 9, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
    {2, 12, 7, 7, 6, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 3},
    {3, 10, 9, 10, 10, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 10},
    {2, 6, 13, 11, 9, 3, 2, 3, 1, 0, 2, 1, 0, 2, 1, 3},
    {1, 5, 20, 23, 11, 4, 4, 1, 1, 1, 2, 2, 1, 2, 2, 1},
    {7, 2, 5, 5, 3, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1},
    {1, 1, 1, 37, 4, 1, 7, 1, 3, 0, 0, 3, 3, 1, 1, 1},
    {2, 1, 30, 31, 3, 3, 5, 2, 3, 1, 0, 0, 2, 1, 2, 1},
    {7, 9, 1, 1, 13, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},   // pointwise on 1x1 maps: x and y are the GEMM's matrices
    {5, 8, 2, 3, 12, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2},
    {2, 5, 4, 4, 259, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},  // 256+ channels on 4-wide maps: weight gradient on the GEMM
    {3, 3, 9, 10, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},  // 27 taps into 33 channels: weight gradient on the GEMM
    {2, 13, 6, 6, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},  // stride 2 onto 3-wide maps: backward to the input on the GEMM
};

Case random_case(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    Case c{};
    c.groups = pick(0, 3) == 0 ? pick(2, 4) : 1;
    c.cin = c.groups * pick(1, 7);
    c.cout = c.groups * pick(1, 7);
    c.n = pick(0, 2) == 0 ? 7 : pick(1, 3);
    c.kh = pick(1, 11), c.kw = pick(1, 11);
    c.sh = pick(1, 4), c.sw = pick(1, 4);
    c.dh = pick(1, 2), c.dw = pick(1, 2);
    c.pt = pick(0, 3), c.pb = pick(0, 3), c.pl = pick(0, 3), c.pr = pick(0, 3);
    c.h = pick(1, 29), c.w = pick(1, 29);
    if (c.dh * (c.kh - 1) + 1 <= c.h + c.pt + c.pb && c.dw * (c.kw - 1) + 1 <= c.w + c.pl + c.pr) return c;
  }
}

}  // namespace

STRIATE_TEST(conv2d_every_isa_matches_reference_fixed_shapes) {
  std::mt19937 rng(2024);
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const Case& c : kFixed) ok &= check_case(isa, c, threads, rng);
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(conv2d_every_isa_matches_reference_random_shapes) {
  std::mt19937 rng(77);
  bool ok = true;
  for (int i = 0; i < 40; ++i) {
    const Case c = random_case(rng);
    for (auto isa : isas_under_test())
      for (int threads : {1, 2}) ok &= check_case(isa, c, threads, rng);
  }
  dispatch::set_num_threads(0);
  return ok;
}

// Shapes the direct forward and weight gradient of AVX2 and AVX-512 take (groups 1,
// Cout >= 4, output rows >= 4 wide, not 1x1): Cout across one and several 8/16-channel
// vectors and channel blocks, rows that split into uneven tiles, padding, strides 1, 2
// (constant-offset tiles) and 3, dilation. Every ISA runs them too.
Case direct_case(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    Case c{};
    c.groups = 1;
    c.cin = pick(1, 9), c.cout = pick(4, 70), c.n = pick(1, 3);
    c.kh = pick(1, 6), c.kw = pick(2, 6);
    c.sh = pick(1, 3), c.sw = pick(1, 3);
    c.dh = pick(1, 2), c.dw = pick(1, 2);
    c.pt = pick(0, 2), c.pb = pick(0, 2), c.pl = pick(0, 2), c.pr = pick(0, 2);
    c.h = pick(4, 20), c.w = pick(8, 45);
    const int64_t span_w = c.dw * (c.kw - 1) + 1, span_h = c.dh * (c.kh - 1) + 1;
    if (span_h > c.h + c.pt + c.pb || span_w > c.w + c.pl + c.pr) continue;
    if ((c.w + c.pl + c.pr - span_w) / c.sw + 1 >= 4) return c;
  }
}

// Shapes where the direct kernels walk K in several chunks (many input channels for the
// forward; many output channels for the stride-1 backward to the input, which is a
// forward convolution of dy over Cout channels) and keep accumulators between them;
// Cin >= 12 so that the backward to the input takes the direct path too (when its
// padding is at most dil*(k-1)).
Case deep_case(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    Case c{};
    c.groups = 1;
    c.cin = pick(12, 45), c.cout = pick(12, 45), c.n = pick(1, 2);
    c.kh = pick(1, 5), c.kw = pick(2, 5);
    c.sh = pick(0, 2) == 0 ? 2 : 1, c.sw = pick(0, 2) == 0 ? 2 : 1;
    c.dh = pick(0, 3) == 0 ? 2 : 1, c.dw = pick(0, 3) == 0 ? 2 : 1;
    c.pt = pick(0, c.dh * (c.kh - 1)), c.pb = pick(0, c.dh * (c.kh - 1));
    c.pl = pick(0, c.dw * (c.kw - 1)), c.pr = pick(0, c.dw * (c.kw - 1));
    c.h = pick(3, 16), c.w = pick(4, 33);
    const int64_t span_w = c.dw * (c.kw - 1) + 1, span_h = c.dh * (c.kh - 1) + 1;
    if (span_h > c.h + c.pt + c.pb || span_w > c.w + c.pl + c.pr) continue;
    if ((c.w + c.pl + c.pr - span_w) / c.sw + 1 >= 4) return c;
  }
}

STRIATE_TEST(conv2d_direct_deep_shapes_match_reference) {
  std::mt19937 rng(57);
  const Case fixed[] = {
      {2, 40, 9, 28, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},    // r3-like: 3 chunks, rows of 28
      {1, 33, 11, 15, 70, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},   // r3s-like: stride 2, 3 blocks
      {2, 20, 7, 13, 13, 5, 5, 1, 1, 4, 0, 2, 4, 1, 1, 1},    // padding up to k-1 on the backward
      {1, 16, 9, 12, 50, 3, 3, 1, 1, 0, 2, 2, 0, 2, 2, 1},    // dilation 2 on both axes
      {5, 2, 64, 64, 80, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},    // the weight gradient takes 3 + 2 images (2^20-float batches)
  };
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2}) {
      for (const Case& c : fixed) ok &= check_case(isa, c, threads, rng);
      for (int i = 0; i < 8; ++i) ok &= check_case(isa, deep_case(rng), threads, rng);
    }
  dispatch::set_num_threads(0);
  return ok;
}

// Shapes the phase-split backward to the input at stride > 1 takes (groups 1, dilation
// 1, Cin >= 12, stride <= kernel on each axis, padding that leaves every phase its taps
// and non-negative padding):
// strides 2 and 3, unequal strides, kernels of 2 (one tap per phase) to 5.
Case strided_case(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    Case c{};
    c.groups = 1, c.dh = 1, c.dw = 1;
    c.cin = pick(12, 30), c.cout = pick(1, 24), c.n = pick(1, 2);
    c.sh = pick(1, 3), c.sw = pick(c.sh == 1 ? 2 : 1, 3);
    c.kh = pick(c.sh, 5), c.kw = pick(c.sw, 5);
    // Padding up to k - s leaves every phase its taps; a little more sometimes sends the
    // shape to the GEMM path instead, which must agree as well.
    c.pt = pick(0, c.kh - c.sh + (pick(0, 4) == 0)), c.pb = pick(0, c.kh - c.sh);
    c.pl = pick(0, c.kw - c.sw + (pick(0, 4) == 0)), c.pr = pick(0, c.kw - c.sw);
    c.h = pick(c.kh, 14), c.w = pick(c.kw, 20);
    return c;
  }
}

STRIATE_TEST(conv2d_direct_strided_grad_input_matches_reference) {
  std::mt19937 rng(13);
  const Case fixed[] = {
      {2, 16, 10, 10, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},  // ResNet's strided 3x3: 2x2, 2x1, 1x2, 1x1 sub-kernels
      {1, 13, 9, 11, 7, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1},    // 2x2 stride 2: one tap per phase
      {1, 12, 13, 8, 9, 5, 4, 3, 2, 2, 1, 0, 3, 1, 1, 1},    // unequal strides, asymmetric padding
  };
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2}) {
      for (const Case& c : fixed) ok &= check_case(isa, c, threads, rng);
      for (int i = 0; i < 10; ++i) ok &= check_case(isa, strided_case(rng), threads, rng);
    }
  dispatch::set_num_threads(0);
  return ok;
}

// Shapes the row-vectorised backward to the input (direct_rows.h) takes: groups 1,
// stride 1, 3 to 11 input channels (one partial or two channel blocks), padding up to
// dil*(k-1), rows of 4 to 40 pixels (partial last vectors, several vectors, rows that
// leave a partial band).
Case rows_case(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    Case c{};
    c.groups = 1, c.sh = 1, c.sw = 1;
    c.cin = pick(3, 11), c.cout = pick(1, 20), c.n = pick(1, 3);
    c.kh = pick(1, 5), c.kw = pick(1, 5);
    c.dh = pick(0, 3) == 0 ? 2 : 1, c.dw = pick(0, 3) == 0 ? 2 : 1;
    c.pt = pick(0, c.dh * (c.kh - 1)), c.pb = pick(0, c.dh * (c.kh - 1));
    c.pl = pick(0, c.dw * (c.kw - 1)), c.pr = pick(0, c.dw * (c.kw - 1));
    c.h = pick(1, 12), c.w = pick(4, 40);
    const int64_t span_w = c.dw * (c.kw - 1) + 1, span_h = c.dh * (c.kh - 1) + 1;
    if (span_h <= c.h + c.pt + c.pb && span_w <= c.w + c.pl + c.pr) return c;
  }
}

STRIATE_TEST(conv2d_direct_rows_shapes_match_reference) {
  std::mt19937 rng(91);
  const Case fixed[] = {
      {3, 6, 14, 14, 16, 5, 5, 1, 1, 4, 4, 4, 4, 1, 1, 1},  // LeNet C3's backward: padded by k-1
      {2, 11, 7, 17, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},   // two channel blocks on AVX2, rows of 17
      {1, 4, 5, 40, 3, 2, 4, 1, 1, 0, 1, 3, 0, 1, 2, 1},    // asymmetric padding, dilation along W
  };
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2}) {
      for (const Case& c : fixed) ok &= check_case(isa, c, threads, rng);
      for (int i = 0; i < 12; ++i) ok &= check_case(isa, rows_case(rng), threads, rng);
    }
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(conv2d_direct_forward_shapes_match_reference) {
  std::mt19937 rng(31);
  const Case fixed[] = {
      {2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1},    // LeNet C3: one vector, rows of 10
      {1, 3, 47, 45, 64, 11, 11, 4, 4, 2, 2, 2, 2, 1, 1, 1},  // AlexNet conv1: two blocks of 32
      {1, 5, 9, 31, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},     // 33 channels: a 1-lane vector, rows of 31
      {2, 4, 8, 15, 17, 2, 3, 2, 1, 0, 1, 2, 0, 2, 1, 1},     // stride and dilation on one axis each
  };
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2}) {
      for (const Case& c : fixed) ok &= check_case(isa, c, threads, rng);
      for (int i = 0; i < 12; ++i) ok &= check_case(isa, direct_case(rng), threads, rng);
    }
  dispatch::set_num_threads(0);
  return ok;
}

// Shapes the pixel-vectorised weight gradient (weight_pixels.h) takes: groups 1, stride 1
// along W, at most 4 output channels (AVX2) or 8 (AVX-512), rows of 8 to 40 pixels
// (partial last vectors); kernels up to 8 wide (two tap blocks), strides and dilation
// along H, dilation along W, padding (images padded a batch at a time).
Case pixels_case(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    Case c{};
    c.groups = 1, c.sw = 1, c.sh = pick(1, 2);
    c.cin = pick(1, 3), c.cout = pick(1, 8), c.n = pick(1, 3);
    c.kh = pick(1, 5), c.kw = pick(1, 8);
    c.dh = pick(0, 3) == 0 ? 2 : 1, c.dw = pick(0, 3) == 0 ? 2 : 1;
    c.pt = pick(0, 2), c.pb = pick(0, 2), c.pl = pick(0, 2), c.pr = pick(0, 2);
    c.h = pick(c.dh * (c.kh - 1) + 1, 12);
    c.w = c.dw * (c.kw - 1) + pick(8, 40) - c.pl - c.pr;
    if (c.w >= 1) return c;
  }
}

STRIATE_TEST(conv2d_weight_pixels_shapes_match_reference) {
  std::mt19937 rng(57);
  const Case fixed[] = {
      {4, 1, 32, 32, 6, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1},   // LeNet C1: rows of 28, channel blocks of 3
      {2, 2, 9, 30, 3, 3, 7, 2, 1, 1, 1, 3, 3, 1, 1, 1},    // 7 taps: two tap blocks; stride 2 along H
      {3, 1, 6, 17, 1, 2, 3, 1, 1, 0, 2, 1, 0, 2, 2, 1},    // one channel, dilation, asymmetric padding
      {1, 3, 5, 16, 8, 1, 2, 1, 1, 0, 0, 0, 0, 1, 1, 1},    // 8 channels, rows of 15
  };
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2}) {
      for (const Case& c : fixed) ok &= check_case(isa, c, threads, rng);
      for (int i = 0; i < 12; ++i) ok &= check_case(isa, pixels_case(rng), threads, rng);
    }
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(conv2d_is_deterministic) {
  std::mt19937 rng(5);
  // Every path splits work so that each output is summed in one order whatever the thread
  // count: the results must match bit for bit across runs and across 1, 2 and 3 threads.
  const Case shapes[] = {{7, 3, 32, 32, 16, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1},
                         {4, 16, 15, 15, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
                         {3, 40, 12, 20, 36, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                         {5, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1},
                         // The GEMM path sharing chunks of images out to threads: im2col
                         // (3 output channels, 2 groups), pointwise gathered and per image.
                         {11, 5, 9, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                         {8, 8, 10, 10, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2},
                         {9, 24, 16, 16, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
                         {3, 7, 48, 47, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}};
  bool ok = true;
  for (const Case& c : shapes) {
    const Conv2dParams p = params_of(c);
    const size_t xs = c.n * c.cin * c.h * c.w, ws = c.cout * c.cin * c.kh * c.kw, ys = c.n * c.cout * p.out_h * p.out_w;
    const auto x = random_floats(xs, rng), w = random_floats(ws, rng), dy = random_floats(ys, rng);
    for (auto isa : isas_under_test()) {
      std::vector<float> one_thread[4];  // y, dx, dw, db at 1 thread
      for (int threads : {1, 2, 3}) {
        dispatch::set_num_threads(threads);
        const auto k = dispatch::kernels_for(isa);
        std::vector<float> y[2], dx[2], dw[2], db[2];
        for (int r = 0; r < 2; ++r) {
          y[r].resize(ys), dx[r].resize(xs), dw[r].resize(ws), db[r].resize(c.cout);
          k.conv2d_forward(p, x.data(), w.data(), nullptr, y[r].data());
          k.conv2d_grad_input(p, dy.data(), w.data(), dx[r].data());
          k.conv2d_grad_weight(p, x.data(), dy.data(), dw[r].data(), db[r].data());
        }
        if (threads == 1) one_thread[0] = y[0], one_thread[1] = dx[0], one_thread[2] = dw[0], one_thread[3] = db[0];
        for (int r = 0; r < 2; ++r) {
          const auto bits = [](const std::vector<float>& a, const std::vector<float>& b) {
            return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
          };
          const bool same = bits(y[r], one_thread[0]) && bits(dx[r], one_thread[1]) && bits(dw[r], one_thread[2]) &&
                            bits(db[r], one_thread[3]);
          if (!same) std::printf("  %s threads=%d run %d %s: differs from 1 thread\n", dispatch::isa_name(isa), threads, r,
                                 describe(c).c_str());
          ok &= same;
        }
      }
    }
  }
  dispatch::set_num_threads(0);
  return ok;
}

// The forward's epilogue (residual add, ReLU) on every ISA and path: the fused call must
// give the bits of the plain call followed by the add and the ReLU, and stay within the
// forward's tolerance of the reference's fused call. Shapes reach the 1x1 GEMM, im2col
// with one and several images per chunk, groups, and the direct kernels with channel
// counts and row widths that do not fill a register tile.
STRIATE_TEST(conv2d_epilogue_matches_unfused_on_every_isa) {
  std::mt19937 rng(12);
  std::vector<Case> shapes(std::begin(kFixed), std::end(kFixed));
  shapes.push_back({1, 8, 13, 11, 21, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  shapes.push_back({3, 5, 16, 17, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  shapes.push_back({2, 9, 20, 20, 19, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1});
  shapes.push_back({4, 33, 7, 7, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1});
  for (int i = 0; i < 12; ++i) shapes.push_back(random_case(rng));
  bool ok = true;
  for (const Case& c : shapes) {
    const Conv2dParams p = params_of(c);
    const size_t xs = c.n * c.cin * c.h * c.w, ws = c.cout * (c.cin / c.groups) * c.kh * c.kw;
    const size_t ys = c.n * c.cout * p.out_h * p.out_w;
    const auto x = random_floats(xs, rng), w = random_floats(ws, rng), b = random_floats(c.cout, rng);
    const auto r = random_floats(ys, rng);
    for (bool with_residual : {false, true})
      for (auto act : {ConvActivation::none, ConvActivation::relu}) {
        if (!with_residual && act == ConvActivation::none) continue;
        Conv2dParams q = p;
        q.residual = with_residual ? r.data() : nullptr, q.activation = act;
        std::vector<float> ref_fused(ys);
        reference::conv2d_forward(q, x.data(), w.data(), b.data(), ref_fused.data());
        for (auto isa : isas_under_test())
          for (int threads : {1, 2}) {
            dispatch::set_num_threads(threads);
            const auto k = dispatch::kernels_for(isa);
            std::vector<float> plain(ys), fused(ys, std::nanf(""));
            k.conv2d_forward(p, x.data(), w.data(), b.data(), plain.data());
            k.conv2d_forward(q, x.data(), w.data(), b.data(), fused.data());
            for (size_t j = 0; j < ys; ++j) {
              float v = plain[j] + (with_residual ? r[j] : 0.0f);
              if (act == ConvActivation::relu) v = v > 0.0f ? v : 0.0f;
              plain[j] = v;
            }
            if (std::memcmp(plain.data(), fused.data(), ys * sizeof(float)) != 0) {
              std::printf("  %s threads=%d residual=%d relu=%d %s: fused differs from conv, add, relu\n",
                          dispatch::isa_name(isa), threads, int(with_residual), int(act == ConvActivation::relu),
                          describe(c).c_str());
              ok = false;
            }
            const double terms = double(c.cin / c.groups) * c.kh * c.kw;
            const Diff d = compare(fused.data(), ref_fused.data(), ys, std::sqrt(terms) + 1.0);
            if (d.worst > 4e-7 * (terms + 8)) {
              std::printf("  %s threads=%d %s: fused error %.3g against the reference\n", dispatch::isa_name(isa),
                          threads, describe(c).c_str(), d.worst);
              ok = false;
            }
          }
      }
  }
  dispatch::set_num_threads(0);
  return ok;
}

// The forward's prologue (a batch norm and a ReLU on x, input_norm, normalised as the
// SGEMM packs x) gives the bits of batch_norm_fwd with the ReLU and then the plain call,
// on every ISA, 1 and 2 threads, with and without the epilogue, on the 1x1 convolutions,
// image by image or small maps gathered into chunks of images (a last chunk of one image
// too); the others (a 1x1 map, groups, any other kernel) are not eligible: the binding
// normalises x first there.
STRIATE_TEST(conv2d_input_norm_gives_the_bits_of_batch_norm_first) {
  std::mt19937 rng(31);
  const Case eligible[] = {{1, 37, 9, 11, 19, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}, {1, 300, 16, 16, 13, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
                           {3, 20, 5, 5, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}, {2, 64, 56, 56, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
                           {1, 16, 2, 2, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}, {32, 33, 3, 3, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
                           {138, 4, 3, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}};
  const Case not_eligible[] = {{5, 16, 1, 1, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
                               {2, 12, 8, 9, 18, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3}, {1, 16, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
  bool ok = true;
  for (const Case& c : not_eligible)
    if (conv::forward_reads_input_norm(params_of(c))) {
      std::printf("  %s: should not read an input norm\n", describe(c).c_str());
      ok = false;
    }
  for (const Case& c : eligible) {
    const Conv2dParams p = params_of(c);
    if (!conv::forward_reads_input_norm(p)) {
      std::printf("  %s: should read an input norm\n", describe(c).c_str());
      ok = false;
      continue;
    }
    const size_t xs = c.n * c.cin * c.h * c.w, ws = c.cout * (c.cin / c.groups) * c.kh * c.kw;
    const size_t ys = c.n * c.cout * p.out_h * p.out_w;
    const auto x = random_floats(xs, rng), w = random_floats(ws, rng), b = random_floats(c.cout, rng);
    const auto r = random_floats(ys, rng), gamma = random_floats(c.cin, rng), beta = random_floats(c.cin, rng);
    std::vector<double> mean(c.cin), inv_std(c.cin);
    std::vector<ChannelAffine> norm(c.cin);
    for (int64_t i = 0; i < c.cin; ++i) {
      mean[i] = 0.3 * random_floats(1, rng)[0], inv_std[i] = 0.5 + std::abs(random_floats(1, rng)[0]);
      norm[i] = bn_affine(mean[i], inv_std[i], gamma[i], beta[i]);
    }
    for (bool epilogue : {false, true})
      for (auto isa : isas_under_test())
        for (int threads : {1, 2}) {
          dispatch::set_num_threads(threads);
          const auto k = dispatch::kernels_for(isa);
          Conv2dParams q = p;
          if (epilogue) q.residual = r.data(), q.activation = ConvActivation::relu;
          std::vector<float> normalized(xs), want(ys), got(ys, std::nanf(""));
          k.batch_norm_fwd(c.n, c.cin, c.h * c.w, x.data(), mean.data(), inv_std.data(), gamma.data(), beta.data(), true,
                           normalized.data());
          k.conv2d_forward(q, normalized.data(), w.data(), b.data(), want.data());
          q.input_norm = norm.data();
          k.conv2d_forward(q, x.data(), w.data(), b.data(), got.data());
          if (std::memcmp(got.data(), want.data(), ys * sizeof(float)) != 0) {
            std::printf("  %s threads=%d epilogue=%d %s: differs from batch norm, then conv\n", dispatch::isa_name(isa),
                        threads, int(epilogue), describe(c).c_str());
            ok = false;
          }
        }
  }
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(conv2d_output_size_rejects_bad_shapes) {
  Conv2dParams p;
  p.batch = 1, p.in_channels = 3, p.in_h = 4, p.in_w = 4, p.out_channels = 6, p.kernel_h = 5, p.kernel_w = 3;
  bool ok = !conv2d_output_size(&p);  // kernel taller than the input
  p.pad_top = 1;
  ok &= conv2d_output_size(&p) && p.out_h == 1 && p.out_w == 2;
  p.groups = 2;
  ok &= !conv2d_output_size(&p);  // 3 input channels in 2 groups
  p.groups = 1, p.stride_h = 0;
  ok &= !conv2d_output_size(&p);
  return ok;
}

}  // namespace striate::test
