// Every ISA's pooling kernels against reference.cc on random geometries: odd and prime
// sizes, kernels 1-5, strides 1-3, padding up to half the kernel, ceil mode on and off,
// batch 1 and 7, 1 and 2 threads; rows of 1-33 outputs (the narrower traits); tilings
// (kernel = stride) whose backward runs dense, with argmax that leaves its tile; plus
// determinism and out-of-range argmax.
#include <cstring>
#include <limits>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"
#include "tests/harness.h"

namespace striate::test {

namespace {

// Widths around the AVX-512 and AVX2 chunks (16 and 8 outputs, stride 2 reads twice that).
const int64_t kWidths[] = {1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 34, 37, 64, 67, 131};
const int64_t kChannels[] = {1, 2, 3, 5, 13};

bool random_geometry(std::mt19937& rng, Pool2dParams* p) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  p->batch = pick(0, 1) ? 7 : 1;
  p->channels = kChannels[pick(0, 4)];
  p->in_h = pick(1, 19);
  p->in_w = kWidths[pick(0, 14)];
  p->kernel_h = pick(1, 5);
  p->kernel_w = pick(1, 5);
  p->stride_h = pick(1, 3);
  p->stride_w = pick(1, 3);
  p->pad_h = pick(0, p->kernel_h / 2);
  p->pad_w = pick(0, p->kernel_w / 2);
  p->count_include_pad = pick(0, 1);
  const bool ceil_mode = pick(0, 1);
  p->out_h = pool2d_out_size(p->in_h, p->kernel_h, p->stride_h, p->pad_h, ceil_mode);
  p->out_w = pool2d_out_size(p->in_w, p->kernel_w, p->stride_w, p->pad_w, ceil_mode);
  return p->out_h >= 1 && p->out_w >= 1;
}

std::string describe(dispatch::Isa isa, const Pool2dParams& p, int threads) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s x=[%lld,%lld,%lld,%lld] k=%lldx%lld s=%lldx%lld p=%lldx%lld out=%lldx%lld threads=%d",
                dispatch::isa_name(isa), (long long)p.batch, (long long)p.channels, (long long)p.in_h,
                (long long)p.in_w, (long long)p.kernel_h, (long long)p.kernel_w, (long long)p.stride_h,
                (long long)p.stride_w, (long long)p.pad_h, (long long)p.pad_w, (long long)p.out_h, (long long)p.out_w,
                threads);
  return buf;
}

bool same(const void* a, const void* b, size_t bytes, const std::string& what, const std::string& where) {
  if (std::memcmp(a, b, bytes) == 0) return true;
  std::printf("  %s differs: %s\n", what.c_str(), where.c_str());
  return false;
}

bool close(const std::vector<float>& got, const std::vector<float>& want, double tol, double scale,
           const std::string& what, const std::string& where) {
  const Diff d = compare(got.data(), want.data(), got.size(), scale);
  if (d.worst <= tol) return true;
  std::printf("  %s: error %.3g at %zu (got %g, want %g): %s\n", what.c_str(), d.worst, d.index, got[d.index],
              want[d.index], where.c_str());
  return false;
}

