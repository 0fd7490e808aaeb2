#pragma once
#include <algorithm>

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
  parallel_region(threads, [&](int t, int nt) {
    const int64_t begin = count * t / nt;
    const int64_t end = count * (t + 1) / nt;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace striate::dispatch
