/**
 * The CommonJS entry (`require('striate')`): the ES module itself, loaded with Node's
 * require(esm) (Node >= 20.19), so `require` and `import` share one module instance
 * (one layer registry, `instanceof` holds across both) instead of two compiled copies.
 * @example
 * const st = require('striate');
 * const model = st.zoo.lenet5();
 */
import striate = require('./index.js');
export = striate;
