/**
 * alertmanager.yml loading and validation with Alertmanager 0.25's defaults and
 * checks. Unknown fields are errors (with file:line), as in Alertmanager.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, type Node } from 'yaml';
import type { Matcher } from '../model/index.js';
import { MatchType, MatcherParseError, newAmMatcher, parseMatchers, sortMatchers } from './matchers.js';
import { checkLocation, parseDaysOfMonth, parseMonths, parseTime, parseWeekdays, parseYears, type TimeInterval } from './timeinterval.js';
import { validLabelName } from './types.js';
import { ConfigError, Obj, parseYaml, type YamlCtx } from './yamlnode.js';

export { ConfigError };

export interface TlsConfig {
  insecureSkipVerify: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

export interface HttpClientConfig {
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  tls: TlsConfig;
  followRedirects: boolean;
}

export interface WebhookConfig {
  kind: 'webhook';
  url: string;
  sendResolved: boolean;
  maxAlerts: number;
  http: HttpClientConfig;
}

export interface EmailConfig {
  kind: 'email';
  to: string;
  from: string;
  smarthost: { host: string; port: number };
  hello: string;
  authUsername: string;
  authPassword: string;
  authIdentity: string;
  requireTls: boolean;
  tls: TlsConfig;
  /** Header templates; keys are canonicalised (Subject, To, From). */
  headers: Record<string, string>;
  html: string;
  text: string;
  sendResolved: boolean;
}

export interface SlackConfig {
  kind: 'slack';
  apiUrl: string;
  channel: string;
  username: string;
  color: string;
  title: string;
  titleLink: string;
  pretext: string;
  text: string;
  fallback: string;
  footer: string;
  iconEmoji: string;
  iconUrl: string;
  callbackId: string;
  linkNames: boolean;
  sendResolved: boolean;
  http: HttpClientConfig;
}

export type IntegrationConfig = WebhookConfig | EmailConfig | SlackConfig;

export interface ReceiverConfig {
  name: string;
  integrations: IntegrationConfig[];
}

export interface RouteConfig {
  receiver: string;
  /** null: inherit from the parent. */
  groupBy: string[] | null;
  groupByAll: boolean;
  matchers: Matcher[];
  continue: boolean;
  groupWait: number | null;
  groupInterval: number | null;
  repeatInterval: number | null;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  routes: RouteConfig[];
}

export interface InhibitRule {
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  equal: string[];
}

export interface GlobalConfig {
  resolveTimeout: number;
  smtpFrom: string;
  smtpHello: string;
  smtpSmarthost: string;
  smtpAuthUsername: string;
  smtpAuthPassword: string;
  smtpAuthIdentity: string;
  smtpRequireTls: boolean;
  slackApiUrl: string;
  http: HttpClientConfig;
}

export interface AlertmanagerConfig {
  global: GlobalConfig;
  route: RouteConfig;
  inhibitRules: InhibitRule[];
  receivers: ReceiverConfig[];
  /** Template file globs, resolved against the config file's directory. */
  templates: string[];
  timeIntervals: Map<string, TimeInterval[]>;
  /** The YAML text as loaded (secrets are masked by the status API). */
  original: string;
  file: string;
}

export const DEFAULT_GROUP_WAIT = 30_000;
export const DEFAULT_GROUP_INTERVAL = 300_000;
export const DEFAULT_REPEAT_INTERVAL = 4 * 3600_000;

const UNSUPPORTED_INTEGRATIONS = ['pagerduty_configs', 'opsgenie_configs', 'wechat_configs', 'pushover_configs', 'victorops_configs', 'sns_configs', 'telegram_configs', 'webex_configs', 'discord_configs', 'msteams_configs'];

interface Loader {
  ctx: YamlCtx;
  baseDir: string;
}

function readSecretFile(l: Loader, node: Obj, field: string): string | undefined {
  const p = node.optStr(field);
  if (p === undefined || p === '') return undefined;
  const full = isAbsolute(p) ? p : resolve(l.baseDir, p);
  try {
    return readFileSync(full, 'utf8').trim();
  } catch (err) {
    node.ctx.fail(node.raw(field), `${field}: cannot read ${full}: ${(err as Error).message}`);
  }
}

function loadTls(o: Obj): TlsConfig {
  const t: TlsConfig = { insecureSkipVerify: o.bool('insecure_skip_verify', false) };
  const ca = o.optStr('ca_file');
  if (ca) t.caFile = ca;
  const cert = o.optStr('cert_file');
  if (cert) t.certFile = cert;
  const key = o.optStr('key_file');
  if (key) t.keyFile = key;
  const sn = o.optStr('server_name');
  if (sn) t.serverName = sn;
  o.str('min_version');
  o.done();
  return t;
}

