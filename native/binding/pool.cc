// maxPool2d(geometry, x, y, argmax | null)          maxPool2dGrad(dims, dy, argmax, dx)
// avgPool2d(geometry, countIncludePad, x, y)         avgPool2dGrad(geometry, countIncludePad, dy, dx)
// stochasticPool2dTrain(geometry, x, u, y, index)    stochasticPool2dInfer(geometry, x, y)
// stochasticPool2dInferGrad(geometry, x, dy, dx)
//   geometry: [N, C, inH, inW, kH, kW, strideH, strideW, padH, padW, ceilMode ? 1 : 0]
//   dims:     [N, C, inH, inW, outH, outW]
// The output extent is recomputed here from the geometry, so buffer lengths are checked
// against what the kernel will touch, whatever the caller computed.
#include <string>

#include "binding/args.h"
#include "binding/exports.h"
#include "dispatch/kernels.h"

namespace striate::binding {

namespace {

Napi::RangeError range_error(const Napi::CallbackInfo& info, const char* op, const std::string& what) {
  return Napi::RangeError::New(info.Env(), std::string(op) + ": " + what);
}

// Reads an array of `count` integers >= 0 (the entries of geometry or dims).
void read_integers(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, int64_t* out,
                   uint32_t count) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsArray() || v.As<Napi::Array>().Length() != count)
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be an array of " +
                                               std::to_string(count) + " integers");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t k = 0; k < count; ++k) {
    Napi::Value e = a.Get(k);
    const double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1.0;
    // The range first: casting Infinity or 1e300 to int64_t is undefined behaviour.
    if (!(d >= 0 && d <= 2147483647.0 && d == static_cast<double>(static_cast<int64_t>(d))))
      throw range_error(info, op, std::string(name) + "[" + std::to_string(k) + "] must be an integer in [0, 2^31)");
    out[k] = static_cast<int64_t>(d);
  }
}

// argmax holds int32 positions inside a plane, and element counts must fit a typed array.
void check_sizes(const Napi::CallbackInfo& info, const char* op, const Pool2dParams& p) {
  if (p.in_h * p.in_w > 2147483647) throw range_error(info, op, "an input plane must have fewer than 2^31 elements");
  const double planes = static_cast<double>(p.batch) * static_cast<double>(p.channels);
  if (planes * static_cast<double>(p.in_h * p.in_w) > 9007199254740991.0 ||
      planes * static_cast<double>(p.out_h) * static_cast<double>(p.out_w) > 9007199254740991.0)
    throw range_error(info, op, "the tensors have more elements than a typed array can hold");
}

Pool2dParams read_geometry(const Napi::CallbackInfo& info, size_t i, const char* op) {
  int64_t g[11];
  read_integers(info, i, op, "geometry", g, 11);
  Pool2dParams p;
  p.batch = g[0];
  p.channels = g[1];
  p.in_h = g[2];
  p.in_w = g[3];
  p.kernel_h = g[4];
  p.kernel_w = g[5];
  p.stride_h = g[6];
  p.stride_w = g[7];
  p.pad_h = g[8];
  p.pad_w = g[9];
  if (p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1)
    throw range_error(info, op, "kernel size and stride must be >= 1");
  if (2 * p.pad_h > p.kernel_h || 2 * p.pad_w > p.kernel_w)
    throw range_error(info, op, "padding must be at most half the kernel size");
  check_sizes(info, op, p);
  p.out_h = pool2d_out_size(p.in_h, p.kernel_h, p.stride_h, p.pad_h, g[10] != 0);
  p.out_w = pool2d_out_size(p.in_w, p.kernel_w, p.stride_w, p.pad_w, g[10] != 0);
  if (p.out_h < 1 || p.out_w < 1) throw range_error(info, op, "the kernel is larger than the padded input");
  return p;
}

int64_t in_size(const Pool2dParams& p) { return p.batch * p.channels * p.in_h * p.in_w; }
int64_t out_size(const Pool2dParams& p) { return p.batch * p.channels * p.out_h * p.out_w; }

Napi::Value max_pool2d(const Napi::CallbackInfo& info) {
  constexpr const char* op = "maxPool2d";
  const Pool2dParams p = read_geometry(info, 0, op);
  const float* x = exact_floats(info, 1, op, "x", in_size(p));
  float* y = exact_floats(info, 2, op, "y", out_size(p));
  int32_t* argmax = arg(info, 3, op, "argmax").IsNull() ? nullptr : exact_int32s(info, 3, op, "argmax", out_size(p));
  dispatch::kernels().maxpool2d_fwd(p, x, y, argmax);
  return info.Env().Undefined();
}

