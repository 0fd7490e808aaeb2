/** Ready-made networks. */
export { lenet5, type LeNet5Options } from './lenet5.js';
