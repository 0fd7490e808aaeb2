// reluForward(x, y)                 reluGrad(x, dy, dx)
// leakyRelu(x, y, alpha)            leakyReluGrad(x, dy, dx, alpha)
// biasAdd(y, b, outer, channels, inner)          biasGrad(dy, db, outer, channels, inner)
// softmaxCrossEntropy(logits, n, k, labels | null, targets | null, eps, dlogits) -> summed loss
// sgdUpdate(values[], grads[], momenta[] | null, lr, weightDecay, momentum, keep, share, nesterov)
// adamUpdate(values[], grads[], ms[], vs[], stepSize, beta1, beta2, root2, eps, l2, decay)
//   The optimizer steps take every parameter of a model at once (one call per step, not
//   one per parameter); all lists are checked before any parameter is written.
// add(a, b, out), multiply(a, b, out)
// sigmoid(x, y)  sigmoidGrad(y, dy, dx)  tanh(x, y)  tanhGrad(y, dy, dx)
// elu(x, y, alpha)  eluGrad(x, y, dy, dx, alpha)
// softmax(x, y, outer, dim, inner)  softmaxGrad(y, dy, dx, outer, dim, inner)
// batchNorm(x, y, outer, channels, inner, mean, invStd, gamma, beta, relu)
// batchNormTrain(x, y, outer, channels, inner, eps, gamma, beta, mean, variance, relu)   (writes mean, variance)
// batchNormGrad(x, dy, dx, outer, channels, inner, mean, invStd, gamma, dgamma, dbeta, batchStatistics, reluY | null)
// mean, invStd and variance are Float64Arrays of `channels` elements.
// localResponseNorm(x, y, scale, outer, channels, inner, size, alpha, beta, k)
// localResponseNormGrad(x, scale, dy, work, dx, outer, channels, inner, size, alpha, beta)   (work: scratch)
// Elementwise arrays must have x's length exactly.
#include <cmath>
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/exports.h"
#include "dispatch/kernels.h"

namespace striate::binding {

namespace {

int64_t length_of(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be a Float32Array");
  return static_cast<int64_t>(v.As<Napi::Float32Array>().ElementLength());
}

bool is_null(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  Napi::Value v = arg(info, i, op, name);
  return v.IsNull() || v.IsUndefined();
}

// The kernels that map whole arrays element by element, one reader per signature; the
// argument names are the JS API's, for its error messages.
using UnaryKernel = void (*)(int64_t n, const float* in, float* out);
using BinaryKernel = void (*)(int64_t n, const float* a, const float* b, float* out);

Napi::Value unary(const Napi::CallbackInfo& info, const char* op, const char* in_name, const char* out_name,
                  UnaryKernel dispatch::Kernels::*kernel) {
  const int64_t n = length_of(info, 0, op, in_name);
  const float* in = exact_floats(info, 0, op, in_name, n);
  float* out = exact_floats(info, 1, op, out_name, n);
  (dispatch::kernels().*kernel)(n, in, out);
  return info.Env().Undefined();
}

Napi::Value binary(const Napi::CallbackInfo& info, const char* op, const char* a_name, const char* b_name,
                   const char* out_name, BinaryKernel dispatch::Kernels::*kernel) {
  const int64_t n = length_of(info, 0, op, a_name);
  const float* a = exact_floats(info, 0, op, a_name, n);
  const float* b = exact_floats(info, 1, op, b_name, n);
  float* out = exact_floats(info, 2, op, out_name, n);
  (dispatch::kernels().*kernel)(n, a, b, out);
  return info.Env().Undefined();
}

Napi::Value relu_forward(const Napi::CallbackInfo& info) {
  return unary(info, "reluForward", "x", "y", &dispatch::Kernels::relu_fwd);
}

Napi::Value relu_grad(const Napi::CallbackInfo& info) {
  return binary(info, "reluGrad", "x", "dy", "dx", &dispatch::Kernels::relu_bwd);
}

Napi::Value sigmoid(const Napi::CallbackInfo& info) {
  return unary(info, "sigmoid", "x", "y", &dispatch::Kernels::sigmoid_fwd);
}

Napi::Value sigmoid_grad(const Napi::CallbackInfo& info) {
  return binary(info, "sigmoidGrad", "y", "dy", "dx", &dispatch::Kernels::sigmoid_bwd);
}

Napi::Value tanh_forward(const Napi::CallbackInfo& info) {
  return unary(info, "tanh", "x", "y", &dispatch::Kernels::tanh_fwd);
}

Napi::Value tanh_grad(const Napi::CallbackInfo& info) {
  return binary(info, "tanhGrad", "y", "dy", "dx", &dispatch::Kernels::tanh_bwd);
}

Napi::Value add(const Napi::CallbackInfo& info) { return binary(info, "add", "a", "b", "out", &dispatch::Kernels::add); }

Napi::Value multiply(const Napi::CallbackInfo& info) {
  return binary(info, "multiply", "a", "b", "out", &dispatch::Kernels::mul);
}

Napi::Value leaky_relu(const Napi::CallbackInfo& info) {
  constexpr const char* op = "leakyRelu";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact_floats(info, 0, op, "x", n);
  float* y = exact_floats(info, 1, op, "y", n);
  dispatch::kernels().leaky_relu_fwd(n, number(info, 2, op, "alpha"), x, y);
  return info.Env().Undefined();
}

Napi::Value leaky_relu_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "leakyReluGrad";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact_floats(info, 0, op, "x", n);
  const float* dy = exact_floats(info, 1, op, "dy", n);
  float* dx = exact_floats(info, 2, op, "dx", n);
  dispatch::kernels().leaky_relu_bwd(n, number(info, 3, op, "alpha"), x, dy, dx);
  return info.Env().Undefined();
}

struct Planes {
  int64_t outer, channels, inner;
};

Planes read_planes(const Napi::CallbackInfo& info, size_t i, const char* op) {
  Planes p{integer(info, i, op, "outer"), integer(info, i + 1, op, "channels"), integer(info, i + 2, op, "inner")};
  if (static_cast<double>(p.outer) * static_cast<double>(p.channels) * static_cast<double>(p.inner) > 9007199254740991.0)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": outer * channels * inner is too large");
  return p;
}

