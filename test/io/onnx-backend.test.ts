// The ONNX backend node tests (Debian's libonnx-testdata) as an oracle for st.onnx.load:
// each model runs through predictSync and must match the stored output at ONNX's
// tolerance (rtol 1e-3, atol 1e-7). Tests striate cannot import are listed in REFUSED
// with the reason, and each must be refused by st.onnx.load with the error line that
// reason gives (the test data itself, uint8 and bool tensors included, is always read).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { decodeModel, decodeTensorFile } from './onnx-helpers.js';

const DATA = '/usr/share/libonnx-testdata/data';
const WANT = /^test_(conv|training_dropout|basic_conv|averagepool|maxpool|globalaveragepool|globalmaxpool|gemm|batchnorm|lrn|softmax|relu|leakyrelu|elu|sigmoid|tanh|flatten|concat|add|reshape|dropout|identity$)/;
const PYTORCH = /^test_(Conv|AvgPool|MaxPool|Linear|BatchNorm|ReLU|ELU|LeakyReLU|Sigmoid|Tanh|Softmax|softmax)/;

/** A problem line of the loader's error: `  <Op> node '<name>' (opset <n>): <why>`, the why exact. */
const nodeLine = (op: string, why: string) =>
  new RegExp(`\\n  ${op} node '[^']*' \\(opset \\d+\\): ${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`);
const inputLine = (why: string) => new RegExp(`\\n  input '\\w+' ${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`);

