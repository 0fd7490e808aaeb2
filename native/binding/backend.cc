// backendInfo(), setNumThreads(n), getNumThreads()
#include "binding/args.h"
#include "binding/exports.h"
#include "dispatch/kernels.h"
#include "dispatch/parallel.h"

namespace striate::binding {

namespace {

Napi::Value backend_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", dispatch::isa_name(dispatch::kernels().isa));
  const auto& isas = dispatch::available_isas();
  Napi::Array list = Napi::Array::New(env, isas.size());
  for (size_t i = 0; i < isas.size(); ++i) list.Set(static_cast<uint32_t>(i), dispatch::isa_name(isas[i]));
  out.Set("isasAvailable", list);
  out.Set("threads", dispatch::num_threads());
  out.Set("hardwareThreads", dispatch::hardware_threads());
  out.Set("openmp", dispatch::openmp_enabled());
  out.Set("version", STRIATE_VERSION);
  return out;
}

Napi::Value set_num_threads(const Napi::CallbackInfo& info) {
  dispatch::set_num_threads(static_cast<int>(integer(info, 0, "setNumThreads", "n", 1)));
  return info.Env().Undefined();
}

Napi::Value get_num_threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), dispatch::num_threads());
}

}  // namespace

void export_backend(Napi::Env env, Napi::Object exports) {
  exports.Set("backendInfo", Napi::Function::New(env, backend_info, "backendInfo"));
  exports.Set("setNumThreads", Napi::Function::New(env, set_num_threads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, get_num_threads, "getNumThreads"));
}

}  // namespace striate::binding
