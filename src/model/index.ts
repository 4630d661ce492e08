export {
  type Label,
  type Labels,
  METRIC_NAME,
  EMPTY_LABELS,
  labelsFromObject,
  labelsFromStrings,
  labelsFromPairs,
  labelsToObject,
  labelsGet,
  labelsHas,
  labelsEqual,
  labelsCompare,
  labelsToString,
  seriesToString,
  labelsKey,
  labelsWithout,
  labelsKeep,
  LabelsBuilder,
} from './labels.js';
export { hashLabels, hashString } from './hash.js';
export { STALE_NAN, isStaleNaN, formatValue, formatFloatF, type Sample } from './value.js';
export { compileAnchoredRegex, compileMatchRegex, hasNestedRepetition, RegexError, type RegexOptions, type RegexTester } from './regex.js';
export { Matcher, MatchType, newMatcher, matchAll } from './matcher.js';
