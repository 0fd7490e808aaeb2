// Convolution as GEMM, shared by every ISA (each passes in its own SGEMM).
//
// Per group g and per chunk of nb images, with K = Cin_g*kH*kW and L = nb*outH*outW:
//   cols [K, L]   row (ci, kh, kw), column (image, oh, ow): the pixel that tap reads,
//                 0 in the padding (im2col)
//   forward       Y' [Cout_g, L] = W_g [Cout_g, K] . cols            scattered into y (+ b)
//   grad input    cols = W_g^T . dY' [Cout_g, L]                       added back into dx (col2im)
//   grad weight   dW_g [Cout_g, K] (+)= dY' . cols^T                   chunks accumulated in order
// Y' and dY' are the chunk's y/dy seen as [Cout_g, L]: with nb == 1 they are the tensors
// themselves (ld = outH*outW); otherwise they are gathered into / scattered from scratch.
// Chunking several small images into one wide GEMM (LeNet has 784 or 100 columns per
// image) keeps the micro-kernel busy; kColsBudget bounds the cols workspace.
// 1x1 kernels at stride 1 without padding skip im2col from 16 pixels an image (x of one
// image and group is cols; per_image below); on smaller maps one GEMM per image would be
// too narrow, so there im2col gathers a chunk of images like any kernel, except on a 1x1
// map, where x and y are the matrices of one GEMM as they lie (pixel_matrices).
// Where a GEMM writes y itself, the forward's bias, residual and ReLU go into the SGEMM's
// stores (gemm.h's epilogue, product_rows). A chunk of images finishes inside its scatter.
// Threads: the forward and the input gradient give each thread whole chunks of images
// when the batch has enough of them (for_chunks); otherwise the SGEMM threads itself and
// im2col, col2im, gather and scatter run parallel_for over independent rows or planes.
#include <algorithm>
#include <cstring>
#include <vector>

#include "dispatch/parallel.h"
#include "dispatch/workspace.h"
#include "kernels/blocks.h"
#include "kernels/conv2d/conv2d.h"

namespace striate::conv {

namespace {

constexpr int64_t kTargetColumns = 2048;   // GEMM width worth reaching by chunking images
constexpr int64_t kColsBudget = 1 << 22;   // floats of cols per chunk (16 MiB)
constexpr int64_t kMinThreadColumns = 64;   // GEMM width worth a chunk to itself on one thread
constexpr int64_t kPointwiseImageColumns = 16;  // pixels from which a 1x1 convolution runs image by image

// Output rows at most this wide go through a tap table instead of a copy per row: a
// 2x2 map's rows hold 2 pixels, and a fill and memcpy per row cost more than the pixels
// (DenseNet-121's 3x3 convolutions on 2x2 maps at batch 32: 1.19 ms, 8 GFLOP/s).
constexpr int64_t kTableBelowWidth = 8;

// Per tap (kh, kw), per output pixel: the offset in an input plane of the pixel it reads,
// or -1 in the padding. The same for every channel, image and chunk of a call.
std::vector<int32_t> tap_table(const Conv2dParams& p) {
  std::vector<int32_t> table(p.kernel_h * p.kernel_w * p.out_h * p.out_w);
  int32_t* t = table.data();
  for (int64_t kh = 0; kh < p.kernel_h; ++kh)
    for (int64_t kw = 0; kw < p.kernel_w; ++kw)
      for (int64_t oh = 0; oh < p.out_h; ++oh)
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          const int64_t ih = oh * p.stride_h + kh * p.dilation_h - p.pad_top;
          const int64_t iw = ow * p.stride_w + kw * p.dilation_w - p.pad_left;
          *t++ = ih >= 0 && ih < p.in_h && iw >= 0 && iw < p.in_w ? static_cast<int32_t>(ih * p.in_w + iw) : -1;
        }
  return table;
}

struct Geometry {
  int64_t cin_g, cout_g, k, hw, hwo, image_in, image_out;
  bool pointwise;
  // tap_table(p) for rows under kTableBelowWidth pixels, built once a call; empty otherwise.
  std::vector<int32_t> tap_offsets;
  explicit Geometry(const Conv2dParams& p)
      : cin_g(p.in_per_group()),
        cout_g(p.out_per_group()),
        k(p.in_per_group() * p.kernel_h * p.kernel_w),
        hw(p.in_h * p.in_w),
        hwo(p.out_h * p.out_w),
        image_in(p.in_channels * p.in_h * p.in_w),
        image_out(p.out_channels * p.out_h * p.out_w),
        pointwise(conv_pointwise(p)),
        tap_offsets(p.out_w < kTableBelowWidth ? tap_table(p) : std::vector<int32_t>()) {}

