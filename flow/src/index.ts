export * from './actions.js';
export * from './business-hours.js';
export {
  allNodeTypeVersions,
  categories,
  DEFAULT_TYPE_VERSION,
  defaultConfig,
  getNodeType,
  latestVersion,
  listNodeTypes,
  nodeTypeOf,
  nodeTypes,
  nodeTypeVersions,
  withDefaults,
} from './catalogue/index.js';
export { menuChoiceOutcome, MENU_DIGITS } from './catalogue/media-menu.js';
export { branchRuleOutcome } from './catalogue/logic-branch.js';
export { fnv1a, splitBranch, splitBranchOutcome } from './catalogue/logic-split.js';
export { returnOutcome } from './catalogue/flow-return.js';
export { SUBFLOW_FAILED } from './catalogue/flow-run-subflow.js';
export { fitsType } from './catalogue/trigger-subflow.js';
export * from './catalogue/types.js';
export * from './conditions.js';
export * from './document.js';
export * from './environment.js';
export { parseJsonPath, readJsonPath } from './json-path.js';
export { MAX_HTTP_TIMEOUT_SECONDS } from './catalogue/data-http-request.js';
export * from './events.js';
export * from './fields.js';
export * from './state.js';
export * from './targets.js';
export * from './voices.js';
export { isTimeZone, wallClock, type Wall } from './template-dates.js';
export { CALL_TEMPLATE_FIELDS, isPlainText, parseTemplate, readPaths } from './templates.js';
export type { ValidationIssue } from './validate/issue.js';
export { hasErrors } from './validate/issue.js';
export { validateFlow, type ValidateOptions } from './validate/validate-flow.js';
export {
  flowReferencesOf,
  returnOutcomesOf,
  signatureOf,
  type SubflowCatalog,
} from './validate/subflows.js';
export { compileFlow, isCompiledFlow } from './interpreter/compile.js';
export type { CompiledFlow, CompiledNode } from './interpreter/compile.js';
export { start, step } from './interpreter/interpret.js';
export { MASKED, sensitiveParts, type SensitiveParts } from './sensitive.js';
export * from './scenarios/index.js';
