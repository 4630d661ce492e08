export { Template, TemplateError, parseTemplate, execute, type ExecuteOptions } from './template.js';
export { BUILTINS, isTrue, htmlEscape, jsEscape, queryEscape, type FuncMap, type TemplateFunc } from './builtins.js';
export { sprintf, sprint, formatValue, formatFloatG, goQuote } from './format.js';
export { SafeString, isSafeString, GoTime } from './value.js';
export { KV, Pair, Pairs } from './kv.js';
export {
  ALERTMANAGER_FUNCS,
  prometheusFuncs,
  humanize,
  humanize1024,
  humanizeDuration,
  compileGoRegex,
  goReplaceAll,
  goTitle,
  type PrometheusFuncOptions,
  type QuerySample,
} from './funcs.js';
export { expandAlertTemplate, type AlertTemplateData } from './prometheus.js';
