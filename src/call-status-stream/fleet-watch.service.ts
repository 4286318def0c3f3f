import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { streamConfig, type StreamConfig } from '../config/stream.config.js';
import { RedisService } from '../redis/redis.service.js';
import { isRoomGone, type RoomState, type StreamOutcome } from './stream-event.js';

/** What this instance does for a room this round: watch it for the fleet, or follow the watcher. */
export type FleetTick = { leader: true } | { leader: false; state: RoomState | undefined };

// Take the room's lease if it is free or ours (and extend it); otherwise read the watcher's state.
const TICK = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1}
end
return {0, redis.call('GET', KEYS[2])}`;

// The watcher's state for instances that join, and its changes for those already listening.
// A room that is gone leaves no state behind (it may be created again).
const SHARE = `
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[1]) end
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * With REDIS_URL, the fleet watches each room once: the instance holding a room's lease (a Redis
 * key with an expiry, renewed at each of its rounds) asks for the status and publishes changes
 * on the room's channel; the others follow through a dedicated subscriber connection, and read
 * the watcher's last state at each round (for streams that join, and should a message be lost).
 * Every method degrades to "watch alone" (undefined, or nothing done) while Redis is in trouble.
 */
@Injectable()
export class FleetWatch implements OnApplicationShutdown {
  private readonly logger = new Logger('StreamFleet');
  private readonly id = randomUUID();
  private readonly channels = new Set<string>();
  private readonly channelPrefix: string;
  private readonly leaseMs: number;
  private subscriber: Redis | undefined;
  private subscriberUp = true;
  private listener: ((room: string, state: RoomState) => void) | undefined;

  constructor(
    private readonly redis: RedisService,
    @Inject(streamConfig.KEY) config: StreamConfig,
  ) {
    // Outlives a round of the watcher even when Admin Control is slow (the round's deadline).
    this.leaseMs = config.watchIntervalMs + watchDeadlineMs(config) + 1000;
    // Channels are not keys: ioredis does not prefix them.
    this.channelPrefix = `${redis.config.keyPrefix}stream:`;
  }

  get enabled(): boolean {
    return this.redis.enabled;
  }

  /** Called with every state another instance (or this one) publishes. */
  listen(listener: (room: string, state: RoomState) => void): void {
    this.listener = listener;
  }

  /** Listens to the room's channel; resolves once subscribed (or failed: then rounds read state). */
  async join(room: string): Promise<void> {
    if (!this.enabled) return;
    const channel = this.channelPrefix + room;
    this.channels.add(channel);
    const subscriber = this.subscriber ?? this.connect();
    if (subscriber.status !== 'ready') return; // subscribed on 'ready'
    await subscriber.subscribe(channel).catch((error: unknown) => this.subscriberDown(error));
  }

  /** Stops listening to the room; hands its lease back so another instance takes over at once. */
  leave(room: string, leader: boolean): Promise<void> {
    const channel = this.channelPrefix + room;
    this.channels.delete(channel);
    if (this.subscriber?.status === 'ready') {
      this.subscriber.unsubscribe(channel).catch((error: unknown) => this.subscriberDown(error));
    }
    if (!leader || !this.redis.available) return Promise.resolve();
    return this.redis
      .client!.eval(RELEASE, 1, leaseKey(room), this.id)
      .then(() => undefined)
      .catch((error: unknown) => this.redis.reportFailure('stream lease release', error));
  }

  /** Whether this instance watches the room this round; undefined: watch it alone. */
  async tick(room: string): Promise<FleetTick | undefined> {
    if (!this.redis.available) return undefined;
    try {
      const [leader, state] = (await this.redis.client!.eval(
        TICK,
        2,
        leaseKey(room),
        stateKey(room),
        this.id,
        this.leaseMs,
      )) as [number, string | null | undefined];
      this.redis.reportSuccess();
      return leader === 1 ? { leader: true } : { leader: false, state: decodeState(state) };
    } catch (error) {
      this.redis.reportFailure('stream lease', error);
      return undefined;
    }
  }

  /** The watcher's round: its state for joiners, and a message when it changed. */
  share(room: string, state: RoomState, changed: boolean): void {
    if (!this.redis.available) return;
    const keep = isRoomGone(state.outcome) ? 0 : this.leaseMs;
    const channel = changed ? this.channelPrefix + room : '';
    this.redis
      .client!.eval(SHARE, 1, stateKey(room), encodeState(state), keep, channel)
      .catch((error: unknown) => this.redis.reportFailure('stream publish', error));
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  private connect(): Redis {
    // A connection in subscriber mode can do nothing else: a dedicated one.
    const subscriber = this.redis.client!.duplicate();
    subscriber.on('ready', () => {
      if (!this.subscriberUp) this.logger.log('stream channel subscriber back');
      this.subscriberUp = true;
      if (this.channels.size > 0) {
        subscriber
          .subscribe(...this.channels)
          .catch((error: unknown) => this.subscriberDown(error));
      }
    });
    subscriber.on('error', (error: Error) => this.subscriberDown(error));
    subscriber.on('message', (channel: string, text: string) => {
      if (!channel.startsWith(this.channelPrefix)) return;
      const state = decodeState(text);
      if (state !== undefined) this.listener?.(channel.slice(this.channelPrefix.length), state);
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private subscriberDown(error: unknown): void {
    if (!this.subscriberUp) return;
    this.subscriberUp = false;
    const why = error instanceof Error ? error.message : String(error);
    this.logger.warn(`stream channel subscriber unavailable (${why}): rounds read the state`);
  }
}

/** How long a watcher's round waits for a status before it counts as a timeout. */
export function watchDeadlineMs(config: StreamConfig): number {
  return Math.max(3 * config.watchIntervalMs, 5000);
}

function leaseKey(room: string): string {
  return `stream:lease:${room}`;
}

function stateKey(room: string): string {
  return `stream:state:${room}`;
}

export function encodeState(state: RoomState): string {
  const { version, outcome } = state;
  return JSON.stringify(
    outcome.status !== undefined
      ? { v: version, s: outcome.status }
      : { v: version, e: outcome.error },
  );
}

/** A state another instance wrote, or undefined when it is missing or not one. */
export function decodeState(text: string | null | undefined): RoomState | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const { v, s, e } = JSON.parse(text) as { v?: unknown; s?: unknown; e?: unknown };
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return undefined;
    const outcome = decodeOutcome(s, e);
    return outcome === undefined ? undefined : { version: v, outcome };
  } catch {
    return undefined;
  }
}

function decodeOutcome(status: unknown, error: unknown): StreamOutcome | undefined {
  if (isRecord(status)) {
    const { transcript_status: t, recording_status: r } = status;
    if (typeof t !== 'boolean' || typeof r !== 'boolean') return undefined;
    return { status: { transcript_status: t, recording_status: r } };
  }
  if (isRecord(error)) {
    const { code, message } = error;
    if (typeof code !== 'number' || typeof message !== 'string') return undefined;
    return { error: { code, message } };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
