export type RelabelAction =
  | 'replace'
  | 'keep'
  | 'drop'
  | 'keepequal'
  | 'dropequal'
  | 'hashmod'
  | 'labelmap'
  | 'labeldrop'
  | 'labelkeep'
  | 'lowercase'
  | 'uppercase';

export const RELABEL_ACTIONS: readonly RelabelAction[] = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
];

/** One relabel_config entry as written in YAML, defaults applied. */
export interface RelabelConfig {
  sourceLabels: string[];
  separator: string;
  regex: string;
  modulus: number;
  targetLabel: string;
  replacement: string;
  action: RelabelAction;
}

/** Prometheus' DefaultRelabelConfig. */
export const DEFAULT_RELABEL_CONFIG: Readonly<RelabelConfig> = Object.freeze({
  sourceLabels: [],
  separator: ';',
  regex: '(.*)',
  modulus: 0,
  targetLabel: '',
  replacement: '$1',
  action: 'replace' as RelabelAction,
});

export class RelabelConfigError extends Error {
  override name = 'RelabelConfigError';
}
