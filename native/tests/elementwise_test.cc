// Every ISA's elementwise kernels against reference.cc on awkward lengths (1, 7, 15, 16,
// 17, primes, 1000003: under, at and over the 8- and 16-float registers, and past the
// threading grain), at 1 and 2 threads, with offset (unaligned) views; bias shapes with
// inner = 1 (dense) and planes; softmax cross-entropy with labels and soft targets;
// bitwise repeatability of the bias gradient. Sigmoid, tanh and ELU (vector exp and
// tanh against double std::exp/std::tanh/std::expm1) over [-10, 10] and a ladder of
// magnitudes to ±120; batch norm (training and inference, forward and backward) on
// [outer, channels, inner] shapes from [N, F] to one 1000003-float channel, with bitwise
// equality across thread counts; softmax along the last and inner axes; local response
// norm with odd, even and over-wide windows.
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

// Inputs for the transcendental kernels: most in [-10, 10], and every 13th element from
// a ladder of magnitudes up to ±120, so exp's clamps, tanh's two branches and the
// subnormal results are all reached.
std::vector<float> wide(int64_t n, std::mt19937& rng) {
  auto v = random_floats(n + 1, rng);
  for (auto& x : v) x *= 10.0f;
  const float ladder[] = {-120.0f, -103.0f, -100.0f, -88.0f, -87.2f, -20.0f, -0.624f, -1e-4f,
                          0.0f,    3e-5f,    0.626f,  9.5f,   45.0f,  88.0f,  120.0f};
  for (int64_t i = 3, k = 0; i < n; i += 13, ++k) v[i] = ladder[k % 15];
  return v;
}

// Within tol relative; subnormal results (below 1.2e-38, fewer bits) within 1e-30 absolute.
bool close_math(const float* got, const float* want, int64_t n, double tol, const std::string& at) {
  return close(got, want, n, tol, 1e-30, at);
}

bool check_transcendental(dispatch::Isa isa, int64_t n, int threads, std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  dispatch::set_num_threads(threads);
  const auto xs = wide(n, rng), dys = random_floats(n + 1, rng), bs = random_floats(n + 1, rng);
  const float *x = xs.data() + 1, *dy = dys.data() + 1;
  std::vector<float> y(n + 1), got(n + 1), want(n), again(n + 1);
  bool ok = true;
  k.add(n, x, bs.data() + 1, got.data() + 1);
  reference::add(n, x, bs.data() + 1, want.data());
  ok &= same(got.data() + 1, want.data(), n, where(isa, "add", n, threads));
  k.mul(n, x, bs.data() + 1, got.data() + 1);
  reference::mul(n, x, bs.data() + 1, want.data());
  ok &= same(got.data() + 1, want.data(), n, where(isa, "mul", n, threads));

  k.sigmoid_fwd(n, x, y.data() + 1);
  reference::sigmoid_fwd(n, x, want.data());
  ok &= close_math(y.data() + 1, want.data(), n, 4e-7, where(isa, "sigmoid_fwd", n, threads));
  // A tail element is computed as a vector lane would be: the split cannot change a bit.
  dispatch::set_num_threads(3 - threads);
  k.sigmoid_fwd(n, x, again.data() + 1);
  dispatch::set_num_threads(threads);
  ok &= same(again.data() + 1, y.data() + 1, n, where(isa, "sigmoid_fwd other thread count", n, threads));
  k.sigmoid_bwd(n, y.data() + 1, dy, got.data() + 1);
  reference::sigmoid_bwd(n, y.data() + 1, dy, want.data());
  ok &= close_math(got.data() + 1, want.data(), n, 4e-7, where(isa, "sigmoid_bwd", n, threads));

  k.tanh_fwd(n, x, y.data() + 1);
  reference::tanh_fwd(n, x, want.data());
  ok &= close_math(y.data() + 1, want.data(), n, 4e-7, where(isa, "tanh_fwd", n, threads));
  k.tanh_bwd(n, y.data() + 1, dy, got.data() + 1);
  reference::tanh_bwd(n, y.data() + 1, dy, want.data());
  ok &= close_math(got.data() + 1, want.data(), n, 4e-7, where(isa, "tanh_bwd", n, threads));

  for (float alpha : {1.0f, 0.3f}) {
    k.elu_fwd(n, alpha, x, y.data() + 1);
    reference::elu_fwd(n, alpha, x, want.data());
    ok &= close_math(y.data() + 1, want.data(), n, 4e-7, where(isa, "elu_fwd", n, threads));
    k.elu_bwd(n, alpha, x, y.data() + 1, dy, got.data() + 1);
    reference::elu_bwd(n, alpha, x, y.data() + 1, dy, want.data());
    ok &= close_math(got.data() + 1, want.data(), n, 4e-7, where(isa, "elu_bwd", n, threads));
  }
  return ok;
}