  int64_t images_per_chunk(const Conv2dParams& p) const {
    const int64_t by_width = ceil_div(kTargetColumns, hwo);
    const int64_t by_budget = std::max<int64_t>(1, kColsBudget / (k * hwo));
    return std::max<int64_t>(1, std::min({p.batch, by_width, by_budget}));
  }
  // Whether chunks of images are gathered into one matrix; a pointwise convolution whose
  // image alone is wide enough runs one GEMM per image on x and y as they lie.
  bool gathers(const Conv2dParams& p) const { return images_per_chunk(p) > 1; }
  // Whether the forward and the input gradient of a pointwise convolution run one GEMM per
  // image. From a 4x4 map on, that GEMM is as fast as the gathered one (the weights are
  // read in place, the image's few columns packed), and the gather into cols and the
  // scatter back cost 30-70% on top (ResNet-50 at 3x32x32 batch 32: 256->64 on 8x8,
  // 1.68 -> 0.87 ms; AVX2, 1 thread). On a 2x2 map 4 columns fill a quarter of a tile:
  // 2.5 times slower per image. The weight gradient keeps its one long product.
  bool per_image(const Conv2dParams& p) const { return pointwise && (hwo >= kPointwiseImageColumns || !gathers(p)); }
};

// Calls fn(first, count) for chunks of the batch's images, each chunk whole. With several
// threads and chunks of at least kMinThreadColumns columns, the chunks are shared out in
// one parallel region and everything inside a chunk (im2col, the GEMM, the epilogue) runs
// on the thread that took it; otherwise the chunks run in turn and each step inside
// threads itself. DenseNet-121 at batch 32 ran slower on 2 threads than on 1 with a fork
// and a join per im2col, GEMM panel and scatter. The chunk count is rounded up to a
// multiple of the threads (narrower chunks) so that no thread waits alone on a last one.
// Chunking changes no output: each is the same sum in the same order in any chunk (an
// SGEMM element does not depend on the width of the product around it).
template <typename Fn>
void for_chunks(const Conv2dParams& p, const Geometry& geo, const Fn& fn) {
  const int64_t nb = geo.images_per_chunk(p);
  const int threads = dispatch::threads_for(p.batch, 1);
  if (threads > 1) {
    const int64_t per_thread = ceil_div(ceil_div(p.batch, nb), threads);
    const int64_t images = ceil_div(p.batch, per_thread * threads);
    if (images * geo.hwo >= kMinThreadColumns) {
      dispatch::parallel_for(ceil_div(p.batch, images), 1, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) fn(c * images, std::min(images, p.batch - c * images));
      });
      return;
    }
  }
  for (int64_t i0 = 0; i0 < p.batch; i0 += nb) fn(i0, std::min(nb, p.batch - i0));
}

// The output columns [lo, hi) whose tap at offset `off` (= kw*dil - pad) lands inside
// a row of `size` pixels, for output width `out` and stride `stride`.
inline void valid_range(int64_t off, int64_t stride, int64_t size, int64_t out, int64_t* lo, int64_t* hi) {
  *lo = off >= 0 ? 0 : std::min(out, ceil_div(-off, stride));
  *hi = size - off <= 0 ? 0 : std::min(out, ceil_div(size - off, stride));
  *hi = std::max(*hi, *lo);
}

