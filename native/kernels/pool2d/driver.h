// The pooling driver shared by every ISA. Each ISA file includes it inside an anonymous
// namespace with its vector traits T, so code built with -mavx2 or -mavx512f stays there.
//
// Layout: x [planes, inH, inW] with planes = N * C; y [planes, outH, outW]. Threads take
// contiguous ranges of planes (parallel_for); planes are independent, so every output,
// and every scatter-add of a backward, is computed by one thread in a fixed order.
//
// Forward, one output row at a time: the output columns whose windows lie wholly inside
// the row (and, for stride 2 with an odd kernel, one float beyond, which the even-lane
// load reads) are done T::V at a time: for each window element (ih, kw) one load (stride
// 1) or two loads and a de-interleave (stride 2) feed T::V windows at once, each lane
// visiting its window in the same row-major order as reference.cc. A partial last chunk
// overlaps the one before it (recomputing a few outputs) rather than falling to scalar
// code. When fewer than T::V columns qualify (LeNet's rows of 14 and 5 outputs under
// AVX-512), the call runs on T::Narrower, down to Lane1. Border columns and strides above
// 2 run one window at a time with the scalar traits (Lane1) on the same accumulators.
//
// Backward of non-overlapping windows (2x2/2 and the like), dense instead of zero and
// scatter: each dx element can receive dy from one output only, its tile's, so a dx row
// is written T::V at a time as (its tile's argmax == its index) ? 0 + dy : 0, or for
// average pooling 0 + dy / count, the same floats the scatter into zeros gives. Tile
// columns 1 or 2 wide (the outputs repeated by load_dup2); wider ones scatter. Max
// pooling's backward gets only the shapes, so its tiling is guessed from them and checked
// by counting the matches: a plane where some argmax lies outside its tile is redone by
// scatter, and that thread scatters its remaining planes. Narrow rows scatter (see
// maxpool2d_bwd_impl).
//
// T provides: V; Narrower (the next traits down; not in Lane1); F (floats), I (int32), M
// (mask); load, load_even (p[0], p[2], ..., p[2V-2], reading 2V floats), load_pair (the
// even and the odd floats of p[0, 2V)), load_dup2 (p[0], p[0], p[1], p[1], ... reading
// V/2 floats), store, set1, zero, add, mul, div, relu, gt, select, larger(best, v) (v
// where v > best, else best: select(gt(v, best), v, best), one instruction on x86),
// count (set lanes of a mask), load_i, load_dup2_i, eq_i, lane_offsets (lane * stride),
// index (base + lane offsets), select_i, store_i.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "dispatch/parallel.h"
#include "kernels/pool2d/pool2d.h"

namespace striate {
namespace {

struct Lane1 {
  static constexpr int V = 1;
  using F = float;
  using I = int32_t;
  using M = bool;
  static F load(const float* p) { return *p; }
  static F load_even(const float* p) { return *p; }
  static F load_dup2(const float* p) { return *p; }
  static void store(float* p, F v) { *p = v; }
  static F set1(float v) { return v; }
  static F zero() { return 0.0f; }
  static F add(F a, F b) { return a + b; }
  static F mul(F a, F b) { return a * b; }
  static F div(F a, F b) { return a / b; }
  static F relu(F a) { return a > 0.0f ? a : 0.0f; }
  static M gt(F a, F b) { return a > b; }
  static F larger(F best, F v) { return v > best ? v : best; }
  static F select(M m, F t, F f) { return m ? t : f; }
  static void load_pair(const float* p, F* even, F* odd) {
    *even = p[0];
    *odd = p[1];
  }
  static int count(M m) { return m ? 1 : 0; }
  static I load_i(const int32_t* p) { return *p; }
  static I load_dup2_i(const int32_t* p) { return *p; }
  static M eq_i(I a, I b) { return a == b; }
  static I lane_offsets(int32_t) { return 0; }
  static I index(int32_t base, I) { return base; }
  static I select_i(M m, I t, I f) { return m ? t : f; }
  static void store_i(int32_t* p, I v) { *p = v; }
};

// Accumulators over the elements of T::V windows, visited in row-major window order.
template <class T, bool kArgmax>
struct MaxAcc {
  typename T::F best;
  typename T::I arg;
  void init(typename T::F v, typename T::I i) {
    best = v;
    if (kArgmax) arg = i;
  }
  void add(typename T::F v, typename T::I i) {
    if constexpr (kArgmax) {
      const typename T::M m = T::gt(v, best);
      best = T::select(m, v, best);
      arg = T::select_i(m, i, arg);
    } else {
      best = T::larger(best, v);
    }
  }
  void store(float* y, int32_t* argmax, float) const {
    T::store(y, best);
    if (kArgmax) T::store_i(argmax, arg);
  }
};
template <class T> using MaxOnly = MaxAcc<T, false>;
template <class T> using MaxWithArg = MaxAcc<T, true>;

template <class T>
struct SumAcc {
  typename T::F sum;
  void init(typename T::F v, typename T::I) { sum = v; }
  void add(typename T::F v, typename T::I) { sum = T::add(sum, v); }
  void store(float* y, int32_t*, float count) const { T::store(y, T::div(sum, T::set1(count))); }
};

// Stochastic pooling's expectation: sum(a+^2) / sum(a+), 0 where sum(a+) = 0.
template <class T>
struct SquareRatioAcc {
  typename T::F s1, s2;
  void init(typename T::F v, typename T::I) {
    s1 = T::relu(v);
    s2 = T::mul(s1, s1);
  }
  void add(typename T::F v, typename T::I) {
    const typename T::F r = T::relu(v);
    s1 = T::add(s1, r);
    s2 = T::add(s2, T::mul(r, r));
  }
  void store(float* y, int32_t*, float) const {
    const typename T::M positive = T::gt(s1, T::zero());
    // The division by a zero s1 yields NaN in the lanes that select then discards.
    T::store(y, T::select(positive, T::div(s2, s1), T::zero()));
  }
};

struct Geometry {
  const Pool2dParams& p;
  int64_t in_plane, out_plane;
  explicit Geometry(const Pool2dParams& params)
      : p(params), in_plane(params.in_h * params.in_w), out_plane(params.out_h * params.out_w) {}

