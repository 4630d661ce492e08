import { dirname, isAbsolute, resolve } from 'node:path';
import { isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { labelsFromPairs, type Label, type Labels } from '../model/index.js';
import { isValidLabelName, newRelabelConfig, RelabelConfigError, type CompiledRelabelConfig, type RelabelConfig } from '../relabel/index.js';
import type { FileSDConfig, StaticConfig } from '../discovery/index.js';
import { DurationError, parseDuration } from '../util/index.js';
import type {
  AlertingConfig,
  AlertmanagerConfig,
  Authorization,
  BasicAuth,
  Config,
  GlobalConfig,
  HTTPClientConfig,
  MetadataConfig,
  QueueConfig,
  RemoteReadConfig,
  RemoteWriteConfig,
  ScrapeConfig,
  ServiceDiscoveryConfigs,
  TLSConfig,
} from './types.js';
import { ConfigError, Decoder } from './yamlnode.js';
import { parseByteSize } from './units.js';

const MINUTE = 60_000;
export const DEFAULT_GLOBAL = { scrapeInterval: MINUTE, scrapeTimeout: 10_000, evaluationInterval: MINUTE };
const DEFAULT_FILE_SD_REFRESH = 5 * MINUTE;

// Service discovery mechanisms Prometheus has and Vigil does not (yet): a clear message instead of "field not found".
const UNSUPPORTED_SD: Record<string, string> = Object.fromEntries(
  [
    'azure_sd_configs', 'consul_sd_configs', 'digitalocean_sd_configs', 'docker_sd_configs', 'dockerswarm_sd_configs',
    'dns_sd_configs', 'ec2_sd_configs', 'eureka_sd_configs', 'gce_sd_configs', 'hetzner_sd_configs', 'http_sd_configs',
    'ionos_sd_configs', 'kubernetes_sd_configs', 'kuma_sd_configs', 'lightsail_sd_configs', 'linode_sd_configs',
    'marathon_sd_configs', 'nerve_sd_configs', 'nomad_sd_configs', 'openstack_sd_configs', 'ovhcloud_sd_configs',
    'puppetdb_sd_configs', 'scaleway_sd_configs', 'serverset_sd_configs', 'triton_sd_configs', 'uyuni_sd_configs',
    'vultr_sd_configs',
  ].map((k) => [k, 'use static_configs or file_sd_configs']),
);
const UNSUPPORTED_HTTP: Record<string, string> = {
  oauth2: 'not implemented',
  proxy_url: 'no proxy support',
  no_proxy: 'no proxy support',
  proxy_from_environment: 'no proxy support',
  proxy_connect_header: 'no proxy support',
  sigv4: 'not implemented',
  azuread: 'not implemented',
};
// Headers remote_write refuses (Prometheus' reservedHeaders).
const RESERVED_HEADERS = new Set(['content-encoding', 'content-length', 'content-type', 'user-agent', 'x-prometheus-remote-write-version', 'x-prometheus-remote-read-version']);
const FILE_SD_PATH_RE = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;
const RULE_PATH_RE = /^[^*]*(\*[^/]*)?$/;

/** Parses prometheus.yml text. Relative paths are resolved against `dirname(filename)`. */
export function parseConfig(text: string, filename: string): Config {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, strict: true });
  const d = new Decoder(filename, lc);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const p = lc.linePos(e.pos[0]);
    throw new ConfigError(filename, p.line, p.col, `yaml: ${e.message.split('\n')[0]}`);
  }
  const dir = filename ? dirname(resolve(filename)) : process.cwd();
  const p = new ConfigParser(d, dir);
  return p.config(doc.contents as Node | null, filename, dir);
}

class ConfigParser {
  constructor(
    private d: Decoder,
    private dir: string,
  ) {}

  path(s: string): string {
    return s === '' || isAbsolute(s) ? s : resolve(this.dir, s);
  }

  duration(node: Node): number {
    const s = this.d.str(node);
    try {
      return parseDuration(s);
    } catch (err) {
      this.d.fail(node, err instanceof DurationError ? err.message : String(err));
    }
  }

  labels(node: Node, typeName: string, allowReservedName = true): Labels {
    const out: Label[] = [];
    for (const [name, value, pair] of this.d.stringMap(node, typeName)) {
      if (!isValidLabelName(name)) this.d.fail(pair.key as Node, `"${name}" is not a valid label name`);
      if (!allowReservedName && name === '__name__') this.d.fail(pair.key as Node, `"${name}" is a reserved label name`);
      if (value !== '') out.push({ name, value });
    }
    return labelsFromPairs(out);
  }

