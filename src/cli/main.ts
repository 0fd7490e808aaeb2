#!/usr/bin/env node
/**
 * The striate command line: one entry per subcommand in `commands`, each with its
 * own `--help` (src/cli/args.ts parses every subcommand's options).
 *   striate train MODEL [options]        train a zoo network and save it
 *   striate predict MODEL IMAGE...       the top classes of images, by a saved model
 *   striate info                         the native backend in use
 *   striate show filters|maps|curves MODEL [IMAGE]   pictures of a saved model
 */
import { predict, predictHelp } from './predict.js';
import { info, infoHelp } from './info.js';
import { train, trainHelp } from './train.js';
import { show, showHelp } from './show.js';
import { unknown } from './args.js';

interface Command {
  summary: string;
  help(): string;
  run(argv: string[]): Promise<void>;
}

const commands: Record<string, Command> = {
  train: { summary: 'train a zoo network on a dataset and save it', help: trainHelp, run: train },
  predict: { summary: 'classify images with a saved model', help: predictHelp, run: predict },
  info: { summary: 'print the native backend (ISA, threads, OpenMP, build)', help: infoHelp, run: info },
  show: { summary: 'write a PNG of a model\'s filters, feature maps or training curves', help: showHelp, run: show },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length)) + 2;
  return [
    'striate — convolutional networks for Node.js',
    '',
    'usage: striate COMMAND [options]     (striate COMMAND --help for one command)',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    ...Object.values(commands).flatMap((c) => ['', c.help()]),
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(usage());
    return;
  }
  if (!Object.hasOwn(commands, command)) throw unknown('command', command, Object.keys(commands));
  return commands[command].run(rest);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`striate: ${err.message}`);
  process.exitCode = 1;
});