std::string dims(dispatch::Isa isa, const char* what, int64_t outer, int64_t channels, int64_t inner, int threads) {
  return std::string(dispatch::isa_name(isa)) + " " + what + " [" + std::to_string(outer) + "," +
         std::to_string(channels) + "," + std::to_string(inner) + "] threads=" + std::to_string(threads);
}

bool close64(const double* got, const double* want, int64_t n, double tol, const std::string& at) {
  for (int64_t i = 0; i < n; ++i)
    if (!(std::abs(got[i] - want[i]) <= tol * (std::abs(want[i]) + 1.0))) {
      std::printf("  %s: at %lld got %.9g, want %.9g\n", at.c_str(), (long long)i, got[i], want[i]);
      return false;
    }
  return true;
}

bool check_batch_norm(dispatch::Isa isa, int64_t outer, int64_t channels, int64_t inner, int threads,
                      std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  dispatch::set_num_threads(threads);
  const int64_t size = outer * channels * inner, count = outer * inner;
  // Channel c centred near 3c with spread 2: the shift correction matters for large c.
  auto x = random_floats(size, rng);
  for (int64_t p = 0; p < size; ++p) x[p] = 2.0f * x[p] + 3.0f * float((p / inner) % channels);
  const auto dy = random_floats(size, rng), gamma = random_floats(channels, rng), beta = random_floats(channels, rng);
  const auto dgamma0 = random_floats(channels, rng), dbeta0 = random_floats(channels, rng);
  bool ok = true;

  std::vector<double> mean(channels), var(channels), want_mean(channels), want_var(channels), inv_std(channels);
  std::vector<float> y(size), want_y(size), again(size);
  k.batch_norm_train_fwd(outer, channels, inner, x.data(), 1e-5, gamma.data(), beta.data(), false, mean.data(),
                         var.data(), y.data());
  reference::batch_norm_train_fwd(outer, channels, inner, x.data(), 1e-5, gamma.data(), beta.data(), false,
                                  want_mean.data(), want_var.data(), want_y.data());
  ok &= close64(mean.data(), want_mean.data(), channels, 1e-6, dims(isa, "bn train mean", outer, channels, inner, threads));
  ok &= close64(var.data(), want_var.data(), channels, 1e-6, dims(isa, "bn train var", outer, channels, inner, threads));
  ok &= close(y.data(), want_y.data(), size, 2e-6, 1.0, dims(isa, "bn train y", outer, channels, inner, threads));
  // One thread per channel: the other thread count gives the same bits.
  std::vector<double> mean2(channels), var2(channels);
  dispatch::set_num_threads(3 - threads);
  k.batch_norm_train_fwd(outer, channels, inner, x.data(), 1e-5, gamma.data(), beta.data(), false, mean2.data(),
                         var2.data(), again.data());
  dispatch::set_num_threads(threads);
  ok &= same(again.data(), y.data(), size, dims(isa, "bn train y other thread count", outer, channels, inner, threads));
  ok &= std::memcmp(mean2.data(), mean.data(), channels * sizeof(double)) == 0 &&
        std::memcmp(var2.data(), var.data(), channels * sizeof(double)) == 0;

  // With the ReLU fused in: the bits of batch norm, then ReLU.
  std::vector<float> fused_y(size), relu_y(size);
  k.batch_norm_train_fwd(outer, channels, inner, x.data(), 1e-5, gamma.data(), beta.data(), true, mean2.data(),
                         var2.data(), fused_y.data());
  k.relu_fwd(size, y.data(), relu_y.data());
  ok &= same(fused_y.data(), relu_y.data(), size, dims(isa, "bn train + relu", outer, channels, inner, threads));

  for (int64_t c = 0; c < channels; ++c) inv_std[c] = 1.0 / std::sqrt(want_var[c] + 1e-5);
  for (bool relu : {false, true}) {
    k.batch_norm_fwd(outer, channels, inner, x.data(), want_mean.data(), inv_std.data(), gamma.data(), beta.data(),
                     relu, y.data());
    reference::batch_norm_fwd(outer, channels, inner, x.data(), want_mean.data(), inv_std.data(), gamma.data(),
                              beta.data(), relu, want_y.data());
    ok &= close(y.data(), want_y.data(), size, 2e-6, 1.0,
                dims(isa, relu ? "bn fwd + relu" : "bn fwd", outer, channels, inner, threads));
  }

  for (bool batch_stats : {true, false}) {
    std::vector<float> dx(size), want_dx(size), dg(dgamma0), db(dbeta0), want_dg(dgamma0), want_db(dbeta0);
    std::vector<float> dg2(dgamma0), db2(dbeta0), dx2(size);
    k.batch_norm_bwd(outer, channels, inner, x.data(), dy.data(), nullptr, want_mean.data(), inv_std.data(),
                     gamma.data(), batch_stats, dg.data(), db.data(), dx.data());
    reference::batch_norm_bwd(outer, channels, inner, x.data(), dy.data(), nullptr, want_mean.data(), inv_std.data(),
                              gamma.data(), batch_stats, want_dg.data(), want_db.data(), want_dx.data());
    const std::string at = dims(isa, batch_stats ? "bn bwd batch" : "bn bwd running", outer, channels, inner, threads);
    // Sums of M terms of size ~1: the error grows with sqrt(M).
    ok &= close(dg.data(), want_dg.data(), channels, 1e-6, std::sqrt(double(count)), at + " dgamma");
    ok &= close(db.data(), want_db.data(), channels, 1e-6, std::sqrt(double(count)), at + " dbeta");
    ok &= close(dx.data(), want_dx.data(), size, 2e-6, 1.0, at + " dx");
    k.batch_norm_bwd(outer, channels, inner, x.data(), dy.data(), nullptr, want_mean.data(), inv_std.data(),
                     gamma.data(), batch_stats, dg2.data(), db2.data(), dx2.data());
    ok &= same(dg2.data(), dg.data(), channels, at + " dgamma repeated") && same(dx2.data(), dx.data(), size, at + " dx repeated");

    // The ReLU's backward fused in: against the reference, and the bits of ReLU backward, then batch norm's.
    std::vector<float> masked(size), fused_dx(size), fused_dg(dgamma0), fused_db(dbeta0);
    std::vector<float> split_dx(size), split_dg(dgamma0), split_db(dbeta0);
    k.batch_norm_bwd(outer, channels, inner, x.data(), dy.data(), relu_y.data(), want_mean.data(), inv_std.data(),
                     gamma.data(), batch_stats, fused_dg.data(), fused_db.data(), fused_dx.data());
    want_dg = dgamma0, want_db = dbeta0;
    reference::batch_norm_bwd(outer, channels, inner, x.data(), dy.data(), relu_y.data(), want_mean.data(),
                              inv_std.data(), gamma.data(), batch_stats, want_dg.data(), want_db.data(), want_dx.data());
    ok &= close(fused_dg.data(), want_dg.data(), channels, 1e-6, std::sqrt(double(count)), at + " + relu dgamma");
    ok &= close(fused_dx.data(), want_dx.data(), size, 2e-6, 1.0, at + " + relu dx");
    k.relu_bwd(size, relu_y.data(), dy.data(), masked.data());
    k.batch_norm_bwd(outer, channels, inner, x.data(), masked.data(), nullptr, want_mean.data(), inv_std.data(),
                     gamma.data(), batch_stats, split_dg.data(), split_db.data(), split_dx.data());
    ok &= same(fused_dx.data(), split_dx.data(), size, at + " + relu dx = relu bwd, bn bwd") &&
          same(fused_dg.data(), split_dg.data(), channels, at + " + relu dgamma = relu bwd, bn bwd") &&
          same(fused_db.data(), split_db.data(), channels, at + " + relu dbeta = relu bwd, bn bwd");
  }
  return ok;
}

