// The native kernel tests: each ISA this CPU runs against reference.cc.
// Usage: striate_native_tests [filter]   (runs tests whose name contains filter)
#include <cstring>

#include "dispatch/parallel.h"
#include "tests/harness.h"

int main(int argc, char** argv) {
  using namespace striate;
  std::printf("isas:");
  for (auto isa : dispatch::available_isas()) std::printf(" %s", dispatch::isa_name(isa));
  std::printf("  threads: %d\n", dispatch::num_threads());
  int passed = 0, failed = 0;
  for (auto& [name, fn] : test::Registry::all()) {
    if (argc > 1 && std::strstr(name.c_str(), argv[1]) == nullptr) continue;
    const bool ok = fn();
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", name.c_str());
    (ok ? passed : failed)++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
