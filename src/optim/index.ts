/**
 * Optimizers, learning-rate schedules and gradient clipping, with PyTorch's update
 * formulas (each file's header spells its formula out).
 * @example
 * const opt = new st.optim.AdamW(model.params(), { lr: 1e-3 });
 * const schedule = new st.optim.CosineAnnealingLR({ tMax: epochs });
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   schedule.step(opt);
 *   for (const { x, y } of st.data.batches(train, { batchSize: 64, shuffle: true, seed: epoch })) {
 *     opt.zeroGrad();
 *     // forward, loss, backward
 *     st.optim.clipGradNorm(model.params(), 5);
 *     opt.step();
 *   }
 * }
 */
export { Optimizer, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { RMSProp, type RMSPropOptions } from './rmsprop.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { Schedule, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup } from './schedules.js';
export { clipGradNorm } from './clip.js';
