// st.signal is reachable from the package entry (which also loads the addon).
import { expect, it } from 'vitest';
import * as st from '../../src/index.js';

it('exports the signal module as st.signal', () => {
  expect(Array.from(st.signal.convolve([0, 1, 2, -1, 3], [1, 1, 0], 'valid'))).toEqual([3, 1, 2]);
  expect(st.signal.correlate2d([[1, 2], [3, 4]], [[1]], 'valid')).toEqual([
    [1, 2],
    [3, 4],
  ]);
  expect(Object.keys(st.signal).sort()).toEqual(
    ['convolve', 'convolve2d', 'correlate', 'correlate2d', 'rot180', 'slidingCosineSimilarity'].sort(),
  );
});