// cols [K, nb*HWo] from images x (first channel of the group; images image_in apart).
void im2col(const Conv2dParams& p, const Geometry& geo, const float* x, int64_t nb, float* cols) {
  const int64_t len = nb * geo.hwo, taps = p.kernel_h * p.kernel_w;
  if (geo.pointwise) {
    // 1x1, stride 1, no padding: row ci is the images' planes of channel ci, end to end.
    dispatch::parallel_for(geo.k, std::max<int64_t>(1, 16384 / len), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t i = 0; i < nb; ++i) {
          const float* plane = x + i * geo.image_in + r * geo.hw;
          float* dst = cols + r * len + i * geo.hwo;
          for (int64_t j = 0; j < geo.hwo; ++j) dst[j] = plane[j];
        }
    });
    return;
  }
  if (!geo.tap_offsets.empty()) {
    dispatch::parallel_for(geo.k, std::max<int64_t>(1, 16384 / len), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int32_t* at = geo.tap_offsets.data() + (r % taps) * geo.hwo;
        float* dst = cols + r * len;
        for (int64_t i = 0; i < nb; ++i, dst += geo.hwo) {
          const float* plane = x + i * geo.image_in + (r / taps) * geo.hw;
          for (int64_t j = 0; j < geo.hwo; ++j) dst[j] = at[j] >= 0 ? plane[at[j]] : 0.0f;
        }
      }
    });
    return;
  }
  dispatch::parallel_for(geo.k, std::max<int64_t>(1, 16384 / len), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t ci = r / taps, kh = r / p.kernel_w % p.kernel_h, kw = r % p.kernel_w;
      const int64_t off_h = kh * p.dilation_h - p.pad_top, off_w = kw * p.dilation_w - p.pad_left;
      int64_t lo, hi;
      valid_range(off_w, p.stride_w, p.in_w, p.out_w, &lo, &hi);
      float* dst = cols + r * len;
      for (int64_t i = 0; i < nb; ++i) {
        const float* plane = x + i * geo.image_in + ci * geo.hw;
        for (int64_t oh = 0; oh < p.out_h; ++oh, dst += p.out_w) {
          const int64_t ih = oh * p.stride_h + off_h;
          if (ih < 0 || ih >= p.in_h) {
            std::fill(dst, dst + p.out_w, 0.0f);
            continue;
          }
          const float* row = plane + ih * p.in_w;
          std::fill(dst, dst + lo, 0.0f);
          if (p.stride_w == 1) {
            std::memcpy(dst + lo, row + lo + off_w, (hi - lo) * sizeof(float));
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = row[ow * p.stride_w + off_w];
          }
          std::fill(dst + hi, dst + p.out_w, 0.0f);
        }
      }
    }
  });
}

// dx (first channel of the group, images image_in apart) = the sum of cols over the
// taps that read each pixel. One (image, channel) plane per unit: no two units write
// the same pixel, and each pixel sums its taps in a fixed order (kh, kw), on both paths.
void col2im(const Conv2dParams& p, const Geometry& geo, const float* cols, int64_t nb, float* dx) {
  const int64_t len = nb * geo.hwo, taps = p.kernel_h * p.kernel_w;
  if (!geo.tap_offsets.empty()) {
    dispatch::parallel_for(nb * geo.cin_g, 1, [&](int64_t u0, int64_t u1) {
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t i = u / geo.cin_g, ci = u % geo.cin_g;
        float* plane = dx + i * geo.image_in + ci * geo.hw;
        std::fill(plane, plane + geo.hw, 0.0f);
        for (int64_t tap = 0; tap < taps; ++tap) {
          const int32_t* at = geo.tap_offsets.data() + tap * geo.hwo;
          const float* src = cols + (ci * taps + tap) * len + i * geo.hwo;
          for (int64_t j = 0; j < geo.hwo; ++j)
            if (at[j] >= 0) plane[at[j]] += src[j];
        }
      }
    });
    return;
  }
  dispatch::parallel_for(nb * geo.cin_g, 1, [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t i = u / geo.cin_g, ci = u % geo.cin_g;
      float* plane = dx + i * geo.image_in + ci * geo.hw;
      std::fill(plane, plane + geo.hw, 0.0f);
      for (int64_t kh = 0; kh < p.kernel_h; ++kh)
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
          const int64_t off_h = kh * p.dilation_h - p.pad_top, off_w = kw * p.dilation_w - p.pad_left;
          int64_t lo, hi;
          valid_range(off_w, p.stride_w, p.in_w, p.out_w, &lo, &hi);
          const float* src = cols + ((ci * p.kernel_h + kh) * p.kernel_w + kw) * len + i * geo.hwo;
          for (int64_t oh = 0; oh < p.out_h; ++oh) {
            const int64_t ih = oh * p.stride_h + off_h;
            if (ih < 0 || ih >= p.in_h) continue;
            float* row = plane + ih * p.in_w;
            const float* s = src + oh * p.out_w;
            if (p.stride_w == 1) {
              for (int64_t ow = lo; ow < hi; ++ow) row[ow + off_w] += s[ow];
            } else {
              for (int64_t ow = lo; ow < hi; ++ow) row[ow * p.stride_w + off_w] += s[ow];
            }
          }
        }
    }
  });
}

