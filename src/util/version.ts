import { readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
}

let cached: BuildInfo | undefined;

/** Build information for /api/v1/status/buildinfo and `vigil --version`. */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  let version = '0.0.0';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    version = pkg.version ?? version;
  } catch {
    // running from an unusual layout; keep the placeholder
  }
  cached = {
    version,
    revision: process.env['VIGIL_REVISION'] ?? 'unknown',
    branch: 'main',
    buildUser: 'vigil',
    buildDate: 'unknown',
    // Grafana reads goVersion; report the runtime instead.
    goVersion: `node${process.versions.node}`,
  };
  return cached;
}
