import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BAD_GATEWAY,
  describeBadTokens,
  describeRouting,
  describeUpstreamFailures,
  useContractApp,
  describeRefusedData,
} from './support/contract.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FEATURES = { audio_call: true, video_call: false, live_chat: true };

describe('GET /callConfig', () => {
  const app = useContractApp((t) => {
    t.sim.setData('configuration', { features: FEATURES });
  });

  describeBadTokens(app, '/callConfig');
  describeRouting(app, '/callConfig');
  describeUpstreamFailures(app, '/callConfig');

  describe('success', () => {
    it("answers 200 with Admin Control's flags in the documented envelope", async () => {
      const res = await app().get('/callConfig');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(
        '{"error":null,"data":{"features":{"audio_call":true,"video_call":false,"live_chat":true}}}',
      );
      expect(res.headers['cache-control']).toBe('no-store');
      expect(app().sim.requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', '/api/configuration'],
      ]);
    });

    it('passes unknown boolean flags through and drops other keys of data', async () => {
      app().sim.setFault({
        mode: 'status',
        status: 200,
        body: { error: null, data: { features: { new_flag: false, __proto__x: true }, v: 2 } },
      });
      const res = await app().get('/callConfig');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        error: null,
        data: { features: { new_flag: false, __proto__x: true } },
      });
    });

    it('lets a room-scoped token read it', async () => {
      const scoped = { authorization: `Bearer ${app().token({ claims: { roomName: 'any' } })}` };
      expect((await app().get('/callConfig', scoped)).statusCode).toBe(200);
    });
  });

  describe("Admin Control's answer", () => {
    describeRefusedData(app, '/callConfig', [
      ['a flag that is not a boolean', { features: { audio_call: 'yes' } }],
      ['features that are an array', { features: [true] }],
      ['no features', { audio_call: true }],
      ['a string', 'features'],
    ]);

    it('answers 502 when Admin Control answers 404 (there is no domain 404 here)', async () => {
      app().sim.setFault({ mode: 'status', status: 404 });
      const res = await app().get('/callConfig');
      expect(res.statusCode).toBe(502);
      expect(res.body).toBe(BAD_GATEWAY);
    });
  });
});

describe('GET /callConfig caching', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CALL_CONFIG_CACHE_TTL_MS: '300' });
  });
  afterAll(() => t.close());

  it('reuses the answer for CALL_CONFIG_CACHE_TTL_MS, then asks again', async () => {
    t.sim.setData('configuration', { features: { a: true } });
    expect((await t.get('/callConfig')).json().data).toEqual({ features: { a: true } });
    t.sim.setData('configuration', { features: { a: false } });
    expect((await t.get('/callConfig')).json().data).toEqual({ features: { a: true } });
    expect(t.sim.callsTo('configuration')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await t.get('/callConfig')).json().data).toEqual({ features: { a: false } });
    expect(t.sim.callsTo('configuration')).toBe(2);
  });
});
