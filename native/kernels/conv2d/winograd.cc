// Winograd F(m x m, 3 x 3) forward (winograd.h), shared by every ISA: the GEMMs run on
// the SGEMM the caller passes in, the transforms are plain loops that the compiler
// vectorises across tiles.
//
//   x  [N, Cin, H, W]      tile row r of the batch is image r / tilesH, output rows
//                          th*m .. th*m + m - 1 (th = r % tilesH); it reads input rows
//                          th*m - padTop .. + alpha - 1 (0 outside)
//   V  [alpha^2][Cin][T]   a chunk of R tile rows, T = R * tilesW tiles, ordered column
//                          first: tile (r, tw) of the chunk is t = tw*R + r, so that the
//                          same column of consecutive tile rows is a contiguous run
//   M  [alpha^2][Cout][T]
// The transforms run on kLanes consecutive tile rows at once, one lane each, whatever the
// map's width (a CIFAR 8x8 map has two F(4,3) tiles a row, 64 tile rows at batch 32).
// Input, per (ci, lanes of tile rows), column block by column block (block k: input
// columns k*m - padLeft .. + m - 1): gather the block's alpha rows x m columns of every
// lane, apply B^T down the rows; tile tw's patch is blocks tw and tw + 1 (alpha = m + 2
// columns), to which B is applied across, writing V's runs for every xi.
// Output, per (co, lanes of tile rows), tile column by tile column: A^T over xi's first
// index, then its second; the m x m results go into the lanes' output rows (a per-thread
// buffer), which are then finished (bias, residual, ReLU) as they are stored, clipped
// to outH x outW.
// Chunks of whole tile rows bound V and M (kChunkFloats per thread). Threads: whole
// chunks to each thread where there are enough of them (tiling); otherwise parallel_for
// over (channel, lanes) units for the transforms, and the SGEMM threads itself. Each
// output is computed by one fixed sequence of float operations whatever the chunk and
// the thread that compute it, so the bits do not depend on the thread count.
#include "kernels/conv2d/winograd.h"

#include <algorithm>
#include <cmath>

#include "dispatch/parallel.h"
#include "dispatch/workspace.h"
#include "kernels/blocks.h"

namespace striate::conv {

namespace {

constexpr int64_t kLanes = 16;             // tile rows transformed together (a multiple of any vector)
// V + M of a chunk: 4 MiB. Smaller chunks keep them in a cache level nearer the core but
// make narrower GEMMs; 2^19 to 2^20 measured best on ResNet's 3x3 layers (AVX2, 1 thread).
constexpr int64_t kChunkFloats = 1 << 20;

// The 1-D transforms of F(m, 3) over n lanes: out[k][i] = sum_j T[k][j] in[j][i].
// Nothing written aliases what is read (ivdep: the pointers come from disjoint buffers).
template <int M>
struct Transforms;

// F(2, 3), interpolation points 0, 1, -1, infinity.
template <>
struct Transforms<2> {
  static constexpr int kAlpha = 4;
  // B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
  static void input(const float* const* d, float* const* o, int64_t n) {
    const float *d0 = d[0], *d1 = d[1], *d2 = d[2], *d3 = d[3];
    float *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3];
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) {
      o0[i] = d0[i] - d2[i];
      o1[i] = d1[i] + d2[i];
      o2[i] = d2[i] - d1[i];
      o3[i] = d1[i] - d3[i];
    }
  }
  // A^T = [1 1 1 0; 0 1 -1 -1]
  static void output(const float* const* m, float* const* o, int64_t n) {
    const float *m0 = m[0], *m1 = m[1], *m2 = m[2], *m3 = m[3];
    float *o0 = o[0], *o1 = o[1];
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) {
      o0[i] = (m0[i] + m1[i]) + m2[i];
      o1[i] = (m1[i] - m2[i]) - m3[i];
    }
  }
  // G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
  static void filter(const double* g, int64_t step, double* u, int64_t u_step) {
    const double g0 = g[0], g1 = g[step], g2 = g[2 * step];
    u[0] = g0;
    u[u_step] = (g0 + g1 + g2) / 2;
    u[2 * u_step] = (g0 - g1 + g2) / 2;
    u[3 * u_step] = g2;
  }
};

