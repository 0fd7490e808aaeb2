// The packed, cache-blocked SGEMM driver shared by every ISA (Goto/BLIS design).
// Included by each ISA's file with that ISA's micro-kernel, inside an anonymous
// namespace, so code compiled with -mavx2 or -mavx512f never leaks into the baseline.
//
//   for jc over N in NC columns:            op(B) panel kc x nc -> packed, shared (L3)
//     for pc over K in KC:                  packed in NR-wide strips, p-major
//       for each ic block of MC rows:       op(A) block mc x kc -> packed per thread (L2)
//         for jr over NR strips:            B strip stays in L1
//           for ir over MR strips:          micro-kernel: MR x NR tile of C in registers
//
// Threads take chunks of the grid of micro-tiles of one (jc, pc) step in turn.
// Every C element is always computed by the same micro-kernel over the same k order,
// so the result does not depend on the thread count.
//
// Kernel provides MR, NR, KC, MC, NC and
//   run(kc, a, lda, b, b_stride, c, ldc, alpha, beta, rows, cols, epilogue):
//     C[rows x cols] = alpha*A*B + beta*C, not reading C when beta == 0, then the
//     TileEpilogue of gemm.h (bias, residual, ReLU), which the driver gives on the last
//     k block only; a is a packed
//     strip when lda == 0, else A itself (row r at a + r * lda; only when the Kernel
//     sets kReadsAInPlace); row p of the B strip starts at b + p * b_stride (NR when
//     packed, ldb when read in place).
//   Packed strips are zero-padded to MR x NR; tail tiles (rows < MR or cols < NR)
//   are the kernel's to handle (masked stores, or fewer rows computed);
// and optionally dot_rows (sgemv below) for products of a single column.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "dispatch/parallel.h"
#include "dispatch/workspace.h"
#include "kernels/blocks.h"
#include "kernels/gemm/gemm.h"

namespace striate {
namespace {

// Calls Tile<ROWS>::run(args...) for ROWS = rows, 1 <= rows <= MR: micro-kernels that
// compute only the rows a tail tile has.
template <template <int> class Tile, typename Fn, int... R>
constexpr std::array<Fn, sizeof...(R)> row_table(std::integer_sequence<int, R...>) {
  return {&Tile<R + 1>::run...};
}

template <template <int> class Tile, int MR, typename... Args>
void run_rows(int rows, Args... args) {
  static constexpr auto table = row_table<Tile, void (*)(Args...)>(std::make_integer_sequence<int, MR>{});
  table[rows - 1](args...);
}

// A Kernel may provide SIMD transposes for the two packings that read across rows:
//   pack_a_rows(src, lda, kc, dst)  a full MR-row strip of untransposed A
//   pack_b_cols(src, ldb, kc, dst)  a full NR-column strip of transposed B
// Without them (or for tail strips) the scalar loops below run; the packed bytes are
// the same either way. The two packings that read along rows (transposed A,
// untransposed B) go row by row across many strips: see pack_b_rows.
template <typename K, typename = void>
struct has_pack_a_rows : std::false_type {};
template <typename K>
struct has_pack_a_rows<K, std::void_t<decltype(&K::pack_a_rows)>> : std::true_type {};
template <typename K, typename = void>
struct reads_a_in_place : std::false_type {};
template <typename K>
struct reads_a_in_place<K, std::void_t<decltype(K::kReadsAInPlace)>> : std::bool_constant<K::kReadsAInPlace> {};
template <typename K, typename = void>
struct has_dot_rows : std::false_type {};
template <typename K>
struct has_dot_rows<K, std::void_t<decltype(&K::dot_rows)>> : std::true_type {};
template <typename K, typename = void>
struct has_pack_b_cols : std::false_type {};
template <typename K>
struct has_pack_b_cols<K, std::void_t<decltype(&K::pack_b_cols)>> : std::true_type {};

template <typename Kernel>
void pack_a_strip(const GemmArgs& g, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float* dst) {
  constexpr int MR = Kernel::MR;
  if (!g.trans_a) {
    if constexpr (has_pack_a_rows<Kernel>::value) {
      if (rows == MR) return Kernel::pack_a_rows(g.a + i0 * g.lda + p0, g.lda, kc, dst);
    }
    for (int r = 0; r < rows; ++r) {
      const float* src = g.a + (i0 + r) * g.lda + p0;
      for (int64_t p = 0; p < kc; ++p) dst[p * MR + r] = src[p];
    }
    for (int r = rows; r < MR; ++r)
      for (int64_t p = 0; p < kc; ++p) dst[p * MR + r] = 0.0f;
  } else {
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = g.a + (p0 + p) * g.lda + i0;
      float* d = dst + p * MR;
      for (int r = 0; r < rows; ++r) d[r] = src[r];
      for (int r = rows; r < MR; ++r) d[r] = 0.0f;
    }
  }
}

template <typename Kernel>
void pack_b_strip(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t cols, float* dst) {
  constexpr int NR = Kernel::NR;
  if (!g.trans_b) {
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = g.b + (p0 + p) * g.ldb + j0;
      float* d = dst + p * NR;
      if (g.b_rows) {
        const ChannelAffine f = g.b_rows[p0 + p];
        for (int j = 0; j < cols; ++j) d[j] = gemm_b_row(f, src[j]);
      } else {
        for (int j = 0; j < cols; ++j) d[j] = src[j];
      }
      for (int j = cols; j < NR; ++j) d[j] = 0.0f;
    }
  } else {
    if constexpr (has_pack_b_cols<Kernel>::value) {
      if (cols == NR) return Kernel::pack_b_cols(g.b + j0 * g.ldb + p0, g.ldb, kc, dst);
    }
    for (int j = 0; j < cols; ++j) {
      const float* src = g.b + (j0 + j) * g.ldb + p0;
      for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = src[p];
    }
    for (int j = cols; j < NR; ++j)
      for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = 0.0f;
  }
}