// Copies rows between a [Cout_g, nb*HWo] matrix and the nb images' [Cout_g, HWo] slices.
void gather_rows(const Geometry& geo, const float* images, int64_t nb, float* matrix) {
  const int64_t len = nb * geo.hwo;
  dispatch::parallel_for(nb * geo.cout_g, std::max<int64_t>(1, 8192 / geo.hwo), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t i = u / geo.cout_g, co = u % geo.cout_g;
      std::memcpy(matrix + co * len + i * geo.hwo, images + i * geo.image_out + co * geo.hwo, geo.hwo * sizeof(float));
    }
  });
}

// y rows of nb images = matrix rows (+ b[co]), through the epilogue; `at` is where
// `images` starts in y (the epilogue's residual is indexed like y).
void scatter_rows(const Conv2dParams& p, const Geometry& geo, const float* matrix, const float* b, int64_t nb,
                  float* images, int64_t at) {
  const int64_t len = nb * geo.hwo;
  dispatch::parallel_for(nb * geo.cout_g, std::max<int64_t>(1, 8192 / geo.hwo), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t i = u / geo.cout_g, co = u % geo.cout_g;
      const float* src = matrix + co * len + i * geo.hwo;
      const int64_t row = i * geo.image_out + co * geo.hwo;
      float* dst = images + row;
      conv_finish(p, src, 1, b ? b[co] : 0.0f, geo.hwo, dst, 1, at + row);
    }
  });
}

// One image's y [rows, cols] = w [rows, k] . src [k, cols], + b[row], through the
// epilogue; `at` is where it starts in y. The SGEMM adds the bias and the residual and
// applies the ReLU as it stores each tile. A pass over y after the product cost 7-10% of
// DenseNet's and ResNet-50's 1x1 convolutions on 14x14 to 56x56 maps at batch 1 (AVX2, 1
// thread: 77-80 against 84-86 GFLOP/s for the bare SGEMM) without a residual, and with one
// about twice what the epilogue's reads of it cost (ResNet-50's 64 -> 256 on 56x56, buffers
// out of cache: 1.38 ms bare, 1.73 with the pass, 1.53 in the epilogue).
void product_rows(const Conv2dParams& p, const float* w, int64_t rows, int64_t k, const float* src,
                  int64_t cols, const float* b, float* y, int64_t at, SgemmFn sgemm, const ChannelAffine* src_rows = nullptr) {
  GemmArgs g{false, false, rows, cols, k, 1.0f, w, k, src, cols, 0.0f, y, cols, b,
             p.activation == ConvActivation::relu, src_rows};
  if (p.residual) {
    g.residual = p.residual + at;
    g.ldr = cols;
  }
  sgemm(g);
}

// A 1x1 convolution on a 1x1 map (stride 1, no padding, one group) is a dense layer:
// x [N, Cin] and y [N, Cout] are matrices as they lie, y = x . W^T and dx = dy . W. The
// chunked path would transpose x into cols and the product back into y (ResNet-50's last
// stage at 3x32x32, batch 32: 512 -> 2048 took 2.3 times its bare SGEMM). Each element is
// the same k-ordered sum of the same products as on that path, so the bits are too.
bool pixel_matrices(const Conv2dParams& p, const Geometry& geo) {
  return geo.pointwise && geo.hwo == 1 && p.groups == 1;
}

}  // namespace