bool check_geometry(dispatch::Isa isa, const Pool2dParams& p, int threads, std::mt19937& rng) {
  const size_t in = p.batch * p.channels * p.in_h * p.in_w, out = p.batch * p.channels * p.out_h * p.out_w;
  const auto x = random_floats(in, rng), dy = random_floats(out, rng);
  std::vector<double> u(out);
  for (auto& v : u) v = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const auto k = dispatch::kernels_for(isa);
  const std::string where = describe(isa, p, threads);
  dispatch::set_num_threads(threads);
  bool ok = true;

  std::vector<float> y(out), want_y(out), dx(in), want_dx(in);
  std::vector<int32_t> arg(out), want_arg(out);
  reference::maxpool2d_fwd(p, x.data(), want_y.data(), want_arg.data());
  k.maxpool2d_fwd(p, x.data(), y.data(), arg.data());
  ok &= same(y.data(), want_y.data(), out * 4, "max y", where);
  ok &= same(arg.data(), want_arg.data(), out * 4, "max argmax", where);
  std::fill(y.begin(), y.end(), 0.0f);
  k.maxpool2d_fwd(p, x.data(), y.data(), nullptr);
  ok &= same(y.data(), want_y.data(), out * 4, "max y without argmax", where);
  ok &= reference::maxpool2d_bwd(p, dy.data(), want_arg.data(), want_dx.data()) == 0;
  ok &= k.maxpool2d_bwd(p, dy.data(), want_arg.data(), dx.data()) == 0;
  ok &= same(dx.data(), want_dx.data(), in * 4, "max dx", where);

  // Same summation order per window as the reference; only FMA contraction may differ.
  reference::avgpool2d_fwd(p, x.data(), want_y.data());
  k.avgpool2d_fwd(p, x.data(), y.data());
  ok &= close(y, want_y, 1e-6, 1.0, "avg y", where);
  reference::avgpool2d_bwd(p, dy.data(), want_dx.data());
  k.avgpool2d_bwd(p, dy.data(), dx.data());
  ok &= close(dx, want_dx, 1e-6 * p.kernel_h * p.kernel_w, 1.0, "avg dx", where);

  reference::stochpool2d_train(p, x.data(), u.data(), want_y.data(), want_arg.data());
  k.stochpool2d_train(p, x.data(), u.data(), y.data(), arg.data());
  ok &= same(y.data(), want_y.data(), out * 4, "stochastic y", where);
  ok &= same(arg.data(), want_arg.data(), out * 4, "stochastic index", where);
  reference::stochpool2d_infer(p, x.data(), want_y.data());
  k.stochpool2d_infer(p, x.data(), y.data());
  ok &= close(y, want_y, 1e-5, 1.0, "stochastic inference y", where);
  // Keep sum(a+) away from 0, where the inference gradient 1/sum(a+) explodes.
  std::vector<float> xp(x);
  for (auto& v : xp) v = 0.1f + 0.9f * std::abs(v);
  reference::stochpool2d_infer_bwd(p, xp.data(), dy.data(), want_dx.data());
  k.stochpool2d_infer_bwd(p, xp.data(), dy.data(), dx.data());
  ok &= close(dx, want_dx, 1e-5 * p.kernel_h * p.kernel_w, 1.0, "stochastic inference dx", where);
  return ok;
}

Pool2dParams geometry(int64_t batch, int64_t channels, int64_t in_h, int64_t in_w, int64_t kernel_h, int64_t kernel_w,
                      int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, bool ceil_mode) {
  Pool2dParams p;
  p.batch = batch, p.channels = channels, p.in_h = in_h, p.in_w = in_w;
  p.kernel_h = kernel_h, p.kernel_w = kernel_w, p.stride_h = stride_h, p.stride_w = stride_w;
  p.pad_h = pad_h, p.pad_w = pad_w;
  p.out_h = pool2d_out_size(in_h, kernel_h, stride_h, pad_h, ceil_mode);
  p.out_w = pool2d_out_size(in_w, kernel_w, stride_w, pad_w, ceil_mode);
  return p;
}

// The backward as the binding calls it: maxPool2dGrad passes the shapes only.
Pool2dParams shapes_only(const Pool2dParams& p) {
  Pool2dParams q;
  q.batch = p.batch, q.channels = p.channels, q.in_h = p.in_h, q.in_w = p.in_w, q.out_h = p.out_h, q.out_w = p.out_w;
  return q;
}

