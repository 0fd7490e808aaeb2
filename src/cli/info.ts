/**
 * `striate info`: what this installation runs on — the native backend's instruction
 * set (and the others the CPU offers), threads, OpenMP, the addon's version and
 * whether it came prebuilt in the package or was built from source on this machine.
 */
import { backendInfo } from '../backend.js';
import { defineCommand, formatHelp, parseCommand } from './args.js';

const spec = defineCommand({
  usage: 'striate info [options]',
  summary: 'Prints the native backend: ISA, threads, OpenMP, version, prebuild or source build.',
  options: {
    json: { type: 'boolean', help: 'print one JSON object instead of lines' },
  },
});

export function infoHelp(): string {
  return formatHelp(spec);
}

/** The facts `info` prints, by label. */
export function infoFields(): Record<string, string | number | boolean | string[]> {
  const b = backendInfo();
  return {
    version: b.version,
    isa: b.isa,
    isasAvailable: b.isasAvailable,
    threads: b.threads,
    hardwareThreads: b.hardwareThreads,
    openmp: b.openmp,
    build: b.build === 'prebuild' ? 'prebuild' : 'source build',
    addonPath: b.addonPath,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export async function info(argv: string[]): Promise<void> {
  const { values, positionals, help } = parseCommand(argv, spec);
  if (help) {
    console.log(formatHelp(spec));
    return;
  }
  if (positionals.length > 0) throw new RangeError(`info takes no arguments, got ${positionals.join(' ')}\n\n${formatHelp(spec)}`);
  const f = infoFields();
  if (values.json) {
    console.log(JSON.stringify(f));
    return;
  }
  console.log(
    [
      `striate ${f.version} (node ${f.node}, ${f.platform})`,
      `ISA:      ${f.isa} (available: ${(f.isasAvailable as string[]).join(', ')})`,
      `threads:  ${f.threads} of ${f.hardwareThreads} hardware threads`,
      `OpenMP:   ${f.openmp ? 'yes' : 'no'}`,
      `addon:    ${f.build} (${f.addonPath})`,
    ].join('\n'),
  );
}