// F(4, 3), interpolation points 0, 1, -1, 2, -2, infinity (the usual choice: the
// smallest constants, hence the least rounding, for six points).
template <>
struct Transforms<4> {
  static constexpr int kAlpha = 6;
  // B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
  static void input(const float* const* d, float* const* o, int64_t n) {
    const float *d0 = d[0], *d1 = d[1], *d2 = d[2], *d3 = d[3], *d4 = d[4], *d5 = d[5];
    float *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3], *o4 = o[4], *o5 = o[5];
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) {
      const float a = d4[i] - d2[i], b = 2.0f * (d3[i] - d1[i]);
      o0[i] = (d4[i] - 5.0f * d2[i]) + 4.0f * d0[i];
      o1[i] = (d3[i] + d4[i]) - 4.0f * (d1[i] + d2[i]);
      o2[i] = (d4[i] - d3[i]) + 4.0f * (d1[i] - d2[i]);
      o3[i] = a + b;
      o4[i] = a - b;
      o5[i] = (d5[i] - 5.0f * d3[i]) + 4.0f * d1[i];
    }
  }
  // A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
  static void output(const float* const* m, float* const* o, int64_t n) {
    const float *m0 = m[0], *m1 = m[1], *m2 = m[2], *m3 = m[3], *m4 = m[4], *m5 = m[5];
    float *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3];
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) {
      const float sum12 = m1[i] + m2[i], diff12 = m1[i] - m2[i], sum34 = m3[i] + m4[i], diff34 = m3[i] - m4[i];
      o0[i] = (m0[i] + sum12) + sum34;
      o1[i] = diff12 + 2.0f * diff34;
      o2[i] = sum12 + 4.0f * sum34;
      o3[i] = (diff12 + 8.0f * diff34) + m5[i];
    }
  }
  // G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
  static void filter(const double* g, int64_t step, double* u, int64_t u_step) {
    const double g0 = g[0], g1 = g[step], g2 = g[2 * step];
    u[0] = g0 / 4;
    u[u_step] = -(g0 + g1 + g2) / 6;
    u[2 * u_step] = -(g0 - g1 + g2) / 6;
    u[3 * u_step] = g0 / 24 + g1 / 12 + g2 / 6;
    u[4 * u_step] = g0 / 24 - g1 / 12 + g2 / 6;
    u[5 * u_step] = g2;
  }
};

struct Tiling {
  int64_t tiles_h, tiles_w, rows;  // rows: tile rows of the whole batch, N * tiles_h
  int64_t rows_per_chunk;
  bool shared;  // whole chunks shared out to the threads, each run on one thread
};

// With one thread, or on a large map, a chunk gets kChunkFloats per thread: wider GEMMs
// that the SGEMM can split. With several threads and chunks of at least kMinThreadTiles
// tiles (any CIFAR-size layer at batch 32), the chunks are shared out whole instead, in
// one parallel region for the call: transforms and GEMMs inside a chunk run on the
// thread that took it, which saves a fork and a join per transform and per GEMM (18 a
// chunk for F(2,3)). Their count is rounded up to a multiple of the threads, so that no
// thread waits alone on a last one. The chunking changes no bits: every output is the
// same sum of the same products whatever the chunk it falls in.
constexpr int64_t kMinThreadTiles = 16;
// Output channels per block of a product when a chunk's products are shared out by rows:
// a multiple of every ISA's micro-kernel rows (4 scalar, 6 AVX2, 8 NEON, 12 AVX-512).
constexpr int64_t kGemmRowBlock = 48;

template <int M>
Tiling tiling(const Conv2dParams& p, int threads) {
  constexpr int64_t kAlpha2 = Transforms<M>::kAlpha * Transforms<M>::kAlpha;
  Tiling t;
  t.tiles_h = ceil_div(p.out_h, M), t.tiles_w = ceil_div(p.out_w, M), t.rows = p.batch * t.tiles_h;
  const int64_t per_row = kAlpha2 * (p.in_channels + p.out_channels) * t.tiles_w;
  const int64_t one_thread = std::max<int64_t>(1, std::min(t.rows, kChunkFloats / per_row));
  t.shared = false;
  if (threads > 1) {
    const int64_t per_thread = ceil_div(ceil_div(t.rows, one_thread), threads);
    const int64_t rows = ceil_div(t.rows, per_thread * threads);
    if (rows * t.tiles_w >= kMinThreadTiles && ceil_div(t.rows, rows) >= threads) {
      t.rows_per_chunk = rows;
      t.shared = true;
      return t;
    }
  }
  t.rows_per_chunk = std::max<int64_t>(1, std::min(t.rows, kChunkFloats * threads / per_row));
  return t;
}

