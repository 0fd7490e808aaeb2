/**
 * ONNX both ways. `st.onnx.save(model, file)` (or `encodeOnnx` for the bytes) writes a
 * striate model as standard operators for ONNX Runtime, Triton or a phone;
 * `st.onnx.load(file | bytes)` gives a trainable Graph of striate layers. `OPERATORS`
 * lists what load reads (the README's ONNX table is checked against it).
 * @example
 * st.onnx.save(model, 'model.onnx');
 * const again = st.onnx.load('model.onnx');
 * again.predictSync(x);
 */
export { load, type OnnxLoadOptions } from './load.js';
export { save, encodeOnnx, type OnnxSaveOptions } from './save.js';
export { OPERATORS, operatorTable, type Operator } from './operators.js';
