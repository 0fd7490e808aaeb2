// Scratch memory that kernels reuse from call to call instead of allocating.
#pragma once
#include <cstddef>

namespace striate::dispatch {

// A 64-byte-aligned buffer of at least `floats` floats, owned by the calling thread.
// Each slot is a separate buffer; it grows to the largest size asked of it and stays.
// The memory is bounded by the largest problem the thread has run.
enum class Scratch { pack_a, pack_b, gemm_c, conv_cols, conv_aux, count };
float* scratch(Scratch slot, size_t floats);

// Process-wide counts of scratch allocations, for leak checks: a steady workload
// stops allocating once every slot has grown to its largest size.
struct ScratchStats {
  unsigned long long allocations;  // aligned_alloc calls so far
  unsigned long long frees;        // buffers released (grown past, or a thread exiting)
  unsigned long long live_bytes;   // bytes held now, summed over threads
  unsigned long long peak_bytes;   // the most ever held at once
};
ScratchStats scratch_stats();

}  // namespace striate::dispatch