// V [., ci, .] for tile rows [r0, r1) of the batch. zeros: in_w zeros, read for rows
// outside the image.
template <int M>
void transform_input(const Conv2dParams& p, const Tiling& tl, const float* x, int64_t r0, int64_t r1,
                     const float* zeros, float* v) {
  using T = Transforms<M>;
  constexpr int kAlpha = T::kAlpha;
  const int64_t rows = r1 - r0, tc = rows * tl.tiles_w, cin = p.in_channels, groups = ceil_div(rows, kLanes);
  const int64_t grain = std::max<int64_t>(1, 64 / tl.tiles_w);
  dispatch::parallel_for(cin * groups, grain, [&](int64_t u0, int64_t u1) {
    alignas(64) float block[kAlpha][M][kLanes];     // the gathered input block
    alignas(64) float down[2][kAlpha][M][kLanes];   // B^T . block, for blocks k - 1 and k
    const float* line[kLanes][kAlpha];              // each lane's input rows
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t ci = u / groups, ra = r0 + u % groups * kLanes, lanes = std::min(kLanes, r1 - ra);
      for (int64_t l = 0; l < lanes; ++l) {
        const int64_t r = ra + l, n = r / tl.tiles_h, th = r % tl.tiles_h;
        for (int i = 0; i < kAlpha; ++i) {
          const int64_t ih = th * M + i - p.pad_top;
          line[l][i] = ih >= 0 && ih < p.in_h ? x + ((n * cin + ci) * p.in_h + ih) * p.in_w : zeros;
        }
      }
      for (int64_t k = 0; k <= tl.tiles_w; ++k) {
        const int64_t c0 = k * M - p.pad_left;
        if (c0 >= 0 && c0 + M <= p.in_w) {
          for (int64_t l = 0; l < lanes; ++l)
            for (int i = 0; i < kAlpha; ++i)
              for (int ph = 0; ph < M; ++ph) block[i][ph][l] = line[l][i][c0 + ph];
        } else {
          for (int ph = 0; ph < M; ++ph) {
            const bool inside = c0 + ph >= 0 && c0 + ph < p.in_w;
            for (int64_t l = 0; l < lanes; ++l)
              for (int i = 0; i < kAlpha; ++i) block[i][ph][l] = inside ? line[l][i][c0 + ph] : 0.0f;
          }
        }
        float(*now)[M][kLanes] = down[k & 1];
        // All phases in one pass when every lane is in use, else each phase's lanes.
        for (int ph = 0; ph < (lanes == kLanes ? 1 : M); ++ph) {
          const float* down_in[kAlpha];
          float* down_out[kAlpha];
          for (int i = 0; i < kAlpha; ++i) down_in[i] = block[i][ph], down_out[i] = now[i][ph];
          T::input(down_in, down_out, lanes == kLanes ? M * kLanes : lanes);
        }
        if (k == 0) continue;
        // Tile tw = k - 1: patch columns 0..m-1 are block k - 1, m and m + 1 block k.
        const float(*before)[M][kLanes] = down[(k - 1) & 1];
        const int64_t t = (k - 1) * rows + (ra - r0);
        for (int i = 0; i < kAlpha; ++i) {
          const float* across_in[kAlpha];
          float* across_out[kAlpha];
          for (int j = 0; j < kAlpha; ++j) {
            across_in[j] = j < M ? before[i][j] : now[i][j - M];
            across_out[j] = v + ((i * kAlpha + j) * cin + ci) * tc + t;
          }
          T::input(across_in, across_out, lanes);
        }
      }
    }
  });
}