// Max backward through `arg` and, for a tiling, the average backward, bitwise.
bool check_backward(dispatch::Isa isa, const Pool2dParams& p, const std::vector<int32_t>& arg, int threads,
                    std::mt19937& rng) {
  const size_t in = p.batch * p.channels * p.in_h * p.in_w, out = p.batch * p.channels * p.out_h * p.out_w;
  const auto dy = random_floats(out, rng);
  const auto k = dispatch::kernels_for(isa);
  const std::string where = describe(isa, p, threads);
  dispatch::set_num_threads(threads);
  std::vector<float> dx(in, 7.0f), want(in);
  const int64_t want_bad = reference::maxpool2d_bwd(p, dy.data(), arg.data(), want.data());
  bool ok = k.maxpool2d_bwd(shapes_only(p), dy.data(), arg.data(), dx.data()) == want_bad;
  ok &= same(dx.data(), want.data(), in * 4, "max dx", where);
  if (p.kernel_h == p.stride_h && p.kernel_w == p.stride_w && p.pad_h == 0 && p.pad_w == 0) {
    for (bool include_pad : {false, true}) {
      Pool2dParams q = p;
      q.count_include_pad = include_pad;
      std::fill(dx.begin(), dx.end(), 7.0f);
      reference::avgpool2d_bwd(q, dy.data(), want.data());
      k.avgpool2d_bwd(q, dy.data(), dx.data());
      ok &= same(dx.data(), want.data(), in * 4, "avg dx", where);
    }
  }
  return ok;
}

}  // namespace

STRIATE_TEST(pool2d_narrow_rows_match_reference) {
  std::mt19937 rng(1998);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  bool ok = true;
  int checked = 0;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (int64_t cols = 1; cols <= 33; ++cols)
        for (int64_t stride = 1; stride <= 2; ++stride) {
          const int64_t kernel = pick(1, 4), pad = pick(0, kernel / 2);
          // An input row that gives about `cols` outputs.
          const int64_t in_w = std::max<int64_t>(1, (cols - 1) * stride + kernel - 2 * pad + pick(0, 1));
          const Pool2dParams p = geometry(pick(1, 2), pick(1, 3), pick(1, 9), in_w, pick(1, 3), kernel, pick(1, 2), stride,
                                          0, pad, pick(0, 1));
          if (p.out_h < 1 || p.out_w < 1) continue;
          ok &= check_geometry(isa, p, threads, rng);
          ++checked;
        }
  dispatch::set_num_threads(0);
  return ok && checked > 200;
}

STRIATE_TEST(pool2d_tiled_backward_matches_reference) {
  std::mt19937 rng(89);
  bool ok = true;
  // kernel = stride tilings: 2x2 (LeNet, VGG), 1x1, 3x2, 2x1, 1x2, and 3x3 (tiles too wide
  // for the dense form); widths around 2 vectors of each ISA, odd ones clipped by ceil mode.
  const int64_t tiles[][2] = {{2, 2}, {1, 1}, {3, 2}, {2, 1}, {1, 2}, {3, 3}};
  const int64_t widths[] = {1, 5, 10, 15, 16, 17, 28, 31, 32, 33, 47, 56, 63, 64, 65, 70};
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const auto& t : tiles)
        for (int64_t in_w : widths)
          for (bool ceil_mode : {false, true}) {
            const Pool2dParams p = geometry(2, 3, 7 + in_w % 4, in_w, t[0], t[1], t[0], t[1], 0, 0, ceil_mode);
            if (p.out_h < 1 || p.out_w < 1) continue;
            const size_t in = p.batch * p.channels * p.in_h * p.in_w, out = p.batch * p.channels * p.out_h * p.out_w;
            const auto x = random_floats(in, rng);
            std::vector<float> y(out);
            std::vector<int32_t> arg(out);
            reference::maxpool2d_fwd(p, x.data(), y.data(), arg.data());
            ok &= check_backward(isa, p, arg, threads, rng);
            // Argmax outside its tile (here the next output's maximum) from the fourth plane
            // on, and out of range in the last: the dense form must hand those planes back.
            if (p.out_w >= 2) {
              std::vector<int32_t> moved(arg);
              const size_t plane = p.out_h * p.out_w;
              for (size_t o = 3 * plane; o + 1 < out; o += 3) moved[o] = moved[o + 1];
              moved[out - 1] = static_cast<int32_t>(p.in_h * p.in_w);
              ok &= check_backward(isa, p, moved, threads, rng);
            }
          }
  // Overlapping windows, whose argmax often leaves the tile the shapes suggest.
  for (auto isa : isas_under_test())
    for (int threads : {1, 2}) {
      const Pool2dParams p = geometry(2, 5, 65, 67, 3, 3, 2, 2, 1, 1, false);
      const size_t in = p.batch * p.channels * p.in_h * p.in_w, out = p.batch * p.channels * p.out_h * p.out_w;
      const auto x = random_floats(in, rng);
      std::vector<float> y(out);
      std::vector<int32_t> arg(out);
      reference::maxpool2d_fwd(p, x.data(), y.data(), arg.data());
      ok &= check_backward(isa, p, arg, threads, rng);
    }
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(pool2d_every_isa_matches_reference) {
  std::mt19937 rng(2013);
  bool ok = true;
  int checked = 0;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (int t = 0; t < 150; ++t) {
        Pool2dParams p;
        if (!random_geometry(rng, &p)) continue;
        ok &= check_geometry(isa, p, threads, rng);
        ++checked;
      }
  dispatch::set_num_threads(0);
  return ok && checked > 300;
}

