// Threads: the one parallel loop every kernel uses, and the process-wide thread count.
#pragma once
#include <cstdint>

namespace striate::dispatch {

int num_threads();
void set_num_threads(int n);
int hardware_threads();
bool openmp_enabled();

// The index of the calling thread inside a parallel_for or parallel_region (0 outside).
int thread_index();

// The thread count a parallel_for over `work` units of `grain` each would use; 1 inside
// a parallel region, so that a kernel run on one thread's share of the work stays there.
int threads_for(int64_t work, int64_t grain);

// Calls fn(begin, end) on contiguous chunks of [0, count), which the threads take in
// turn. The split depends only on count and the thread count (which thread runs a
// chunk does not matter), so a kernel that writes each output from one chunk gives
// bitwise-equal results from run to run. `grain` is the least number of units worth
// giving a thread.
template <typename Fn>
void parallel_for(int64_t count, int64_t grain, const Fn& fn);

// Calls fn(thread, thread_count) once on each of `threads` threads.
template <typename Fn>
void parallel_region(int threads, const Fn& fn);

}  // namespace striate::dispatch

#include "dispatch/parallel-inl.h"