Napi::Value bias_add(const Napi::CallbackInfo& info) {
  constexpr const char* op = "biasAdd";
  const Planes p = read_planes(info, 2, op);
  float* y = exact_floats(info, 0, op, "y", p.outer * p.channels * p.inner);
  const float* b = exact_floats(info, 1, op, "b", p.channels);
  dispatch::kernels().bias_add(p.outer, p.channels, p.inner, b, y);
  return info.Env().Undefined();
}

Napi::Value bias_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "biasGrad";
  const Planes p = read_planes(info, 2, op);
  const float* dy = exact_floats(info, 0, op, "dy", p.outer * p.channels * p.inner);
  float* db = exact_floats(info, 1, op, "db", p.channels);
  dispatch::kernels().bias_grad(p.outer, p.channels, p.inner, dy, db);
  return info.Env().Undefined();
}

Napi::Value softmax_cross_entropy(const Napi::CallbackInfo& info) {
  constexpr const char* op = "softmaxCrossEntropy";
  const int64_t n = integer(info, 1, op, "n", 1);
  const int64_t k = integer(info, 2, op, "k", 1);
  if (static_cast<double>(n) * static_cast<double>(k) > 9007199254740991.0)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": n * k is too large");
  const float* logits = exact_floats(info, 0, op, "logits", n * k);
  const int32_t* labels = nullptr;
  const float* targets = nullptr;
  if (!is_null(info, 3, op, "labels")) {
    Napi::Value v = info[3];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw Napi::TypeError::New(info.Env(), std::string(op) + ": labels must be an Int32Array or null");
    auto a = v.As<Napi::Int32Array>();
    if (static_cast<int64_t>(a.ElementLength()) != n)
      throw Napi::RangeError::New(info.Env(), std::string(op) + ": labels has " + std::to_string(a.ElementLength()) +
                                                  " elements, expected " + std::to_string(n));
    labels = a.Data();
    for (int64_t r = 0; r < n; ++r)
      if (labels[r] < 0 || labels[r] >= k)
        throw Napi::RangeError::New(info.Env(), std::string(op) + ": labels[" + std::to_string(r) +
                                                    "] must be a class index in [0, " + std::to_string(k) + "), got " +
                                                    std::to_string(labels[r]));
  }
  if (!is_null(info, 4, op, "targets")) targets = exact_floats(info, 4, op, "targets", n * k);
  if ((labels == nullptr) == (targets == nullptr))
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": give exactly one of labels and targets");
  const float eps = number(info, 5, op, "eps");
  if (!(eps >= 0.0f && eps < 1.0f))
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": eps must be in [0, 1)");
  float* dlogits = exact_floats(info, 6, op, "dlogits", n * k);
  const double total = dispatch::kernels().softmax_xent(n, k, logits, labels, targets, eps, dlogits);
  return Napi::Number::New(info.Env(), total);
}