function loadHttp(l: Loader, o: Obj, parent?: HttpClientConfig): HttpClientConfig {
  if (o.node === null && parent) return parent;
  const h: HttpClientConfig = { tls: { insecureSkipVerify: false }, followRedirects: o.bool('follow_redirects', true) };
  const bt = o.optStr('bearer_token') ?? readSecretFile(l, o, 'bearer_token_file');
  if (bt) h.bearerToken = bt;
  if (o.has('basic_auth')) {
    const b = o.obj('basic_auth', 'config.BasicAuth');
    h.basicAuth = { username: b.str('username'), password: b.optStr('password') ?? readSecretFile(l, b, 'password_file') ?? '' };
    b.done();
  }
  if (o.has('authorization')) {
    const a = o.obj('authorization', 'config.Authorization');
    const type = a.str('type', 'Bearer');
    const cred = a.optStr('credentials') ?? readSecretFile(l, a, 'credentials_file') ?? '';
    if (type.toLowerCase() === 'bearer') h.bearerToken = cred;
    a.done();
  }
  h.tls = loadTls(o.obj('tls_config', 'config.TLSConfig'));
  o.str('proxy_url');
  o.bool('enable_http2', true);
  o.done();
  return h;
}

function loadMatcherList(o: Obj, field: string): Matcher[] {
  const out: Matcher[] = [];
  for (const n of o.list(field)) {
    const s = isScalar(n) ? String(n.value) : '';
    try {
      out.push(...parseMatchers(s));
    } catch (err) {
      o.ctx.fail(n, `${field}: ${(err as MatcherParseError).message}`);
    }
  }
  return out;
}

/** Legacy match / match_re maps converted to matchers. */
function loadLegacy(o: Obj, matchField: string, reField: string): Matcher[] {
  const out: Matcher[] = [];
  const m = o.obj(matchField, 'map[string]string');
  for (const k of m.keys()) {
    if (!validLabelName(k)) o.ctx.fail(m.raw(k), `invalid label name "${k}"`);
    out.push(newAmMatcher(MatchType.Equal, k, m.str(k)));
  }
  const re = o.obj(reField, 'config.MatchRegexps');
  for (const k of re.keys()) {
    if (!validLabelName(k)) o.ctx.fail(re.raw(k), `invalid label name "${k}"`);
    try {
      // config.Regexp keeps the anchored form, which shows in route keys (and so group keys).
      out.push(newAmMatcher(MatchType.Regexp, k, `^(?:${re.str(k)})$`));
    } catch (err) {
      o.ctx.fail(re.raw(k), `${reField}: ${(err as Error).message}`);
    }
  }
  return out;
}

function loadRoute(l: Loader, node: Node | null, isRoot: boolean): RouteConfig {
  const o = new Obj(l.ctx, node, 'config.plain');
  const r: RouteConfig = {
    receiver: o.str('receiver'),
    groupBy: null,
    groupByAll: false,
    matchers: [],
    continue: o.bool('continue', false),
    groupWait: o.has('group_wait') ? o.duration('group_wait', 0) : null,
    groupInterval: o.has('group_interval') ? o.duration('group_interval', 0) : null,
    repeatInterval: o.has('repeat_interval') ? o.duration('repeat_interval', 0) : null,
    muteTimeIntervals: o.strList('mute_time_intervals'),
    activeTimeIntervals: o.strList('active_time_intervals'),
    routes: [],
  };
  if (o.has('group_by')) {
    const gb = o.strList('group_by');
    const seen = new Set<string>();
    for (const g of gb) {
      if (g === '...') r.groupByAll = true;
      else if (!validLabelName(g)) o.ctx.fail(o.raw('group_by'), `invalid label name "${g}" in group_by list`);
      if (seen.has(g)) o.ctx.fail(o.raw('group_by'), `duplicated label "${g}" in group_by`);
      seen.add(g);
    }
    if (r.groupByAll && gb.length > 1) o.ctx.fail(o.raw('group_by'), 'cannot have wildcard group_by (`...`) and other other labels at the same time');
    r.groupBy = r.groupByAll ? [] : gb;
  }
  if (r.groupInterval === 0) o.ctx.fail(o.raw('group_interval'), 'group_interval cannot be zero');
  if (r.repeatInterval === 0) o.ctx.fail(o.raw('repeat_interval'), 'repeat_interval cannot be zero');
  r.matchers = sortMatchers([...loadLegacy(o, 'match', 'match_re'), ...loadMatcherList(o, 'matchers')]);
  if (isRoot) {
    if (r.receiver === '') o.ctx.fail(node, 'root route must specify a default receiver');
    if (r.matchers.length > 0) o.ctx.fail(node, 'root route must not have any matchers');
    if (r.muteTimeIntervals.length > 0) o.ctx.fail(node, 'root route must not have any mute time intervals');
    if (r.activeTimeIntervals.length > 0) o.ctx.fail(node, 'root route must not have any active time intervals');
    if (r.continue) o.ctx.fail(node, 'cannot have continue in root route');
  }
  for (const child of o.list('routes')) r.routes.push(loadRoute(l, child, false));
  o.done();
  return r;
}