  config(root: Node | null, filename: string, dir: string): Config {
    const c: Config = {
      global: { ...DEFAULT_GLOBAL, externalLabels: [], queryLogFile: '' },
      ruleFiles: [],
      scrapeConfigs: [],
      alerting: { alertRelabelConfigs: [], alertmanagers: [] },
      remoteWrite: [],
      remoteRead: [],
      filename,
      directory: dir,
    };
    let globalNode: Node | null = null;
    const scrapeNodes: Node[] = [];
    this.d.struct(root, 'config.plain', {
      global: (n) => {
        globalNode = n;
        c.global = this.global(n);
      },
      rule_files: (n) => {
        for (const item of this.d.seq(n, 'string')) {
          const s = this.d.str(item);
          if (!RULE_PATH_RE.test(s)) this.d.fail(item, `invalid rule file path "${s}"`);
          c.ruleFiles.push(this.path(s));
        }
      },
      scrape_config_files: (n) => this.d.fail(n, 'scrape_config_files is not supported by Vigil'),
      scrape_configs: (n) => {
        for (const item of this.d.seq(n, 'config.ScrapeConfig')) {
          if (this.d.isNull(item)) this.d.fail(item, 'empty or null scrape config section');
          scrapeNodes.push(item);
        }
      },
      alerting: (n) => (c.alerting = this.alerting(n)),
      remote_write: (n) => {
        for (const item of this.d.seq(n, 'config.RemoteWriteConfig')) c.remoteWrite.push(this.remoteWrite(item));
      },
      remote_read: (n) => {
        for (const item of this.d.seq(n, 'config.RemoteReadConfig')) c.remoteRead.push(this.remoteRead(item));
      },
      storage: () => undefined, // tsdb/exemplars settings: accepted, configured by flags in Vigil
      tracing: () => undefined,
    });
    void globalNode;
    const jobs = new Map<string, Node>();
    for (const n of scrapeNodes) {
      const sc = this.scrape(n, c.global);
      if (jobs.has(sc.jobName)) this.d.fail(n, `found multiple scrape configs with job name "${sc.jobName}"`);
      jobs.set(sc.jobName, n);
      c.scrapeConfigs.push(sc);
    }
    // Remote write names must be unique too (Prometheus: "found multiple remote write configs with job name").
    const rwNames = new Set<string>();
    for (const rw of c.remoteWrite) {
      if (rw.name === '') continue;
      if (rwNames.has(rw.name)) throw new ConfigError(filename, 0, 0, `found multiple remote write configs with job name "${rw.name}"`);
      rwNames.add(rw.name);
    }
    return c;
  }

  global(n: Node): GlobalConfig {
    const g: GlobalConfig = { scrapeInterval: 0, scrapeTimeout: 0, evaluationInterval: 0, externalLabels: [], queryLogFile: '' };
    this.d.struct(n, 'config.GlobalConfig', {
      scrape_interval: (v) => (g.scrapeInterval = this.duration(v)),
      scrape_timeout: (v) => (g.scrapeTimeout = this.duration(v)),
      evaluation_interval: (v) => (g.evaluationInterval = this.duration(v)),
      external_labels: (v) => (g.externalLabels = this.labels(v, 'labels.Labels', false)),
      query_log_file: (v) => (g.queryLogFile = this.path(this.d.str(v))),
      body_size_limit: (v) => this.d.fail(v, 'global body_size_limit is not supported; set it per scrape config'),
    });
    // Prometheus' GlobalConfig defaulting.
    if (g.scrapeInterval === 0) g.scrapeInterval = DEFAULT_GLOBAL.scrapeInterval;
    if (g.scrapeTimeout > g.scrapeInterval) this.d.fail(n, 'global scrape timeout greater than scrape interval');
    if (g.scrapeTimeout === 0) g.scrapeTimeout = Math.min(DEFAULT_GLOBAL.scrapeTimeout, g.scrapeInterval);
    if (g.evaluationInterval === 0) g.evaluationInterval = DEFAULT_GLOBAL.evaluationInterval;
    return g;
  }