// A list of Float32Arrays: values[i] sets each parameter's length, every other list must
// match it element for element.
std::vector<float*> float_list(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                               const std::vector<int64_t>* lengths, std::vector<int64_t>* lengths_out = nullptr) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsArray()) throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be an array of Float32Arrays");
  auto list = v.As<Napi::Array>();
  const uint32_t count = list.Length();
  if (lengths && count != lengths->size())
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": " + name + " has " + std::to_string(count) +
                                                " arrays, values has " + std::to_string(lengths->size()));
  std::vector<float*> out(count);
  for (uint32_t k = 0; k < count; ++k) {
    // Built only for a message: this runs for every parameter on every optimizer step.
    auto item = [&] { return std::string(op) + ": " + name + "[" + std::to_string(k) + "]"; };
    Napi::Value e = list.Get(k);
    if (!e.IsTypedArray() || e.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(info.Env(), item() + " must be a Float32Array");
    auto array = e.As<Napi::Float32Array>();
    const int64_t n = static_cast<int64_t>(array.ElementLength());
    if (lengths && n != (*lengths)[k])
      throw Napi::RangeError::New(info.Env(), item() + " has " + std::to_string(n) + " elements, expected " +
                                                  std::to_string((*lengths)[k]));
    if (lengths_out) lengths_out->push_back(n);
    out[k] = array.Data();
  }
  return out;
}

Napi::Value sgd_update(const Napi::CallbackInfo& info) {
  constexpr const char* op = "sgdUpdate";
  std::vector<int64_t> n;
  const std::vector<float*> values = float_list(info, 0, op, "values", nullptr, &n);
  const std::vector<float*> grads = float_list(info, 1, op, "grads", &n);
  SgdStep s;
  s.lr = number(info, 3, op, "lr");
  s.weight_decay = number(info, 4, op, "weightDecay");
  s.momentum = number(info, 5, op, "momentum");
  s.keep = number(info, 6, op, "keep");
  s.share = number(info, 7, op, "share");
  s.nesterov = boolean(info, 8, op, "nesterov");
  const bool plain = is_null(info, 2, op, "momenta");
  if (s.momentum != 0.0f && plain)
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": momenta are required when momentum != 0");
  const std::vector<float*> momenta = plain ? std::vector<float*>(n.size(), nullptr) : float_list(info, 2, op, "momenta", &n);
  for (size_t k = 0; k < n.size(); ++k) dispatch::kernels().sgd_update(n[k], s, values[k], grads[k], momenta[k]);
  return info.Env().Undefined();
}

Napi::Value adam_update(const Napi::CallbackInfo& info) {
  constexpr const char* op = "adamUpdate";
  std::vector<int64_t> n;
  const std::vector<float*> values = float_list(info, 0, op, "values", nullptr, &n);
  const std::vector<float*> grads = float_list(info, 1, op, "grads", &n);
  const std::vector<float*> m = float_list(info, 2, op, "ms", &n);
  const std::vector<float*> v = float_list(info, 3, op, "vs", &n);
  AdamStep s;
  s.step_size = number(info, 4, op, "stepSize");
  s.beta1 = number(info, 5, op, "beta1");
  s.beta2 = number(info, 6, op, "beta2");
  s.root2 = number(info, 7, op, "root2");
  s.eps = number(info, 8, op, "eps");
  s.l2 = number(info, 9, op, "l2");
  s.decay = number(info, 10, op, "decay");
  for (size_t k = 0; k < n.size(); ++k) dispatch::kernels().adam_update(n[k], s, values[k], grads[k], m[k], v[k]);
  return info.Env().Undefined();
}

Napi::Value elu(const Napi::CallbackInfo& info) {
  constexpr const char* op = "elu";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact_floats(info, 0, op, "x", n);
  float* y = exact_floats(info, 1, op, "y", n);
  dispatch::kernels().elu_fwd(n, number(info, 2, op, "alpha"), x, y);
  return info.Env().Undefined();
}

Napi::Value elu_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "eluGrad";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact_floats(info, 0, op, "x", n);
  const float* y = exact_floats(info, 1, op, "y", n);
  const float* dy = exact_floats(info, 2, op, "dy", n);
  float* dx = exact_floats(info, 3, op, "dx", n);
  dispatch::kernels().elu_bwd(n, number(info, 4, op, "alpha"), x, y, dy, dx);
  return info.Env().Undefined();
}