// Untransposed B, strips [s0, s1) of the panel at (p0, j0): reads each k-row of B once,
// left to right, and scatters it into the strips. Copying strip by strip instead reads
// 128 bytes from each of kc rows in turn, which the hardware prefetcher cannot follow:
// packing took 30% of a 64x3136x576 product that way.
template <typename Kernel>
void pack_b_rows(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, int64_t s0, int64_t s1, float* dst) {
  constexpr int NR = Kernel::NR;
  const int64_t full_end = std::min(s1, nc / NR);
  for (int64_t p = 0; p < kc; ++p) {
    const float* src = g.b + (p0 + p) * g.ldb + j0;
    if (g.b_rows) {
      const ChannelAffine f = g.b_rows[p0 + p];
      for (int64_t s = s0; s < full_end; ++s)
        for (int j = 0; j < NR; ++j) dst[(s * kc + p) * NR + j] = gemm_b_row(f, src[s * NR + j]);
    } else {
      for (int64_t s = s0; s < full_end; ++s) std::memcpy(dst + (s * kc + p) * NR, src + s * NR, NR * sizeof(float));
    }
  }
  for (int64_t s = std::max(s0, full_end); s < s1; ++s)
    pack_b_strip<Kernel>(g, p0, kc, j0 + s * NR, std::min<int64_t>(NR, nc - s * NR), dst + s * kc * NR);
}

// Transposed A (A is stored k-major): a whole block of rows, reading each k-row of A once.
template <typename Kernel>
void pack_a_block_transposed(const GemmArgs& g, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float* dst) {
  constexpr int MR = Kernel::MR;
  const int64_t full = rows / MR;
  for (int64_t p = 0; p < kc; ++p) {
    const float* src = g.a + (p0 + p) * g.lda + i0;
    for (int64_t s = 0; s < full; ++s) std::memcpy(dst + (s * kc + p) * MR, src + s * MR, MR * sizeof(float));
  }
  if (full * MR < rows) pack_a_strip<Kernel>(g, i0 + full * MR, rows - full * MR, p0, kc, dst + full * MR * kc);
}

// C = beta * C (through the epilogue), the whole answer when K == 0 or alpha == 0.
inline void scale_c(const GemmArgs& g) {
  dispatch::parallel_for(g.m, std::max<int64_t>(1, 16384 / g.n), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      float* row = g.c + i * g.ldc;
      for (int64_t j = 0; j < g.n; ++j) row[j] = gemm_finish(g, i, j, g.beta == 0.0f ? 0.0f : g.beta * row[j]);
    }
  });
}

// Up to this many rows of A against a transposed B at least twice as wide (a dense
// layer at a small batch: x [32, 25088] . W^T, W [4096, 25088]) are computed as
// C^T = B . A^T: the large operand then streams through in place as the A side and only
// the small one is packed, where C = A . B^T would pack all of W to use it for 32 rows.
// VGG-16's first classifier at batch 32: 146 -> 59 ms on 2 threads (AVX2). Each element
// is the same k-ordered sum of the same products either way, so the bits match the
// plain schedule's: a sample's output does not depend on the batch it is in. (A dot
// product per element along k, its lanes summed at the end, streamed W at batch 1 three
// to five times faster, but rounded differently from every larger batch.)
constexpr int64_t kSwapMaxRows = 64;

