#include "dispatch/parallel.h"

#include <atomic>
#include <thread>

namespace striate::dispatch {

namespace {
std::atomic<int> g_threads{0};
}

int hardware_threads() {
#ifdef _OPENMP
  return std::max(1, omp_get_num_procs());
#else
  return std::max(1u, std::thread::hardware_concurrency());
#endif
}

bool openmp_enabled() {
#ifdef _OPENMP
  return true;
#else
  return false;
#endif
}

int num_threads() {
  const int n = g_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : hardware_threads();
}

void set_num_threads(int n) { g_threads.store(n, std::memory_order_relaxed); }

int thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

int threads_for(int64_t work, int64_t grain) {
  if (!openmp_enabled()) return 1;
#ifdef _OPENMP
  // Inside another parallel region (a kernel that gives each thread whole images) the
  // loop runs on the calling thread: a nested team would only add a fork and a join.
  if (omp_in_parallel()) return 1;
#endif
  const int64_t by_work = std::max<int64_t>(1, work / std::max<int64_t>(1, grain));
  return static_cast<int>(std::min<int64_t>(num_threads(), by_work));
}

}  // namespace striate::dispatch
