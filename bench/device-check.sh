#!/usr/bin/env bash
# The check run on the many-core AVX-512 machine (no Node there): builds the kernels,
# their native tests and the native benchmarks with plain cmake, runs every ISA's
# tests, then the thread-scaling benchmarks. Writes logs to $OUT (or ./device-out).
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
cores=$(nproc)
threads=1
t=2
while [ "$t" -le "$cores" ]; do threads="$threads,$t"; t=$((t * 2)); done
[ "${threads##*,}" = "$cores" ] || threads="$threads,$cores"
{
  echo "== machine"; lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Flags' | sed 's/Flags:.*avx512f.*/Flags: ... avx512f .../'
  cmake -S . -B /tmp/striate-build -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build /tmp/striate-build --parallel "$cores" --target striate_native_tests striate_bench_gemm striate_bench_conv striate_bench_pool >/dev/null
  echo "== native tests (every ISA against reference.cc)"; /tmp/striate-build/striate_native_tests
  echo "== gemm, threads $threads"; /tmp/striate-build/striate_bench_gemm --threads "$threads" --reps 5
  echo "== conv, threads $threads"; /tmp/striate-build/striate_bench_conv --threads "$threads" --reps 5 --shapes v3,r3,r3s,p1,a11
  echo "== pool, threads $threads"; /tmp/striate-build/striate_bench_pool --threads "$threads" --reps 9
} 2>&1 | tee "$out/device-check.log"