template <typename Kernel>
bool swapped_fits(const GemmArgs& g) {
  return reads_a_in_place<Kernel>::value && g.trans_b && !g.trans_a && g.m <= kSwapMaxRows && g.n >= 2 * g.m;
}

template <typename Kernel>
void sgemm_blocked(const GemmArgs& g);

// C = alpha * A . B^T + beta * C through T = B . A^T [n, m] (the transposed call never
// swaps again: its rows are n >= 2m > its columns m).
template <typename Kernel>
void sgemm_swapped(const GemmArgs& g) {
  float* t = dispatch::scratch(dispatch::Scratch::gemm_c, g.n * g.m);
  sgemm_blocked<Kernel>({false, true, g.n, g.m, g.k, g.alpha, g.b, g.ldb, g.a, g.lda, 0.0f, t, g.m});
  dispatch::parallel_for(g.n, 256, [&](int64_t j0, int64_t j1) {
    for (int64_t i = 0; i < g.m; ++i) {
      float* row = g.c + i * g.ldc;
      for (int64_t j = j0; j < j1; ++j)
        row[j] = gemm_finish(g, i, j, g.beta == 0.0f ? t[j * g.m + i] : t[j * g.m + i] + g.beta * row[j]);
    }
  });
}

template <typename Kernel>
void sgemm_core(const GemmArgs& g);

// One column of B (a dense layer at batch 1, through the swapped product: W . x^T) on a
// Kernel with dot_rows(kc, a, lda, b, rows, acc): acc[i] = the k-ordered fused sum over
// kc of A's row i (i < rows <= 8) times b, each row one lane, from 0. The micro-kernel
// computes the column in the first of 8 or 16 lanes, the rest padding, and reads each row
// of A a float at a time: VGG-16's 25088 -> 4096 at batch 1 streamed its 411 MB of weights at 6.8 GB/s
// (AVX2, 1 thread), this near memory speed. Each element is the same sequence of fused
// multiply-adds in the same k blocks (KC), stored as the micro-kernel stores them, so the
// bits are the plain schedule's.
inline bool sgemv_fits(const GemmArgs& g) { return g.n == 1 && !g.trans_a && g.trans_b && !g.b_rows; }

template <typename Kernel>
void sgemv(const GemmArgs& g) {
  const int64_t kc_max = balanced_block(g.k, Kernel::KC);
  auto store = [&](int64_t i, float acc, int64_t pc, int64_t kc) {
    float& c = g.c[i * g.ldc];
    const float scaled = g.alpha * acc, beta = pc == 0 ? g.beta : 1.0f;
    c = beta == 0.0f ? scaled : std::fma(beta, c, scaled);
    if (pc + kc == g.k) c = gemm_finish(g, i, 0, c);
  };
  dispatch::parallel_for(ceil_div(g.m, 8), std::max<int64_t>(1, (int64_t{1} << 15) / g.k), [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t i0 = s * 8;
      const int rows = static_cast<int>(std::min<int64_t>(8, g.m - i0));
      for (int64_t pc = 0; pc < g.k; pc += kc_max) {
        const int64_t kc = std::min(kc_max, g.k - pc);
        float acc[8];
        Kernel::dot_rows(kc, g.a + i0 * g.lda + pc, g.lda, g.b + pc, rows, acc);
        for (int i = 0; i < rows; ++i) store(i0 + i, acc[i], pc, kc);
      }
    }
  });
}

// Products up to this many multiply-adds, with several threads, are cut into slices of
// whole column strips (or, when there are few columns, of row strips) that the threads
// take from a shared counter, each slice run start to end on one thread: one parallel
// region a call. The plain schedule below opens two regions per K block (pack B, then
// the tiles), and a 1x1 convolution on a 14x14 map at batch 1 (112 x 196 x 512) is about
// 0.1 ms of work per region on two threads. A slice packs its own copy of B (and of A
// when it is over 256 columns wide), so large products keep the plain schedule, where one
// packed B serves every thread.
// Slicing changes no bits: every element is the same k-ordered sum on any slice.
constexpr int64_t kSliceMaxMacs = int64_t{1} << 28;
constexpr int kSlicesPerThread = 4;

