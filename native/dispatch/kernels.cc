#include "dispatch/kernels.h"

#include <mutex>

namespace striate::dispatch {

namespace {
Kernels g_kernels;
std::string g_error;
std::once_flag g_once;
}  // namespace

Kernels kernels_for(Isa isa) {
  Kernels k;
  k.isa = isa;
  k.sgemm = scalar::sgemm;
  switch (isa) {
    case Isa::scalar:
      break;
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::avx2:
      k.sgemm = avx2::sgemm;
      break;
    case Isa::avx512:
      k.sgemm = avx512::sgemm;
      break;
#endif
#if defined(__aarch64__)
    case Isa::neon:
      k.sgemm = neon::sgemm;
      break;
#endif
    default:
      break;
  }
  return k;
}

bool init_kernels(std::string* error) {
  std::call_once(g_once, [] {
    Isa isa;
    if (select_isa(&isa, &g_error)) g_kernels = kernels_for(isa);
  });
  if (!g_error.empty()) *error = g_error;
  return g_error.empty();
}

const Kernels& kernels() { return g_kernels; }

}  // namespace striate::dispatch
