// One registration function per op family; addon.cc calls them all.
#pragma once
#include <napi.h>

namespace striate::binding {

void export_backend(Napi::Env env, Napi::Object exports);
void export_gemm(Napi::Env env, Napi::Object exports);
void export_pool(Napi::Env env, Napi::Object exports);
void export_conv(Napi::Env env, Napi::Object exports);
void export_elementwise(Napi::Env env, Napi::Object exports);

}  // namespace striate::binding
