// The README's ONNX operator table is the one the code's OPERATORS list makes.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { operatorTable } from '../../src/io/onnx/operators.js';

it('README.md holds the ONNX operator table generated from OPERATORS', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(operatorTable());
});
