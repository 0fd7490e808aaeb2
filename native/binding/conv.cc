// conv2dForward(x, w, b | null, y, ...shape[, residual | null, activation[, mean, invStd, gamma, beta]])
// conv2dGradInput(dy, w, dx, ...shape)
// conv2dGradWeight(x, dy, dw, db | null, ...shape)
// conv2dWinogradWeights(w, u, Cout, Cin, tile)          u = winograd_weights(w), tile 2 or 4
// conv2dWinograd(tile, x, u, b | null, y, ...shape, residual | null, activation)
// conv2dAlgorithm(winograd, ...shape)                   the forward's algorithm, by name
// where shape = N, Cin, H, W, Cout, kH, kW, strideH, strideW, padTop, padBottom,
// padLeft, padRight, dilationH, dilationW, groups. The forward's optional epilogue:
// residual y-sized (added after the bias), activation 0 none or 1 ReLU (conv2d.h); its
// optional prologue: x through a batch norm with these statistics and a ReLU first
// (Float64Array mean and invStd, Float32Array gamma and beta, each Cin long).
// The TS op has validated everything;
// this re-checks what would make the kernel read or write out of bounds.
#include <vector>

#include "binding/args.h"
#include "binding/exports.h"
#include "dispatch/kernels.h"
#include "dispatch/parallel.h"
#include "kernels/conv2d/winograd.h"

