import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CloseReason } from './stream-event.js';

/**
 * One client's text/event-stream on a hijacked reply. Nothing is queued for a client that
 * stops reading: once the socket and Node's buffer are full (write() says so), the client is
 * cut, so a stalled client holds at most one buffer's worth of memory.
 */
export class SseConnection {
  private opened = false;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly onClose: (connection: SseConnection, reason: CloseReason) => void,
  ) {
    // Also while pending: a client that leaves before the stream starts frees its slot at once.
    response.once('close', () => this.finish('client'));
  }

  /** The status line and headers went out: the request is a stream now. */
  get started(): boolean {
    return this.opened;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Sends the status line, the headers and the first frame. */
  start(headers: OutgoingHttpHeaders, first: string): void {
    if (this.opened || this.ended) return;
    this.opened = true;
    this.response.writeHead(200, headers);
    this.send(first);
  }

  /** Writes a frame; false when the connection is (now) closed. */
  send(frame: string | Buffer): boolean {
    if (!this.opened || this.ended) return false;
    if (this.response.destroyed) {
      this.finish('client');
      return false;
    }
    if (!this.response.write(frame)) {
      this.finish('slow');
      this.response.destroy();
      return false;
    }
    return true;
  }

  /** Ends the stream from our side, after an optional last frame. */
  end(reason: CloseReason, frame?: string | Buffer): void {
    if (this.opened && !this.ended && !this.response.destroyed) {
      if (frame === undefined) this.response.end();
      else this.response.end(frame);
    }
    this.finish(reason);
  }

  /** Gives up a stream that never started: the caller answers the request instead. */
  abandon(): void {
    if (!this.opened) this.finish('client');
  }

  private finish(reason: CloseReason): void {
    if (this.ended) return;
    this.ended = true;
    this.onClose(this, reason);
  }
}