// y for tile rows [r0, r1) from M (the chunk's products), + bias, through the epilogue.
// rows_buffer: per thread, kLanes * M * tilesW * M floats.
template <int M>
void transform_output(const Conv2dParams& p, const Tiling& tl, const float* m, const float* b, int64_t r0, int64_t r1,
                      float* rows_buffer, float* y) {
  using T = Transforms<M>;
  constexpr int kAlpha = T::kAlpha;
  const int64_t rows = r1 - r0, tc = rows * tl.tiles_w, cout = p.out_channels, groups = ceil_div(rows, kLanes);
  const int64_t width = tl.tiles_w * M, hwo = p.out_h * p.out_w;
  const int64_t grain = std::max<int64_t>(1, 64 / tl.tiles_w);
  dispatch::parallel_for(cout * groups, grain, [&](int64_t u0, int64_t u1) {
    alignas(64) float half[M][kAlpha][kLanes];  // A^T applied over xi's first index
    alignas(64) float done[M][M][kLanes];       // and over its second: output (k, l) of each lane's tile
    float* out_rows = rows_buffer + dispatch::thread_index() * kLanes * M * width;  // [lane][k][width]
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t co = u / groups, ra = r0 + u % groups * kLanes, lanes = std::min(kLanes, r1 - ra);
      for (int64_t tw = 0; tw < tl.tiles_w; ++tw) {
        const float* in = m + co * tc + tw * rows + (ra - r0);
        for (int j = 0; j < kAlpha; ++j) {
          const float* first_in[kAlpha];
          float* first_out[M];
          for (int i = 0; i < kAlpha; ++i) first_in[i] = in + (i * kAlpha + j) * cout * tc;
          for (int k = 0; k < M; ++k) first_out[k] = half[k][j];
          T::output(first_in, first_out, lanes);
        }
        for (int k = 0; k < M; ++k) {
          const float* second_in[kAlpha];
          float* second_out[M];
          for (int j = 0; j < kAlpha; ++j) second_in[j] = half[k][j];
          for (int l = 0; l < M; ++l) second_out[l] = done[k][l];
          T::output(second_in, second_out, lanes);
        }
        for (int64_t lane = 0; lane < lanes; ++lane)
          for (int k = 0; k < M; ++k)
            for (int l = 0; l < M; ++l) out_rows[(lane * M + k) * width + tw * M + l] = done[k][l][lane];
      }
      const float bias = b ? b[co] : 0.0f;
      for (int64_t lane = 0; lane < lanes; ++lane) {
        const int64_t r = ra + lane, n = r / tl.tiles_h, th = r % tl.tiles_h;
        for (int k = 0; k < M && th * M + k < p.out_h; ++k) {
          const int64_t at = (n * cout + co) * hwo + (th * M + k) * p.out_w;
          conv_finish(p, out_rows + (lane * M + k) * width, 1, bias, p.out_w, y + at, 1, at);
        }
      }
    }
  });
}