  // Rows [h0, h1) of output row oh inside the input, and the height clipped only to the
  // padded input (PyTorch's divisor when the padding counts).
  void rows(int64_t oh, int64_t* h0, int64_t* h1, int64_t* padded) const {
    const int64_t hs = oh * p.stride_h - p.pad_h, he = std::min(hs + p.kernel_h, p.in_h + p.pad_h);
    *h0 = std::max<int64_t>(hs, 0);
    *h1 = std::min(he, p.in_h);
    *padded = he - hs;
  }
  void cols(int64_t ow, int64_t* w0, int64_t* w1, int64_t* padded) const {
    const int64_t ws = ow * p.stride_w - p.pad_w, we = std::min(ws + p.kernel_w, p.in_w + p.pad_w);
    *w0 = std::max<int64_t>(ws, 0);
    *w1 = std::min(we, p.in_w);
    *padded = we - ws;
  }
  float count(int64_t h0, int64_t h1, int64_t padded_h, int64_t w0, int64_t w1, int64_t padded_w) const {
    return static_cast<float>(p.count_include_pad ? padded_h * padded_w : (h1 - h0) * (w1 - w0));
  }
  // Output columns [lo, hi) whose T-wide chunks may run the vector path: wholly inside
  // the input row, and one float of slack where stride 2 ends on load_even (odd kernels).
  template <class T>
  void vector_cols(int64_t* lo, int64_t* hi) const {
    const int64_t s = p.stride_w;
    *lo = *hi = 0;
    if (T::V > 1 && s > 2) return;
    const int64_t slack = T::V > 1 && s == 2 && p.kernel_w % 2 == 1 ? 1 : 0;
    const int64_t room = p.in_w + p.pad_w - p.kernel_w - slack;
    if (room < 0) return;
    *lo = std::min((p.pad_w + s - 1) / s, p.out_w);
    *hi = std::max(*lo, std::min(room / s + 1, p.out_w));
  }
  int64_t grain() const { return std::max<int64_t>(1, 8192 / (in_plane + out_plane + 1)); }
};

// Stride 2 takes window columns in pairs: one load_pair yields column kw in its even
// floats and kw + 1 in its odd ones.
template <template <class> class Acc, class T>
void forward_chunk(const Geometry& g, const float* plane, int64_t h0, int64_t h1, int64_t ow0, float count,
                   typename T::I lanes, float* y, int32_t* argmax) {
  const Pool2dParams& p = g.p;
  const int64_t iw0 = ow0 * p.stride_w - p.pad_w;
  Acc<T> acc;
  bool first = true;
  auto feed = [&](typename T::F v, int64_t at) {
    const typename T::I i = T::index(static_cast<int32_t>(at), lanes);
    if (first) {
      acc.init(v, i);
      first = false;
    } else {
      acc.add(v, i);
    }
  };
  for (int64_t ih = h0; ih < h1; ++ih) {
    const int64_t at = ih * p.in_w + iw0;
    if (p.stride_w == 1) {
      for (int64_t kw = 0; kw < p.kernel_w; ++kw) feed(T::load(plane + at + kw), at + kw);
    } else {
      int64_t kw = 0;
      for (; kw + 1 < p.kernel_w; kw += 2) {
        typename T::F even, odd;
        T::load_pair(plane + at + kw, &even, &odd);
        feed(even, at + kw);
        feed(odd, at + kw + 1);
      }
      if (kw < p.kernel_w) feed(T::load_even(plane + at + kw), at + kw);
    }
  }
  acc.store(y, argmax, count);
}

template <template <class> class Acc>
void forward_window(const Geometry& g, const float* plane, int64_t h0, int64_t h1, int64_t padded_h, int64_t ow,
                    float* y, int32_t* argmax) {
  int64_t w0, w1, padded_w;
  g.cols(ow, &w0, &w1, &padded_w);
  Acc<Lane1> acc;
  acc.init(plane[h0 * g.p.in_w + w0], static_cast<int32_t>(h0 * g.p.in_w + w0));
  for (int64_t ih = h0; ih < h1; ++ih)
    for (int64_t iw = ih == h0 ? w0 + 1 : w0; iw < w1; ++iw) {
      const int64_t at = ih * g.p.in_w + iw;
      acc.add(plane[at], static_cast<int32_t>(at));
    }
  acc.store(y, argmax, g.count(h0, h1, padded_h, w0, w1, padded_w));
}

// Output maps of at most kTablePixels (GoogLeNet's pools at 3x32x32 on 8x8 to 1x1 maps,
// where rows are too short for a vector) run through a table of each window's input
// offsets, built once a call, instead of clipping every window of every plane again. The
// planes go T::V at a time, one per lane: their pixels interleaved into a buffer
// (pixel-major), each table window loads T::V windows at once, and the outputs are
// de-interleaved back (GoogLeNet's 3x3 pools on 8x8 and 4x4 maps at 3x32x32 batch 32:
// 0.44-0.5 ms each one window at a time, 4-5x ONNX Runtime's; 0.21-0.26 ms). Each lane
// visits its window's elements in the order forward_window does, so outputs and argmaxes
// are its own; planes left over past the last whole group run one window at a time.
// Traits with a block transpose (Avx2) interleave and de-interleave 8x8 blocks in
// registers, not a float at a time: 2x2/2 average pooling of 8x8 maps at batch 32, 0.16
// -> 0.07 ms; 3x3/2 max pooling of 16x16 maps, 0.37 -> 0.20 (AVX2, 1 thread).
constexpr int64_t kTablePixels = 64;

// Each output's window as input offsets: offsets[starts[j], starts[j + 1]), and its divisor.
struct WindowTable {
  std::vector<int32_t> offsets, starts;
  std::vector<float> counts;
  explicit WindowTable(const Geometry& g) : starts(g.out_plane + 1), counts(g.out_plane) {
    const Pool2dParams& p = g.p;
    for (int64_t oh = 0, j = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow, ++j) {
        int64_t h0, h1, padded_h, w0, w1, padded_w;
        g.rows(oh, &h0, &h1, &padded_h);
        g.cols(ow, &w0, &w1, &padded_w);
        starts[j] = static_cast<int32_t>(offsets.size());
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) offsets.push_back(static_cast<int32_t>(ih * p.in_w + iw));
        counts[j] = g.count(h0, h1, padded_h, w0, w1, padded_w);
      }
    starts[g.out_plane] = static_cast<int32_t>(offsets.size());
  }
};

// Traits with a V x V block transpose (T::transpose(from, ld, to, to_ld): to[j * to_ld + q]
// = from[q * ld + j]) move planes into lanes and back by blocks; the others a float at a time.
template <class T, class = void>
struct HasTranspose : std::false_type {};
template <class T>
struct HasTranspose<T, std::void_t<decltype(&T::transpose)>> : std::true_type {};

// to[e * V + q] = from[q * ld + e] for q < V, e < n: V rows (planes) into lanes. Moves
// bits only, so int32 argmaxes go through it as floats.
template <class T, class E>
void to_lanes(const E* from, int64_t ld, int64_t n, E* to) {
  static_assert(sizeof(E) == sizeof(float), "floats or int32 argmaxes");
  int64_t e = 0;
  if constexpr (HasTranspose<T>::value)
    for (; e + T::V <= n; e += T::V)
      T::transpose(reinterpret_cast<const float*>(from + e), ld, reinterpret_cast<float*>(to + e * T::V), T::V);
  for (; e < n; ++e)
    for (int q = 0; q < T::V; ++q) to[e * T::V + q] = from[q * ld + e];
}

// to[q * ld + e] = from[e * V + q]: lanes back into V rows.
template <class T, class E>
void from_lanes(const E* from, int64_t n, E* to, int64_t ld) {
  static_assert(sizeof(E) == sizeof(float), "floats or int32 argmaxes");
  int64_t e = 0;
  if constexpr (HasTranspose<T>::value)
    for (; e + T::V <= n; e += T::V)
      T::transpose(reinterpret_cast<const float*>(from + e * T::V), T::V, reinterpret_cast<float*>(to + e), ld);
  for (; e < n; ++e)
    for (int q = 0; q < T::V; ++q) to[q * ld + e] = from[e * T::V + q];
}

// Planes [c0, c1), one window at a time.
template <template <class> class Acc>
void table_planes(const Geometry& g, const WindowTable& t, const float* x, float* y, int32_t* argmax, int64_t c0,
                  int64_t c1) {
  for (int64_t c = c0; c < c1; ++c) {
    const float* plane = x + c * g.in_plane;
    for (int64_t j = 0; j < g.out_plane; ++j) {
      const int32_t* at = t.offsets.data() + t.starts[j];
      const int32_t* stop = t.offsets.data() + t.starts[j + 1];
      Acc<Lane1> acc;
      acc.init(plane[*at], *at);
      for (++at; at < stop; ++at) acc.add(plane[*at], *at);
      const int64_t o = c * g.out_plane + j;
      acc.store(y + o, argmax ? argmax + o : nullptr, t.counts[j]);
    }
  }
}

template <template <class> class Acc, class T>
void forward_table(const Geometry& g, const float* x, float* y, int32_t* argmax) {
  const WindowTable t(g);
  const int64_t planes = g.p.batch * g.p.channels;
  // Under 16 outputs a plane (GoogLeNet's 2x2 and 1x1 maps) interleaving a float at a
  // time costs more than it saves (1x1 maps: 3x slower). With the block transposes 2x2
  // maps gain too (GoogLeNet's 3x3/1 pools on 2x2 maps at 3x32x32 batch 32: 0.24 -> 0.15
  // ms; 3x3/2 from 4x4: 0.31 -> 0.15); 1x1 maps keep the one-window path (their few input
  // pixels fill no block).
  const int64_t least = HasTranspose<T>::value ? 4 : 16;
  const int64_t groups = T::V > 1 && g.out_plane >= least ? planes / T::V : 0;
  if (groups == 0)
    return dispatch::parallel_for(planes, g.grain(), [&](int64_t c0, int64_t c1) { table_planes<Acc>(g, t, x, y, argmax, c0, c1); });
  dispatch::parallel_for(groups, std::max<int64_t>(1, g.grain() / T::V), [&](int64_t u0, int64_t u1) {
    // The running thread's buffers (each worker its own), kept at their largest size so
    // that a call allocates nothing once warm.
    thread_local std::vector<float> xt, yt;
    thread_local std::vector<int32_t> at;
    xt.resize(g.in_plane * T::V), yt.resize(g.out_plane * T::V), at.resize(argmax ? g.out_plane * T::V : 0);
    const typename T::I same = T::lane_offsets(0);  // every lane's window reads the same offset
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t c0 = u * T::V;
      to_lanes<T>(x + c0 * g.in_plane, g.in_plane, g.in_plane, xt.data());
      for (int64_t j = 0; j < g.out_plane; ++j) {
        const int32_t* o = t.offsets.data() + t.starts[j];
        const int32_t* stop = t.offsets.data() + t.starts[j + 1];
        Acc<T> acc;
        acc.init(T::load(xt.data() + *o * T::V), T::index(*o, same));
        for (++o; o < stop; ++o) acc.add(T::load(xt.data() + *o * T::V), T::index(*o, same));
        acc.store(yt.data() + j * T::V, argmax ? at.data() + j * T::V : nullptr, t.counts[j]);
      }
      from_lanes<T>(yt.data(), g.out_plane, y + c0 * g.out_plane, g.out_plane);
      if (argmax) from_lanes<T>(at.data(), g.out_plane, argmax + c0 * g.out_plane, g.out_plane);
    }
  });
  table_planes<Acc>(g, t, x, y, argmax, groups * T::V, planes);
}

