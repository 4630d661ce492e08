export { Alertmanager, AlertValidationError, type AlertmanagerOptions } from './alertmanager.js';
export { parseConfig, loadConfigFile, ConfigError, type AlertmanagerConfig, type RouteConfig, type ReceiverConfig, type InhibitRule } from './config.js';
export { RouteNode, type RouteOpts } from './route.js';
export { apiTime, type PostableAlert, type AlertStatus } from './api.js';
export { parseMatchers, parseMatcher, matchersString, MatcherParseError } from './matchers.js';
export { fingerprintHex, type LabelSet, type Alert } from './types.js';
export { loadTemplates, templateData, expandTemplate, DEFAULT_TEMPLATES } from './tmpl.js';
export { buildIntegrations, type Integration, type NotifyResult, type NotifyContext } from './integrations.js';
