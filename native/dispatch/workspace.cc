#include "dispatch/workspace.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace striate::dispatch {

namespace {

std::atomic<unsigned long long> g_allocations{0};
std::atomic<unsigned long long> g_frees{0};
std::atomic<unsigned long long> g_live_bytes{0};
std::atomic<unsigned long long> g_peak_bytes{0};

void count_release(size_t bytes) {
  g_frees.fetch_add(1, std::memory_order_relaxed);
  g_live_bytes.fetch_sub(bytes, std::memory_order_relaxed);
}

struct Buffer {
  float* data = nullptr;
  size_t capacity = 0;
  ~Buffer() {
    if (data != nullptr) count_release(capacity * sizeof(float));
    std::free(data);
  }
};

thread_local Buffer t_buffers[static_cast<int>(Scratch::count)];

}  // namespace

float* scratch(Scratch slot, size_t floats) {
  Buffer& buf = t_buffers[static_cast<int>(slot)];
  if (floats > buf.capacity) {
    const size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
    void* fresh = std::aligned_alloc(64, bytes);
    if (fresh == nullptr) throw std::bad_alloc();
    if (buf.data != nullptr) count_release(buf.capacity * sizeof(float));
    std::free(buf.data);
    buf.data = static_cast<float*>(fresh);
    buf.capacity = bytes / sizeof(float);
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    const unsigned long long live = g_live_bytes.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    unsigned long long peak = g_peak_bytes.load(std::memory_order_relaxed);
    while (live > peak && !g_peak_bytes.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
    }
  }
  return buf.data;
}

ScratchStats scratch_stats() {
  return {g_allocations.load(std::memory_order_relaxed), g_frees.load(std::memory_order_relaxed),
          g_live_bytes.load(std::memory_order_relaxed), g_peak_bytes.load(std::memory_order_relaxed)};
}

}  // namespace striate::dispatch