// One output row of a plane from input rows [h0, h1): border columns one window at a
// time, columns [lo, hi) T::V windows at a time (a partial last chunk is redone as a full
// one ending at hi: it recomputes some outputs of the previous chunk, to the same values).
template <template <class> class Acc, class T>
void forward_row(const Geometry& g, const float* plane, int64_t h0, int64_t h1, int64_t padded_h, int64_t lo,
                 int64_t hi, typename T::I lanes, float* y, int32_t* argmax) {
  const Pool2dParams& p = g.p;
  const float chunk_count = g.count(h0, h1, padded_h, 0, p.kernel_w, p.kernel_w);
  auto arg_at = [&](int64_t ow) { return argmax ? argmax + ow : nullptr; };
  int64_t ow = 0;
  for (; ow < lo; ++ow) forward_window<Acc>(g, plane, h0, h1, padded_h, ow, y + ow, arg_at(ow));
  for (; ow + T::V <= hi; ow += T::V) forward_chunk<Acc, T>(g, plane, h0, h1, ow, chunk_count, lanes, y + ow, arg_at(ow));
  if (ow < hi && hi - lo >= T::V) {
    forward_chunk<Acc, T>(g, plane, h0, h1, hi - T::V, chunk_count, lanes, y + hi - T::V, arg_at(hi - T::V));
    ow = hi;
  }
  for (; ow < p.out_w; ++ow) forward_window<Acc>(g, plane, h0, h1, padded_h, ow, y + ow, arg_at(ow));
}

