import { isMap, isPair, isScalar, parseDocument, visit } from 'yaml';

/**
 * Keys whose values Prometheus' config types hold as config.Secret, which it marshals
 * as "<secret>" in /api/v1/status/config. File paths (password_file, ...) stay visible.
 */
const SECRET_KEYS = new Set(['password', 'bearer_token', 'credentials', 'client_secret', 'secret_key', 'access_key', 'token', 'api_key', 'auth_token', 'webhook_url', 'routing_key', 'service_key', 'bot_token']);

export const SECRET_PLACEHOLDER = '<secret>';

/**
 * Returns the YAML with every secret value replaced by "<secret>", comments and layout
 * kept. Text that does not parse is withheld entirely rather than shown unmasked.
 */
export function maskSecrets(yamlText: string): string {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) return '# configuration withheld: it does not parse as YAML\n';
  let changed = false;
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !SECRET_KEYS.has(String(pair.key.value))) return;
      if (isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '') {
        pair.value.value = SECRET_PLACEHOLDER;
        changed = true;
      } else if (isMap(pair.value)) {
        // e.g. a map of tokens: mask every value below.
        for (const item of pair.value.items) {
          if (isScalar(item.value)) {
            item.value.value = SECRET_PLACEHOLDER;
            changed = true;
          }
        }
      }
    },
  });
  return changed ? doc.toString() : yamlText;
}
