import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SseConnection } from './sse-connection.js';
import type { CloseReason } from './stream-event.js';

/** A ServerResponse whose socket accepts `room` more writes before its buffer is full. */
class FakeResponse extends EventEmitter {
  readonly written: string[] = [];
  status = 0;
  destroyed = false;
  ended = false;

  constructor(private room = Infinity) {
    super();
  }

  writeHead(status: number): this {
    this.status = status;
    return this;
  }

  write(chunk: string | Buffer): boolean {
    this.written.push(String(chunk));
    return --this.room > 0;
  }

  end(chunk?: string): this {
    if (chunk !== undefined) this.written.push(chunk);
    this.ended = true;
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
}

function connection(response: FakeResponse) {
  const closes: CloseReason[] = [];
  const sse = new SseConnection(response as unknown as ServerResponse, (_c, reason) =>
    closes.push(reason),
  );
  return { sse, closes };
}

describe(SseConnection.name, () => {
  it('writes nothing before it starts, then the headers and the first frame', () => {
    const response = new FakeResponse();
    const { sse } = connection(response);
    expect(sse.send('early')).toBe(false);
    sse.start({ 'content-type': 'text/event-stream' }, 'first');
    expect(response.status).toBe(200);
    expect(sse.send('next')).toBe(true);
    expect(response.written).toEqual(['first', 'next']);
  });

  it('cuts a client that stops reading instead of queueing for it', () => {
    const response = new FakeResponse(3);
    const { sse, closes } = connection(response);
    sse.start({}, 'first');
    expect(sse.send('second')).toBe(true);
    expect(sse.send('third')).toBe(false); // the buffer is full now
    expect(response.destroyed).toBe(true);
    expect(closes).toEqual(['slow']);
    expect(sse.send('fourth')).toBe(false);
    expect(response.written).toEqual(['first', 'second', 'third']);
  });

  it('reports a client that leaves, once, even before the stream started', () => {
    const response = new FakeResponse();
    const { sse, closes } = connection(response);
    response.emit('close');
    response.emit('close');
    expect(closes).toEqual(['client']);
    expect(sse.closed).toBe(true);
    expect(sse.started).toBe(false);
  });

  it('ends with a last frame and reports the reason once', () => {
    const response = new FakeResponse();
    const { sse, closes } = connection(response);
    sse.start({}, 'first');
    sse.end('expired', 'bye');
    response.emit('close');
    expect(response.ended).toBe(true);
    expect(response.written).toEqual(['first', 'bye']);
    expect(closes).toEqual(['expired']);
  });

  it('abandons only a stream that never started', () => {
    const response = new FakeResponse();
    const { sse, closes } = connection(response);
    sse.abandon();
    expect(closes).toEqual(['client']);
    expect(response.ended).toBe(false);
  });
});
