// AVX2 pooling: the shared driver (driver.h) with 8 output columns per ymm register, then
// 4 per xmm for rows narrower than 8 (traits in x86_traits.h).
#include "kernels/pool2d/x86_traits.h"

namespace striate::avx2 {

STRIATE_POOL2D_DEFINITIONS(Avx2)

}  // namespace striate::avx2
