# Source lists shared by the addon build (CMakeLists.txt) and the standalone native
# test build (native/tests/CMakeLists.txt, used for the arm64 cross build).
set(STRIATE_NATIVE_DIR ${CMAKE_CURRENT_LIST_DIR})
file(GLOB STRIATE_KERNEL_SOURCES ${STRIATE_NATIVE_DIR}/kernels/*/*.cc)
file(GLOB STRIATE_DISPATCH_SOURCES ${STRIATE_NATIVE_DIR}/dispatch/*.cc)
file(GLOB STRIATE_BINDING_SOURCES ${STRIATE_NATIVE_DIR}/binding/*.cc)
file(GLOB STRIATE_TEST_SOURCES ${STRIATE_NATIVE_DIR}/tests/*.cc)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(STRIATE_ARCH x86_64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(STRIATE_ARCH arm64)
else()
  set(STRIATE_ARCH other)
endif()

# Each ISA's files are compiled only where that ISA can exist, and only they get its flags.
foreach(src ${STRIATE_KERNEL_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  if(name STREQUAL "avx2" OR name STREQUAL "avx512")
    if(NOT STRIATE_ARCH STREQUAL "x86_64")
      list(REMOVE_ITEM STRIATE_KERNEL_SOURCES ${src})
    endif()
  elseif(name STREQUAL "neon")
    if(NOT STRIATE_ARCH STREQUAL "arm64")
      list(REMOVE_ITEM STRIATE_KERNEL_SOURCES ${src})
    endif()
  endif()
endforeach()
set(STRIATE_CORE_SOURCES ${STRIATE_KERNEL_SOURCES} ${STRIATE_DISPATCH_SOURCES})

function(striate_isa_flags)
  foreach(src ${STRIATE_KERNEL_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    set(options "")
    if(name STREQUAL "avx2")
      set(options "-mavx2;-mfma")
    elseif(name STREQUAL "avx512")
      set(options "-mavx512f;-mavx512dq;-mavx2;-mfma")
    endif()
    # The portable kernels, and every SGEMM (whose multiply-adds are explicit), compute each
    # float operation as written on every machine: GCC would otherwise fuse a*b + c where the
    # target has FMA (arm64 always), differently in code that computes the same sums two
    # ways (batch norm's backward with the ReLU's mask fused in, and after it; the SGEMM's
    # alpha and bias on a single column and in the micro-kernel), and the bits would differ.
    if(name STREQUAL "scalar" OR src MATCHES "/kernels/gemm/")
      list(APPEND options "-ffp-contract=off")
    endif()
    if(options)
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${options}")
    endif()
  endforeach()
endfunction()