Napi::Value softmax(const Napi::CallbackInfo& info) {
  constexpr const char* op = "softmax";
  const Planes p = read_planes(info, 2, op);
  const int64_t n = p.outer * p.channels * p.inner;
  const float* x = exact_floats(info, 0, op, "x", n);
  float* y = exact_floats(info, 1, op, "y", n);
  // The kernel reads each row's first value; an empty tensor has none.
  if (n > 0) dispatch::kernels().softmax_fwd(p.outer, p.channels, p.inner, x, y);
  return info.Env().Undefined();
}

Napi::Value softmax_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "softmaxGrad";
  const Planes p = read_planes(info, 3, op);
  const int64_t n = p.outer * p.channels * p.inner;
  const float* y = exact_floats(info, 0, op, "y", n);
  const float* dy = exact_floats(info, 1, op, "dy", n);
  float* dx = exact_floats(info, 2, op, "dx", n);
  dispatch::kernels().softmax_bwd(p.outer, p.channels, p.inner, y, dy, dx);
  return info.Env().Undefined();
}

Napi::Value batch_norm(const Napi::CallbackInfo& info) {
  constexpr const char* op = "batchNorm";
  const Planes p = read_planes(info, 2, op);
  const int64_t n = p.outer * p.channels * p.inner;
  const float* x = exact_floats(info, 0, op, "x", n);
  float* y = exact_floats(info, 1, op, "y", n);
  const double* mean = exact_doubles(info, 5, op, "mean", p.channels);
  const double* inv_std = exact_doubles(info, 6, op, "invStd", p.channels);
  const float* gamma = exact_floats(info, 7, op, "gamma", p.channels);
  const float* beta = exact_floats(info, 8, op, "beta", p.channels);
  const bool relu = boolean(info, 9, op, "relu");
  dispatch::kernels().batch_norm_fwd(p.outer, p.channels, p.inner, x, mean, inv_std, gamma, beta, relu, y);
  return info.Env().Undefined();
}

Napi::Value batch_norm_train(const Napi::CallbackInfo& info) {
  constexpr const char* op = "batchNormTrain";
  const Planes p = read_planes(info, 2, op);
  const int64_t n = p.outer * p.channels * p.inner;
  if (p.channels > 0 && p.outer * p.inner < 1)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": each channel needs at least 1 value");
  const float* x = exact_floats(info, 0, op, "x", n);
  float* y = exact_floats(info, 1, op, "y", n);
  Napi::Value e = arg(info, 5, op, "eps");
  if (!e.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(op) + ": eps must be a number");
  const double eps = e.As<Napi::Number>().DoubleValue();
  if (!(eps > 0.0 && std::isfinite(eps)))
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": eps must be a finite number > 0");
  const float* gamma = exact_floats(info, 6, op, "gamma", p.channels);
  const float* beta = exact_floats(info, 7, op, "beta", p.channels);
  double* mean = exact_doubles(info, 8, op, "mean", p.channels);
  double* var = exact_doubles(info, 9, op, "variance", p.channels);
  const bool relu = boolean(info, 10, op, "relu");
  dispatch::kernels().batch_norm_train_fwd(p.outer, p.channels, p.inner, x, eps, gamma, beta, relu, mean, var, y);
  return info.Env().Undefined();
}

Napi::Value batch_norm_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "batchNormGrad";
  const Planes p = read_planes(info, 3, op);
  const int64_t n = p.outer * p.channels * p.inner;
  const float* x = exact_floats(info, 0, op, "x", n);
  const float* dy = exact_floats(info, 1, op, "dy", n);
  float* dx = exact_floats(info, 2, op, "dx", n);
  const double* mean = exact_doubles(info, 6, op, "mean", p.channels);
  const double* inv_std = exact_doubles(info, 7, op, "invStd", p.channels);
  const float* gamma = exact_floats(info, 8, op, "gamma", p.channels);
  float* dgamma = exact_floats(info, 9, op, "dgamma", p.channels);
  float* dbeta = exact_floats(info, 10, op, "dbeta", p.channels);
  const bool batch_stats = boolean(info, 11, op, "batchStatistics");
  const float* relu_y = arg(info, 12, op, "reluY").IsNull() ? nullptr : exact_floats(info, 12, op, "reluY", n);
  dispatch::kernels().batch_norm_bwd(p.outer, p.channels, p.inner, x, dy, relu_y, mean, inv_std, gamma, batch_stats,
                                     dgamma, dbeta, dx);
  return info.Env().Undefined();
}