template <int M>
void forward(const Conv2dParams& p, const float* x, const float* u, const float* b, float* y, SgemmFn sgemm) {
  constexpr int64_t kAlpha2 = Transforms<M>::kAlpha * Transforms<M>::kAlpha;
  if (p.batch == 0) return;
  // Tile rows are the units shared out (of any image: at batch 1 they are all there is).
  const Tiling tl = tiling<M>(p, dispatch::threads_for(p.batch * ceil_div(p.out_h, M), 1));
  const int64_t cin = p.in_channels, cout = p.out_channels;
  const int64_t chunk_tiles = tl.rows_per_chunk * tl.tiles_w, rows_floats = kLanes * M * tl.tiles_w * M;
  // Tile rows [r0, r1) on scratch of the calling thread (its own, when chunks are shared).
  auto run_chunk = [&](int64_t r0, int64_t r1) {
    const int64_t tc = (r1 - r0) * tl.tiles_w;
    float* v = dispatch::scratch(dispatch::Scratch::conv_cols,
                                 kAlpha2 * cin * chunk_tiles + rows_floats * dispatch::num_threads());
    float* m = dispatch::scratch(dispatch::Scratch::conv_aux, kAlpha2 * cout * chunk_tiles + p.in_w);
    float* rows_buffer = v + kAlpha2 * cin * chunk_tiles;
    float* zeros = m + kAlpha2 * cout * chunk_tiles;
    std::fill(zeros, zeros + p.in_w, 0.0f);
    transform_input<M>(p, tl, x, r0, r1, zeros, v);
    // The alpha^2 products in one parallel region, each split into blocks of output
    // channels when there are threads to share them: at batch 1 a chunk's products are
    // narrow (a 7x7 map has 16 F(2,3) tiles) and each alone is below the SGEMM's grain
    // for a second thread, so they ran on one. The blocks change no bits: every element
    // of M is the same k-ordered sum whatever the rows computed with it.
    const int64_t block_rows = dispatch::threads_for(kAlpha2 * cout, 1) > 1 ? kGemmRowBlock : cout;
    const int64_t blocks = ceil_div(cout, block_rows);
    dispatch::parallel_for(kAlpha2 * blocks, 1, [&](int64_t u0, int64_t u1) {
      for (int64_t unit = u0; unit < u1; ++unit) {
        const int64_t xi = unit / blocks, c0 = unit % blocks * block_rows, rows = std::min(block_rows, cout - c0);
        sgemm({false, false, rows, tc, cin, 1.0f, u + (xi * cout + c0) * cin, cin, v + xi * cin * tc, tc, 0.0f,
               m + (xi * cout + c0) * tc, tc});
      }
    });
    transform_output<M>(p, tl, m, b, r0, r1, rows_buffer, y);
  };
  const int64_t chunks = ceil_div(tl.rows, tl.rows_per_chunk);
  auto rows_of = [&](int64_t c) { run_chunk(c * tl.rows_per_chunk, std::min(tl.rows, (c + 1) * tl.rows_per_chunk)); };
  if (tl.shared) {
    dispatch::parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) rows_of(c);
    });
  } else {
    for (int64_t c = 0; c < chunks; ++c) rows_of(c);
  }
}

template <int M>
void weights(int64_t cout, int64_t cin, const float* w, float* u) {
  using T = Transforms<M>;
  constexpr int kAlpha = T::kAlpha;
  const int64_t plane = cout * cin;
  dispatch::parallel_for(plane, 64, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      double g[9], half[kAlpha * 3], full[kAlpha * kAlpha];
      for (int i = 0; i < 9; ++i) g[i] = w[q * 9 + i];
      for (int c = 0; c < 3; ++c) T::filter(g + c, 3, half + c, 3);                  // G g: [alpha, 3]
      for (int i = 0; i < kAlpha; ++i) T::filter(half + i * 3, 1, full + i * kAlpha, 1);  // (G g) G^T
      for (int xi = 0; xi < kAlpha * kAlpha; ++xi) u[xi * plane + q] = static_cast<float>(full[xi]);
    }
  });
}

// The cost model behind plan_forward_algorithm: predicted nanoseconds per call. Constants
// measured on AVX2 (a 2-core AMD EPYC VM, 1 thread, process CPU time, the least of 9
// runs, on ResNet-18's 3x3 layers at batch 1 and 32; bench/winograd.mjs): the direct
// kernels and the SGEMM on wide products both run near 80 GFLOP/s, im2col + SGEMM near
// 64 with its copy; weights stream from memory at about 16 bytes/ns; the transforms cost
// about 11 ns (F(2,3)) and 35 ns (F(4,3)) per tile and channel, in or out; a product
// narrower than the SGEMM's column block (16 on AVX2) runs at that fraction of its
// speed (4 columns: 18 against 80 GFLOP/s). Other ISAs use the same numbers with their
// own column block: not measured there. With more than one thread, each parallel region
// costs about 2 us on a quiet machine (a fork and a join of threads still spinning from
// the last one; measured median) and far more on a busy one, where a descheduled thread
// holds up the join: kRegionNs charges 5 us. The plain path opens about 2 a call;
// Winograd one when its chunks are shared out whole, else 3 a chunk.
struct CostModel {
  static constexpr double kFlopsPerNs = 80, kIm2colFlopsPerNs = 64, kBytesPerNs = 16, kRegionNs = 5000;
  static constexpr double kTransformNs[5] = {0, 0, 11, 0, 35};
};