bool forward_reads_input_norm(const Conv2dParams& p) {
  const Geometry geo(p);
  return geo.pointwise && p.groups == 1 && !pixel_matrices(p, geo);
}

void forward_gemm(const Conv2dParams& p, const float* x, const float* w, const float* b, float* y, SgemmFn sgemm) {
  const Geometry geo(p);
  if (pixel_matrices(p, geo)) {
    sgemm({false, true, p.batch, p.out_channels, p.in_channels, 1.0f, x, p.in_channels, w, p.in_channels, 0.0f, y,
           p.out_channels});
    if (!b && !p.has_epilogue()) return;
    dispatch::parallel_for(p.batch, std::max<int64_t>(1, 8192 / p.out_channels), [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t co = 0; co < p.out_channels; ++co) {
          float* at = y + n * p.out_channels + co;
          conv_finish(p, at, 1, b ? b[co] : 0.0f, 1, at, 1, n * p.out_channels + co);
        }
    });
    return;
  }
  for_chunks(p, geo, [&](int64_t i0, int64_t count) {
    if (geo.per_image(p)) {
      for (int64_t n = i0; n < i0 + count; ++n)
        for (int64_t g = 0; g < p.groups; ++g) {
          const int64_t at = n * geo.image_out + g * geo.cout_g * geo.hwo;
          product_rows(p, w + g * geo.cout_g * geo.k, geo.cout_g, geo.cin_g, x + n * geo.image_in + g * geo.cin_g * geo.hw,
                       geo.hwo, b ? b + g * geo.cout_g : nullptr, y + at, at, sgemm, p.input_norm);
        }
      return;
    }
    const int64_t len = count * geo.hwo;
    float* cols = dispatch::scratch(dispatch::Scratch::conv_cols, geo.k * len);
    float* out = count > 1 ? dispatch::scratch(dispatch::Scratch::conv_aux, geo.cout_g * len) : nullptr;
    for (int64_t g = 0; g < p.groups; ++g) {
      im2col(p, geo, x + i0 * geo.image_in + g * geo.cin_g * geo.hw, count, cols);
      const float* wg = w + g * geo.cout_g * geo.k;
      const float* bg = b ? b + g * geo.cout_g : nullptr;
      const int64_t at = i0 * geo.image_out + g * geo.cout_g * geo.hwo;
      float* yg = y + at;
      // cols' rows are x's channels as they lie (pointwise) or im2col's taps, which read no
      // input norm (forward_reads_input_norm).
      if (count == 1) {
        product_rows(p, wg, geo.cout_g, geo.k, cols, len, bg, yg, at, sgemm, p.input_norm);
      } else {
        GemmArgs g{false, false, geo.cout_g, len, geo.k, 1.0f, wg, geo.k, cols, len, 0.0f, out, len};
        g.b_rows = p.input_norm;
        sgemm(g);
        scatter_rows(p, geo, out, bg, count, yg, at);
      }
    }
  });
}

void grad_input_gemm(const Conv2dParams& p, const float* dy, const float* w, float* dx, SgemmFn sgemm) {
  const Geometry geo(p);
  if (pixel_matrices(p, geo))
    return sgemm({false, false, p.batch, p.in_channels, p.out_channels, 1.0f, dy, p.out_channels, w, p.in_channels,
                  0.0f, dx, p.in_channels});
  for_chunks(p, geo, [&](int64_t i0, int64_t count) {
    if (geo.per_image(p)) {
      for (int64_t n = i0; n < i0 + count; ++n)
        for (int64_t g = 0; g < p.groups; ++g)
          sgemm({true, false, geo.cin_g, geo.hw, geo.cout_g, 1.0f, w + g * geo.cout_g * geo.k, geo.k,
                 dy + n * geo.image_out + g * geo.cout_g * geo.hwo, geo.hwo, 0.0f,
                 dx + n * geo.image_in + g * geo.cin_g * geo.hw, geo.hw});
      return;
    }
    const int64_t len = count * geo.hwo;
    float* cols = dispatch::scratch(dispatch::Scratch::conv_cols, geo.k * len);
    float* gathered = count > 1 ? dispatch::scratch(dispatch::Scratch::conv_aux, geo.cout_g * len) : nullptr;
    for (int64_t g = 0; g < p.groups; ++g) {
      const float* dyg = dy + i0 * geo.image_out + g * geo.cout_g * geo.hwo;
      if (count > 1) {
        gather_rows(geo, dyg, count, gathered);
        dyg = gathered;
      }
      sgemm({true, false, geo.k, len, geo.cout_g, 1.0f, w + g * geo.cout_g * geo.k, geo.k, dyg, len, 0.0f, cols, len});
      col2im(p, geo, cols, count, dx + i0 * geo.image_in + g * geo.cin_g * geo.hw);
    }
  });
}

