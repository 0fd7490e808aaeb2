// The ONNX backend node tests (Debian's libonnx-testdata) as an oracle for st.onnx.load:
// each model runs through predictSync and must match the stored output at ONNX's
// tolerance (rtol 1e-3, atol 1e-7). Tests striate has no layer for are listed in SKIPPED
// with the reason, and each is checked to be refused with an error naming the node.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { tensorValues } from '../../src/io/onnx/proto.js';
import { TensorProtoType } from './onnx-helpers.js';

const DATA = '/usr/share/libonnx-testdata/data';
const WANT = /^test_(conv|basic_conv|averagepool|maxpool|globalaveragepool|globalmaxpool|gemm|batchnorm|lrn|softmax|relu|leakyrelu|elu|sigmoid|tanh|flatten|concat|add|reshape|dropout|identity$)/;
const PYTORCH = /^test_(Conv|AvgPool|MaxPool|Linear|BatchNorm|ReLU|ELU|LeakyReLU|Sigmoid|Tanh|Softmax|softmax)/;

/** Tests expected to be refused, with why (each must fail to load with an error). */
const SKIPPED: Record<string, string> = {
  test_add_bcast: 'broadcasting Add',
  test_basic_convinteger: 'ConvInteger (quantized)', test_convinteger_with_padding: 'ConvInteger (quantized)',
  test_convinteger_without_padding: 'ConvInteger (quantized)',
  test_convtranspose: 'ConvTranspose', test_convtranspose_1d: 'ConvTranspose', test_convtranspose_3d: 'ConvTranspose',
  test_convtranspose_autopad_same: 'ConvTranspose', test_convtranspose_dilations: 'ConvTranspose',
  test_convtranspose_kernel_shape: 'ConvTranspose', test_convtranspose_output_shape: 'ConvTranspose', test_convtranspose_pad: 'ConvTranspose',
  test_convtranspose_pads: 'ConvTranspose', test_convtranspose_with_kernel: 'ConvTranspose',
  test_add_uint8: 'uint8 tensors',
  test_averagepool_1d_default: '1-D pooling',
  test_averagepool_3d_default: '3-D pooling',
  test_averagepool_2d_pads: 'pooling padding larger than half the window',
  test_averagepool_2d_pads_count_include_pad: 'pooling padding larger than half the window',
  test_maxpool_2d_pads: 'pooling padding larger than half the window',
  test_averagepool_2d_same_lower: 'asymmetric padding in pooling',
  test_averagepool_2d_same_upper: 'asymmetric padding in pooling',
  test_maxpool_1d_default: '1-D pooling',
  test_maxpool_3d_default: '3-D pooling',
  test_maxpool_2d_dilations: 'dilated pooling',
  test_maxpool_2d_same_lower: 'asymmetric padding in pooling',
  test_maxpool_2d_same_upper: 'asymmetric padding in pooling',
  test_maxpool_2d_uint8: 'uint8 tensors',
  test_maxpool_with_argmax_2d_precomputed_pads: 'the Indices output',
  test_maxpool_with_argmax_2d_precomputed_strides: 'the Indices output',
  test_batchnorm_epsilon_training_mode: 'training_mode = 1',
  test_batchnorm_example_training_mode: 'training_mode = 1',
  test_gemm_transposeA: 'transA = 1',
  test_gemm_all_attributes: 'transA = 1',
  test_gemm_default_matrix_bias: 'a per-sample bias matrix',
  test_softmax_axis_0: 'softmax over the batch axis',
  test_softmax_axis_0_expanded: 'ReduceMax, Exp, ... (the expanded form)',
  test_concat_1d_axis_0: 'concatenation along the batch axis',
  test_concat_1d_axis_negative_1: 'concatenation along the batch axis',
  test_concat_2d_axis_0: 'concatenation along the batch axis',
  test_concat_2d_axis_negative_2: 'concatenation along the batch axis',
  test_concat_3d_axis_0: 'concatenation along the batch axis',
  test_concat_3d_axis_negative_3: 'concatenation along the batch axis',
  test_flatten_axis0: 'Flatten axis 0 (batch into features)',
  test_flatten_negative_axis4: 'Flatten axis 0 (batch into features)',
  test_flatten_axis2: 'Flatten axis 2', test_flatten_axis3: 'Flatten axis 3',
  test_flatten_negative_axis1: 'Flatten axis 3', test_flatten_negative_axis2: 'Flatten axis 2',
  test_reshape_allowzero_reordered: 'reshape other than flattening',
  test_reshape_extended_dims: 'reshape other than flattening', test_reshape_negative_dim: 'reshape other than flattening',
  test_reshape_negative_extended_dims: 'reshape other than flattening', test_reshape_one_dim: 'reshape of the batch',
  test_reshape_reordered_all_dims: 'reshape of the batch', test_reshape_reordered_last_dims: 'reshape other than flattening',
  test_reshape_zero_and_negative_dim: 'reshape other than flattening', test_reshape_zero_dim: 'reshape other than flattening',
  test_reshape_reduced_dims: 'flattening reshape given as [2, 12] (batch as a number)',
  test_dropout_default_mask: 'the mask output', test_dropout_default_mask_ratio: 'the mask output',
  test_dropout_default_old: 'a 1-D input (no sample axis)',
  test_training_dropout: 'training_mode = true', test_training_dropout_default: 'training_mode = true',
  test_training_dropout_default_mask: 'training_mode = true', test_training_dropout_mask: 'training_mode = true',
  test_training_dropout_zero_ratio: 'training_mode = true', test_training_dropout_zero_ratio_mask: 'training_mode = true',
  test_elu_example: 'a 1-D input (no sample axis)', test_leakyrelu_example: 'a 1-D input (no sample axis)',
  test_sigmoid_example: 'a 1-D input (no sample axis)', test_tanh_example: 'a 1-D input (no sample axis)',
  test_AvgPool1d: '1-D pooling (Unsqueeze/Squeeze)', test_AvgPool1d_stride: '1-D pooling (Unsqueeze/Squeeze)',
  test_AvgPool3d: '3-D pooling', test_AvgPool3d_stride: '3-D pooling', test_AvgPool3d_stride1_pad0_gpu_input: '3-D pooling',
  test_MaxPool1d: '1-D pooling', test_MaxPool1d_stride: '1-D pooling', test_MaxPool1d_stride_padding_dilation: '1-D dilated pooling',
  test_MaxPool2d_stride_padding_dilation: 'dilated pooling', test_MaxPool3d: '3-D pooling', test_MaxPool3d_stride: '3-D pooling',
  test_MaxPool3d_stride_padding: '3-D pooling',
  test_Conv3d: '3-D convolution', test_Conv3d_dilated: '3-D convolution', test_Conv3d_dilated_strided: '3-D convolution',
  test_Conv3d_groups: '3-D convolution', test_Conv3d_no_bias: '3-D convolution', test_Conv3d_stride: '3-D convolution',
  test_Conv3d_stride_padding: '3-D convolution', test_ConvTranspose2d: 'ConvTranspose', test_ConvTranspose2d_no_bias: 'ConvTranspose',
  test_BatchNorm3d_eval: '3-D batch norm', test_BatchNorm3d_momentum_eval: '3-D batch norm',
  test_Linear_no_bias: 'Transpose',
};

