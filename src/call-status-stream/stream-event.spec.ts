import { describe, expect, it } from 'vitest';
import { AppException } from '../common/app.exception.js';
import { decodeState, encodeState } from './fleet-watch.service.js';
import {
  errorOutcome,
  eventFrame,
  retryField,
  sameOutcome,
  type RoomState,
} from './stream-event.js';

const STATUS: RoomState = {
  version: 42,
  outcome: { status: { transcript_status: false, recording_status: true } },
};
const FAILURE: RoomState = {
  version: 43,
  outcome: { error: { code: 502, message: 'Bad gateway' } },
};

describe('stream events', () => {
  it('writes a status event with the /callStatus data in the documented key order', () => {
    const reordered: RoomState = {
      version: 42,
      outcome: { status: { recording_status: true, transcript_status: false } },
    };
    expect(eventFrame(reordered)).toBe(
      'id: 42\nevent: status\ndata: {"transcript_status":false,"recording_status":true}\n\n',
    );
  });

  it("writes an error event with the envelope's error object", () => {
    expect(eventFrame(FAILURE)).toBe(
      'id: 43\nevent: error\ndata: {"code":502,"message":"Bad gateway"}\n\n',
    );
  });

  it('maps failures as the error envelope does, never with their own text', () => {
    expect(errorOutcome(new AppException(504, 'Gateway timeout'))).toEqual({
      error: { code: 504, message: 'Gateway timeout' },
    });
    expect(errorOutcome(new Error('secret upstream detail'))).toEqual({
      error: { code: 500, message: 'Internal server error' },
    });
  });

  it('tells outcomes apart by flags, or by code and message', () => {
    const other = { status: { transcript_status: true, recording_status: true } };
    expect(sameOutcome(STATUS.outcome, { status: { ...STATUS.outcome.status! } })).toBe(true);
    expect(sameOutcome(STATUS.outcome, other)).toBe(false);
    expect(sameOutcome(STATUS.outcome, FAILURE.outcome)).toBe(false);
    expect(sameOutcome(FAILURE.outcome, { error: { code: 503, message: 'Bad gateway' } })).toBe(
      false,
    );
  });

  it('spreads retry over 2000-5000 ms', () => {
    expect(retryField(() => 0)).toBe('retry: 2000\n');
    expect(retryField(() => 0.999999)).toBe('retry: 5000\n');
  });

  it('shares states between instances and refuses anything else', () => {
    expect(decodeState(encodeState(STATUS))).toEqual(STATUS);
    expect(decodeState(encodeState(FAILURE))).toEqual(FAILURE);
    for (const text of [
      null,
      undefined,
      'not json',
      '{"v":"1","s":{"transcript_status":true,"recording_status":true}}',
      '{"v":1,"s":{"transcript_status":"yes","recording_status":true}}',
      '{"v":1,"e":{"code":502}}',
      '{"v":1}',
    ]) {
      expect(decodeState(text)).toBeUndefined();
    }
  });
});
