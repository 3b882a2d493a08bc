/**
 * Test helpers for the session pages (sessions-page.test.ts, email-check.test.ts): an app on a moving clock, members,
 * and a cookie-keeping browser over inject.
 */
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { createHouseholdMember, newIp, sessionProbe, type TestMember } from './recovery-test-kit.ts';
import { DEVICE_COOKIE, rememberDevice } from './new-device.ts';

export const UA_FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
export const UA_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const MEMBER_CODE = '482915';

export type Kit = { db: TestDatabase; t: TestApp; clock: ReturnType<typeof testClock>; organisationId: string; close(): Promise<void> };

export async function startKit(name: string): Promise<Kit> {
  const clock = testClock('2026-03-12T10:00:00Z');
  const db = await createTestDatabase();
  const organisationId = (
    await insertOrganisation(db, {
      name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
    })
  ).id;
  const t = await createTestApp({ name, clock: clock.now, db, extraFeatures: [sessionProbe] });
  return {
    db, t, clock, organisationId,
    async close() {
      await t.close();
      await db.close();
    },
  };
}

const secrets = testConfig().secrets;
const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };

export function newMember(kit: Kit, email: 'verified' | 'unverified' | null = 'verified'): Promise<TestMember> {
  return createHouseholdMember(kit.db, keys, { organisationId: kit.organisationId, email, code: MEMBER_CODE, pepper: secrets.codePepper });
}

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

/** A browser: its cookies, its IP and user agent, the CSRF token of the last page it loaded. */
export class Browser {
  cookies: Record<string, string> = {};
  csrf = '';
  constructor(
    readonly kit: Kit,
    readonly userAgent = UA_FIREFOX,
    readonly ip = newIp(),
  ) {}
  header() {
    return Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  }
  remember(response: Response) {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.value === '' || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (expired) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
  }
  async get(url: string) {
    const response = await this.kit.t.app.inject({ method: 'GET', url, headers: { cookie: this.header(), 'user-agent': this.userAgent }, remoteAddress: this.ip });
    this.remember(response);
    return response;
  }
  async post(url: string, form: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const response = await this.kit.t.app.inject({
      method: 'POST', url, headers: { cookie: this.header(), 'user-agent': this.userAgent, 'content-type': 'application/x-www-form-urlencoded', ...headers }, remoteAddress: this.ip,
      payload: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
    this.remember(response);
    return response;
  }
  /** A session as the login opens it (sessionProbe), then a member page to get its CSRF token. */
  async startSession(memberId: string) {
    this.remember(await this.kit.t.app.inject({ method: 'POST', url: `/test/session/${memberId}`, headers: { cookie: this.header(), 'user-agent': this.userAgent }, remoteAddress: this.ip }));
    await this.get('/espace');
  }
  async whoami(): Promise<string | null> {
    const response = await this.get('/test/whoami');
    return (JSON.parse(response.body) as { memberId: string | null }).memberId;
  }
  /** Makes this browser a trusted device of the member, so that a login opens the session at once. */
  async trust(memberId: string) {
    const device = await rememberDevice(this.kit.db, memberId, this.userAgent, this.kit.clock.now());
    this.cookies[DEVICE_COOKIE] = device.token;
  }
  async login(nir: string, code = MEMBER_CODE) {
    await this.get('/connexion');
    return this.post('/connexion', { nir, code });
  }
}
