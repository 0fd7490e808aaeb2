#include "dispatch/cpu.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace striate::dispatch {

namespace {

#if defined(__x86_64__) || defined(_M_X64)
// xgetbv reads XCR0: which register states the OS saves on a context switch.
// AVX needs XMM|YMM (bits 1,2); AVX-512 also needs opmask|ZMM_Hi256|Hi16_ZMM (bits 5-7).
unsigned long long read_xcr0() {
  unsigned int lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

std::vector<Isa> detect() {
  std::vector<Isa> isas{Isa::scalar};
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return isas;
  const bool osxsave = ecx & bit_OSXSAVE;
  const bool fma = ecx & bit_FMA;
  const bool avx = ecx & bit_AVX;
  if (!osxsave || !avx) return isas;
  const unsigned long long xcr0 = read_xcr0();
  if ((xcr0 & 0x6) != 0x6) return isas;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return isas;
  const bool avx2 = ebx & bit_AVX2;
  const bool avx512f = ebx & bit_AVX512F;
  const bool avx512dq = ebx & bit_AVX512DQ;
  if (avx2 && fma) isas.push_back(Isa::avx2);
  if (avx2 && fma && avx512f && avx512dq && (xcr0 & 0xe6) == 0xe6) isas.push_back(Isa::avx512);
  return isas;
}
#elif defined(__aarch64__)
// Advanced SIMD is part of the AArch64 baseline.
std::vector<Isa> detect() { return {Isa::scalar, Isa::neon}; }
#else
std::vector<Isa> detect() { return {Isa::scalar}; }
#endif

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    case Isa::neon: return "neon";
  }
  return "unknown";
}

const std::vector<Isa>& available_isas() {
  static const std::vector<Isa> isas = detect();
  return isas;
}

bool select_isa(Isa* out, std::string* error) {
  const auto& isas = available_isas();
  const char* forced = std::getenv("STRIATE_ISA");
  if (forced != nullptr && forced[0] != '\0') {
    for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon}) {
      if (std::strcmp(forced, isa_name(isa)) != 0) continue;
      for (Isa have : isas) {
        if (have == isa) {
          *out = isa;
          return true;
        }
      }
      std::string list;
      for (Isa have : isas) list += std::string(list.empty() ? "" : ", ") + isa_name(have);
      *error = std::string("STRIATE_ISA=") + forced + " is not supported by this CPU (available: " + list + ")";
      return false;
    }
    *error = std::string("STRIATE_ISA=") + forced + " is not one of scalar, avx2, avx512, neon";
    return false;
  }
  *out = isas.back();
  return true;
}

}  // namespace striate::dispatch