// [outer, channels, inner, size], alpha, beta and k at `i`..`i + 6`.
LrnParams read_lrn(const Napi::CallbackInfo& info, size_t i, const char* op, bool with_k) {
  const Planes planes = read_planes(info, i, op);
  LrnParams p;
  p.outer = planes.outer, p.channels = planes.channels, p.inner = planes.inner;
  p.size = integer(info, i + 3, op, "size", 1);
  p.alpha = number(info, i + 4, op, "alpha");
  p.beta = number(info, i + 5, op, "beta");
  if (with_k) p.k = number(info, i + 6, op, "k");
  if (!(p.alpha >= 0.0f && p.beta >= 0.0f && p.k > 0.0f) || !std::isfinite(p.alpha) || !std::isfinite(p.beta) ||
      !std::isfinite(p.k))
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": alpha and beta must be finite and >= 0, k finite and > 0");
  return p;
}

Napi::Value local_response_norm(const Napi::CallbackInfo& info) {
  constexpr const char* op = "localResponseNorm";
  const LrnParams p = read_lrn(info, 3, op, true);
  const int64_t n = p.outer * p.channels * p.inner;
  const float* x = exact_floats(info, 0, op, "x", n);
  float* y = exact_floats(info, 1, op, "y", n);
  float* scale = exact_floats(info, 2, op, "scale", n);
  dispatch::kernels().lrn_fwd(p, x, scale, y);
  return info.Env().Undefined();
}

Napi::Value local_response_norm_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "localResponseNormGrad";
  const LrnParams p = read_lrn(info, 5, op, false);
  const int64_t n = p.outer * p.channels * p.inner;
  const float* x = exact_floats(info, 0, op, "x", n);
  const float* scale = exact_floats(info, 1, op, "scale", n);
  const float* dy = exact_floats(info, 2, op, "dy", n);
  float* work = exact_floats(info, 3, op, "work", n);
  float* dx = exact_floats(info, 4, op, "dx", n);
  dispatch::kernels().lrn_bwd(p, x, scale, dy, work, dx);
  return info.Env().Undefined();
}

}  // namespace

void export_elementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("reluForward", Napi::Function::New(env, relu_forward, "reluForward"));
  exports.Set("reluGrad", Napi::Function::New(env, relu_grad, "reluGrad"));
  exports.Set("leakyRelu", Napi::Function::New(env, leaky_relu, "leakyRelu"));
  exports.Set("leakyReluGrad", Napi::Function::New(env, leaky_relu_grad, "leakyReluGrad"));
  exports.Set("biasAdd", Napi::Function::New(env, bias_add, "biasAdd"));
  exports.Set("biasGrad", Napi::Function::New(env, bias_grad, "biasGrad"));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, softmax_cross_entropy, "softmaxCrossEntropy"));
  exports.Set("sgdUpdate", Napi::Function::New(env, sgd_update, "sgdUpdate"));
  exports.Set("adamUpdate", Napi::Function::New(env, adam_update, "adamUpdate"));
  exports.Set("add", Napi::Function::New(env, add, "add"));
  exports.Set("multiply", Napi::Function::New(env, multiply, "multiply"));
  exports.Set("sigmoid", Napi::Function::New(env, sigmoid, "sigmoid"));
  exports.Set("sigmoidGrad", Napi::Function::New(env, sigmoid_grad, "sigmoidGrad"));
  exports.Set("tanh", Napi::Function::New(env, tanh_forward, "tanh"));
  exports.Set("tanhGrad", Napi::Function::New(env, tanh_grad, "tanhGrad"));
  exports.Set("elu", Napi::Function::New(env, elu, "elu"));
  exports.Set("eluGrad", Napi::Function::New(env, elu_grad, "eluGrad"));
  exports.Set("softmax", Napi::Function::New(env, softmax, "softmax"));
  exports.Set("softmaxGrad", Napi::Function::New(env, softmax_grad, "softmaxGrad"));
  exports.Set("batchNorm", Napi::Function::New(env, batch_norm, "batchNorm"));
  exports.Set("batchNormTrain", Napi::Function::New(env, batch_norm_train, "batchNormTrain"));
  exports.Set("batchNormGrad", Napi::Function::New(env, batch_norm_grad, "batchNormGrad"));
  exports.Set("localResponseNorm", Napi::Function::New(env, local_response_norm, "localResponseNorm"));
  exports.Set("localResponseNormGrad", Napi::Function::New(env, local_response_norm_grad, "localResponseNormGrad"));
}

}  // namespace striate::binding