function readTensor(file: string): { dims: number[]; data: Float32Array } {
  const { dims, values } = tensorValues(TensorProtoType.decodeObject(readFileSync(file)));
  return { dims, data: Float32Array.from(values) };
}

function cases(): { dir: string; name: string }[] {
  if (!existsSync(`${DATA}/node`))
    throw new Error(`${DATA} is missing: install the Debian package libonnx-testdata (apt-get install -y libonnx-testdata)`);
  const list: { dir: string; name: string }[] = [];
  for (const name of readdirSync(`${DATA}/node`)) if (WANT.test(name) && !name.includes('expanded')) list.push({ dir: `${DATA}/node/${name}`, name });
  for (const name of readdirSync(`${DATA}/pytorch-converted`)) if (PYTORCH.test(name)) list.push({ dir: `${DATA}/pytorch-converted/${name}`, name });
  return list;
}

/** Weight-like inputs (every input after the first of Conv, Gemm, BatchNormalization, Reshape, Dropout) are fixed as constants. */
function run(dir: string) {
  const bytes = readFileSync(`${dir}/model.onnx`);
  const model = TensorProtoType.decodeModel(bytes);
  const set = `${dir}/test_data_set_0`;
  const inputs = readdirSync(set).filter((f) => f.startsWith('input_')).sort().map((f) => readTensor(`${set}/${f}`));
  const names = (model.graph?.input ?? []).map((i) => i.name ?? '').filter((n) => !(model.graph?.initializer ?? []).some((t) => t.name === n));
  const fixedOps = new Set(['Conv', 'Gemm', 'BatchNormalization', 'Reshape', 'Dropout', 'MatMul']);
  const weightSlots = new Set((model.graph?.node ?? []).filter((n) => fixedOps.has(n.opType ?? '')).flatMap((n) => (n.input ?? []).slice(1)));
  const constants: Record<string, st.Tensor> = {};
  const feeds: st.Tensor[] = [];
  names.forEach((name, k) => {
    const t = new st.Tensor(inputs[k].data, inputs[k].dims);
    if (weightSlots.has(name)) constants[name] = t;
    else feeds.push(t);
  });
  const g = st.onnx.load(bytes, { constants, name: dir });
  const y = g.predictSync(feeds.length === 1 ? feeds[0] : feeds);
  const expected = readTensor(`${set}/output_0.pb`);
  return { y, expected };
}

describe('ONNX backend node tests through st.onnx.load + predictSync', () => {
  const all = cases();
  const skipped = all.filter((c) => c.name in SKIPPED);
  console.log(`onnx backend tests: ${all.length - skipped.length} run, ${skipped.length} refused as unsupported:\n` +
    skipped.map((c) => `  ${c.name}: ${SKIPPED[c.name]}`).join('\n'));

  it('found the test data', () => expect(all.length).toBeGreaterThan(100));

  for (const { dir, name } of all) {
    if (name in SKIPPED) {
      it(`${name} is refused with an error naming the node (${SKIPPED[name]})`, () => {
        expect(() => run(dir)).toThrow(/node|input|output|data type/);
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