// out[ow] = the maximum of one input row across output column ow's window, in the
// window's order: columns [lo, hi) T::V at a time (stride 1 or 2, as forward_chunk reads
// them), the rest one window at a time.
template <class T>
void row_maxima(const Pool2dParams& p, const float* row, int64_t lo, int64_t hi, float* out) {
  auto one = [&](int64_t ow) {
    const int64_t ws = ow * p.stride_w - p.pad_w, w0 = std::max<int64_t>(ws, 0), w1 = std::min(ws + p.kernel_w, p.in_w);
    float best = row[w0];
    for (int64_t iw = w0 + 1; iw < w1; ++iw) best = Lane1::larger(best, row[iw]);
    out[ow] = best;
  };
  auto chunk = [&](int64_t ow) {
    const float* at = row + ow * p.stride_w - p.pad_w;
    typename T::F best;
    if (p.stride_w == 1) {
      best = T::load(at);
      for (int64_t kw = 1; kw < p.kernel_w; ++kw) best = T::larger(best, T::load(at + kw));
    } else {
      typename T::F even, odd;
      int64_t kw = 0;
      if (p.kernel_w == 1) {
        best = T::load_even(at);
        kw = 1;
      } else {
        T::load_pair(at, &best, &odd);
        best = T::larger(best, odd);
        kw = 2;
      }
      for (; kw + 1 < p.kernel_w; kw += 2) {
        T::load_pair(at + kw, &even, &odd);
        best = T::larger(T::larger(best, even), odd);
      }
      if (kw < p.kernel_w) best = T::larger(best, T::load_even(at + kw));
    }
    T::store(out + ow, best);
  };
  int64_t ow = 0;
  for (; ow < lo; ++ow) one(ow);
  for (; ow + T::V <= hi; ow += T::V) chunk(ow);
  if (ow < hi && hi - lo >= T::V) {
    chunk(hi - T::V);  // recomputes some outputs of the chunk before, to the same values
    ow = hi;
  }
  for (; ow < p.out_w; ++ow) one(ow);
}

