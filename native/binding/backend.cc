// backendInfo(), setNumThreads(n), getNumThreads(), lowerComputePriority(), allocationStats()
#include "binding/args.h"
#include "binding/exports.h"
#include "dispatch/kernels.h"
#include "dispatch/parallel.h"
#include "dispatch/workspace.h"

#ifdef __linux__
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace striate::binding {

namespace {

Napi::Value backend_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", dispatch::isa_name(dispatch::kernels().isa));
  const auto& isas = dispatch::available_isas();
  Napi::Array list = Napi::Array::New(env, isas.size());
  for (size_t i = 0; i < isas.size(); ++i) list.Set(static_cast<uint32_t>(i), dispatch::isa_name(isas[i]));
  out.Set("isasAvailable", list);
  out.Set("threads", dispatch::num_threads());
  out.Set("hardwareThreads", dispatch::hardware_threads());
  out.Set("openmp", dispatch::openmp_enabled());
  out.Set("version", STRIATE_VERSION);
  return out;
}

// The same cap as src/backend.ts; checked here too, since a cast to int would wrap 2^32 + 3 to 3.
constexpr int64_t kMaxThreads = 1024;

Napi::Value set_num_threads(const Napi::CallbackInfo& info) {
  const int64_t n = integer(info, 0, "setNumThreads", "n", 1);
  if (n > kMaxThreads)
    throw Napi::RangeError::New(info.Env(), "setNumThreads: n must be at most " + std::to_string(kMaxThreads) +
                                                ", got " + std::to_string(n));
  dispatch::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value get_num_threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), dispatch::num_threads());
}

// For the training worker: its thread and the kernel threads it starts run at nice 5
// (or stay lower already), so the main thread's event loop takes a core at once when it
// wakes (on 2 cores both are otherwise busy training). Linux only; elsewhere a no-op
// that returns false.
Napi::Value lower_compute_priority(const Napi::CallbackInfo& info) {
#ifdef __linux__
  constexpr int kNice = 5;
  auto lower = [] {
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, tid);
    if (errno != 0 || now < kNice) setpriority(PRIO_PROCESS, tid, kNice);
  };
  lower();
  dispatch::parallel_region(dispatch::num_threads(), [&](int, int) { lower(); });
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// The scratch workspace's counters, for leak checks (test/reliability/memory.test.ts).
Napi::Value allocation_stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const dispatch::ScratchStats stats = dispatch::scratch_stats();
  Napi::Object out = Napi::Object::New(env);
  out.Set("allocations", static_cast<double>(stats.allocations));
  out.Set("frees", static_cast<double>(stats.frees));
  out.Set("liveBytes", static_cast<double>(stats.live_bytes));
  out.Set("peakBytes", static_cast<double>(stats.peak_bytes));
  return out;
}

}  // namespace

void export_backend(Napi::Env env, Napi::Object exports) {
  exports.Set("backendInfo", Napi::Function::New(env, backend_info, "backendInfo"));
  exports.Set("setNumThreads", Napi::Function::New(env, set_num_threads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, get_num_threads, "getNumThreads"));
  exports.Set("lowerComputePriority", Napi::Function::New(env, lower_compute_priority, "lowerComputePriority"));
  exports.Set("allocationStats", Napi::Function::New(env, allocation_stats, "allocationStats"));
}

}  // namespace striate::binding