  relabelConfigs(n: Node): CompiledRelabelConfig[] {
    return this.d.seq(n, '*relabel.Config').map((item) => {
      const raw: Omit<Partial<RelabelConfig>, 'action'> & { action?: string } = {};
      this.d.struct(item, 'relabel.Config', {
        source_labels: (v) => (raw.sourceLabels = this.d.strings(v)),
        separator: (v) => (raw.separator = this.d.str(v)),
        regex: (v) => (raw.regex = this.d.str(v)),
        modulus: (v) => (raw.modulus = this.d.uint(v)),
        target_label: (v) => (raw.targetLabel = this.d.str(v)),
        replacement: (v) => (raw.replacement = this.d.str(v)),
        action: (v) => (raw.action = this.d.str(v)),
      });
      try {
        return newRelabelConfig(raw);
      } catch (err) {
        if (err instanceof RelabelConfigError) this.d.fail(item, err.message);
        throw err;
      }
    });
  }

  sd(fields: Record<string, (v: Node) => void>, target: ServiceDiscoveryConfigs): void {
    fields['static_configs'] = (v) => {
      for (const item of this.d.seq(v, '*targetgroup.Group')) target.staticConfigs.push(this.staticConfig(item));
    };
    fields['file_sd_configs'] = (v) => {
      for (const item of this.d.seq(v, '*file.SDConfig')) target.fileSDConfigs.push(this.fileSD(item));
    };
  }

  staticConfig(n: Node): StaticConfig {
    const sc: StaticConfig = { targets: [], labels: [] };
    this.d.struct(n, 'targetgroup.Group', {
      targets: (v) => {
        for (const t of this.d.seq(v, 'string')) {
          const s = this.d.str(t);
          if (s.includes('/')) this.d.fail(t, `"${s}" is not a valid hostname`);
          sc.targets.push(s);
        }
      },
      labels: (v) => (sc.labels = this.labels(v, 'model.LabelSet')),
    });
    return sc;
  }

  fileSD(n: Node): FileSDConfig {
    const f: FileSDConfig = { files: [], refreshInterval: DEFAULT_FILE_SD_REFRESH };
    this.d.struct(n, 'file.SDConfig', {
      files: (v) => {
        for (const item of this.d.seq(v, 'string')) {
          const s = this.d.str(item);
          if (!FILE_SD_PATH_RE.test(s)) this.d.fail(item, `path name "${s}" is not valid for file discovery`);
          f.files.push(this.path(s));
        }
      },
      refresh_interval: (v) => (f.refreshInterval = this.duration(v)),
    });
    if (f.files.length === 0) this.d.fail(n, 'file service discovery config must contain at least one path name');
    return f;
  }

  /** HTTP client fields are inlined in their parent struct, as in Prometheus. */
  httpFields(fields: Record<string, (v: Node) => void>, h: HTTPClientConfig, legacy: { bearerToken?: string; bearerTokenFile?: string }): void {
    fields['basic_auth'] = (v) => (h.basicAuth = this.basicAuth(v));
    fields['authorization'] = (v) => (h.authorization = this.authorization(v));
    fields['bearer_token'] = (v) => (legacy.bearerToken = this.d.str(v));
    fields['bearer_token_file'] = (v) => (legacy.bearerTokenFile = this.path(this.d.str(v)));
    fields['tls_config'] = (v) => (h.tlsConfig = this.tls(v));
    fields['follow_redirects'] = (v) => (h.followRedirects = this.d.bool(v));
    fields['enable_http2'] = (v) => (h.enableHttp2 = this.d.bool(v));
  }