STRIATE_TEST(pool2d_hot_shapes_match_reference) {
  std::mt19937 rng(4);
  bool ok = true;
  // 2x2/2 (VGG, LeNet), 3x3/2 p1 (ResNet stem), 3x3/1 p1 (Inception), global 7x7.
  const int64_t shapes[][6] = {{2, 2, 2, 2, 0, 0}, {3, 3, 2, 2, 1, 1}, {3, 3, 1, 1, 1, 1}, {7, 7, 1, 1, 0, 0}};
  for (auto isa : isas_under_test())
    for (const auto& s : shapes)
      for (bool ceil_mode : {false, true}) {
        Pool2dParams p;
        p.batch = 2;
        p.channels = 3;
        p.in_h = s[0] == 7 ? 7 : 57;
        p.in_w = s[0] == 7 ? 7 : 113;
        p.kernel_h = s[0], p.kernel_w = s[1], p.stride_h = s[2], p.stride_w = s[3], p.pad_h = s[4], p.pad_w = s[5];
        p.out_h = pool2d_out_size(p.in_h, p.kernel_h, p.stride_h, p.pad_h, ceil_mode);
        p.out_w = pool2d_out_size(p.in_w, p.kernel_w, p.stride_w, p.pad_w, ceil_mode);
        ok &= check_geometry(isa, p, 2, rng);
      }
  dispatch::set_num_threads(0);
  return ok;
}

// Output maps of 16 (4 with Avx2's block transposes) to 64 pixels run their planes a
// vector at a time through the window table (GoogLeNet's pools at 3x32x32): 3 x 7 = 21
// planes make whole groups and a few left over on every ISA, and input maps of 4 to 256
// pixels move in whole 8x8 blocks and a remainder (Avx2); also 1x1 outputs (one plane at
// a time), with the padding counted and not.
STRIATE_TEST(pool2d_small_maps_in_plane_groups_match_reference) {
  std::mt19937 rng(12);
  bool ok = true;
  // in, kernel, stride, pad, ceil
  const int64_t shapes[][5] = {{4, 3, 1, 1, 0}, {8, 3, 2, 0, 1}, {16, 3, 2, 0, 1}, {5, 2, 1, 0, 0}, {2, 3, 1, 1, 0}, {9, 3, 3, 1, 1}, {2, 2, 2, 0, 0}};
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const auto& s : shapes)
        for (bool include_pad : {false, true}) {
          Pool2dParams p = geometry(3, 7, s[0], s[0], s[1], s[1], s[2], s[2], s[3], s[3], s[4] != 0);
          p.count_include_pad = include_pad;
          ok &= check_geometry(isa, p, threads, rng);
        }
  dispatch::set_num_threads(0);
  return ok;
}