// Max pooling without argmax where windows overlap down the columns (GoogLeNet's 3x3/1,
// the 3x3/2 after a stem), row by row: each input row's maxima across its windows'
// columns once (rows, a buffer [in_h, out_w]), then each output the maximum of its
// window's rows of that, T::V outputs at a time. The window order (forward_row) compares
// every element of the window again for each output row the input row serves, and runs
// the border columns one element at a time: GoogLeNet's [1, 256, 28, 28] 3x3/1 pad 1 took
// 3.6 times ONNX Runtime's pool. Both orders pick the first of the largest values (+0 and
// -0 compare equal) unless a NaN opens one of a window's rows other than its first: the
// window order skips it where row by row it stands for its row. A plane holding a NaN
// therefore returns false here, and runs in the window order.
template <class T>
bool max_by_rows(const Geometry& g, const float* plane, int64_t lo, int64_t hi, float* rows, float* y) {
  const Pool2dParams& p = g.p;
  // NaN's bits, sign aside, are the only ones above infinity's (an integer maximum: vectorised).
  uint32_t top = 0;
  for (int64_t e = 0; e < g.in_plane; ++e) {
    uint32_t bits;
    std::memcpy(&bits, plane + e, sizeof bits);
    top = std::max(top, bits & 0x7fffffffu);
  }
  if (top > 0x7f800000u) return false;
  int64_t first, last, unused;
  g.rows(0, &first, &unused, &unused);
  g.rows(p.out_h - 1, &unused, &last, &unused);
  for (int64_t ih = first; ih < last; ++ih) row_maxima<T>(p, plane + ih * p.in_w, lo, hi, rows + ih * p.out_w);
  for (int64_t oh = 0; oh < p.out_h; ++oh) {
    int64_t h0, h1, unused_h;
    g.rows(oh, &h0, &h1, &unused_h);
    float* out = y + oh * p.out_w;
    auto columns = [&](auto traits, int64_t ow) {
      using U = decltype(traits);
      typename U::F best = U::load(rows + h0 * p.out_w + ow);
      for (int64_t ih = h0 + 1; ih < h1; ++ih) best = U::larger(best, U::load(rows + ih * p.out_w + ow));
      U::store(out + ow, best);
    };
    int64_t ow = 0;
    if (p.out_w >= T::V) {
      for (; ow + T::V <= p.out_w; ow += T::V) columns(T{}, ow);
      if (ow < p.out_w) columns(T{}, p.out_w - T::V);  // overlaps the last chunk, to the same values
    } else {
      for (; ow < p.out_w; ++ow) columns(Lane1{}, ow);
    }
  }
  return true;
}

template <template <class> class Acc, class T>
void forward(const Pool2dParams& p, const float* x, float* y, int32_t* argmax) {
  const Geometry g(p);
  if (g.out_plane <= kTablePixels) return forward_table<Acc, T>(g, x, y, argmax);
  int64_t lo, hi;
  g.vector_cols<T>(&lo, &hi);
  if constexpr (T::V > 1) {
    if (hi - lo < T::V) return forward<Acc, typename T::Narrower>(p, x, y, argmax);
  }
  const typename T::I lanes = T::lane_offsets(static_cast<int32_t>(p.stride_w));
  constexpr bool kMaxOnly = std::is_same_v<Acc<T>, MaxOnly<T>>;
  const bool by_rows = kMaxOnly && p.stride_h < p.kernel_h;
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    // The running thread's buffer (each worker its own), kept at its largest size.
    thread_local std::vector<float> rows;
    if (by_rows) rows.resize(p.in_h * p.out_w);
    for (int64_t c = begin; c < end; ++c) {
      const float* plane = x + c * g.in_plane;
      if constexpr (kMaxOnly) {
        if (by_rows && max_by_rows<T>(g, plane, lo, hi, rows.data(), y + c * g.out_plane)) continue;
      }
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        int64_t h0, h1, padded_h;
        g.rows(oh, &h0, &h1, &padded_h);
        const int64_t o = c * g.out_plane + oh * p.out_w;
        forward_row<Acc, T>(g, plane, h0, h1, padded_h, lo, hi, lanes, y + o, argmax ? argmax + o : nullptr);
      }
    }
  });
}

