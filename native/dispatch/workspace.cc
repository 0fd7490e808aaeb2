#include "dispatch/workspace.h"

#include <cstdlib>
#include <new>

namespace striate::dispatch {

namespace {

struct Buffer {
  float* data = nullptr;
  size_t capacity = 0;
  ~Buffer() { std::free(data); }
};

thread_local Buffer t_buffers[static_cast<int>(Scratch::count)];

}  // namespace

float* scratch(Scratch slot, size_t floats) {
  Buffer& buf = t_buffers[static_cast<int>(slot)];
  if (floats > buf.capacity) {
    const size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
    void* fresh = std::aligned_alloc(64, bytes);
    if (fresh == nullptr) throw std::bad_alloc();
    std::free(buf.data);
    buf.data = static_cast<float*>(fresh);
    buf.capacity = bytes / sizeof(float);
  }
  return buf.data;
}

}  // namespace striate::dispatch
