import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The installed package's root (where rules/, dashboards/ and ui/dist live). */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** A path inside the package, for shipped defaults. */
export function packagePath(...parts: string[]): string {
  return resolve(PACKAGE_ROOT, ...parts);
}