function loadTimeIntervals(l: Loader, o: Obj, field: string, out: Map<string, TimeInterval[]>): void {
  for (const n of o.list(field)) {
    const ti = new Obj(l.ctx, n, 'config.TimeInterval');
    const name = ti.str('name');
    if (name === '') l.ctx.fail(n, 'missing name in time interval');
    if (out.has(name)) l.ctx.fail(n, `time interval "${name}" is not unique`);
    const list: TimeInterval[] = [];
    for (const item of ti.list('time_intervals')) {
      const it = new Obj(l.ctx, item, 'timeinterval.TimeInterval');
      try {
        const times = it.list('times').map((t) => {
          const to = new Obj(l.ctx, t, 'timeinterval.TimeRange');
          const begin = parseTime(to.str('start_time'));
          const end = parseTime(to.str('end_time'));
          to.done();
          if (begin >= end) throw new ConfigError('start time cannot be equal or greater than end time');
          return { begin, end };
        });
        const location = it.str('location', 'UTC');
        checkLocation(location);
        list.push({
          times,
          weekdays: parseWeekdays(it.strList('weekdays')),
          daysOfMonth: parseDaysOfMonth(it.strList('days_of_month')),
          months: parseMonths(it.strList('months')),
          years: parseYears(it.strList('years')),
          location,
        });
      } catch (err) {
        if (err instanceof ConfigError && !/^\S+:\d+: /.test(err.message)) l.ctx.fail(item, err.message);
        throw err;
      }
      it.done();
    }
    ti.done();
    out.set(name, list);
  }
}

