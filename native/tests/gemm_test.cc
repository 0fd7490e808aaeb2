// Every ISA's sgemm against reference::sgemm on awkward shapes, all transposes,
// alpha/beta, 1 and 2 threads, and bitwise determinism.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "dispatch/kernels.h"
#include "dispatch/parallel.h"
#include "tests/harness.h"

namespace striate::test {

namespace {

bool check_one(dispatch::Isa isa, bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
               int threads, std::mt19937& rng) {
  // Leading dimensions a little larger than needed, so strided views are exercised.
  const int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
  const auto a = random_floats((ta ? k : m) * lda, rng);
  const auto b = random_floats((tb ? n : k) * ldb, rng);
  auto c = random_floats(m * ldc, rng);
  auto want = c;
  GemmArgs g{ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc};
  reference::sgemm({ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, want.data(), ldc});
  dispatch::set_num_threads(threads);
  dispatch::kernels_for(isa).sgemm(g);
  // Entries are sums of k products of values in [-1, 1]; float rounding grows like k * eps.
  const double tol = 4e-7 * (k + 8);
  const Diff d = compare(c.data(), want.data(), c.size(), std::sqrt(double(k)) + 1.0);
  if (d.worst > tol) {
    std::printf("  %s ta=%d tb=%d m=%lld n=%lld k=%lld alpha=%g beta=%g threads=%d: error %.3g at %zu (tol %.3g)\n",
                dispatch::isa_name(isa), ta, tb, (long long)m, (long long)n, (long long)k, alpha, beta, threads,
                d.worst, d.index, tol);
    return false;
  }
  return true;
}

}  // namespace

// n = 200 reads A in place (up to 256 columns), 257 packs it.
STRIATE_TEST(gemm_every_isa_matches_reference) {
  const int64_t sizes[] = {1, 2, 3, 7, 17, 31, 64, 65, 127, 257};
  std::mt19937 rng(1234);
  bool ok = true;
  for (auto isa : isas_under_test()) {
    for (int threads : {1, 2}) {
      for (int t = 0; t < 4; ++t) {
        const bool ta = t & 1, tb = t & 2;
        for (int64_t m : sizes)
          for (int64_t n : {int64_t{1}, int64_t{16}, int64_t{33}, int64_t{200}, int64_t{257}})
            ok &= check_one(isa, ta, tb, m, n, 65, 1.0f, 0.0f, threads, rng);
        for (int64_t k : sizes) ok &= check_one(isa, ta, tb, 31, 47, k, 0.5f, -1.5f, threads, rng);
        for (int i = 0; i < 6; ++i) {
          std::uniform_int_distribution<int64_t> dim(1, 300);
          ok &= check_one(isa, ta, tb, dim(rng), dim(rng), dim(rng), 1.25f, 0.75f, threads, rng);
        }
      }
    }
  }
  dispatch::set_num_threads(0);
  return ok;
}

// Several blocks in n (past NC) and k (past KC), with tails; m past MC, and m of a
// few row strips (untransposed B read in place).
STRIATE_TEST(gemm_large_shapes_span_several_blocks) {
  std::mt19937 rng(99);
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int64_t m : {151, 23})
      for (int t = 0; t < 4; ++t) ok &= check_one(isa, t & 1, t & 2, m, 3100, 300, 1.0f, 1.0f, 2, rng);
  dispatch::set_num_threads(0);
  return ok;
}

// The paths a product can take besides the plain blocked schedule: up to 64 rows
// against a transposed B twice as wide (computed as C^T = B . A^T), and slices of strips
// shared out by threads.
// Each is checked against the reference, and each must give the bits of the plain
// schedule: the first rows of a 70-row product (plain) equal the same rows computed
// alone at 1, 3, 5 and 32 rows, at 1, 2 and 3 threads, so a sample's output does not
// depend on the batch it is in or on the thread count.
STRIATE_TEST(gemm_special_paths_match_reference_and_plain_bits) {
  std::mt19937 rng(42);
  bool ok = true;
  for (auto isa : isas_under_test()) {
    for (int64_t m : {1, 2, 3, 4, 5, 6, 12, 13, 33})
      for (int64_t k : {1, 64, 65, 300})
        for (int64_t n : {1, 3, 17, 33, 257}) {
          ok &= check_one(isa, false, true, m, n, k, 1.0f, 0.0f, 1 + (n % 3), rng);
          ok &= check_one(isa, false, true, m, n, k, 1.25f, 0.75f, 2, rng);
        }
    for (bool tb : {false, true}) {
      const int64_t m = 70, n = 517, k = 700;
      const auto a = random_floats(m * k, rng), b = random_floats(n * k, rng);
      std::vector<float> plain(m * n), part(m * n);
      dispatch::set_num_threads(1);
      dispatch::kernels_for(isa).sgemm({false, tb, m, n, k, 1.0f, a.data(), k, b.data(), tb ? k : n, 0.0f, plain.data(), n});
      for (int threads : {1, 2, 3})
        for (int64_t rows : {1, 3, 5, 32}) {
          dispatch::set_num_threads(threads);
          dispatch::kernels_for(isa).sgemm({false, tb, rows, n, k, 1.0f, a.data(), k, b.data(), tb ? k : n, 0.0f, part.data(), n});
          if (std::memcmp(part.data(), plain.data(), rows * n * sizeof(float)) != 0) {
            std::printf("  %s tb=%d rows=%lld threads=%d: bits differ from the plain 70-row product\n", dispatch::isa_name(isa),
                        tb, (long long)rows, threads);
            ok = false;
          }
        }
    }
  }
  dispatch::set_num_threads(0);
  return ok;
}