bool check_softmax_axis(dispatch::Isa isa, int64_t outer, int64_t dim, int64_t inner, int threads, std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  dispatch::set_num_threads(threads);
  const int64_t size = outer * dim * inner;
  auto x = random_floats(size, rng);
  for (auto& v : x) v *= 20.0f;
  const auto dy = random_floats(size, rng);
  std::vector<float> y(size), want(size), dx(size), want_dx(size);
  k.softmax_fwd(outer, dim, inner, x.data(), y.data());
  reference::softmax_fwd(outer, dim, inner, x.data(), want.data());
  bool ok = close(y.data(), want.data(), size, 1e-5, 1e-30, dims(isa, "softmax_fwd", outer, dim, inner, threads));
  k.softmax_bwd(outer, dim, inner, want.data(), dy.data(), dx.data());
  reference::softmax_bwd(outer, dim, inner, want.data(), dy.data(), want_dx.data());
  // dx = y·(dy − dot) with dot = Σ dy·y a float sum (|dot| <= 1): dy − dot may cancel, so
  // the error is judged against 0.1 (an absolute 2e-6).
  ok &= close(dx.data(), want_dx.data(), size, 2e-5, 0.1, dims(isa, "softmax_bwd", outer, dim, inner, threads));
  return ok;
}

bool check_lrn(dispatch::Isa isa, const LrnParams& p, int threads, std::mt19937& rng) {
  const auto k = dispatch::kernels_for(isa);
  dispatch::set_num_threads(threads);
  const int64_t n = p.outer * p.channels * p.inner;
  auto x = random_floats(n, rng);
  for (auto& v : x) v *= 2.0f;
  const auto dy = random_floats(n, rng);
  std::vector<float> y(n), scale(n), want_y(n), want_scale(n), work(n), dx(n), want_dx(n);
  k.lrn_fwd(p, x.data(), scale.data(), y.data());
  reference::lrn_fwd(p, x.data(), want_scale.data(), want_y.data());
  const std::string at = dims(isa, "lrn", p.outer, p.channels, p.inner, threads) + " size=" + std::to_string(p.size);
  bool ok = close(scale.data(), want_scale.data(), n, 1e-6, 0.0, at + " scale");
  ok &= close(y.data(), want_y.data(), n, 1e-6, 1.0, at + " y");
  k.lrn_bwd(p, x.data(), want_scale.data(), dy.data(), work.data(), dx.data());
  reference::lrn_bwd(p, x.data(), want_scale.data(), dy.data(), nullptr, want_dx.data());
  ok &= close(dx.data(), want_dx.data(), n, 2e-6, 1.0, at + " dx");
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

STRIATE_TEST(elementwise_transcendental_matches_reference) {
  std::mt19937 rng(31);
  bool ok = true;
  const int64_t lengths[] = {1, 3, 7, 16, 17, 1009, 1000003};
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (int64_t n : lengths) ok &= check_transcendental(isa, n, threads, rng);
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(elementwise_batch_norm_matches_reference) {
  std::mt19937 rng(37);
  bool ok = true;
  // [N, F] (inner 1, also wider than the inference forward's element table), odd and prime
  // planes, planes under the table's 32 floats (images of an odd size, on both threads, and
  // images too large for the table), one channel, 17 channels, and past the grain.
  const int64_t shapes[][3] = {{2, 1, 1},     {7, 3, 1},      {64, 120, 1},   {3, 20000, 1}, {1, 1, 7},
                               {3, 7, 16},    {2, 16, 17},    {4, 17, 15},    {9, 37, 5},    {600, 64, 9},
                               {2, 700, 31},  {5, 3, 49},     {1, 1, 1000003}, {1000003, 1, 1}, {8, 3, 65537}};
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const auto& s : shapes) ok &= check_batch_norm(isa, s[0], s[1], s[2], threads, rng);
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(elementwise_softmax_matches_reference) {
  std::mt19937 rng(41);
  bool ok = true;
  // The last axis (inner 1) and inner axes, around the register widths, one long row,
  // and enough rows to cross the threading grain.
  const int64_t shapes[][3] = {{1, 1, 1},  {3, 10, 1},  {7, 17, 1},  {64, 1000, 1}, {1, 1000003, 1},
                               {2, 3, 16}, {2, 5, 17},  {1, 7, 15},  {2, 21, 33},   {4, 2, 131101}};
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const auto& s : shapes) ok &= check_softmax_axis(isa, s[0], s[1], s[2], threads, rng);
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(elementwise_lrn_matches_reference) {
  std::mt19937 rng(43);
  bool ok = true;
  // Odd and even windows, a window wider than the channels, planes around the registers,
  // AlexNet's first LRN at batch 1, and enough columns to cross the threading grain.
  const int64_t shapes[][4] = {{1, 1, 1, 1}, {2, 7, 3, 5}, {1, 4, 2, 2}, {2, 5, 6, 3}, {3, 16, 17, 5},
                               {1, 3, 15, 9}, {1, 96, 3025, 5}, {1, 3, 65537, 4}};
  for (auto isa : isas_under_test())
    for (int threads : {1, 2})
      for (const auto& s : shapes)
        for (const float alpha : {0.8f, 1e-4f}) {
          LrnParams p;
          p.outer = s[0], p.channels = s[1], p.inner = s[2], p.size = s[3];
          p.alpha = alpha, p.beta = 0.75f, p.k = alpha == 0.8f ? 1.5f : 2.0f;
          ok &= check_lrn(isa, p, threads, rng);
        }
  dispatch::set_num_threads(0);
  return ok;
}

}  // namespace striate::test
