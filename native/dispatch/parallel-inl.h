#pragma once
#include <algorithm>
#include <atomic>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace striate::dispatch {

template <typename Fn>
void parallel_region(int threads, const Fn& fn) {
#ifdef _OPENMP
  if (threads > 1) {
#pragma omp parallel num_threads(threads)
    fn(omp_get_thread_num(), omp_get_num_threads());
    return;
  }
#endif
  fn(0, 1);
}

template <typename Fn>
void parallel_for(int64_t count, int64_t grain, const Fn& fn) {
  if (count <= 0) return;
  const int threads = threads_for(count, grain);
  if (threads <= 1) {
    fn(int64_t{0}, count);
    return;
  }
  // kChunksPerThread chunks a thread, taken from a shared counter: a thread whose core
  // is busy elsewhere (another process's spinning pool, a slow vCPU) takes fewer, where
  // equal static shares made the whole call wait for it (2 threads slower than 1).
  constexpr int64_t kChunksPerThread = 4;
  const int64_t chunks = std::min(count, threads * kChunksPerThread);
  std::atomic<int64_t> next{0};
  parallel_region(threads, [&](int, int) {
    for (int64_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      const int64_t begin = count * c / chunks, end = count * (c + 1) / chunks;
      if (begin < end) fn(begin, end);
    }
  });
}

}  // namespace striate::dispatch
