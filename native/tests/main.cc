// The native kernel tests: each ISA this CPU runs against reference.cc.
// Usage: striate_native_tests [filter]     runs the tests whose name contains filter
//        striate_native_tests --exact NAME runs one test
//        striate_native_tests --list       prints the test names
#include <cstring>

#include "dispatch/parallel.h"
#include "tests/harness.h"

int main(int argc, char** argv) {
  using namespace striate;
  auto& tests = test::Registry::all();
  if (argc > 1 && !std::strcmp(argv[1], "--list")) {
    for (auto& entry : tests) std::printf("%s\n", entry.first.c_str());
    return 0;
  }
  const bool exact = argc > 2 && !std::strcmp(argv[1], "--exact");
  const char* filter = exact ? argv[2] : argc > 1 ? argv[1] : nullptr;
  std::printf("isas:");
  for (auto isa : dispatch::available_isas()) std::printf(" %s", dispatch::isa_name(isa));
  std::printf("  threads: %d\n", dispatch::num_threads());
  int passed = 0, failed = 0;
  for (auto& [name, fn] : tests) {
    if (filter && (exact ? name != filter : std::strstr(name.c_str(), filter) == nullptr)) continue;
    const bool ok = fn();
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", name.c_str());
    (ok ? passed : failed)++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
