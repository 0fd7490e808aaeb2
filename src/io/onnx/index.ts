/**
 * ONNX import: `st.onnx.load(file | bytes)` gives a trainable Graph of striate layers.
 * `OPERATORS` lists what it reads (the README's ONNX table is checked against it).
 * @example
 * const model = st.onnx.load('model.onnx');
 * model.predictSync(x);
 */
export { load, type OnnxLoadOptions } from './load.js';
export { save, encodeOnnx, type OnnxSaveOptions } from './save.js';
export { OPERATORS, operatorTable, type Operator } from './operators.js';
