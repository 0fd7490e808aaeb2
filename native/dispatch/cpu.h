// CPU feature detection and the choice of instruction set, made once per process.
#pragma once
#include <string>
#include <vector>

namespace striate::dispatch {

enum class Isa { scalar, avx2, avx512, neon };

const char* isa_name(Isa isa);

// The instruction sets this CPU and OS can run, best last; scalar is always there.
const std::vector<Isa>& available_isas();

// The ISA in force: STRIATE_ISA if set, else the best available one.
// Returns false and fills `error` when STRIATE_ISA names something this CPU lacks.
bool select_isa(Isa* out, std::string* error);

}  // namespace striate::dispatch
