// reluForward(x, y)                 reluGrad(x, dy, dx)
// leakyRelu(x, y, alpha)            leakyReluGrad(x, dy, dx, alpha)
// biasAdd(y, b, outer, channels, inner)          biasGrad(dy, db, outer, channels, inner)
// softmaxCrossEntropy(logits, n, k, labels | null, targets | null, eps, dlogits) -> summed loss
// sgdUpdate(value, grad, momentumBuffer | null, lr, weightDecay, momentum, keep, share, nesterov)
// adamUpdate(value, grad, m, v, stepSize, beta1, beta2, root2, eps, l2, decay)
// Elementwise arrays must have x's length exactly: a shorter output would be overrun and
// a longer one half-written, either a caller's bug.
#include <string>

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

// A Float32Array of exactly n elements.
float* exact(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, int64_t n) {
  const int64_t length = length_of(info, i, op, name);
  if (length != n)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": " + name + " has " + std::to_string(length) +
                                                " elements, expected " + std::to_string(n));
  return info[i].As<Napi::Float32Array>().Data();
}

bool is_null(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  Napi::Value v = arg(info, i, op, name);
  return v.IsNull() || v.IsUndefined();
}

Napi::Value relu_forward(const Napi::CallbackInfo& info) {
  constexpr const char* op = "reluForward";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact(info, 0, op, "x", n);
  float* y = exact(info, 1, op, "y", n);
  dispatch::kernels().relu_fwd(n, x, y);
  return info.Env().Undefined();
}

Napi::Value relu_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "reluGrad";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact(info, 0, op, "x", n);
  const float* dy = exact(info, 1, op, "dy", n);
  float* dx = exact(info, 2, op, "dx", n);
  dispatch::kernels().relu_bwd(n, x, dy, dx);
  return info.Env().Undefined();
}

Napi::Value leaky_relu(const Napi::CallbackInfo& info) {
  constexpr const char* op = "leakyRelu";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact(info, 0, op, "x", n);
  float* y = exact(info, 1, op, "y", n);
  dispatch::kernels().leaky_relu_fwd(n, number(info, 2, op, "alpha"), x, y);
  return info.Env().Undefined();
}

Napi::Value leaky_relu_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "leakyReluGrad";
  const int64_t n = length_of(info, 0, op, "x");
  const float* x = exact(info, 0, op, "x", n);
  const float* dy = exact(info, 1, op, "dy", n);
  float* dx = exact(info, 2, op, "dx", n);
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
  float* y = exact(info, 0, op, "y", p.outer * p.channels * p.inner);
  const float* b = exact(info, 1, op, "b", p.channels);
  dispatch::kernels().bias_add(p.outer, p.channels, p.inner, b, y);
  return info.Env().Undefined();
}

Napi::Value bias_grad(const Napi::CallbackInfo& info) {
  constexpr const char* op = "biasGrad";
  const Planes p = read_planes(info, 2, op);
  const float* dy = exact(info, 0, op, "dy", p.outer * p.channels * p.inner);
  float* db = exact(info, 1, op, "db", p.channels);
  dispatch::kernels().bias_grad(p.outer, p.channels, p.inner, dy, db);
  return info.Env().Undefined();
}

Napi::Value softmax_cross_entropy(const Napi::CallbackInfo& info) {
  constexpr const char* op = "softmaxCrossEntropy";
  const int64_t n = integer(info, 1, op, "n", 1);
  const int64_t k = integer(info, 2, op, "k", 1);
  if (static_cast<double>(n) * static_cast<double>(k) > 9007199254740991.0)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": n * k is too large");
  const float* logits = exact(info, 0, op, "logits", n * k);
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
  if (!is_null(info, 4, op, "targets")) targets = exact(info, 4, op, "targets", n * k);
  if ((labels == nullptr) == (targets == nullptr))
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": give exactly one of labels and targets");
  const float eps = number(info, 5, op, "eps");
  if (!(eps >= 0.0f && eps < 1.0f))
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": eps must be in [0, 1)");
  float* dlogits = exact(info, 6, op, "dlogits", n * k);
  const double total = dispatch::kernels().softmax_xent(n, k, logits, labels, targets, eps, dlogits);
  return Napi::Number::New(info.Env(), total);
}

Napi::Value sgd_update(const Napi::CallbackInfo& info) {
  constexpr const char* op = "sgdUpdate";
  const int64_t n = length_of(info, 0, op, "value");
  float* value = exact(info, 0, op, "value", n);
  const float* grad = exact(info, 1, op, "grad", n);
  SgdStep s;
  s.lr = number(info, 3, op, "lr");
  s.weight_decay = number(info, 4, op, "weightDecay");
  s.momentum = number(info, 5, op, "momentum");
  s.keep = number(info, 6, op, "keep");
  s.share = number(info, 7, op, "share");
  s.nesterov = boolean(info, 8, op, "nesterov");
  float* momentum = is_null(info, 2, op, "momentumBuffer") ? nullptr : exact(info, 2, op, "momentumBuffer", n);
  if (s.momentum != 0.0f && momentum == nullptr)
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": momentumBuffer is required when momentum != 0");
  dispatch::kernels().sgd_update(n, s, value, grad, momentum);
  return info.Env().Undefined();
}

Napi::Value adam_update(const Napi::CallbackInfo& info) {
  constexpr const char* op = "adamUpdate";
  const int64_t n = length_of(info, 0, op, "value");
  float* value = exact(info, 0, op, "value", n);
  const float* grad = exact(info, 1, op, "grad", n);
  float* m = exact(info, 2, op, "m", n);
  float* v = exact(info, 3, op, "v", n);
  AdamStep s;
  s.step_size = number(info, 4, op, "stepSize");
  s.beta1 = number(info, 5, op, "beta1");
  s.beta2 = number(info, 6, op, "beta2");
  s.root2 = number(info, 7, op, "root2");
  s.eps = number(info, 8, op, "eps");
  s.l2 = number(info, 9, op, "l2");
  s.decay = number(info, 10, op, "decay");
  dispatch::kernels().adam_update(n, s, value, grad, m, v);
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
}

}  // namespace striate::binding
