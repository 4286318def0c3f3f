import { describe, expect, it } from 'vitest';
import {
  BAD_GATEWAY,
  describeBadTokens,
  describeRouting,
  describeUpstreamFailures,
  useContractApp,
  describeRefusedData,
  UNHURRIED,
} from './support/contract.js';

const meeting = (room: string, n: number) => ({
  room_name: room,
  unique_id: `${room}_${n}`,
  created_at: '2024-06-20T08:10:14.000Z',
  destroyed_at: '2024-06-20T08:10:34.000Z',
});
const MEETINGS = [meeting('r1', 1), meeting('r2', 2), meeting('r1', 3)];

describe('GET /meetings', () => {
  const app = useContractApp((t) => {
    t.sim.setData('meetings', MEETINGS);
  });

  describeBadTokens(app, '/meetings');
  describeRouting(app, '/meetings');
  describeUpstreamFailures(app, '/meetings');

  describe('success', () => {
    it('answers 200 with every ended meeting, fields in the documented order', async () => {
      const res = await app().get('/meetings');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(JSON.stringify({ error: null, data: MEETINGS }));
      expect(res.headers['cache-control']).toBe('no-store');
      expect(app().sim.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/api/meetings']]);
    });

    it("shows a room-scoped token only its room's meetings", async () => {
      const scoped = { authorization: `Bearer ${app().token({ claims: { roomName: 'r1' } })}` };
      const res = await app().get('/meetings', scoped);
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toEqual([meeting('r1', 1), meeting('r1', 3)]);
      const none = { authorization: `Bearer ${app().token({ claims: { room: 'r9' } })}` };
      expect((await app().get('/meetings', none)).json()).toEqual({ error: null, data: [] });
    });

    it('drops fields Admin Control adds and passes an empty list', async () => {
      app().sim.setData('meetings', [{ ...meeting('r1', 1), secret: 's' }]);
      expect((await app().get('/meetings')).json().data).toEqual([meeting('r1', 1)]);
      app().sim.setData('meetings', []);
      expect((await app().get('/meetings')).body).toBe('{"error":null,"data":[]}');
    });
  });

  describe('a large list', () => {
    // Its deadline covers writing and parsing megabytes of JSON: not the 400 ms of the tables.
    const big = useContractApp(() => undefined, UNHURRIED);

    it('passes a list up to 4 MiB and answers 502 beyond it', async () => {
      const many = Array.from({ length: 20_000 }, (_, i) => meeting(`room-${i}`, i));
      big().sim.setData('meetings', many);
      const res = await big().get('/meetings');
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toHaveLength(20_000);
      big().sim.setData('meetings', [...many, ...many, ...many]);
      const tooMany = await big().get('/meetings');
      expect(tooMany.statusCode).toBe(502);
      expect(tooMany.body).toBe(BAD_GATEWAY);
    });
  });

  describe("Admin Control's answer", () => {
    describeRefusedData(app, '/meetings', [
      ['an item without destroyed_at', [{ ...meeting('r1', 1), destroyed_at: undefined }]],
      ['an item with a number', [{ ...meeting('r1', 1), unique_id: 7 }]],
      ['an item that is not an object', [meeting('r1', 1), 'r2']],
      ['an object instead of a list', { meetings: [] }],
    ]);

    it('answers 502 when Admin Control answers 404', async () => {
      app().sim.setFault({ mode: 'status', status: 404 });
      expect((await app().get('/meetings')).body).toBe(BAD_GATEWAY);
    });
  });
});