// The epilogue (row bias, residual, then ReLU) gives the bits of the same product
// followed by a pass over C, on every path: the plain schedule over several k blocks, with beta, A read
// in place (n <= 256), B read in place (a few row strips), the sliced schedule (2-3
// threads, small products), the swapped one (rows <= 64 against a wide transposed B),
// and K = 0 (beta alone). The reference holds to the same rule.
STRIATE_TEST(gemm_epilogue_gives_the_bits_of_a_pass_after) {
  struct Shape {
    bool tb;
    int64_t m, n, k;
    float beta;
    int threads;
  };
  const Shape shapes[] = {{false, 70, 517, 700, 0.0f, 1}, {false, 70, 517, 700, 0.75f, 2}, {false, 13, 200, 65, 0.0f, 2},
                          {false, 23, 3100, 300, 1.0f, 2}, {false, 151, 33, 17, 0.0f, 3}, {true, 33, 257, 300, 0.0f, 1},
                          {true, 7, 19, 5, -0.5f, 2}, {false, 31, 47, 0, 0.5f, 1}};
  std::mt19937 rng(77);
  bool ok = true;
  auto run = [&](auto sgemm, const Shape& s, bool relu, bool residual, const char* who) {
    const auto a = random_floats(std::max<int64_t>(1, s.m * s.k), rng), b = random_floats(std::max<int64_t>(1, s.n * s.k), rng);
    const auto c0 = random_floats(s.m * s.n, rng), bias = random_floats(s.m, rng);
    const int64_t ldr = s.n + 3;  // the residual's rows lie apart from C's layout
    const auto res = random_floats(s.m * ldr, rng);
    std::vector<float> want(c0), got(c0);
    dispatch::set_num_threads(s.threads);
    sgemm(GemmArgs{false, s.tb, s.m, s.n, s.k, 1.0f, a.data(), s.k, b.data(), s.tb ? s.k : s.n, s.beta, want.data(), s.n});
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        float& v = want[i * s.n + j];
        v += bias[i];
        if (residual) v += res[i * ldr + j];
        if (relu) v = std::max(0.0f, v);
      }
    GemmArgs g{false, s.tb, s.m, s.n, s.k, 1.0f, a.data(), s.k, b.data(), s.tb ? s.k : s.n, s.beta, got.data(), s.n,
               bias.data(), relu};
    if (residual) {
      g.residual = res.data();
      g.ldr = ldr;
    }
    sgemm(g);
    if (std::memcmp(got.data(), want.data(), want.size() * sizeof(float)) != 0) {
      std::printf("  %s tb=%d m=%lld n=%lld k=%lld beta=%g relu=%d residual=%d threads=%d: bits differ from the pass after\n",
                  who, s.tb, (long long)s.m, (long long)s.n, (long long)s.k, s.beta, relu, residual, s.threads);
      ok = false;
    }
  };
  for (const Shape& s : shapes)
    for (bool relu : {false, true})
      for (bool residual : {false, true}) {
        run(reference::sgemm, s, relu, residual, "reference");
        for (auto isa : isas_under_test()) run(dispatch::kernels_for(isa).sgemm, s, relu, residual, dispatch::isa_name(isa));
      }
  dispatch::set_num_threads(0);
  return ok;
}