// Runs g in slices and returns true, or returns false without doing anything when g is
// not a product to slice (one thread, too large, or a single strip).
template <typename Kernel>
bool sgemm_sliced(const GemmArgs& g) {
  constexpr int MR = Kernel::MR, NR = Kernel::NR;
  const int threads = dispatch::threads_for(g.m * g.n, 1);
  if (threads < 2 || g.m * g.n * g.k > kSliceMaxMacs) return false;
  const int64_t want = int64_t{threads} * kSlicesPerThread;
  const int64_t col_strips = ceil_div(g.n, NR), row_strips = ceil_div(g.m, MR);
  const bool by_cols = col_strips >= 2 * threads || col_strips >= row_strips;
  const int64_t strips = by_cols ? col_strips : row_strips;
  if (strips < 2) return false;
  const int64_t slices = std::min(want, strips), per = ceil_div(strips, slices);
  dispatch::parallel_for(ceil_div(strips, per), 1, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      GemmArgs part = g;
      if (by_cols) {
        const int64_t j0 = s * per * NR, j1 = std::min(g.n, (s + 1) * per * NR);
        part.n = j1 - j0;
        part.b = g.trans_b ? g.b + j0 * g.ldb : g.b + j0;
        part.c = g.c + j0;
        if (g.residual) part.residual = g.residual + j0;
      } else {
        const int64_t i0 = s * per * MR, i1 = std::min(g.m, (s + 1) * per * MR);
        part.m = i1 - i0;
        part.a = g.trans_a ? g.a + i0 : g.a + i0 * g.lda;
        part.c = g.c + i0 * g.ldc;
        if (g.row_bias) part.row_bias = g.row_bias + i0;
        if (g.residual) part.residual = g.residual + i0 * g.ldr;
      }
      sgemm_core<Kernel>(part);
    }
  });
  return true;
}

template <typename Kernel>
void sgemm_blocked(const GemmArgs& g) {
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0 || g.alpha == 0.0f) return scale_c(g);
  if (swapped_fits<Kernel>(g)) return sgemm_swapped<Kernel>(g);
  if constexpr (has_dot_rows<Kernel>::value) {
    if (sgemv_fits(g)) return sgemv<Kernel>(g);
  }
  if (sgemm_sliced<Kernel>(g)) return;
  sgemm_core<Kernel>(g);
}

