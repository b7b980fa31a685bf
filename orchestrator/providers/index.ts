/** Providers: one per resource kind, each with desired / observed / diff (pure) and create / update / delete. */
export { topicProvider, topicId } from './topic';
export type { DesiredTopic } from './topic';
export { principalProvider, principalId, secretNameOf, hasSecretIn } from './principal';
export { aclProvider, aclId, expandAcls, describeBinding, bindingKey } from './acl';
export { normaliseConfig, normaliseConfigValue } from './topic-config';
export { STEP_ACTIONS } from './types';
export type {
  AclStep,
  ApplyContext,
  Change,
  Diff,
  DiffContext,
  PrincipalStep,
  Provider,
  ResourceKind,
  Step,
  StepAction,
  TopicStep,
} from './types';