Napi::Value max_pool2d_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "maxPool2dGrad";
  int64_t d[6];
  read_integers(info, 0, op, "dims", d, 6);
  Pool2dParams p;
  p.batch = d[0];
  p.channels = d[1];
  p.in_h = d[2];
  p.in_w = d[3];
  p.out_h = d[4];
  p.out_w = d[5];
  check_sizes(info, op, p);
  const float* dy = exact_floats(info, 1, op, "dy", out_size(p));
  const int32_t* argmax = exact_int32s(info, 2, op, "argmax", out_size(p));
  float* dx = exact_floats(info, 3, op, "dx", in_size(p));
  const int64_t bad = dispatch::kernels().maxpool2d_bwd(p, dy, argmax, dx);
  if (bad > 0)
    throw range_error(info, op, "argmax holds " + std::to_string(bad) + " indices outside the " +
                                    std::to_string(p.in_h) + "x" + std::to_string(p.in_w) + " input plane");
  return info.Env().Undefined();
}

Napi::Value avg_pool2d(const Napi::CallbackInfo& info) {
  constexpr const char* op = "avgPool2d";
  Pool2dParams p = read_geometry(info, 0, op);
  p.count_include_pad = boolean(info, 1, op, "countIncludePad");
  const float* x = exact_floats(info, 2, op, "x", in_size(p));
  float* y = exact_floats(info, 3, op, "y", out_size(p));
  dispatch::kernels().avgpool2d_fwd(p, x, y);
  return info.Env().Undefined();
}

Napi::Value avg_pool2d_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "avgPool2dGrad";
  Pool2dParams p = read_geometry(info, 0, op);
  p.count_include_pad = boolean(info, 1, op, "countIncludePad");
  const float* dy = exact_floats(info, 2, op, "dy", out_size(p));
  float* dx = exact_floats(info, 3, op, "dx", in_size(p));
  dispatch::kernels().avgpool2d_bwd(p, dy, dx);
  return info.Env().Undefined();
}

Napi::Value stochastic_pool2d_train(const Napi::CallbackInfo& info) {
  constexpr const char* op = "stochasticPool2d";
  const Pool2dParams p = read_geometry(info, 0, op);
  const float* x = exact_floats(info, 1, op, "x", in_size(p));
  const double* u = exact_doubles(info, 2, op, "u", out_size(p));
  float* y = exact_floats(info, 3, op, "y", out_size(p));
  int32_t* index = exact_int32s(info, 4, op, "index", out_size(p));
  dispatch::kernels().stochpool2d_train(p, x, u, y, index);
  return info.Env().Undefined();
}

Napi::Value stochastic_pool2d_infer(const Napi::CallbackInfo& info) {
  constexpr const char* op = "stochasticPool2d";
  const Pool2dParams p = read_geometry(info, 0, op);
  const float* x = exact_floats(info, 1, op, "x", in_size(p));
  float* y = exact_floats(info, 2, op, "y", out_size(p));
  dispatch::kernels().stochpool2d_infer(p, x, y);
  return info.Env().Undefined();
}

Napi::Value stochastic_pool2d_infer_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "stochasticPool2dInferenceGrad";
  const Pool2dParams p = read_geometry(info, 0, op);
  const float* x = exact_floats(info, 1, op, "x", in_size(p));
  const float* dy = exact_floats(info, 2, op, "dy", out_size(p));
  float* dx = exact_floats(info, 3, op, "dx", in_size(p));
  dispatch::kernels().stochpool2d_infer_bwd(p, x, dy, dx);
  return info.Env().Undefined();
}

}  // namespace

void export_pool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool2d", Napi::Function::New(env, max_pool2d, "maxPool2d"));
  exports.Set("maxPool2dGrad", Napi::Function::New(env, max_pool2d_grad, "maxPool2dGrad"));
  exports.Set("avgPool2d", Napi::Function::New(env, avg_pool2d, "avgPool2d"));
  exports.Set("avgPool2dGrad", Napi::Function::New(env, avg_pool2d_grad, "avgPool2dGrad"));
  exports.Set("stochasticPool2dTrain", Napi::Function::New(env, stochastic_pool2d_train, "stochasticPool2dTrain"));
  exports.Set("stochasticPool2dInfer", Napi::Function::New(env, stochastic_pool2d_infer, "stochasticPool2dInfer"));
  exports.Set("stochasticPool2dInferGrad",
              Napi::Function::New(env, stochastic_pool2d_infer_grad, "stochasticPool2dInferGrad"));
}

}  // namespace striate::binding
