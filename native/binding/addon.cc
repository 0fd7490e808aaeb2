// The addon's entry point: selects the kernels for this CPU, then lists every export.
// Node-API modules are context-aware, so the addon loads in every worker thread.
#include <napi.h>

#include "binding/exports.h"
#include "dispatch/kernels.h"

namespace striate::binding {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  std::string error;
  if (!dispatch::init_kernels(&error)) throw Napi::Error::New(env, "striate: " + error);
  export_backend(env, exports);
  export_gemm(env, exports);
  export_pool(env, exports);
  export_conv(env, exports);
  export_elementwise(env, exports);
  return exports;
}

}  // namespace striate::binding

static Napi::Object init_striate(Napi::Env env, Napi::Object exports) { return striate::binding::init(env, exports); }

NODE_API_MODULE(striate, init_striate)
