// Command line of `npm run bench`. Every knob has a default that reproduces the
// committed results; --quick trades repetitions and sizes for a < 3 minute run.
import os from 'node:os';
import { parseArgs } from 'node:util';

const GROUPS = ['gemm', 'conv', 'pool', 'lenet', 'resnet', 'scaling'];

export const USAGE = `npm run bench [-- options]
  --quick            fewer repetitions, smaller training run, slow pure-JS peers skip large work (< 3 min)
  --threads N        threads for every library that has a knob (default 2)
  --only LIST        comma-separated groups: ${GROUPS.join(',')}
  --peers LIST       comma-separated libraries (default: all that load)
  --out DIR          results folder (default bench/results); --no-save writes nothing
  --help`;

export function readArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      only: { type: 'string' },
      peers: { type: 'string' },
      out: { type: 'string' },
      'no-save': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`--threads must be a positive integer, got ${values.threads}`);
  const only = values.only ? values.only.split(',') : GROUPS;
  const unknown = only.filter((g) => !GROUPS.includes(g));
  if (unknown.length) throw new RangeError(`--only: unknown group ${unknown.join(', ')} (groups: ${GROUPS.join(', ')})`);
  return {
    help: values.help,
    quick: values.quick,
    threads,
    cores: os.availableParallelism(),
    groups: new Set(only),
    peers: values.peers ? new Set(values.peers.split(',')) : undefined,
    out: values.out,
    save: !values['no-save'],
  };
}
