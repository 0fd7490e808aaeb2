// What the numbers were measured on: CPU, vector extensions, cores, Node, OS.
import { readFileSync } from 'node:fs';
import os from 'node:os';

function cpuinfo() {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name) => text.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
    const flags = new Set((field('flags') ?? field('Features') ?? '').split(/\s+/));
    return {
      model: field('model name') ?? field('CPU part') ?? os.cpus()[0]?.model,
      vector: ['sse4_2', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'asimd'].filter((f) => flags.has(f)),
    };
  } catch {
    return { model: os.cpus()[0]?.model ?? 'unknown', vector: [] };
  }
}

export function describeMachine() {
  const cpu = cpuinfo();
  return {
    cpu: cpu.model,
    vectorExtensions: cpu.vector,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}