function parseSmarthost(ctx: YamlCtx, node: Node | null, s: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(s);
  if (!m) ctx.fail(node, `address ${s}: missing port in address`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Canonical MIME header key (textproto.CanonicalMIMEHeaderKey). */
function canonicalHeader(k: string): string {
  return k
    .split('-')
    .map((p) => (p.length > 0 ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-');
}

function loadReceiver(l: Loader, node: Node, g: GlobalConfig): ReceiverConfig {
  const o = new Obj(l.ctx, node, 'config.plain');
  const name = o.str('name');
  if (name === '') l.ctx.fail(node, 'missing name in receiver');
  const integrations: IntegrationConfig[] = [];
  for (const w of o.list('webhook_configs')) {
    const wo = new Obj(l.ctx, w, 'config.plain');
    const urlStr = wo.optStr('url');
    const urlFile = readSecretFile(l, wo, 'url_file');
    if (urlStr && urlFile) l.ctx.fail(w, 'at most one of url & url_file must be configured');
    const url = urlStr ?? urlFile ?? '';
    if (url === '') l.ctx.fail(w, 'one of url or url_file must be configured');
    if (urlStr !== undefined) {
      let scheme = '';
      try {
        scheme = new URL(urlStr).protocol.replace(/:$/, '');
      } catch {
        // not a URL at all: reported like an empty scheme, as Go's url.Parse leaves it
      }
      if (scheme !== 'http' && scheme !== 'https') l.ctx.fail(wo.raw('url'), `unsupported scheme "${scheme}" for URL`);
    }
    integrations.push({
      kind: 'webhook',
      url,
      sendResolved: wo.bool('send_resolved', true),
      maxAlerts: wo.int('max_alerts', 0),
      http: loadHttp(l, wo.obj('http_config', 'config.HTTPClientConfig'), g.http),
    });
    wo.done();
  }
  for (const e of o.list('email_configs')) {
    const eo = new Obj(l.ctx, e, 'config.plain');
    if (eo.has('subject') || eo.has('body')) {
      const k = eo.has('subject') ? 'subject' : 'body';
      l.ctx.fail(eo.raw(k), `field ${k} not found in type config.plain (use headers: {Subject: ...} for the subject and text:/html: for the body)`);
    }
    const to = eo.str('to');
    if (to === '') l.ctx.fail(e, 'missing to address in email config');
    const hostStr = eo.str('smarthost', g.smtpSmarthost);
    if (hostStr === '') l.ctx.fail(e, 'no global SMTP smarthost set');
    const from = eo.str('from', g.smtpFrom);
    if (from === '') l.ctx.fail(e, 'no global SMTP from set');
    const headers: Record<string, string> = {};
    const ho = eo.obj('headers', 'map[string]string');
    for (const k of ho.keys()) {
      const ck = canonicalHeader(k);
      if (ck in headers) l.ctx.fail(ho.raw(k), `duplicate header "${ck}" in email config`);
      headers[ck] = ho.str(k);
    }
    const pw = eo.optStr('auth_password') ?? readSecretFile(l, eo, 'auth_password_file');
    const cfg: EmailConfig = {
      kind: 'email',
      to,
      from,
      smarthost: parseSmarthost(l.ctx, eo.has('smarthost') ? eo.raw('smarthost') : e, hostStr),
      hello: eo.str('hello', g.smtpHello),
      authUsername: eo.str('auth_username', g.smtpAuthUsername),
      authPassword: pw ?? g.smtpAuthPassword,
      authIdentity: eo.str('auth_identity', g.smtpAuthIdentity),
      requireTls: eo.bool('require_tls', g.smtpRequireTls),
      tls: loadTls(eo.obj('tls_config', 'config.TLSConfig')),
      headers,
      html: eo.has('html') ? eo.str('html') : '{{ template "email.default.html" . }}',
      text: eo.str('text'),
      sendResolved: eo.bool('send_resolved', false),
    };
    eo.str('auth_secret');
    // Alertmanager fills Subject/To/From when not set explicitly.
    cfg.headers['Subject'] ??= '{{ template "email.default.subject" . }}';
    cfg.headers['To'] ??= cfg.to;
    cfg.headers['From'] ??= cfg.from;
    eo.done();
    integrations.push(cfg);
  }
  for (const s of o.list('slack_configs')) {
    const so = new Obj(l.ctx, s, 'config.plain');
    const apiUrl = so.optStr('api_url') ?? readSecretFile(l, so, 'api_url_file') ?? g.slackApiUrl;
    if (apiUrl === '') l.ctx.fail(s, 'no global Slack API URL set either inline or in a file');
    const cfg: SlackConfig = {
      kind: 'slack',
      apiUrl,
      channel: so.str('channel'),
      username: so.str('username', '{{ template "slack.default.username" . }}'),
      color: so.str('color', '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'),
      title: so.str('title', '{{ template "slack.default.title" . }}'),
      titleLink: so.str('title_link', '{{ template "slack.default.titlelink" . }}'),
      pretext: so.str('pretext', '{{ template "slack.default.pretext" . }}'),
      text: so.str('text', '{{ template "slack.default.text" . }}'),
      fallback: so.str('fallback', '{{ template "slack.default.fallback" . }}'),
      footer: so.str('footer', '{{ template "slack.default.footer" . }}'),
      iconEmoji: so.str('icon_emoji', '{{ template "slack.default.iconemoji" . }}'),
      iconUrl: so.str('icon_url', '{{ template "slack.default.iconurl" . }}'),
      callbackId: so.str('callback_id', '{{ template "slack.default.callbackid" . }}'),
      linkNames: so.bool('link_names', false),
      sendResolved: so.bool('send_resolved', false),
      http: loadHttp(l, so.obj('http_config', 'config.HTTPClientConfig'), g.http),
    };
    so.bool('short_fields', false);
    so.list('fields');
    so.list('actions');
    so.list('mrkdwn_in');
    so.str('image_url');
    so.str('thumb_url');
    so.done();
    integrations.push(cfg);
  }
  for (const k of UNSUPPORTED_INTEGRATIONS) {
    if (o.has(k)) l.ctx.fail(o.raw(k), `${k} are not supported by Vigil (supported: webhook_configs, email_configs, slack_configs)`);
  }
  o.done();
  return { name, integrations };
}

function loadGlobal(l: Loader, o: Obj): GlobalConfig {
  const g: GlobalConfig = {
    resolveTimeout: o.duration('resolve_timeout', 5 * 60_000),
    smtpFrom: o.str('smtp_from'),
    smtpHello: o.str('smtp_hello', 'localhost'),
    smtpSmarthost: o.str('smtp_smarthost'),
    smtpAuthUsername: o.str('smtp_auth_username'),
    smtpAuthPassword: o.optStr('smtp_auth_password') ?? readSecretFile(l, o, 'smtp_auth_password_file') ?? '',
    smtpAuthIdentity: o.str('smtp_auth_identity'),
    smtpRequireTls: o.bool('smtp_require_tls', true),
    slackApiUrl: o.optStr('slack_api_url') ?? readSecretFile(l, o, 'slack_api_url_file') ?? '',
    http: { tls: { insecureSkipVerify: false }, followRedirects: true },
  };
  if (o.has('smtp_smarthost') && g.smtpSmarthost !== '') parseSmarthost(l.ctx, o.raw('smtp_smarthost'), g.smtpSmarthost);
  g.http = loadHttp(l, o.obj('http_config', 'config.HTTPClientConfig'));
  // Globals of integrations Vigil does not implement are accepted and ignored.
  for (const k of ['smtp_auth_secret', 'pagerduty_url', 'opsgenie_api_key', 'opsgenie_api_key_file', 'opsgenie_api_url', 'wechat_api_url', 'wechat_api_secret', 'wechat_api_corp_id', 'victorops_api_key', 'victorops_api_key_file', 'victorops_api_url', 'telegram_api_url', 'webex_api_url']) o.str(k);
  o.done();
  return g;
}

function checkRoute(ctx: YamlCtx, r: RouteConfig, receivers: Set<string>, intervals: Map<string, TimeInterval[]>): void {
  if (r.receiver !== '' && !receivers.has(r.receiver)) throw new ConfigError(`${ctx.file}: undefined receiver "${r.receiver}" used in route`);
  for (const t of [...r.muteTimeIntervals, ...r.activeTimeIntervals]) {
    if (!intervals.has(t)) throw new ConfigError(`${ctx.file}: undefined time interval "${t}" used in route`);
  }
  for (const c of r.routes) checkRoute(ctx, c, receivers, intervals);
}

/** Parses and validates alertmanager.yml text. `file` names errors and anchors relative paths. */
export function parseConfig(text: string, file = 'alertmanager.yml'): AlertmanagerConfig {
  const { ctx, root } = parseYaml(text, file);
  const l: Loader = { ctx, baseDir: dirname(resolve(file)) };
  if (root !== null && !isMap(root)) ctx.fail(root, 'cannot unmarshal config: expected a mapping');
  const o = new Obj(ctx, root, 'config.plain');
  const global = loadGlobal(l, o.obj('global', 'config.plain'));
  if (!o.has('route')) throw new ConfigError(`${file}: no routes provided`);
  const route = loadRoute(l, o.raw('route'), true);
  const timeIntervals = new Map<string, TimeInterval[]>();
  loadTimeIntervals(l, o, 'time_intervals', timeIntervals);
  loadTimeIntervals(l, o, 'mute_time_intervals', timeIntervals);
  const receivers: ReceiverConfig[] = [];
  const names = new Set<string>();
  for (const n of o.list('receivers')) {
    const rc = loadReceiver(l, n, global);
    if (names.has(rc.name)) ctx.fail(n, `notification config name "${rc.name}" is not unique`);
    names.add(rc.name);
    receivers.push(rc);
  }
  const inhibitRules: InhibitRule[] = [];
  for (const n of o.list('inhibit_rules')) {
    const io = new Obj(ctx, n, 'config.plain');
    const rule: InhibitRule = {
      sourceMatchers: [...loadLegacy(io, 'source_match', 'source_match_re'), ...loadMatcherList(io, 'source_matchers')],
      targetMatchers: [...loadLegacy(io, 'target_match', 'target_match_re'), ...loadMatcherList(io, 'target_matchers')],
      equal: io.strList('equal'),
    };
    for (const e of rule.equal) if (!validLabelName(e)) ctx.fail(io.raw('equal'), `invalid label name "${e}" in equal list`);
    io.done();
    inhibitRules.push(rule);
  }
  const templates = o.strList('templates').map((t) => (isAbsolute(t) ? t : resolve(l.baseDir, t)));
  o.done();
  checkRoute(ctx, route, names, timeIntervals);
  return { global, route, inhibitRules, receivers, templates, timeIntervals, original: text, file };
}

export function loadConfigFile(path: string): AlertmanagerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
  return parseConfig(text, path);
}
