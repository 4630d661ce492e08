import { readFile } from 'node:fs/promises';
import type { Config } from './types.js';
import { parseConfig } from './parse.js';
import { ConfigError } from './yamlnode.js';

/** Reads and parses prometheus.yml; I/O errors become ConfigError too. */
export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, 0, 0, `open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  return parseConfig(text, path);
}

/**
 * Reads a secret from a *_file setting at use time (so rotated files are picked
 * up, as Prometheus does), trimming surrounding whitespace.
 */
export async function readSecretFile(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).trim();
}