  /** Prometheus common/config HTTPClientConfig.Validate. */
  finishHttp(n: Node, h: HTTPClientConfig, legacy: { bearerToken?: string; bearerTokenFile?: string }): void {
    const bt = legacy.bearerToken ?? '';
    const btf = legacy.bearerTokenFile ?? '';
    if (bt !== '' && btf !== '') this.d.fail(n, 'at most one of bearer_token & bearer_token_file must be configured');
    if ((h.basicAuth ? 1 : 0) + (bt !== '' || btf !== '' ? 1 : 0) > 1) this.d.fail(n, 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
    if (h.basicAuth && h.basicAuth.password !== '' && h.basicAuth.passwordFile !== '') this.d.fail(n, 'at most one of basic_auth password & password_file must be configured');
    if (h.authorization) {
      if (bt !== '' || btf !== '') this.d.fail(n, 'authorization is not compatible with bearer_token & bearer_token_file');
      if (h.authorization.credentials !== '' && h.authorization.credentialsFile !== '') this.d.fail(n, 'at most one of authorization credentials & credentials_file must be configured');
      if (h.authorization.type.toLowerCase() === 'basic') this.d.fail(n, 'authorization type cannot be set to "basic", use "basic_auth" instead');
      if (h.basicAuth) this.d.fail(n, 'at most one of basic_auth, oauth2 & authorization must be configured');
    }
    if (bt !== '' || btf !== '') h.authorization = { type: 'Bearer', credentials: bt, credentialsFile: btf };
  }

  newHttp(): HTTPClientConfig {
    return { basicAuth: null, authorization: null, tlsConfig: emptyTLS(), followRedirects: true, enableHttp2: true };
  }

  basicAuth(n: Node): BasicAuth {
    const b: BasicAuth = { username: '', password: '', passwordFile: '' };
    this.d.struct(n, 'config.BasicAuth', {
      username: (v) => (b.username = this.d.str(v)),
      password: (v) => (b.password = this.d.str(v)),
      password_file: (v) => (b.passwordFile = this.path(this.d.str(v))),
    });
    return b;
  }

  authorization(n: Node): Authorization {
    const a: Authorization = { type: 'Bearer', credentials: '', credentialsFile: '' };
    this.d.struct(n, 'config.Authorization', {
      type: (v) => (a.type = this.d.str(v) || 'Bearer'),
      credentials: (v) => (a.credentials = this.d.str(v)),
      credentials_file: (v) => (a.credentialsFile = this.path(this.d.str(v))),
    });
    return a;
  }

  tls(n: Node): TLSConfig {
    const t = emptyTLS();
    this.d.struct(n, 'config.TLSConfig', {
      ca_file: (v) => (t.caFile = this.path(this.d.str(v))),
      cert_file: (v) => (t.certFile = this.path(this.d.str(v))),
      key_file: (v) => (t.keyFile = this.path(this.d.str(v))),
      server_name: (v) => (t.serverName = this.d.str(v)),
      insecure_skip_verify: (v) => (t.insecureSkipVerify = this.d.bool(v)),
      min_version: (v) => {
        const s = this.d.str(v);
        if (!['TLS10', 'TLS11', 'TLS12', 'TLS13'].includes(s)) this.d.fail(v, `unknown TLS version: ${s}`);
        t.minVersion = s;
      },
    }, { ca: 'use ca_file', cert: 'use cert_file', key: 'use key_file' });
    if (t.certFile !== '' && t.keyFile === '') this.d.fail(n, `client cert file "${t.certFile}" specified without client key file`);
    if (t.keyFile !== '' && t.certFile === '') this.d.fail(n, `client key file "${t.keyFile}" specified without client cert file`);
    return t;
  }

  scheme(v: Node): 'http' | 'https' {
    const s = this.d.str(v);
    if (s !== 'http' && s !== 'https') this.d.fail(v, `unknown scheme "${s}" (only http and https are supported)`);
    return s;
  }

  limit(v: Node): number {
    return this.d.uint(v);
  }

  scrape(n: Node, global: GlobalConfig): ScrapeConfig {
    const sc: ScrapeConfig = {
      jobName: '',
      honorLabels: false,
      honorTimestamps: true,
      params: {},
      scrapeInterval: 0,
      scrapeTimeout: 0,
      metricsPath: '/metrics',
      scheme: 'http',
      httpClientConfig: this.newHttp(),
      relabelConfigs: [],
      metricRelabelConfigs: [],
      sampleLimit: 0,
      targetLimit: 0,
      labelLimit: 0,
      labelNameLengthLimit: 0,
      labelValueLengthLimit: 0,
      bodySizeLimit: 0,
      staticConfigs: [],
      fileSDConfigs: [],
    };
    const legacy = {};
    const fields: Record<string, (v: Node) => void> = {
      job_name: (v) => (sc.jobName = this.d.str(v)),
      honor_labels: (v) => (sc.honorLabels = this.d.bool(v)),
      honor_timestamps: (v) => (sc.honorTimestamps = this.d.bool(v)),
      params: (v) => {
        for (const [k, vals, pair] of this.d.map(v, 'url.Values').items.map((p) => [this.d.keyName(p), p.value, p] as const)) {
          void pair;
          sc.params[k] = this.d.isNull(vals) ? [] : this.d.strings(vals as Node);
        }
      },
      scrape_interval: (v) => (sc.scrapeInterval = this.duration(v)),
      scrape_timeout: (v) => (sc.scrapeTimeout = this.duration(v)),
      metrics_path: (v) => (sc.metricsPath = this.d.str(v)),
      scheme: (v) => (sc.scheme = this.scheme(v)),
      relabel_configs: (v) => (sc.relabelConfigs = this.relabelConfigs(v)),
      metric_relabel_configs: (v) => (sc.metricRelabelConfigs = this.relabelConfigs(v)),
      sample_limit: (v) => (sc.sampleLimit = this.limit(v)),
      target_limit: (v) => (sc.targetLimit = this.limit(v)),
      label_limit: (v) => (sc.labelLimit = this.limit(v)),
      label_name_length_limit: (v) => (sc.labelNameLengthLimit = this.limit(v)),
      label_value_length_limit: (v) => (sc.labelValueLengthLimit = this.limit(v)),
      body_size_limit: (v) => {
        try {
          sc.bodySizeLimit = parseByteSize(this.d.str(v));
        } catch (err) {
          this.d.fail(v, (err as Error).message);
        }
      },
    };
    this.sd(fields, sc);
    this.httpFields(fields, sc.httpClientConfig, legacy);
    this.d.struct(n, 'config.ScrapeConfig', fields, { ...UNSUPPORTED_SD, ...UNSUPPORTED_HTTP });
    this.finishHttp(n, sc.httpClientConfig, legacy);
    if (sc.jobName === '') this.d.fail(n, 'job_name is empty');
    // Prometheus' Config.UnmarshalYAML defaulting of intervals against the global section.
    if (sc.scrapeInterval === 0) sc.scrapeInterval = global.scrapeInterval;
    if (sc.scrapeTimeout > sc.scrapeInterval) this.d.fail(n, `scrape timeout greater than scrape interval for scrape config with job name "${sc.jobName}"`);
    if (sc.scrapeTimeout === 0) sc.scrapeTimeout = global.scrapeTimeout > sc.scrapeInterval ? sc.scrapeInterval : global.scrapeTimeout;
    return sc;
  }

  alerting(n: Node): AlertingConfig {
    const a: AlertingConfig = { alertRelabelConfigs: [], alertmanagers: [] };
    this.d.struct(n, 'config.AlertingConfig', {
      alert_relabel_configs: (v) => (a.alertRelabelConfigs = this.relabelConfigs(v)),
      alertmanagers: (v) => {
        for (const item of this.d.seq(v, '*config.AlertmanagerConfig')) a.alertmanagers.push(this.alertmanager(item));
      },
    });
    return a;
  }

  alertmanager(n: Node): AlertmanagerConfig {
    const am: AlertmanagerConfig = {
      scheme: 'http',
      pathPrefix: '/',
      timeout: 10_000,
      apiVersion: 'v2',
      httpClientConfig: this.newHttp(),
      relabelConfigs: [],
      staticConfigs: [],
      fileSDConfigs: [],
    };
    const legacy = {};
    const fields: Record<string, (v: Node) => void> = {
      scheme: (v) => (am.scheme = this.scheme(v)),
      path_prefix: (v) => (am.pathPrefix = this.d.str(v)),
      timeout: (v) => (am.timeout = this.duration(v)),
      api_version: (v) => {
        const s = this.d.str(v);
        if (s !== 'v1' && s !== 'v2') this.d.fail(v, `expected Alertmanager api version to be one of [v1 v2] but got ${s}`);
        am.apiVersion = s;
      },
      relabel_configs: (v) => (am.relabelConfigs = this.relabelConfigs(v)),
    };
    this.sd(fields, am);
    this.httpFields(fields, am.httpClientConfig, legacy);
    this.d.struct(n, 'config.AlertmanagerConfig', fields, { ...UNSUPPORTED_SD, ...UNSUPPORTED_HTTP });
    this.finishHttp(n, am.httpClientConfig, legacy);
    return am;
  }

  headers(v: Node): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, val, pair] of this.d.stringMap(v, 'map[string]string')) {
      const lk = k.toLowerCase();
      if (lk === 'authorization') this.d.fail(pair.key as Node, 'authorization header must be changed via the basic_auth, authorization, oauth2, or sigv4 parameter');
      if (RESERVED_HEADERS.has(lk)) this.d.fail(pair.key as Node, `${k} is a reserved header. It must not be changed`);
      out[k] = val;
    }
    return out;
  }

  url(v: Node): string {
    const s = this.d.str(v);
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      this.d.fail(v, `parse "${s}": invalid URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') this.d.fail(v, `unsupported URL scheme "${u.protocol.slice(0, -1)}"`);
    return s;
  }

  remoteWrite(n: Node): RemoteWriteConfig {
    const rw: RemoteWriteConfig = {
      url: '',
      name: '',
      remoteTimeout: 30_000,
      headers: {},
      writeRelabelConfigs: [],
      sendExemplars: false,
      httpClientConfig: this.newHttp(),
      queueConfig: { capacity: 2500, maxShards: 200, minShards: 1, maxSamplesPerSend: 500, batchSendDeadline: 5000, minBackoff: 30, maxBackoff: 5000, retryOnRateLimit: false },
      metadataConfig: { send: true, sendInterval: MINUTE, maxSamplesPerSend: 500 },
    };
    const legacy = {};
    const fields: Record<string, (v: Node) => void> = {
      url: (v) => (rw.url = this.url(v)),
      name: (v) => (rw.name = this.d.str(v)),
      remote_timeout: (v) => (rw.remoteTimeout = this.duration(v)),
      headers: (v) => (rw.headers = this.headers(v)),
      write_relabel_configs: (v) => (rw.writeRelabelConfigs = this.relabelConfigs(v)),
      send_exemplars: (v) => (rw.sendExemplars = this.d.bool(v)),
      send_native_histograms: (v) => void this.d.bool(v),
      queue_config: (v) => (rw.queueConfig = this.queueConfig(v, rw.queueConfig)),
      metadata_config: (v) => (rw.metadataConfig = this.metadataConfig(v, rw.metadataConfig)),
    };
    this.httpFields(fields, rw.httpClientConfig, legacy);
    this.d.struct(n, 'config.RemoteWriteConfig', fields, UNSUPPORTED_HTTP);
    this.finishHttp(n, rw.httpClientConfig, legacy);
    if (rw.url === '') this.d.fail(n, 'url for remote_write is empty');
    return rw;
  }

  queueConfig(n: Node, def: QueueConfig): QueueConfig {
    const q = { ...def };
    this.d.struct(n, 'config.QueueConfig', {
      capacity: (v) => (q.capacity = this.d.int(v)),
      max_shards: (v) => (q.maxShards = this.d.int(v)),
      min_shards: (v) => (q.minShards = this.d.int(v)),
      max_samples_per_send: (v) => (q.maxSamplesPerSend = this.d.int(v)),
      batch_send_deadline: (v) => (q.batchSendDeadline = this.duration(v)),
      min_backoff: (v) => (q.minBackoff = this.duration(v)),
      max_backoff: (v) => (q.maxBackoff = this.duration(v)),
      retry_on_http_429: (v) => (q.retryOnRateLimit = this.d.bool(v)),
    });
    if (q.minShards > q.maxShards) this.d.fail(n, 'min_shards must not be greater than max_shards');
    return q;
  }

  metadataConfig(n: Node, def: MetadataConfig): MetadataConfig {
    const m = { ...def };
    this.d.struct(n, 'config.MetadataConfig', {
      send: (v) => (m.send = this.d.bool(v)),
      send_interval: (v) => (m.sendInterval = this.duration(v)),
      max_samples_per_send: (v) => (m.maxSamplesPerSend = this.d.int(v)),
    });
    return m;
  }

  remoteRead(n: Node): RemoteReadConfig {
    const rr: RemoteReadConfig = { url: '', name: '', remoteTimeout: MINUTE, headers: {}, readRecent: false, requiredMatchers: {}, httpClientConfig: this.newHttp() };
    const legacy = {};
    const fields: Record<string, (v: Node) => void> = {
      url: (v) => (rr.url = this.url(v)),
      name: (v) => (rr.name = this.d.str(v)),
      remote_timeout: (v) => (rr.remoteTimeout = this.duration(v)),
      headers: (v) => (rr.headers = this.headers(v)),
      read_recent: (v) => (rr.readRecent = this.d.bool(v)),
      required_matchers: (v) => {
        for (const [k, val] of this.d.stringMap(v, 'model.LabelSet')) rr.requiredMatchers[k] = val;
      },
      filter_external_labels: (v) => void this.d.bool(v),
    };
    this.httpFields(fields, rr.httpClientConfig, legacy);
    this.d.struct(n, 'config.RemoteReadConfig', fields, UNSUPPORTED_HTTP);
    this.finishHttp(n, rr.httpClientConfig, legacy);
    if (rr.url === '') this.d.fail(n, 'url for remote_read is empty');
    return rr;
  }
}

function emptyTLS(): TLSConfig {
  return { caFile: '', certFile: '', keyFile: '', serverName: '', insecureSkipVerify: false, minVersion: '' };
}

export function isSeqNode(n: unknown): boolean {
  return isSeq(n);
}
