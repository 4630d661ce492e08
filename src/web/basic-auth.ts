import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * HTTP basic authentication against bcrypt hashes (exporter-toolkit's basic_auth_users).
 * bcrypt is deliberately slow, so successful checks are cached by a hash of
 * (user, password, stored hash) — changing the file invalidates entries naturally.
 * Unknown users are still checked against a dummy hash so that response time does
 * not reveal which user names exist.
 */
const DUMMY_HASH = '$2b$10$zOfutglgpeH2TuEw9B/8oOQMf5b6gS1226AzNt60tNza2r6sGfkiK';
const CACHE_MAX = 1024;

export class BasicAuthenticator {
  private readonly ok = new Map<string, true>();

  constructor(private users: ReadonlyMap<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  setUsers(users: ReadonlyMap<string, string>): void {
    this.users = users;
    this.ok.clear();
  }

  /** Checks an Authorization header; resolves to the user name or null. */
  async check(header: string | undefined): Promise<string | null> {
    if (!header) return null;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!m) return null;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    const hash = this.users.get(user);
    const key = createHash('sha256').update(`${user}\0${pass}\0${hash ?? ''}`).digest('base64');
    if (hash !== undefined && this.ok.has(key)) return user;
    const match = await bcrypt.compare(pass, hash ?? DUMMY_HASH);
    if (!match || hash === undefined) return null;
    if (this.ok.size >= CACHE_MAX) this.ok.clear();
    this.ok.set(key, true);
    return user;
  }
}