template <class T>
void maxpool2d_fwd_impl(const Pool2dParams& p, const float* x, float* y, int32_t* argmax) {
  if (argmax)
    forward<MaxWithArg, T>(p, x, y, argmax);
  else
    forward<MaxOnly, T>(p, x, y, nullptr);
}

// A tiling of the input plane into tiles tile_h x tile_w, output (oh, ow) owning rows
// [oh * tile_h, +tile_h) and columns [ow * tile_w, +tile_w), clipped to the input; input
// past the last tile belongs to no output.
struct Tiling {
  int64_t tile_h = 0, tile_w = 0;
  bool dense() const { return tile_h >= 1 && (tile_w == 1 || tile_w == 2); }

  // Windows with kernel = stride and no padding tile the input exactly.
  static Tiling of_windows(const Pool2dParams& p) {
    Tiling t;
    if (p.kernel_h == p.stride_h && p.kernel_w == p.stride_w && p.pad_h == 0 && p.pad_w == 0)
      t.tile_h = p.stride_h, t.tile_w = p.stride_w;
    return t;
  }
  // From the shapes alone: s = in / out where out * s <= in < (out + 1) * s (floor mode),
  // else ceil(in / out) (ceil mode, whose last tile is clipped). A wrong guess costs only
  // the redone plane.
  static Tiling guess(const Pool2dParams& p) {
    auto side = [](int64_t in, int64_t out) {
      const int64_t s = in / out;
      return in < (out + 1) * s ? s : (in + out - 1) / out;
    };
    Tiling t;
    if (p.out_h >= 1 && p.out_w >= 1) t.tile_h = side(p.in_h, p.out_h), t.tile_w = side(p.in_w, p.out_w);
    return t;
  }
};

// Input columns [iw, end) of the dx rows [r0, r1) of one row of tiles 1 or 2 columns
// wide: each element takes 0 + dy of its tile if the tile's argmax is its index, else 0.
// The tile row's dy and argmax are loaded (and repeated) once for all its dx rows. Chunks
// of T::V, then the narrower traits for the rest. Returns the matches.
template <class T>
int64_t max_dense_tiles(const Pool2dParams& p, const float* drow, const int32_t* arow, int64_t tile_w, int64_t r0,
                        int64_t r1, int64_t iw, int64_t end, float* dx) {
  int64_t matched = 0;
  const typename T::I lanes = T::lane_offsets(1);
  for (; iw + T::V <= end; iw += T::V) {
    const bool pairs = tile_w == 2;
    const typename T::I a = pairs ? T::load_dup2_i(arow + iw / 2) : T::load_i(arow + iw);
    const typename T::F d = T::add(T::zero(), pairs ? T::load_dup2(drow + iw / 2) : T::load(drow + iw));
    for (int64_t ih = r0; ih < r1; ++ih) {
      const int64_t at = ih * p.in_w + iw;
      const typename T::M m = T::eq_i(a, T::index(static_cast<int32_t>(at), lanes));
      T::store(dx + at, T::select(m, d, T::zero()));
      matched += T::count(m);
    }
  }
  if constexpr (T::V > 1)
    matched += max_dense_tiles<typename T::Narrower>(p, drow, arow, tile_w, r0, r1, iw, end, dx);
  return matched;
}

// One plane densely; false when some argmax lies outside its tile (dx is then partial).
template <class T>
bool max_dense_plane(const Pool2dParams& p, const Tiling& t, const float* d, const int32_t* a, float* dx) {
  const int64_t rows = std::min(p.out_h * t.tile_h, p.in_h), cols = std::min(p.out_w * t.tile_w, p.in_w);
  int64_t matched = 0;
  for (int64_t oh = 0; oh * t.tile_h < rows; ++oh) {
    const int64_t r0 = oh * t.tile_h, r1 = std::min(r0 + t.tile_h, rows), o = oh * p.out_w;
    matched += max_dense_tiles<T>(p, d + o, a + o, t.tile_w, r0, r1, 0, cols, dx);
    if (cols < p.in_w)
      for (int64_t ih = r0; ih < r1; ++ih) std::fill(dx + ih * p.in_w + cols, dx + (ih + 1) * p.in_w, 0.0f);
  }
  std::fill(dx + rows * p.in_w, dx + p.in_h * p.in_w, 0.0f);
  return matched == p.out_h * p.out_w;
}

// Returns the count of argmax entries outside the plane, which it skips.
int64_t max_scatter_plane(const Geometry& g, const float* d, const int32_t* a, float* dx) {
  std::memset(dx, 0, sizeof(float) * g.in_plane);
  int64_t bad = 0;
  for (int64_t o = 0; o < g.out_plane; ++o) {
    if (static_cast<uint32_t>(a[o]) >= static_cast<uint64_t>(g.in_plane)) {
      ++bad;
      continue;
    }
    dx[a[o]] += d[o];
  }
  return bad;
}

