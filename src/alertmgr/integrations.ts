/**
 * Integrations (notify/webhook, notify/email, notify/slack), each behind
 * `notify(ctx, alerts) → {retry, error}`: retry says whether the retry stage may
 * try again (network errors, 5xx) or must give up (4xx, bad templates).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { isIP } from 'node:net';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import nodemailer from 'nodemailer';
import type { Template } from '../template/index.js';
import type { EmailConfig, HttpClientConfig, IntegrationConfig, SlackConfig, WebhookConfig } from './config.js';
import { expandTemplate, templateData, type TmplData } from './tmpl.js';
import { rfc3339, sortedLabels, type Alert } from './types.js';

export interface NotifyContext {
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  now: number;
  externalURL: string;
  templates: Template;
  signal: AbortSignal;
}

export interface NotifyResult {
  retry: boolean;
  error?: Error;
}

export interface Integration {
  /** "webhook", "email", "slack" (the integration label of metrics). */
  readonly name: string;
  /** Position among the receiver's integrations of the same kind. */
  readonly index: number;
  readonly sendResolved: boolean;
  notify(ctx: NotifyContext, alerts: Alert[]): Promise<NotifyResult>;
}

export const USER_AGENT = 'Alertmanager/0.25.0 (Vigil)';

interface HttpResponse {
  status: number;
  body: string;
}

/** POSTs a body with the http_config's auth and TLS settings. */
export function httpPost(url: string, body: string, contentType: string, cfg: HttpClientConfig, signal: AbortSignal): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`invalid URL ${JSON.stringify(url)}`));
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': contentType, 'User-Agent': USER_AGENT, 'Content-Length': String(Buffer.byteLength(body)) };
    if (cfg.bearerToken) headers['Authorization'] = `Bearer ${cfg.bearerToken}`;
    else if (cfg.basicAuth) headers['Authorization'] = 'Basic ' + Buffer.from(`${cfg.basicAuth.username}:${cfg.basicAuth.password}`).toString('base64');
    if (u.username && !headers['Authorization']) headers['Authorization'] = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
    const opts: RequestOptions = { method: 'POST', headers, signal };
    if (u.protocol === 'https:') {
      opts.rejectUnauthorized = !cfg.tls.insecureSkipVerify;
      if (cfg.tls.caFile) opts.ca = readFileSync(cfg.tls.caFile);
      if (cfg.tls.certFile) opts.cert = readFileSync(cfg.tls.certFile);
      if (cfg.tls.keyFile) opts.key = readFileSync(cfg.tls.keyFile);
      if (cfg.tls.serverName) opts.servername = cfg.tls.serverName;
    }
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, opts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 1 << 20) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** notify.Retrier.Check: 2xx ok, 5xx retried, anything else fails for good. */
function checkStatus(r: HttpResponse): NotifyResult {
  if (r.status >= 200 && r.status < 300) return { retry: false };
  const body = r.body.trim().slice(0, 512);
  return { retry: r.status >= 500, error: new Error(`unexpected status code ${r.status}${body ? `: ${body}` : ''}`) };
}

function alertJson(d: TmplData): unknown[] {
  return d.Alerts.map((a) => ({
    status: a.Status,
    labels: sortedLabels(Object.fromEntries(a.Labels)),
    annotations: sortedLabels(Object.fromEntries(a.Annotations)),
    startsAt: rfc3339(a.StartsAt.ms),
    endsAt: rfc3339(a.EndsAt.ms),
    generatorURL: a.GeneratorURL,
    fingerprint: a.Fingerprint,
  }));
}

function kvJson(kv: Map<string, string>): Record<string, string> {
  return sortedLabels(Object.fromEntries(kv));
}

class WebhookIntegration implements Integration {
  readonly name = 'webhook';
  constructor(
    private readonly cfg: WebhookConfig,
    readonly index: number,
  ) {}
  get sendResolved(): boolean {
    return this.cfg.sendResolved;
  }
  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<NotifyResult> {
    // Truncation happens before the template data is built, so common labels describe the alerts sent.
    const max = this.cfg.maxAlerts;
    const shownAlerts = max > 0 && alerts.length > max ? alerts.slice(0, max) : alerts;
    const d = templateData(ctx.receiver, ctx.groupLabels, shownAlerts, ctx.externalURL, ctx.now);
    const shown = alertJson(d);
    const msg = {
      receiver: d.Receiver,
      status: d.Status,
      alerts: shown,
      groupLabels: kvJson(d.GroupLabels),
      commonLabels: kvJson(d.CommonLabels),
      commonAnnotations: kvJson(d.CommonAnnotations),
      externalURL: d.ExternalURL,
      version: '4',
      groupKey: ctx.groupKey,
      truncatedAlerts: alerts.length - shownAlerts.length,
    };
    try {
      return checkStatus(await httpPost(this.cfg.url, JSON.stringify(msg), 'application/json', this.cfg.http, ctx.signal));
    } catch (err) {
      return { retry: true, error: err as Error };
    }
  }
}