namespace striate::binding {

namespace {

Conv2dParams read_params(const Napi::CallbackInfo& info, size_t first, const char* op) {
  Conv2dParams p;
  size_t i = first;
  p.batch = integer(info, i++, op, "N");
  p.in_channels = integer(info, i++, op, "Cin", 1);
  p.in_h = integer(info, i++, op, "H", 1);
  p.in_w = integer(info, i++, op, "W", 1);
  p.out_channels = integer(info, i++, op, "Cout", 1);
  p.kernel_h = integer(info, i++, op, "kH", 1);
  p.kernel_w = integer(info, i++, op, "kW", 1);
  p.stride_h = integer(info, i++, op, "strideH", 1);
  p.stride_w = integer(info, i++, op, "strideW", 1);
  p.pad_top = integer(info, i++, op, "padTop");
  p.pad_bottom = integer(info, i++, op, "padBottom");
  p.pad_left = integer(info, i++, op, "padLeft");
  p.pad_right = integer(info, i++, op, "padRight");
  p.dilation_h = integer(info, i++, op, "dilationH", 1);
  p.dilation_w = integer(info, i++, op, "dilationW", 1);
  p.groups = integer(info, i++, op, "groups", 1);
  if (!conv2d_output_size(&p))
    throw Napi::RangeError::New(info.Env(), std::string(op) +
                                                ": channels must divide by groups and the dilated kernel must fit "
                                                "in the padded input");
  return p;
}

int64_t x_size(const Conv2dParams& p) { return p.batch * p.in_channels * p.in_h * p.in_w; }
int64_t w_size(const Conv2dParams& p) { return p.out_channels * p.in_per_group() * p.kernel_h * p.kernel_w; }
int64_t y_size(const Conv2dParams& p) { return p.batch * p.out_channels * p.out_h * p.out_w; }

const float* optional_array(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                            int64_t length) {
  Napi::Value v = arg(info, i, op, name);
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  return float_array(info, i, op, name, length);
}

// The epilogue's arguments (residual, activation) at index `at`, after the shape.
void read_epilogue(const Napi::CallbackInfo& info, size_t at, const char* op, const float* y, Conv2dParams* p) {
  if (info.Length() > at) p->residual = optional_array(info, at, op, "residual", y_size(*p));
  if (info.Length() > at + 1) {
    const int64_t activation = integer(info, at + 1, op, "activation");
    if (activation > static_cast<int64_t>(ConvActivation::relu))
      throw Napi::RangeError::New(info.Env(), std::string(op) + ": activation must be 0 (none) or 1 (relu)");
    p->activation = static_cast<ConvActivation>(activation);
  }
  // In place the GEMM path would overwrite the residual before adding it.
  if (p->residual && p->residual < y + y_size(*p) && y < p->residual + y_size(*p))
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": residual must not share memory with y");
}

Napi::Value conv2d_forward(const Napi::CallbackInfo& info) {
  constexpr const char* op = "conv2dForward";
  Conv2dParams p = read_params(info, 4, op);
  const float* x = float_array(info, 0, op, "x", x_size(p));
  const float* w = float_array(info, 1, op, "w", w_size(p));
  const float* b = optional_array(info, 2, op, "b", p.out_channels);
  float* y = float_array(info, 3, op, "y", y_size(p));
  read_epilogue(info, 20, op, y, &p);  // after the 16 shape numbers (indices 4..19)
  // The prologue's per-channel maps, or where the SGEMM cannot normalise x as it packs it,
  // x normalised by the batch norm kernel: both kept at their largest size like the
  // kernels' scratch.
  thread_local std::vector<ChannelAffine> norm;
  thread_local std::vector<float> normalized;
  if (info.Length() > 22) {
    const int64_t c = p.in_channels;
    const double* mean = exact_doubles(info, 22, op, "mean", c);
    const double* inv_std = exact_doubles(info, 23, op, "invStd", c);
    const float* gamma = exact_floats(info, 24, op, "gamma", c);
    const float* beta = exact_floats(info, 25, op, "beta", c);
    if (conv::forward_reads_input_norm(p)) {
      norm.resize(c);
      for (int64_t i = 0; i < c; ++i) norm[i] = bn_affine(mean[i], inv_std[i], gamma[i], beta[i]);
      p.input_norm = norm.data();
    } else {
      normalized.resize(x_size(p));
      dispatch::kernels().batch_norm_fwd(p.batch, c, p.in_h * p.in_w, x, mean, inv_std, gamma, beta, true, normalized.data());
      x = normalized.data();
    }
  }
  dispatch::kernels().conv2d_forward(p, x, w, b, y);
  return info.Env().Undefined();
}

int tile_arg(const Napi::CallbackInfo& info, size_t i, const char* op) {
  const int64_t tile = integer(info, i, op, "tile", 2);
  if (tile != 2 && tile != 4) throw Napi::RangeError::New(info.Env(), std::string(op) + ": tile must be 2 or 4");
  return static_cast<int>(tile);
}

Napi::Value conv2d_winograd_weights(const Napi::CallbackInfo& info) {
  constexpr const char* op = "conv2dWinogradWeights";
  const int64_t cout = integer(info, 2, op, "Cout", 1), cin = integer(info, 3, op, "Cin", 1);
  const int tile = tile_arg(info, 4, op);
  const float* w = float_array(info, 0, op, "w", cout * cin * 9);
  float* u = exact_floats(info, 1, op, "u", conv::winograd_weight_floats(tile, cout, cin));
  conv::winograd_weights(tile, cout, cin, w, u);
  return info.Env().Undefined();
}

Napi::Value conv2d_winograd(const Napi::CallbackInfo& info) {
  constexpr const char* op = "conv2dWinograd";
  const int tile = tile_arg(info, 0, op);
  Conv2dParams p = read_params(info, 5, op);
  if (!conv::winograd_fits(p))
    throw Napi::RangeError::New(info.Env(), std::string(op) +
                                                ": Winograd runs 3x3 kernels at stride 1, dilation 1, groups 1 only");
  const float* x = float_array(info, 1, op, "x", x_size(p));
  const float* u = exact_floats(info, 2, op, "u", conv::winograd_weight_floats(tile, p.out_channels, p.in_channels));
  const float* b = optional_array(info, 3, op, "b", p.out_channels);
  float* y = float_array(info, 4, op, "y", y_size(p));
  read_epilogue(info, 21, op, y, &p);
  conv::forward_winograd(tile, p, x, u, b, y, dispatch::kernels().sgemm);
  return info.Env().Undefined();
}

Napi::Value conv2d_algorithm(const Napi::CallbackInfo& info) {
  constexpr const char* op = "conv2dAlgorithm";
  const bool winograd = boolean(info, 0, op, "winograd");
  const Conv2dParams p = read_params(info, 1, op);
  const dispatch::Isa isa = dispatch::kernels().isa;
  const ConvAlgorithm a = winograd ? conv::plan_forward_algorithm(isa, p, dispatch::num_threads())
                                   : conv::plain_forward_algorithm(isa, p);
  static const char* const kNames[] = {"pointwise", "im2col", "direct", "winograd-f2", "winograd-f4"};
  return Napi::String::New(info.Env(), kNames[static_cast<int>(a)]);
}

Napi::Value conv2d_grad_input(const Napi::CallbackInfo& info) {
  constexpr const char* op = "conv2dGradInput";
  const Conv2dParams p = read_params(info, 3, op);
  const float* dy = float_array(info, 0, op, "dy", y_size(p));
  const float* w = float_array(info, 1, op, "w", w_size(p));
  float* dx = float_array(info, 2, op, "dx", x_size(p));
  dispatch::kernels().conv2d_grad_input(p, dy, w, dx);
  return info.Env().Undefined();
}

Napi::Value conv2d_grad_weight(const Napi::CallbackInfo& info) {
  constexpr const char* op = "conv2dGradWeight";
  const Conv2dParams p = read_params(info, 4, op);
  const float* x = float_array(info, 0, op, "x", x_size(p));
  const float* dy = float_array(info, 1, op, "dy", y_size(p));
  float* dw = float_array(info, 2, op, "dw", w_size(p));
  float* db = const_cast<float*>(optional_array(info, 3, op, "db", p.out_channels));
  dispatch::kernels().conv2d_grad_weight(p, x, dy, dw, db);
  return info.Env().Undefined();
}

}  // namespace

void export_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, conv2d_forward, "conv2dForward"));
  exports.Set("conv2dGradInput", Napi::Function::New(env, conv2d_grad_input, "conv2dGradInput"));
  exports.Set("conv2dGradWeight", Napi::Function::New(env, conv2d_grad_weight, "conv2dGradWeight"));
  exports.Set("conv2dWinogradWeights", Napi::Function::New(env, conv2d_winograd_weights, "conv2dWinogradWeights"));
  exports.Set("conv2dWinograd", Napi::Function::New(env, conv2d_winograd, "conv2dWinograd"));
  exports.Set("conv2dAlgorithm", Napi::Function::New(env, conv2d_algorithm, "conv2dAlgorithm"));
}

}  // namespace striate::binding
