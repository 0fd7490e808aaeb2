// conv2dForward(x, w, b | null, y, ...shape[, residual | null, activation])
// conv2dGradInput(dy, w, dx, ...shape)
// conv2dGradWeight(x, dy, dw, db | null, ...shape)
// where shape = N, Cin, H, W, Cout, kH, kW, strideH, strideW, padTop, padBottom,
// padLeft, padRight, dilationH, dilationW, groups. The forward's optional epilogue:
// residual y-sized (added after the bias), activation 0 none or 1 ReLU (conv2d.h).
// The TS op has validated everything;
// this re-checks what would make the kernel read or write out of bounds.
#include "binding/args.h"
#include "binding/exports.h"
#include "dispatch/kernels.h"

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

Napi::Value conv2d_forward(const Napi::CallbackInfo& info) {
  constexpr const char* op = "conv2dForward";
  Conv2dParams p = read_params(info, 4, op);
  const float* x = float_array(info, 0, op, "x", x_size(p));
  const float* w = float_array(info, 1, op, "w", w_size(p));
  const float* b = optional_array(info, 2, op, "b", p.out_channels);
  float* y = float_array(info, 3, op, "y", y_size(p));
  // The epilogue's arguments follow the 16 shape numbers (indices 4..19).
  if (info.Length() > 20) p.residual = optional_array(info, 20, op, "residual", y_size(p));
  if (info.Length() > 21) {
    const int64_t activation = integer(info, 21, op, "activation");
    if (activation > static_cast<int64_t>(ConvActivation::relu))
      throw Napi::RangeError::New(info.Env(), std::string(op) + ": activation must be 0 (none) or 1 (relu)");
    p.activation = static_cast<ConvActivation>(activation);
  }
  // In place the GEMM path would overwrite the residual before adding it.
  if (p.residual && p.residual < y + y_size(p) && y < p.residual + y_size(p))
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": residual must not share memory with y");
  dispatch::kernels().conv2d_forward(p, x, w, b, y);
  return info.Env().Undefined();
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
}

}  // namespace striate::binding
