#!/usr/bin/env node
/**
 * The striate command line:
 *   striate train lenet5 [--epochs 1] ...   train LeNet-5 on MNIST and save it
 *   striate predict MODEL IMAGE.png ...     classify digits with a saved model
 */
import { predict, PREDICT_USAGE } from './predict.js';
import { train, TRAIN_USAGE } from './train.js';

const USAGE = `striate — convolutional networks for Node.js\n\n${TRAIN_USAGE}\n\n${PREDICT_USAGE}`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'train') return train(rest);
  if (command === 'predict') return predict(rest);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  throw new RangeError(`unknown command ${command}\n\n${USAGE}`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`striate: ${err.message}`);
  process.exitCode = 1;
});
