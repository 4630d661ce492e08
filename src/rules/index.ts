export { RuleManager, expandGlobs, type RuleManagerOptions } from './manager.js';
export { Group, groupKey, tableLinkForExpression, type GroupOptions, type NotifyFunc, type OutgoingAlert } from './group.js';
export { AlertingRule, RESOLVED_RETENTION_MS, type Alert, type AlertingRuleOptions } from './alerting.js';
export { RecordingRule } from './recording.js';
export { Rule } from './rule.js';
export { parseRuleFile, loadRuleFile, type RuleSpec, type RuleGroupSpec, type RuleFileResult, type RuleFileOptions, type TemplateChecker } from './rulefile.js';
export { rulesResponse, alertsResponse, alertToApi, goTimeJSON, formatFloatE, type ApiAlert } from './api.js';
export { RuleMetrics } from './metrics.js';
export {
  acceptAllExprs,
  type VectorSample,
  type QueryFunc,
  type ExprValidator,
  type AlertState,
  type RuleHealth,
  type AlertTemplateData,
  type RuleTemplater,
} from './types.js';
export { ruleTemplater, type TemplaterOptions } from './templater.js';
export { promqlQueryFunc, promqlValidator, promqlValidatorFor, rulesEngine } from './engine.js';
export { runRuleUnitTests, runFile as runRuleUnitTestFile, type UnitTestOptions, type QueryFuncFactory } from './unittest/runner.js';
export { parseMetric, parseValues, SeriesParseError, type SeqValue } from './unittest/series.js';
export { parseTestFile, TestFileError, type UnitTestFile } from './unittest/testfile.js';