// The packed, blocked product (the schedule at the top of this file), for any m, n, k > 0.
template <typename Kernel>
void sgemm_core(const GemmArgs& g) {
  constexpr int MR = Kernel::MR, NR = Kernel::NR;

  const int64_t kc_max = balanced_block(g.k, Kernel::KC);
  const int64_t nc_max = balanced_block(g.n, Kernel::NC);
  const int64_t mc_max = ceil_div(balanced_block(g.m, Kernel::MC), MR) * MR;
  const int threads = dispatch::num_threads();
  float* b_pack = dispatch::scratch(dispatch::Scratch::pack_b, kc_max * ceil_div(nc_max, NR) * NR);
  const int64_t a_stride = mc_max * kc_max;
  float* a_pack = dispatch::scratch(dispatch::Scratch::pack_a, a_stride * threads);

  const int64_t m_blocks = ceil_div(g.m, mc_max);
  const int64_t strips_per_block = mc_max / MR;
  // A packed B strip is read once per MR rows of A. With a few rows only (LeNet's
  // convolutions: M = 6 or 16 output channels) packing costs about as much as the
  // product, so full strips of untransposed B are read in place, strided by ldb. From
  // ~5 row strips on, the contiguous packed copy wins (prefetched, one TLB page per
  // 8-16 k steps): 6x576x25 went from 0.5 to 0.85 of OpenBLAS, 64x3136x576 stayed.
  const bool b_in_place = !g.trans_b && !g.b_rows && ceil_div(g.m, MR) <= 4;
  // The same for A against few columns: a convolution on a 7x7 map at batch 1 (M = 512
  // channels, N = 49 pixels) would pack all of its weights to use each 49 times. Read
  // in place, 512x49x4608 went from 1.14 to 1.44 of OpenBLAS (AVX-512), 0.89 to 0.92 (AVX2).
  // Up to 256 columns the copy's trip through memory still costs more than it saves
  // (AVX2, 1 thread, GFLOP/s packed -> in place: 512x128x1024 61-75 -> 89-91, 512x256x1024
  // 70-83 -> 89-90, 256x196x2304 76 -> 84-86: DenseNet's 1x1 convolutions on 2x2 maps at
  // batch 32, ResNet's 3x3 on 14x14 at batch 1); from about 512 the two are level, and on
  // 2048^3 the packed strips are 3-5% ahead.
  const bool a_in_place = reads_a_in_place<Kernel>::value && !g.trans_a && !b_in_place && g.n <= 256;

  for (int64_t jc = 0; jc < g.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, g.n - jc);
    const int64_t n_strips = ceil_div(nc, NR);
    for (int64_t pc = 0; pc < g.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, g.k - pc);
      const float beta = pc == 0 ? g.beta : 1.0f;
      const bool last = pc + kc == g.k;  // the epilogue goes with the last k block's stores

      if (b_in_place) {
        if (nc % NR) pack_b_strip<Kernel>(g, pc, kc, jc + nc / NR * NR, nc % NR, b_pack + nc / NR * kc * NR);
      } else {
        dispatch::parallel_for(n_strips, std::max<int64_t>(1, (int64_t{1} << 16) / (kc * NR)), [&](int64_t s0, int64_t s1) {
          if (!g.trans_b) return pack_b_rows<Kernel>(g, pc, kc, jc, nc, s0, s1, b_pack);
          for (int64_t s = s0; s < s1; ++s)
            pack_b_strip<Kernel>(g, pc, kc, jc + s * NR, std::min<int64_t>(NR, nc - s * NR), b_pack + s * kc * NR);
        });
      }

      // Micro-tiles in (ic block, jr strip, ir strip) order: contiguous ranges keep
      // a thread on one A block and one B strip as long as possible.
      const int64_t tiles_per_block = n_strips * strips_per_block;
      const int64_t tile_count = m_blocks * tiles_per_block;
      // A thread is worth waking (OpenMP threads sleep between regions) for ~4 MFLOP.
      const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 22) / (2 * MR * NR * kc));
      const int threads_used = dispatch::threads_for(tile_count, grain);
      // Tiles are handed out in chunks from a shared counter rather than split
      // statically: on a busy machine a thread that loses its core simply takes fewer
      // chunks. Which thread computes a tile does not change its arithmetic.
      const int64_t chunk = std::max<int64_t>(1, tile_count / (int64_t{threads_used} * 8));
      std::atomic<int64_t> next{0};
      dispatch::parallel_region(threads_used, [&](int thread, int) {
        float* a_mine = a_pack + a_stride * thread;
        int64_t packed_block = -1;
        uint64_t packed_strips[4] = {0, 0, 0, 0};  // bitmap over strips_per_block <= 256
        for (int64_t t0 = next.fetch_add(chunk); t0 < tile_count; t0 = next.fetch_add(chunk)) {
          for (int64_t t = t0, t1 = std::min(tile_count, t0 + chunk); t < t1; ++t) {
            const int64_t ib = t / tiles_per_block;
            const int64_t rest = t % tiles_per_block;
            const int64_t js = rest / strips_per_block;
            const int64_t is = rest % strips_per_block;
            const int64_t i0 = ib * mc_max + is * MR;
            if (i0 >= g.m) continue;
            if (ib != packed_block) {
              packed_block = ib;
              std::fill(packed_strips, packed_strips + 4, 0);
              if (g.trans_a) {
                pack_a_block_transposed<Kernel>(g, ib * mc_max, std::min(mc_max, g.m - ib * mc_max), pc, kc, a_mine);
                std::fill(packed_strips, packed_strips + 4, ~uint64_t{0});
              }
            }
            const int64_t rows = std::min<int64_t>(MR, g.m - i0);
            const float* a_strip = g.a + i0 * g.lda + pc;
            if (!a_in_place) {
              float* packed = a_mine + is * MR * kc;
              if (!(packed_strips[is >> 6] >> (is & 63) & 1)) {
                pack_a_strip<Kernel>(g, i0, rows, pc, kc, packed);
                packed_strips[is >> 6] |= uint64_t{1} << (is & 63);
              }
              a_strip = packed;
            }
            const int64_t j0 = js * NR;
            const int64_t cols = std::min<int64_t>(NR, nc - j0);
            const bool in_place = b_in_place && cols == NR;
            const float* b_strip = in_place ? g.b + pc * g.ldb + jc + j0 : b_pack + js * kc * NR;
            TileEpilogue epilogue;
            if (last) {
              if (g.row_bias) epilogue.bias = g.row_bias + i0;
              if (g.residual) epilogue.residual = g.residual + i0 * g.ldr + jc + j0;
              epilogue.ldr = g.ldr;
              epilogue.relu = g.relu;
            }
            Kernel::run(kc, a_strip, a_in_place ? g.lda : 0, b_strip, in_place ? g.ldb : NR, g.c + i0 * g.ldc + jc + j0,
                        g.ldc, g.alpha, beta, static_cast<int>(rows), static_cast<int>(cols), epilogue);
          }
        }
      });
    }
  }
}

}  // namespace
}  // namespace striate
