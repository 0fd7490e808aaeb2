// Portable pooling: the shared driver (driver.h) one window at a time, threaded over
// planes; the compiler may vectorise it for the architecture's baseline.
#include "kernels/pool2d/driver.h"

namespace striate::scalar {

STRIATE_POOL2D_DEFINITIONS(Lane1)

}  // namespace striate::scalar