// B's rows through a batch norm and a ReLU as they are packed (b_rows) give the bits of
// the product of the normalised B: B read in place otherwise (few row strips), several k
// blocks, the sliced schedule, tails; and the reference holds to the same rule.
STRIATE_TEST(gemm_b_rows_give_the_bits_of_a_normalised_b) {
  std::mt19937 rng(91);
  const int64_t shapes[][4] = {{7, 33, 65, 1}, {13, 200, 300, 2}, {70, 517, 700, 1}, {130, 3100, 40, 2}, {31, 47, 1, 3}};
  bool ok = true;
  for (const auto& s : shapes) {
    const int64_t m = s[0], n = s[1], k = s[2];
    const auto a = random_floats(m * k, rng), b = random_floats(k * (n + 5), rng);
    std::vector<ChannelAffine> rows(k);
    for (auto& f : rows) {
      const auto v = random_floats(3, rng);
      f = {0.2f * v[0], 1.0f + 0.5f * v[1], 0.3f * v[2]};
    }
    std::vector<float> normalised(b.size());
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n + 5; ++j) normalised[p * (n + 5) + j] = gemm_b_row(rows[p], b[p * (n + 5) + j]);
    auto run = [&](auto sgemm, const char* who) {
      std::vector<float> want(m * n), got(m * n);
      dispatch::set_num_threads(static_cast<int>(s[3]));
      sgemm(GemmArgs{false, false, m, n, k, 1.0f, a.data(), k, normalised.data(), n + 5, 0.0f, want.data(), n});
      GemmArgs g{false, false, m, n, k, 1.0f, a.data(), k, b.data(), n + 5, 0.0f, got.data(), n};
      g.b_rows = rows.data();
      sgemm(g);
      if (std::memcmp(got.data(), want.data(), want.size() * sizeof(float)) != 0) {
        std::printf("  %s m=%lld n=%lld k=%lld: bits differ from the product of the normalised B\n", who, (long long)m,
                    (long long)n, (long long)k);
        ok = false;
      }
    };
    run(reference::sgemm, "reference");
    for (auto isa : isas_under_test()) run(dispatch::kernels_for(isa).sgemm, dispatch::isa_name(isa));
  }
  dispatch::set_num_threads(0);
  return ok;
}

// One column of a transposed B (a dense layer at batch 1) runs on the ISA's dot_rows where
// it has one (blocked.h: sgemv), which must give the bits of the same column computed in a
// product of two columns on the micro-kernel: rows not a multiple of 8, several k blocks,
// k tails, alpha, beta and the epilogue (bias, ReLU, residual), 1 to 3 threads.
STRIATE_TEST(gemm_single_column_gives_the_bits_of_the_plain_schedule) {
  std::mt19937 rng(5);
  bool ok = true;
  for (auto isa : isas_under_test())
    for (int64_t m : {1, 7, 8, 13, 300})
      for (int64_t k : {1, 7, 8, 300, 700})
        for (int variant = 0; variant < 3; ++variant) {
          const float alpha = variant == 1 ? 1.25f : 1.0f, beta = variant == 2 ? 0.5f : 0.0f;
          const auto a = random_floats(m * k, rng), b = random_floats(2 * k, rng), c0 = random_floats(2 * m, rng);
          const auto bias = random_floats(m, rng);
          std::vector<float> one(m), two(2 * m);
          for (int64_t i = 0; i < m; ++i) one[i] = c0[2 * i], two[2 * i] = c0[2 * i], two[2 * i + 1] = c0[2 * i + 1];
          dispatch::set_num_threads(1 + variant);
          GemmArgs g1{false, true, m, 1, k, alpha, a.data(), k, b.data(), k, beta, one.data(), 1, variant ? bias.data() : nullptr, variant == 1};
          GemmArgs g2{false, true, m, 2, k, alpha, a.data(), k, b.data(), k, beta, two.data(), 2, variant ? bias.data() : nullptr, variant == 1};
          const auto res = random_floats(2 * m, rng);  // column 0 of [m, 2]: every other float
          if (variant == 2) {
            g1.residual = g2.residual = res.data();
            g1.ldr = g2.ldr = 2;
          }
          dispatch::kernels_for(isa).sgemm(g1);
          dispatch::kernels_for(isa).sgemm(g2);
          for (int64_t i = 0; i < m; ++i)
            if (std::memcmp(&one[i], &two[2 * i], sizeof(float)) != 0) {
              std::printf("  %s m=%lld k=%lld variant %d: row %lld differs from the two-column product\n", dispatch::isa_name(isa),
                          (long long)m, (long long)k, variant, (long long)i);
              ok = false;
              break;
            }
        }
  dispatch::set_num_threads(0);
  return ok;
}

STRIATE_TEST(gemm_beta_zero_ignores_nan_in_c) {
  bool ok = true;
  for (auto isa : isas_under_test()) {
    std::vector<float> a(7 * 5, 1.0f), b(5 * 19, 1.0f), c(7 * 19, std::nanf(""));
    dispatch::kernels_for(isa).sgemm({false, false, 7, 19, 5, 1.0f, a.data(), 5, b.data(), 19, 0.0f, c.data(), 19});
    for (float v : c) ok &= v == 5.0f;
  }
  return ok;
}

STRIATE_TEST(gemm_is_deterministic) {
  std::mt19937 rng(7);
  const int64_t m = 301, n = 263, k = 517;
  const auto a = random_floats(m * k, rng), b = random_floats(k * n, rng);
  bool ok = true;
  for (auto isa : isas_under_test()) {
    for (int threads : {1, 2, 3}) {
      dispatch::set_num_threads(threads);
      std::vector<float> c1(m * n), c2(m * n);
      dispatch::kernels_for(isa).sgemm({false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c1.data(), n});
      dispatch::kernels_for(isa).sgemm({false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c2.data(), n});
      ok &= std::memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)) == 0;
    }
  }
  dispatch::set_num_threads(0);
  return ok;
}

}  // namespace striate::test