/** Why each refused test is refused: a short reason and the error line(s) st.onnx.load gives. */
const REASONS = {
  convTranspose: ['ConvTranspose', [nodeLine('ConvTranspose', 'operator not supported')]],
  convInteger: ['ConvInteger (quantized, uint8 tensors)', [inputLine('has element type 2; striate takes float32 (1)'), nodeLine('ConvInteger', 'operator not supported')]],
  uint8: ['uint8 tensors', [inputLine('has element type 2; striate takes float32 (1)')]],
  pool1d: ['1-D pooling', [/\n {2}(MaxPool|AveragePool) node '[^']*' \(opset \d+\): 1-D pooling \(striate pools 2-D images\)\n/]],
  pool3d: ['3-D pooling', [/\n {2}(MaxPool|AveragePool) node '[^']*' \(opset \d+\): 3-D pooling \(striate pools 2-D images\)\n/]],
  bigPads: ['pooling padding larger than half the window',
    [/\n {2}(MaxPool|AveragePool) node '[^']*' \(opset \d+\): pads \[\[2,2\],\[2,2\]\]: striate pools with padding of at most half the window \[3, 3\]\n/]],
  sameStride1: ['asymmetric padding (SAME_UPPER/LOWER, 2x2 window, stride 1): no ceil mode gives the output size',
    [/\n {2}(MaxPool|AveragePool) node '[^']*' \(opset \d+\): pads \[\[(0,1|1,0)\],\[(0,1|1,0)\]\] \(begin, end per axis\) of a 32x32 input: striate pools with equal padding on both sides, and no ceil mode gives its 32x32 output\n/]],
  dilatedPool: ['dilated pooling', [/\n {2}MaxPool node '[^']*' \(opset \d+\): dilations \[(2, 2|10, 10)\] \(striate pools without dilation\)\n/]],
  indices: ['the Indices output', [nodeLine('MaxPool', "output 'z' is read, but striate computes only the first output")]],
  bnTraining: ['training_mode = 1 (the running statistics as outputs)', [nodeLine('BatchNormalization', "output 'output_mean' is read, but striate computes only the first output")]],
  transA: ['transA = 1', [nodeLine('Gemm', 'transA = 1: A is then [K, N], its batch along the second axis, and striate keeps the batch first')]],
  matrixBias: ['a per-sample bias matrix', [nodeLine('Gemm', 'bias C 3x4 is not a scalar or [4] (a per-sample bias depends on the batch)')]],
  softmaxBatch: ['softmax over the batch axis', [nodeLine('Softmax', 'axis 0 of a 3-D tensor (striate normalises along a sample axis, not the batch)')]],
  rank1: ['a 1-D input (no sample axis)', [inputLine('must be [batch, ...] with at least one sample dimension, got rank 1')]],
  concatBatch: ['concatenation along the batch axis', [/\n {2}Concat node '[^']*' \(opset \d+\): axis (0|-2|-3) of [23]-D tensors \(striate concatenates along a sample axis\)\n/]],
  flattenAxis: ['Flatten at an axis other than 1', [/\n {2}Flatten node '[^']*' \(opset \d+\): axis (0|2|3|-1|-2|-4) of a 4-D tensor \(striate flattens each sample: axis 1\)\n/]],
  reshapeSample: ['a reshape of each sample other than flattening',
    [/\n {2}Reshape node '[^']*' \(opset \d+\): shape \[[-\d, ]+\] of \[N, 3, 4\]: striate reshapes only by flattening each sample\n/]],
  reshapeLiteral: ['a reshape whose leading number is not the declared batch',
    [/\n {2}Reshape node '[^']*' \(opset \d+\): shape \[[-\d, ]+\] of \[N, 3, 4\]: the batch is given as \d+, but the graph's inputs declare (batch 2|no fixed batch), so this reshape may mix samples\n/]],
  reshapeBatch: ['a reshape that moves the batch', [nodeLine('Reshape', 'shape [-1, 2, 3, 4] of [N, 3, 4]: striate reshapes only by keeping the batch and flattening')]],
  dropoutMask: ['the mask output', [nodeLine('Dropout', "output 'z' is read, but striate computes only the first output")]],
  dropoutTraining: ['training_mode = true', [nodeLine('Dropout', 'training_mode = true (striate applies dropout in training only)')]],
  squeeze: ['1-D pooling through Unsqueeze/Squeeze', [nodeLine('Unsqueeze', 'operator not supported'), nodeLine('Squeeze', 'operator not supported')]],
  conv3d: ['3-D convolution', [nodeLine('Conv', '3-D convolution (striate has Conv1D and Conv2D)')]],
  bn3d: ['3-D batch norm', [nodeLine('BatchNormalization', 'batch norm of a 5-D tensor (striate has BatchNorm1D and BatchNorm2D)')]],
} satisfies Record<string, [string, RegExp[]]>;

const REFUSED: Record<string, keyof typeof REASONS> = {
  test_add_bcast: 'rank1', test_add_uint8: 'uint8', test_maxpool_2d_uint8: 'uint8',
  test_basic_convinteger: 'convInteger', test_convinteger_with_padding: 'convInteger', test_convinteger_without_padding: 'convInteger',
  test_convtranspose: 'convTranspose', test_convtranspose_1d: 'convTranspose', test_convtranspose_3d: 'convTranspose',
  test_convtranspose_autopad_same: 'convTranspose', test_convtranspose_dilations: 'convTranspose', test_convtranspose_kernel_shape: 'convTranspose',
  test_convtranspose_output_shape: 'convTranspose', test_convtranspose_pad: 'convTranspose', test_convtranspose_pads: 'convTranspose',
  test_convtranspose_with_kernel: 'convTranspose', test_ConvTranspose2d: 'convTranspose', test_ConvTranspose2d_no_bias: 'convTranspose',
  test_averagepool_1d_default: 'pool1d', test_maxpool_1d_default: 'pool1d', test_MaxPool1d: 'pool1d', test_MaxPool1d_stride: 'pool1d',
  test_MaxPool1d_stride_padding_dilation: 'pool1d',
  test_averagepool_3d_default: 'pool3d', test_maxpool_3d_default: 'pool3d', test_AvgPool3d: 'pool3d', test_AvgPool3d_stride: 'pool3d',
  test_AvgPool3d_stride1_pad0_gpu_input: 'pool3d', test_MaxPool3d: 'pool3d', test_MaxPool3d_stride: 'pool3d', test_MaxPool3d_stride_padding: 'pool3d',
  test_averagepool_2d_pads: 'bigPads', test_averagepool_2d_pads_count_include_pad: 'bigPads', test_maxpool_2d_pads: 'bigPads',
  test_averagepool_2d_same_lower: 'sameStride1', test_averagepool_2d_same_upper: 'sameStride1',
  test_maxpool_2d_same_lower: 'sameStride1', test_maxpool_2d_same_upper: 'sameStride1',
  test_maxpool_2d_dilations: 'dilatedPool', test_MaxPool2d_stride_padding_dilation: 'dilatedPool',
  test_maxpool_with_argmax_2d_precomputed_pads: 'indices', test_maxpool_with_argmax_2d_precomputed_strides: 'indices',
  test_batchnorm_epsilon_training_mode: 'bnTraining', test_batchnorm_example_training_mode: 'bnTraining',
  test_gemm_transposeA: 'transA', test_gemm_all_attributes: 'transA', test_gemm_default_matrix_bias: 'matrixBias',
  test_softmax_axis_0: 'softmaxBatch',
  test_concat_1d_axis_0: 'rank1', test_concat_1d_axis_negative_1: 'rank1',
  test_concat_2d_axis_0: 'concatBatch', test_concat_2d_axis_negative_2: 'concatBatch', test_concat_3d_axis_0: 'concatBatch', test_concat_3d_axis_negative_3: 'concatBatch',
  test_flatten_axis0: 'flattenAxis', test_flatten_negative_axis4: 'flattenAxis', test_flatten_axis2: 'flattenAxis', test_flatten_axis3: 'flattenAxis',
  test_flatten_negative_axis1: 'flattenAxis', test_flatten_negative_axis2: 'flattenAxis',
  test_reshape_allowzero_reordered: 'reshapeLiteral', test_reshape_one_dim: 'reshapeLiteral', test_reshape_reordered_all_dims: 'reshapeLiteral',
  test_reshape_extended_dims: 'reshapeSample', test_reshape_negative_dim: 'reshapeSample', test_reshape_reordered_last_dims: 'reshapeSample',
  test_reshape_zero_and_negative_dim: 'reshapeSample', test_reshape_zero_dim: 'reshapeSample', test_reshape_negative_extended_dims: 'reshapeBatch',
  test_dropout_default_mask: 'dropoutMask', test_dropout_default_mask_ratio: 'dropoutMask', test_dropout_default_old: 'rank1',
  test_training_dropout: 'dropoutTraining', test_training_dropout_default: 'dropoutTraining', test_training_dropout_default_mask: 'dropoutMask',
  test_training_dropout_mask: 'dropoutMask', test_training_dropout_zero_ratio: 'dropoutTraining', test_training_dropout_zero_ratio_mask: 'dropoutMask',
  test_elu_example: 'rank1', test_leakyrelu_example: 'rank1', test_sigmoid_example: 'rank1', test_tanh_example: 'rank1',
  test_AvgPool1d: 'squeeze', test_AvgPool1d_stride: 'squeeze',
  test_Conv3d: 'conv3d', test_Conv3d_dilated: 'conv3d', test_Conv3d_dilated_strided: 'conv3d', test_Conv3d_groups: 'conv3d',
  test_Conv3d_no_bias: 'conv3d', test_Conv3d_stride: 'conv3d', test_Conv3d_stride_padding: 'conv3d',
  test_BatchNorm3d_eval: 'bn3d', test_BatchNorm3d_momentum_eval: 'bn3d',
};

function cases(): { dir: string; name: string }[] {
  if (!existsSync(`${DATA}/node`))
    throw new Error(`${DATA} is missing: install the Debian package libonnx-testdata (apt-get install -y libonnx-testdata)`);
  const list: { dir: string; name: string }[] = [];
  for (const name of readdirSync(`${DATA}/node`)) if (WANT.test(name) && !name.includes('expanded')) list.push({ dir: `${DATA}/node/${name}`, name });
  for (const name of readdirSync(`${DATA}/pytorch-converted`)) if (PYTORCH.test(name)) list.push({ dir: `${DATA}/pytorch-converted/${name}`, name });
  return list;
}

/** Weight-like inputs (every input after the first of Conv, Gemm, BatchNormalization, Reshape, Dropout, MatMul) are fixed as constants. */
function run(dir: string) {
  const bytes = readFileSync(`${dir}/model.onnx`);
  const model = decodeModel(bytes);
  const set = `${dir}/test_data_set_0`;
  const inputs = readdirSync(set).filter((f) => f.startsWith('input_')).sort().map((f) => decodeTensorFile(readFileSync(`${set}/${f}`)));
  const names = (model.graph?.input ?? []).map((i) => i.name ?? '').filter((n) => !(model.graph?.initializer ?? []).some((t) => t.name === n));
  const fixedOps = new Set(['Conv', 'Gemm', 'BatchNormalization', 'Reshape', 'Dropout', 'MatMul']);
  const weightSlots = new Set((model.graph?.node ?? []).filter((n) => fixedOps.has(n.opType ?? '')).flatMap((n) => (n.input ?? []).slice(1)));
  const constants: Record<string, st.Tensor> = {};
  const feeds: st.Tensor[] = [];
  names.forEach((name, k) => {
    const t = new st.Tensor(inputs[k].data, inputs[k].dims.length ? inputs[k].dims : [1]);
    if (weightSlots.has(name)) constants[name] = t;
    else feeds.push(t);
  });
  const g = st.onnx.load(bytes, { constants, name: dir });
  const y = g.predictSync(feeds.length === 1 ? feeds[0] : feeds);
  const expected = decodeTensorFile(readFileSync(`${set}/output_0.pb`));
  return { y, expected };
}

describe('ONNX backend node tests through st.onnx.load + predictSync', () => {
  const all = cases();
  const refused = all.filter((c) => c.name in REFUSED);
  console.log(`onnx backend tests: ${all.length - refused.length} run, ${refused.length} refused as unsupported:\n` +
    refused.map((c) => `  ${c.name}: ${REASONS[REFUSED[c.name]][0]}`).join('\n'));

  it('found the test data, and every refused test named in REFUSED', () => {
    expect(all.length).toBeGreaterThan(100);
    const names = new Set(all.map((c) => c.name));
    expect(Object.keys(REFUSED).filter((n) => !names.has(n))).toEqual([]);
  });

  for (const { dir, name } of all) {
    if (name in REFUSED) {
      const [why, lines] = REASONS[REFUSED[name]];
      it(`${name} is refused by st.onnx.load: ${why}`, () => {
        let message = '';
        try {
          run(dir);
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toMatch(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ problem\\(s\\) striate cannot import:`));
        for (const line of lines) expect(message).toMatch(line);
      });
      continue;
    }
    it(`${name} matches at rtol 1e-3, atol 1e-7`, () => {
      const { y, expected } = run(dir);
      expect(y.shape).toEqual(expected.dims);
      let worst = 0;
      for (let i = 0; i < y.size; i++) {
        const err = Math.abs(y.data[i] - expected.data[i]) - (1e-7 + 1e-3 * Math.abs(expected.data[i]));
        worst = Math.max(worst, err);
      }
      expect(worst).toBeLessThanOrEqual(0);
    });
  }
});
