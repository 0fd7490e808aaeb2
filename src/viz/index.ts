/**
 * Pictures of a network: its filters, its feature maps for one input, its training curves.
 * Grids are rasters composed with pngjs; charts are vega-lite specs; both become PNG through resvg.
 * @example
 * st.viz.filters(model.layers[0], 'conv1.png');
 * st.viz.featureMaps(model, image, { layer: 0 }, 'maps.png');
 * await st.viz.curves(history, 'curves.png');
 */
export { filters } from './filters.js';
export { featureMaps, type FeatureMapOptions } from './feature-maps.js';
export { curves, curvePoints, type CurveHistory } from './curves.js';
