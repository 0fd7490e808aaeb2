// Every ISA's elementwise kernels against reference.cc on awkward lengths (1, 7, 15, 16,
// 17, primes, 1000003: under, at and over the 8- and 16-float registers, and past the
// threading grain), at 1 and 2 threads, with offset (unaligned) views; bias shapes with
// inner = 1 (dense) and planes; softmax cross-entropy with labels and soft targets;
// bitwise repeatability of the bias gradient.
#include <cstring>
#include <string>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"
#include "tests/harness.h"

namespace striate::test {

namespace {

const int64_t kLengths[] = {1, 7, 15, 16, 17, 31, 33, 1009, 65537, 1000003};

std::string where(dispatch::Isa isa, const char* what, int64_t n, int threads) {
  return std::string(dispatch::isa_name(isa)) + " " + what + " n=" + std::to_string(n) +
         " threads=" + std::to_string(threads);
}

bool same(const float* got, const float* want, int64_t n, const std::string& at) {
  if (std::memcmp(got, want, n * sizeof(float)) == 0) return true;
  for (int64_t i = 0; i < n; ++i)
    if (std::memcmp(got + i, want + i, sizeof(float)) != 0) {
      std::printf("  %s: differs at %lld (got %g, want %g)\n", at.c_str(), (long long)i, got[i], want[i]);
      break;
    }
  return false;
}

bool close(const float* got, const float* want, int64_t n, double tol, double scale, const std::string& at) {
  const Diff d = compare(got, want, n, scale);
  if (d.worst <= tol) return true;
  std::printf("  %s: error %.3g at %zu (got %g, want %g)\n", at.c_str(), d.worst, d.index, got[d.index],
              want[d.index]);
  return false;
}

// Random values with exact zeros and a NaN sprinkled in, so relu's x > 0 test is tried on both.
std::vector<float> activations(int64_t n, std::mt19937& rng) {
  auto v = random_floats(n + 1, rng);
  for (int64_t i = 0; i < n; i += 11) v[i] = 0.0f;
  if (n > 5) v[5] = std::nanf("");
  return v;
}

bool check_streams(dispatch::Isa isa, int64_t n, int threads, std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  dispatch::set_num_threads(threads);
  // Views start one float in, so no vector load is aligned.
  const auto xs = activations(n, rng), dys = random_floats(n + 1, rng);
  const float *x = xs.data() + 1, *dy = dys.data() + 1;
  std::vector<float> got(n + 1), want(n);
  bool ok = true;
  k.relu_fwd(n, x, got.data() + 1);
  reference::relu_fwd(n, x, want.data());
  ok &= same(got.data() + 1, want.data(), n, where(isa, "relu_fwd", n, threads));
  k.relu_bwd(n, x, dy, got.data() + 1);
  reference::relu_bwd(n, x, dy, want.data());
  ok &= same(got.data() + 1, want.data(), n, where(isa, "relu_bwd", n, threads));
  // In place (dx aliasing dy), as a layer that owns dy may run it.
  std::vector<float> inplace(dys);
  k.relu_bwd(n, x, inplace.data() + 1, inplace.data() + 1);
  ok &= same(inplace.data() + 1, want.data(), n, where(isa, "relu_bwd in place", n, threads));
  k.leaky_relu_fwd(n, 0.1f, x, got.data() + 1);
  reference::leaky_relu_fwd(n, 0.1f, x, want.data());
  ok &= same(got.data() + 1, want.data(), n, where(isa, "leaky_relu_fwd", n, threads));
  k.leaky_relu_bwd(n, 0.1f, x, dy, got.data() + 1);
  reference::leaky_relu_bwd(n, 0.1f, x, dy, want.data());
  ok &= same(got.data() + 1, want.data(), n, where(isa, "leaky_relu_bwd", n, threads));
  return ok;
}

bool check_optimizers(dispatch::Isa isa, int64_t n, int threads, std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  dispatch::set_num_threads(threads);
  const auto value = random_floats(n, rng), grad = random_floats(n, rng), buf = random_floats(n, rng);
  bool ok = true;
  for (int variant = 0; variant < 3; ++variant) {
    SgdStep s;
    s.lr = 0.05f;
    s.weight_decay = 1e-3f;
    s.momentum = variant == 0 ? 0.0f : 0.9f;
    s.keep = s.momentum;
    s.share = 0.9f;
    s.nesterov = variant == 2;
    std::vector<float> p(value), b(buf), want_p(value), want_b(buf);
    k.sgd_update(n, s, p.data(), grad.data(), variant == 0 ? nullptr : b.data());
    reference::sgd_update(n, s, want_p.data(), grad.data(), variant == 0 ? nullptr : want_b.data());
    const std::string at = where(isa, variant == 0 ? "sgd" : variant == 1 ? "sgd momentum" : "sgd nesterov", n, threads);
    ok &= close(p.data(), want_p.data(), n, 1e-6, 1.0, at + " value");
    ok &= close(b.data(), want_b.data(), n, 1e-6, 1.0, at + " momentum");
  }
  for (float decay : {1.0f, 0.999f}) {
    AdamStep s{0.01f / (1 - 0.9f * 0.9f), 0.9f, 0.999f, std::sqrt(1 - 0.999f * 0.999f), 1e-8f, decay == 1.0f ? 1e-2f : 0.0f, decay};
    std::vector<float> p(value), m(grad), v(n), want_p(value), want_m(grad), want_v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = want_v[i] = std::abs(buf[i]) * 1e-2f;
    k.adam_update(n, s, p.data(), grad.data(), m.data(), v.data());
    reference::adam_update(n, s, want_p.data(), grad.data(), want_m.data(), want_v.data());
    const std::string at = where(isa, decay == 1.0f ? "adam" : "adamw", n, threads);
    ok &= close(p.data(), want_p.data(), n, 1e-6, 1.0, at + " value");
    ok &= close(m.data(), want_m.data(), n, 1e-6, 1.0, at + " m");
    ok &= close(v.data(), want_v.data(), n, 1e-6, 1e-3, at + " v");
  }
  return ok;
}

bool check_bias(dispatch::Isa isa, int64_t outer, int64_t channels, int64_t inner, int threads, std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  dispatch::set_num_threads(threads);
  const int64_t size = outer * channels * inner;
  const auto y0 = random_floats(size, rng), b = random_floats(channels, rng), db0 = random_floats(channels, rng);
  const std::string at = std::string(dispatch::isa_name(isa)) + " [" + std::to_string(outer) + "," +
                         std::to_string(channels) + "," + std::to_string(inner) + "] threads=" + std::to_string(threads);
  bool ok = true;
  std::vector<float> y(y0), want_y(y0);
  k.bias_add(outer, channels, inner, b.data(), y.data());
  reference::bias_add(outer, channels, inner, b.data(), want_y.data());
  ok &= same(y.data(), want_y.data(), size, at + " bias_add");
  std::vector<float> db(db0), again(db0), want_db(db0);
  k.bias_grad(outer, channels, inner, y0.data(), db.data());
  k.bias_grad(outer, channels, inner, y0.data(), again.data());
  reference::bias_grad(outer, channels, inner, y0.data(), want_db.data());
  // Sums of outer·inner values in [-1, 1]: the error grows with the count.
  ok &= close(db.data(), want_db.data(), channels, 1e-6, std::sqrt(double(outer * inner)), at + " bias_grad");
  ok &= same(again.data(), db.data(), channels, at + " bias_grad repeated");
  return ok;
}

bool check_softmax(dispatch::Isa isa, int64_t n, int64_t kk, float eps, bool soft, std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  auto logits = random_floats(n * kk, rng);
  for (auto& v : logits) v *= 20.0f;
  std::vector<int32_t> labels(n);
  for (auto& l : labels) l = std::uniform_int_distribution<int32_t>(0, int32_t(kk - 1))(rng);
  std::vector<float> targets(n * kk);
  for (int64_t r = 0; r < n; ++r) {
    float sum = 0;
    for (int64_t j = 0; j < kk; ++j) sum += targets[r * kk + j] = std::uniform_real_distribution<float>(0, 1)(rng);
    for (int64_t j = 0; j < kk; ++j) targets[r * kk + j] /= sum;
  }
  const int32_t* l = soft ? nullptr : labels.data();
  const float* t = soft ? targets.data() : nullptr;
  std::vector<float> d(n * kk), want_d(n * kk);
  const double loss = k.softmax_xent(n, kk, logits.data(), l, t, eps, d.data());
  const double want = reference::softmax_xent(n, kk, logits.data(), l, t, eps, want_d.data());
  const std::string at = std::string(dispatch::isa_name(isa)) + " softmax_xent n=" + std::to_string(n) +
                         " k=" + std::to_string(kk) + (soft ? " soft" : " labels");
  bool ok = close(d.data(), want_d.data(), n * kk, 1e-5, 1.0 / n, at + " dlogits");
  if (!(std::abs(loss - want) <= 1e-5 * (std::abs(want) + n))) {
    std::printf("  %s: loss %.9g, want %.9g\n", at.c_str(), loss, want);
    ok = false;
  }
  return ok;
}

}  // namespace

STRIATE_TEST(elementwise_streams_match_reference) {
  std::mt19937 rng(17);
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (int64_t n : kLengths) ok &= check_streams(isa, n, threads, rng) && check_optimizers(isa, n, threads, rng);
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(elementwise_bias_matches_reference) {
  std::mt19937 rng(23);
  bool ok = true;
  // Dense rows (inner 1), LeNet's conv planes, odd planes, and one past the threading grain.
  const int64_t shapes[][3] = {{1, 1, 1}, {7, 13, 1}, {64, 120, 1}, {3, 17, 1}, {1, 5, 7},  {64, 6, 784},
                               {2, 3, 15}, {5, 16, 17}, {3, 2, 1009}, {4, 4, 65537}, {1000003, 1, 1}};
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const auto& s : shapes) ok &= check_bias(isa, s[0], s[1], s[2], threads, rng);
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(elementwise_softmax_xent_matches_reference) {
  std::mt19937 rng(29);
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int64_t n : {1, 7, 64})
      for (int64_t kk : {1, 2, 10, 17, 1000})
        for (float eps : {0.0f, 0.1f})
          for (bool soft : {false, true}) ok &= check_softmax(isa, n, kk, eps, soft, rng);
  return ok;
}

}  // namespace striate::test
