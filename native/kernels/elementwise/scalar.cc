// Portable elementwise kernels: the shared driver (driver.h) one float at a time,
// threaded like the SIMD paths; the compiler may vectorise it for the baseline ISA.
#include "kernels/elementwise/driver.h"

namespace striate::scalar {

STRIATE_ELEMENTWISE_DEFINITIONS(Lane1)

}  // namespace striate::scalar