class SlackIntegration implements Integration {
  readonly name = 'slack';
  constructor(
    private readonly cfg: SlackConfig,
    readonly index: number,
  ) {}
  get sendResolved(): boolean {
    return this.cfg.sendResolved;
  }
  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<NotifyResult> {
    const d = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
    let payload: unknown;
    try {
      const t = (s: string): string => expandTemplate(ctx.templates, s, d);
      const att: Record<string, unknown> = {
        title: t(this.cfg.title),
        title_link: t(this.cfg.titleLink),
        pretext: t(this.cfg.pretext),
        text: t(this.cfg.text),
        fallback: t(this.cfg.fallback),
        callback_id: t(this.cfg.callbackId),
        footer: t(this.cfg.footer),
        color: t(this.cfg.color),
        mrkdwn_in: ['fallback', 'pretext', 'text'],
      };
      // Alertmanager's attachment struct omits these when empty but always sends text, fallback, callback_id, footer.
      for (const k of ['title', 'title_link', 'pretext', 'color']) if (att[k] === '') delete att[k];
      const p: Record<string, unknown> = {
        channel: t(this.cfg.channel),
        username: t(this.cfg.username),
        icon_emoji: t(this.cfg.iconEmoji),
        icon_url: t(this.cfg.iconUrl),
        link_names: this.cfg.linkNames,
        attachments: [att],
      };
      for (const k of ['channel', 'username', 'icon_emoji', 'icon_url']) if (p[k] === '') delete p[k];
      if (!this.cfg.linkNames) delete p['link_names'];
      payload = p;
    } catch (err) {
      return { retry: false, error: err as Error };
    }
    try {
      return checkStatus(await httpPost(this.cfg.apiUrl, JSON.stringify(payload), 'application/json', this.cfg.http, ctx.signal));
    } catch (err) {
      return { retry: true, error: err as Error };
    }
  }
}

class EmailIntegration implements Integration {
  readonly name = 'email';
  constructor(
    private readonly cfg: EmailConfig,
    readonly index: number,
  ) {}
  get sendResolved(): boolean {
    return this.cfg.sendResolved;
  }
  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<NotifyResult> {
    const c = this.cfg;
    const d = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
    let headers: Record<string, string>;
    let text = '';
    let html = '';
    try {
      headers = {};
      for (const [k, v] of Object.entries(c.headers)) headers[k] = expandTemplate(ctx.templates, v, d);
      if (c.text) text = expandTemplate(ctx.templates, c.text, d);
      if (c.html) html = expandTemplate(ctx.templates, c.html, d, true);
    } catch (err) {
      return { retry: false, error: err as Error };
    }
    const implicitTls = c.smarthost.port === 465;
    const transport = nodemailer.createTransport({
      host: c.smarthost.host,
      port: c.smarthost.port,
      secure: implicitTls,
      requireTLS: !implicitTls && c.requireTls,
      ignoreTLS: !implicitTls && !c.requireTls,
      name: c.hello,
      auth: c.authUsername ? { user: c.authUsername, pass: c.authPassword } : undefined,
      tls: {
        rejectUnauthorized: !c.tls.insecureSkipVerify,
        servername: c.tls.serverName ?? (isIP(c.smarthost.host) ? undefined : c.smarthost.host),
        ca: c.tls.caFile ? readFileSync(c.tls.caFile) : undefined,
      },
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
    });
    const { Subject, To, From, ...rest } = headers;
    try {
      await transport.sendMail({
        from: From ?? c.from,
        to: To ?? c.to,
        subject: Subject ?? '',
        text: text || undefined,
        html: html || undefined,
        headers: rest,
        envelope: { from: addressOnly(c.from), to: c.to.split(',').map(addressOnly) },
      });
      return { retry: false };
    } catch (err) {
      const e = err as Error & { responseCode?: number };
      // 5xx SMTP replies are permanent; connection problems and 4xx are retried.
      return { retry: !(e.responseCode !== undefined && e.responseCode >= 500), error: e };
    } finally {
      transport.close();
    }
  }
}

function addressOnly(s: string): string {
  const m = /<([^>]+)>/.exec(s);
  return (m ? m[1]! : s).trim();
}

export function buildIntegrations(cfgs: IntegrationConfig[]): Integration[] {
  const counts: Record<string, number> = {};
  return cfgs.map((c) => {
    const i = counts[c.kind] ?? 0;
    counts[c.kind] = i + 1;
    switch (c.kind) {
      case 'webhook':
        return new WebhookIntegration(c, i);
      case 'email':
        return new EmailIntegration(c, i);
      case 'slack':
        return new SlackIntegration(c, i);
    }
  });
}
