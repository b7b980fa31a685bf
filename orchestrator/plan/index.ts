/** Plan and apply: diff the spec against the cluster, show it, execute it. */
export { planPipeline } from './plan';
export type { Plan, PlanOptions } from './plan';
export { renderPlan } from './render';
export type { RenderOptions } from './render';
export { applyPlan } from './apply';
export type { ApplyOptions, ApplyResult } from './apply';
export { loadManagedState, saveManagedState } from './state';
export { hasSecretIn } from '../providers/principal';
export type { StepAction, Change } from '../providers/types';
export type { Step, ResourceKind } from '../providers/kinds';
