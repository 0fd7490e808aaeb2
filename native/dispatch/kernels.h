// The kernel table: one function pointer per op, filled once for the chosen ISA
// (XNNPACK's configs, ATen's DispatchStub). Bindings call through kernels().
#pragma once
#include <string>

#include "dispatch/cpu.h"
#include "kernels/gemm/gemm.h"

namespace striate::dispatch {

struct Kernels {
  Isa isa = Isa::scalar;
  void (*sgemm)(const GemmArgs&) = nullptr;
};

// The table for one ISA (which must be available on this CPU).
Kernels kernels_for(Isa isa);

// Selects the ISA (STRIATE_ISA or the best) once per process. Returns false and sets
// `error` when STRIATE_ISA cannot be honoured.
bool init_kernels(std::string* error);

// The table chosen by init_kernels.
const Kernels& kernels();

}  // namespace striate::dispatch