// The scatter zeroes each plane just before scattering into it, so it stays in L1. It
// costs about one pass over the outputs, which the dense form beats only where whole
// vectors fill most of a row: rows of at least 2 T::V tiled columns (measured in
// bench/README.md: LeNet's rows of 28 and 10 scatter faster under AVX-512).
template <class T>
int64_t maxpool2d_bwd_impl(const Pool2dParams& p, const float* dy, const int32_t* argmax, float* dx) {
  const Geometry g(p);
  const Tiling tiling = Tiling::guess(p);
  const bool wide = tiling.dense() && std::min(p.out_w * tiling.tile_w, p.in_w) >= 2 * T::V;
  std::atomic<int64_t> bad{0};
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    int64_t local_bad = 0;
    bool dense = T::V > 1 && wide;
    for (int64_t c = begin; c < end; ++c) {
      float* plane = dx + c * g.in_plane;
      if (dense) {
        if (max_dense_plane<T>(p, tiling, dy + c * g.out_plane, argmax + c * g.out_plane, plane)) continue;
        dense = false;
      }
      local_bad += max_scatter_plane(g, dy + c * g.out_plane, argmax + c * g.out_plane, plane);
    }
    if (local_bad) bad.fetch_add(local_bad, std::memory_order_relaxed);
  });
  return bad.load();
}

// Input columns [iw, end) of one dx row of an exact tiling: 0 + dy / count of its tile.
template <class T>
void avg_dense_row(const float* drow, int64_t tile_w, float count, int64_t iw, int64_t end, float* dxrow) {
  const typename T::F n = T::set1(count);
  for (; iw + T::V <= end; iw += T::V) {
    const typename T::F d = tile_w == 2 ? T::load_dup2(drow + iw / 2) : T::load(drow + iw);
    T::store(dxrow + iw, T::add(T::zero(), T::div(d, n)));
  }
  if constexpr (T::V > 1) avg_dense_row<typename T::Narrower>(drow, tile_w, count, iw, end, dxrow);
}

template <class T>
void avg_dense_plane(const Geometry& g, const Tiling& t, const float* d, float* dx) {
  const Pool2dParams& p = g.p;
  // Whole tiles, then the last one that ceil mode clips, which divides by its own count.
  const int64_t full = std::min(p.out_w, p.in_w / t.tile_w) * t.tile_w, cols = std::min(p.out_w * t.tile_w, p.in_w);
  int64_t w0, w1, padded_w;
  g.cols(p.out_w - 1, &w0, &w1, &padded_w);
  for (int64_t oh = 0; oh < p.out_h; ++oh) {
    int64_t h0, h1, padded_h;
    g.rows(oh, &h0, &h1, &padded_h);
    const float* drow = d + oh * p.out_w;
    const float count = g.count(h0, h1, padded_h, 0, p.kernel_w, p.kernel_w);
    const float last = g.count(h0, h1, padded_h, w0, w1, padded_w);
    for (int64_t ih = h0; ih < h1; ++ih) {
      float* row = dx + ih * p.in_w;
      avg_dense_row<T>(drow, t.tile_w, count, 0, full, row);
      avg_dense_row<Lane1>(drow, t.tile_w, last, full, cols, row);
      std::fill(row + cols, row + p.in_w, 0.0f);
    }
  }
  std::fill(dx + std::min(p.out_h * t.tile_h, p.in_h) * p.in_w, dx + g.in_plane, 0.0f);
}

// Stride 1 spreads T::V outputs' shares over T::V adjacent inputs per window element,
// then narrower traits take the rest of [ow, hi). Returns where it stopped.
template <class T>
int64_t avg_spread_chunks(const Pool2dParams& p, const float* drow, float count, int64_t h0, int64_t h1, int64_t ow,
                          int64_t hi, float* plane) {
  const typename T::F n = T::set1(count);
  for (; ow + T::V <= hi; ow += T::V) {
    const typename T::F share = T::div(T::load(drow + ow), n);
    const int64_t iw0 = ow * p.stride_w - p.pad_w;
    for (int64_t ih = h0; ih < h1; ++ih)
      for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
        float* at = plane + ih * p.in_w + iw0 + kw;
        T::store(at, T::add(T::load(at), share));
      }
  }
  if constexpr (T::V > 1) return avg_spread_chunks<typename T::Narrower>(p, drow, count, h0, h1, ow, hi, plane);
  return ow;
}

// Exact tilings run dense; otherwise zero and add: stride 1 through avg_spread_chunks
// (the scalar traits take any stride, one output at a time), the borders one window at
// a time.
template <class T>
void avgpool2d_bwd_impl(const Pool2dParams& p, const float* dy, float* dx) {
  const Geometry g(p);
  const Tiling tiling = Tiling::of_windows(p);
  const bool dense = T::V > 1 && tiling.dense();
  int64_t lo = 0, hi = 0;
  if (p.stride_w == 1 || T::V == 1) g.vector_cols<T>(&lo, &hi);
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float* plane = dx + c * g.in_plane;
      if (dense) {
        avg_dense_plane<T>(g, tiling, dy + c * g.out_plane, plane);
        continue;
      }
      std::memset(plane, 0, sizeof(float) * g.in_plane);
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        int64_t h0, h1, padded_h;
        g.rows(oh, &h0, &h1, &padded_h);
        const float* drow = dy + c * g.out_plane + oh * p.out_w;
        auto window = [&](int64_t ow) {
          int64_t w0, w1, padded_w;
          g.cols(ow, &w0, &w1, &padded_w);
          const float share = drow[ow] / g.count(h0, h1, padded_h, w0, w1, padded_w);
          for (int64_t ih = h0; ih < h1; ++ih)
            for (int64_t iw = w0; iw < w1; ++iw) plane[ih * p.in_w + iw] += share;
        };
        int64_t ow = 0;
        for (; ow < lo; ++ow) window(ow);
        const float count = g.count(h0, h1, padded_h, 0, p.kernel_w, p.kernel_w);
        ow = avg_spread_chunks<T>(p, drow, count, h0, h1, ow, hi, plane);
        for (; ow < p.out_w; ++ow) window(ow);
      }
    }
  });
}

