export { Graph, GraphNode, type GraphOptions, type GraphConfig, type PredictOptions, type AuxiliaryOutput, type GraphBackwardOptions } from './graph.js';
export { Sequential, type SequentialOptions, type SequentialConfig } from './sequential.js';
export { formatSummary, type SummaryRow } from './summary.js';
export { InferencePlan, type CompileOptions, type PlanStep, type ConvStep, type LayerStep } from './plan/compile.js';