// Max pooling without argmax takes overlapping windows row by row (driver.h,
// max_by_rows), which must pick the same element as the window order: ties of +0 and -0
// (the first wins), infinities, and NaN, which only the window order can place (a NaN
// opening a window's later row is skipped there): planes with NaN fall back to it. Values
// from a small set make ties in most windows; every other plane has no NaN.
STRIATE_TEST(pool2d_max_by_rows_keeps_the_window_order_on_ties_and_nan) {
  std::mt19937 rng(21);
  const float kNan = std::numeric_limits<float>::quiet_NaN(), kInf = std::numeric_limits<float>::infinity();
  const float with_nan[] = {kNan, -kInf, -1.0f, -0.0f, 0.0f, 1.0f, kInf, -0.0f};
  // in_h, in_w, kernel, stride, pad, ceil
  const int64_t shapes[][6] = {{28, 28, 3, 1, 1, 0}, {29, 57, 3, 2, 0, 1}, {13, 37, 3, 2, 1, 0}, {9, 20, 5, 2, 2, 1}, {17, 9, 2, 1, 0, 0}};
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const auto& s : shapes) {
        Pool2dParams p = geometry(2, 3, s[0], s[1], s[2], s[2], s[3], s[3], s[4], s[4], s[5] != 0);
        const int64_t plane = p.in_h * p.in_w, planes = p.batch * p.channels, out = planes * p.out_h * p.out_w;
        std::vector<float> x(planes * plane);
        for (int64_t c = 0; c < planes; ++c)
          for (int64_t e = 0; e < plane; ++e)
            x[c * plane + e] = with_nan[std::uniform_int_distribution<int>(c % 2 ? 1 : 0, 7)(rng)];
        std::vector<float> y(out), want(out);
        std::vector<int32_t> arg(out);
        reference::maxpool2d_fwd(p, x.data(), want.data(), arg.data());
        dispatch::set_num_threads(threads);
        dispatch::kernels_for(isa).maxpool2d_fwd(p, x.data(), y.data(), nullptr);
        ok &= same(y.data(), want.data(), out * 4, "max y without argmax", describe(isa, p, threads));
      }
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(pool2d_is_deterministic) {
  std::mt19937 rng(11);
  Pool2dParams p;
  p.batch = 7, p.channels = 13, p.in_h = 31, p.in_w = 37, p.kernel_h = 3, p.kernel_w = 3, p.stride_h = 1,
  p.stride_w = 1, p.pad_h = 1, p.pad_w = 1;
  p.out_h = pool2d_out_size(p.in_h, 3, 1, 1, false), p.out_w = pool2d_out_size(p.in_w, 3, 1, 1, false);
  const size_t in = p.batch * p.channels * p.in_h * p.in_w, out = p.batch * p.channels * p.out_h * p.out_w;
  const auto x = random_floats(in, rng), dy = random_floats(out, rng);
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2, 3}) {
      dispatch::set_num_threads(threads);
      const auto k = dispatch::kernels_for(isa);
      std::vector<float> a(in), b(in);
      k.avgpool2d_bwd(p, dy.data(), a.data());
      k.avgpool2d_bwd(p, dy.data(), b.data());
      ok &= std::memcmp(a.data(), b.data(), in * 4) == 0;
      k.stochpool2d_infer_bwd(p, x.data(), dy.data(), a.data());
      k.stochpool2d_infer_bwd(p, x.data(), dy.data(), b.data());
      ok &= std::memcmp(a.data(), b.data(), in * 4) == 0;
    }
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(pool2d_backward_counts_out_of_range_argmax) {
  Pool2dParams p;
  p.batch = 2, p.channels = 3, p.in_h = 4, p.in_w = 4, p.out_h = 2, p.out_w = 2;
  std::vector<float> dy(24, 1.0f), dx(96, 7.0f);
  std::vector<int32_t> argmax(24, 5);  // 4 outputs per plane, all from input 5 but two
  argmax[3] = -1;
  argmax[17] = 16;
  bool ok = true;
  for (auto isa : isas_under_test()) {
    ok &= dispatch::kernels_for(isa).maxpool2d_bwd(p, dy.data(), argmax.data(), dx.data()) == 2;
    ok &= dx[5] == 3.0f && dx[16 + 5] == 4.0f && dx[64 + 5] == 3.0f && dx[0] == 0.0f;
  }
  return ok;
}

}  // namespace striate::test