double plain_ns(const Conv2dParams& p, ConvAlgorithm plain, int threads) {
  const double macs = double(p.in_channels) * p.out_channels * p.kernel_h * p.kernel_w;
  const double rate = plain == ConvAlgorithm::direct ? CostModel::kFlopsPerNs : CostModel::kIm2colFlopsPerNs;
  return 2 * macs * p.batch * p.out_h * p.out_w / (rate * threads) + 4 * macs / CostModel::kBytesPerNs +
         (threads > 1 ? 2 * CostModel::kRegionNs : 0);
}

template <int M>
double winograd_ns(const Conv2dParams& p, int threads, int gemm_columns) {
  constexpr double kAlpha2 = Transforms<M>::kAlpha * Transforms<M>::kAlpha;
  const Tiling tl = tiling<M>(p, threads);
  const double tiles = double(tl.rows) * tl.tiles_w, chunk = double(tl.rows_per_chunk) * tl.tiles_w;
  const double chunks = std::ceil(tiles / chunk), macs = double(p.in_channels) * p.out_channels;
  const double width = std::min(1.0, chunk / gemm_columns);
  // Every thread computes products: its own chunks' (shared), or blocks of output channels
  // of each chunk's (one region for the transforms in, one for the products, one out).
  const double regions = threads == 1 ? 0 : tl.shared ? 1 : chunks * 3;
  return 2 * kAlpha2 * macs * tiles / (CostModel::kFlopsPerNs * width * threads) +
         chunks * 4 * kAlpha2 * macs / (CostModel::kBytesPerNs * (tl.shared ? threads : 1)) +
         CostModel::kTransformNs[M] * tiles * (p.in_channels + p.out_channels) / threads +
         regions * CostModel::kRegionNs;
}

// The SGEMM's column block per ISA (kernels/gemm/*.cc: NR).
int gemm_columns(dispatch::Isa isa) {
  switch (isa) {
    case dispatch::Isa::avx2: return 16;
    case dispatch::Isa::avx512: return 32;
    case dispatch::Isa::neon: return 12;
    default: return 8;
  }
}

}  // namespace

ConvAlgorithm plain_forward_algorithm(dispatch::Isa isa, const Conv2dParams& p) {
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case dispatch::Isa::avx2: return avx2::conv2d_forward_path(p);
    case dispatch::Isa::avx512: return avx512::conv2d_forward_path(p);
#endif
#if defined(__aarch64__)
    case dispatch::Isa::neon: return neon::conv2d_forward_path(p);
#endif
    default: return scalar::conv2d_forward_path(p);
  }
}

ConvAlgorithm plan_forward_algorithm(dispatch::Isa isa, const Conv2dParams& p, int threads) {
  const ConvAlgorithm plain = plain_forward_algorithm(isa, p);
  if (!winograd_fits(p) || p.batch == 0) return plain;
  const double t_plain = plain_ns(p, plain, threads);
  const double t2 = winograd_ns<2>(p, threads, gemm_columns(isa)), t4 = winograd_ns<4>(p, threads, gemm_columns(isa));
  // Winograd only where it wins clearly, and F(4,3) (10 to 30 times F(2,3)'s rounding
  // error, winograd_test.cc) only where it beats F(2,3) clearly too.
  constexpr double kMargin = 1.2;
  if (t4 * kMargin < std::min(t2, t_plain)) return ConvAlgorithm::winograd4;
  if (t2 * kMargin < t_plain) return ConvAlgorithm::winograd2;
  return plain;
}

bool winograd_fits(const Conv2dParams& p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 && p.dilation_h == 1 &&
         p.dilation_w == 1 && p.groups == 1;
}

int64_t winograd_weight_floats(int tile, int64_t cout, int64_t cin) { return (tile + 2) * (tile + 2) * cout * cin; }

void winograd_weights(int tile, int64_t cout, int64_t cin, const float* w, float* u) {
  if (tile == 2) return weights<2>(cout, cin, w, u);
  weights<4>(cout, cin, w, u);
}

void forward_winograd(int tile, const Conv2dParams& p, const float* x, const float* u, const float* b, float* y,
                      SgemmFn sgemm) {
  if (tile == 2) return forward<2>(p, x, u, b, y, sgemm);
  forward<4>(p, x, u, b, y, sgemm);
}

}  // namespace striate::conv