// The window walk is the same scalar double-precision code on every ISA, so the choice
// of a given uniform is identical everywhere (and to the float64 oracle in the tests).
void stochpool2d_train_impl(const Pool2dParams& p, const float* x, const double* u, float* y, int32_t* index) {
  const Geometry g(p);
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const float* plane = x + c * g.in_plane;
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        int64_t h0, h1, padded_h;
        g.rows(oh, &h0, &h1, &padded_h);
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          int64_t w0, w1, padded_w;
          g.cols(ow, &w0, &w1, &padded_w);
          double total = 0.0;
          for (int64_t ih = h0; ih < h1; ++ih)
            for (int64_t iw = w0; iw < w1; ++iw) {
              const double a = plane[ih * p.in_w + iw];
              if (a > 0.0) total += a;
            }
          const int64_t o = c * g.out_plane + oh * p.out_w + ow;
          const double target = u[o] * total;
          int64_t chosen = h0 * p.in_w + w0;
          double cum = 0.0;
          bool found = false;
          for (int64_t ih = h0; ih < h1 && !found; ++ih)
            for (int64_t iw = w0; iw < w1; ++iw) {
              const double a = plane[ih * p.in_w + iw];
              if (!(a > 0.0)) continue;
              cum += a;
              chosen = ih * p.in_w + iw;
              if (cum > target) {
                found = true;
                break;
              }
            }
          y[o] = total > 0.0 ? plane[chosen] : 0.0f;
          index[o] = static_cast<int32_t>(chosen);
        }
      }
    }
  });
}

template <class T>
void stochpool2d_infer_impl(const Pool2dParams& p, const float* x, float* y) {
  forward<SquareRatioAcc, T>(p, x, y, nullptr);
}

void stochpool2d_infer_bwd_impl(const Pool2dParams& p, const float* x, const float* dy, float* dx) {
  const Geometry g(p);
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const float* plane = x + c * g.in_plane;
      float* dplane = dx + c * g.in_plane;
      std::memset(dplane, 0, sizeof(float) * g.in_plane);
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        int64_t h0, h1, padded_h;
        g.rows(oh, &h0, &h1, &padded_h);
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          int64_t w0, w1, padded_w;
          g.cols(ow, &w0, &w1, &padded_w);
          float s1 = 0.0f, s2 = 0.0f;
          for (int64_t ih = h0; ih < h1; ++ih)
            for (int64_t iw = w0; iw < w1; ++iw) {
              const float a = Lane1::relu(plane[ih * p.in_w + iw]);
              s1 += a;
              s2 += a * a;
            }
          if (!(s1 > 0.0f)) continue;
          const float y = s2 / s1;
          const float share = dy[c * g.out_plane + oh * p.out_w + ow] / s1;
          for (int64_t ih = h0; ih < h1; ++ih)
            for (int64_t iw = w0; iw < w1; ++iw) {
              const float a = plane[ih * p.in_w + iw];
              if (a > 0.0f) dplane[ih * p.in_w + iw] += share * (2.0f * a - y);
            }
        }
      }
    }
  });
}

}  // namespace
}  // namespace striate

// Defines the ISA's entry points (pool2d.h) on the driver with traits T.
#define STRIATE_POOL2D_DEFINITIONS(T)                                                                           \
  void maxpool2d_fwd(const Pool2dParams& p, const float* x, float* y, int32_t* argmax) {                        \
    maxpool2d_fwd_impl<T>(p, x, y, argmax);                                                                     \
  }                                                                                                             \
  int64_t maxpool2d_bwd(const Pool2dParams& p, const float* dy, const int32_t* argmax, float* dx) {             \
    return maxpool2d_bwd_impl<T>(p, dy, argmax, dx);                                                               \
  }                                                                                                             \
  void avgpool2d_fwd(const Pool2dParams& p, const float* x, float* y) { forward<SumAcc, T>(p, x, y, nullptr); } \
  void avgpool2d_bwd(const Pool2dParams& p, const float* dy, float* dx) { avgpool2d_bwd_impl<T>(p, dy, dx); }  \
  void stochpool2d_train(const Pool2dParams& p, const float* x, const double* u, float* y, int32_t* index) {    \
    stochpool2d_train_impl(p, x, u, y, index);                                                                  \
  }                                                                                                             \
  void stochpool2d_infer(const Pool2dParams& p, const float* x, float* y) { stochpool2d_infer_impl<T>(p, x, y); } \
  void stochpool2d_infer_bwd(const Pool2dParams& p, const float* x, const float* dy, float* dx) {               \
    stochpool2d_infer_bwd_impl(p, x, dy, dx);                                                                   \
  }
