// The pooling driver shared by every ISA. Each ISA file includes it inside an anonymous
// namespace with its vector traits T, so code built with -mavx2 or -mavx512f stays there.
//
// Layout: x [planes, inH, inW] with planes = N * C; y [planes, outH, outW]. Threads take
// contiguous ranges of planes (parallel_for); planes are independent, so every output,
// and every scatter-add of a backward, is computed by one thread in a fixed order.
//
// Forward, one output row at a time: the output columns whose windows lie wholly inside
// the row (and, for stride 2, one float beyond, which the even-lane load reads) are done
// T::V at a time: for each window element (ih, kw) one load (stride 1) or two loads and a
// de-interleave (stride 2) feed T::V windows at once, each lane visiting its window in
// the same row-major order as reference.cc. A partial last chunk overlaps the one before
// it (recomputing a few outputs) rather than falling to scalar code. Border columns,
// strides above 2 and rows narrower than T::V run one window at a time with the scalar
// traits (Lane1) on the same accumulators.
//
// T provides: V; F (floats), I (int32), M (mask); load, load_even (p[0], p[2], ...,
// p[2V-2], reading 2V floats), load_pair (the even and the odd floats of p[0, 2V)),
// store, set1, zero, add, mul, div, relu, gt, select, lane_offsets (lane * stride),
// index (base + lane offsets), select_i, store_i.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>

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
  static void store(float* p, F v) { *p = v; }
  static F set1(float v) { return v; }
  static F zero() { return 0.0f; }
  static F add(F a, F b) { return a + b; }
  static F mul(F a, F b) { return a * b; }
  static F div(F a, F b) { return a / b; }
  static F relu(F a) { return a > 0.0f ? a : 0.0f; }
  static M gt(F a, F b) { return a > b; }
  static F select(M m, F t, F f) { return m ? t : f; }
  static void load_pair(const float* p, F* even, F* odd) {
    *even = p[0];
    *odd = p[1];
  }
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
    const typename T::M m = T::gt(v, best);
    best = T::select(m, v, best);
    if (kArgmax) arg = T::select_i(m, i, arg);
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
  // the input row, one float of slack per extra unit of stride for load_even.
  template <class T>
  void vector_cols(int64_t* lo, int64_t* hi) const {
    const int64_t s = p.stride_w;
    *lo = *hi = 0;
    if (T::V > 1 && s > 2) return;
    const int64_t room = p.in_w + p.pad_w - p.kernel_w - (s - 1);
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

template <template <class> class Acc, class T>
void forward(const Pool2dParams& p, const float* x, float* y, int32_t* argmax) {
  const Geometry g(p);
  int64_t lo, hi;
  g.vector_cols<T>(&lo, &hi);
  const typename T::I lanes = T::lane_offsets(static_cast<int32_t>(p.stride_w));
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const float* plane = x + c * g.in_plane;
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        int64_t h0, h1, padded_h;
        g.rows(oh, &h0, &h1, &padded_h);
        const float chunk_count = g.count(h0, h1, padded_h, 0, p.kernel_w, p.kernel_w);
        const int64_t o = c * g.out_plane + oh * p.out_w;
        auto arg_at = [&](int64_t ow) { return argmax ? argmax + o + ow : nullptr; };
        int64_t ow = 0;
        for (; ow < lo; ++ow) forward_window<Acc>(g, plane, h0, h1, padded_h, ow, y + o + ow, arg_at(ow));
        for (; ow + T::V <= hi; ow += T::V)
          forward_chunk<Acc, T>(g, plane, h0, h1, ow, chunk_count, lanes, y + o + ow, arg_at(ow));
        // A partial last chunk is redone as a full one ending at hi: it recomputes some
        // outputs of the previous chunk, to the same values.
        if (ow < hi && hi - lo >= T::V) {
          forward_chunk<Acc, T>(g, plane, h0, h1, hi - T::V, chunk_count, lanes, y + o + hi - T::V, arg_at(hi - T::V));
          ow = hi;
        }
        for (; ow < p.out_w; ++ow) forward_window<Acc>(g, plane, h0, h1, padded_h, ow, y + o + ow, arg_at(ow));
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

// Planes are zeroed one at a time just before their scatter, so each stays in L1.
int64_t maxpool2d_bwd_impl(const Pool2dParams& p, const float* dy, const int32_t* argmax, float* dx) {
  const Geometry g(p);
  std::atomic<int64_t> bad{0};
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    int64_t local_bad = 0;
    for (int64_t c = begin; c < end; ++c) {
      float* plane = dx + c * g.in_plane;
      std::memset(plane, 0, sizeof(float) * g.in_plane);
      const float* d = dy + c * g.out_plane;
      const int32_t* a = argmax + c * g.out_plane;
      for (int64_t o = 0; o < g.out_plane; ++o) {
        if (static_cast<uint32_t>(a[o]) >= static_cast<uint64_t>(g.in_plane)) {
          ++local_bad;
          continue;
        }
        plane[a[o]] += d[o];
      }
    }
    if (local_bad) bad.fetch_add(local_bad, std::memory_order_relaxed);
  });
  return bad.load();
}

// Stride 1 spreads T::V outputs' shares over T::V adjacent inputs per window element;
// other strides and the borders add one window at a time.
template <class T>
void avgpool2d_bwd_impl(const Pool2dParams& p, const float* dy, float* dx) {
  const Geometry g(p);
  int64_t lo = 0, hi = 0;
  if (p.stride_w == 1 || T::V == 1) g.vector_cols<T>(&lo, &hi);
  dispatch::parallel_for(p.batch * p.channels, g.grain(), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float* plane = dx + c * g.in_plane;
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
        const typename T::F count = T::set1(g.count(h0, h1, padded_h, 0, p.kernel_w, p.kernel_w));
        for (; ow + T::V <= hi; ow += T::V) {
          const typename T::F share = T::div(T::load(drow + ow), count);
          const int64_t iw0 = ow * p.stride_w - p.pad_w;
          for (int64_t ih = h0; ih < h1; ++ih)
            for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
              float* at = plane + ih * p.in_w + iw0 + kw;
              T::store(at, T::add(T::load(at), share));
            }
        }
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
    return maxpool2d_bwd_impl(p, dy, argmax, dx);                                                               \
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