void grad_weight_gemm(const Conv2dParams& p, const float* x, const float* dy, float* dw, float* db, SgemmFn sgemm) {
  const Geometry geo(p);
  if (db) grad_bias(p, dy, db);
  if (p.batch == 0) {
    std::fill(dw, dw + p.out_channels * geo.k, 0.0f);
    return;
  }
  if (geo.pointwise && !geo.gathers(p)) {
    for (int64_t n = 0; n < p.batch; ++n)
      for (int64_t g = 0; g < p.groups; ++g)
        sgemm({false, true, geo.cout_g, geo.cin_g, geo.hw, 1.0f, dy + n * geo.image_out + g * geo.cout_g * geo.hwo,
               geo.hwo, x + n * geo.image_in + g * geo.cin_g * geo.hw, geo.hw, n == 0 ? 0.0f : 1.0f,
               dw + g * geo.cout_g * geo.k, geo.k});
    return;
  }
  const int64_t nb = geo.images_per_chunk(p);
  float* cols = dispatch::scratch(dispatch::Scratch::conv_cols, geo.k * nb * geo.hwo);
  float* gathered = nb > 1 ? dispatch::scratch(dispatch::Scratch::conv_aux, geo.cout_g * nb * geo.hwo) : nullptr;
  for (int64_t i0 = 0; i0 < p.batch; i0 += nb) {
    const int64_t count = std::min(nb, p.batch - i0), len = count * geo.hwo;
    for (int64_t g = 0; g < p.groups; ++g) {
      im2col(p, geo, x + i0 * geo.image_in + g * geo.cin_g * geo.hw, count, cols);
      const float* dyg = dy + i0 * geo.image_out + g * geo.cout_g * geo.hwo;
      if (count > 1) {
        gather_rows(geo, dyg, count, gathered);
        dyg = gathered;
      }
      sgemm({false, true, geo.cout_g, geo.k, len, 1.0f, dyg, len, cols, len, i0 == 0 ? 0.0f : 1.0f,
             dw + g * geo.cout_g * geo.k, geo.k});
    }
  }
}

void grad_bias(const Conv2dParams& p, const float* dy, float* db) {
  const int64_t hwo = p.out_h * p.out_w;
  dispatch::parallel_for(p.out_channels, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, p.batch * hwo)),
                         [&](int64_t c0, int64_t c1) {
                           for (int64_t co = c0; co < c1; ++co) {
                             // Double accumulators: the sum runs over N*outH*outW terms. Eight
                             // independent ones (summed in a fixed order at the end) so that
                             // the adds overlap instead of waiting on one another.
                             double acc[8] = {};
                             for (int64_t n = 0; n < p.batch; ++n) {
                               const float* row = dy + (n * p.out_channels + co) * hwo;
                               int64_t j = 0;
                               for (; j + 8 <= hwo; j += 8)
                                 for (int q = 0; q < 8; ++q) acc[q] += row[j + q];
                               for (; j < hwo; ++j) acc[j % 8] += row[j];
                             }
                             db[co] = static_cast<float>(((acc[0] + acc[1]) + (acc[2] + acc[3])) +
                                                         ((acc[4] + acc[5]) + (acc[6] + acc[7])));
                           }
                         });
}

}  // namespace striate::conv
