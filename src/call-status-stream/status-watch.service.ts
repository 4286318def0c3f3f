import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { toErrorResponse } from '../common/error-response.js';
import { streamConfig, type StreamConfig } from '../config/stream.config.js';
import { FleetWatch, watchDeadlineMs } from './fleet-watch.service.js';
import { STATUS_SOURCE, type StatusSource } from './status-source.js';
import {
  errorOutcome,
  eventFrame,
  isRoomGone,
  sameOutcome,
  type CloseReason,
  type RoomState,
  type StreamOutcome,
} from './stream-event.js';
import { StreamStats } from './stream-stats.js';

/** A stream as the watcher sees it. */
export interface RoomSubscriber {
  readonly started: boolean;
  send(frame: Buffer): boolean;
  end(reason: CloseReason, frame?: Buffer): void;
}

class WatchedRoom {
  readonly subscribers = new Set<RoomSubscriber>();
  state: RoomState | undefined;
  leader = false;
  stopped = false;
  timer: NodeJS.Timeout | undefined;
  due = 0;
  linger: NodeJS.Timeout | undefined;
  readonly ready: Promise<void>;
  markReady!: () => void;

  constructor(readonly name: string) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }
}

/**
 * One watcher per room with subscribers: it asks for the room's status every
 * STATUS_WATCH_INTERVAL_MS and sends one event to every subscriber when it changed (the status,
 * or the failure of asking). It stops a few seconds after the last subscriber leaves. With Redis,
 * one instance watches each room for the fleet (FleetWatch) and the others follow it.
 */
@Injectable()
export class StatusWatchService implements OnModuleInit {
  private readonly logger = new Logger('StatusWatch');
  private readonly rooms = new Map<string, WatchedRoom>();
  private readonly intervalMs: number;
  private readonly lingerMs: number;
  private readonly deadlineMs: number;

  constructor(
    @Inject(STATUS_SOURCE) private readonly source: StatusSource,
    private readonly fleet: FleetWatch,
    private readonly stats: StreamStats,
    @Inject(streamConfig.KEY) config: StreamConfig,
  ) {
    this.intervalMs = config.watchIntervalMs;
    // A client reconnecting after its retry pause usually finds the room still watched.
    this.lingerMs = Math.min(2 * config.watchIntervalMs, 5000);
    this.deadlineMs = watchDeadlineMs(config);
  }

  onModuleInit(): void {
    this.fleet.listen((room, state) => {
      const watched = this.rooms.get(room);
      if (watched !== undefined && !watched.stopped) this.follow(watched, state);
    });
  }

  /** Rooms watched by this instance (for the fleet, or following another instance). */
  get size(): number {
    return this.rooms.size;
  }

  /**
   * Adds a subscriber, starting the room's watcher if needed; resolves with the room's state
   * once known (undefined if the watcher was stopped first: shutdown).
   */
  async subscribe(room: string, subscriber: RoomSubscriber): Promise<RoomState | undefined> {
    let watched = this.rooms.get(room);
    if (watched === undefined) {
      watched = new WatchedRoom(room);
      this.rooms.set(room, watched);
      void this.begin(watched);
    }
    clearTimeout(watched.linger);
    watched.linger = undefined;
    watched.subscribers.add(subscriber);
    await watched.ready;
    return watched.state;
  }

  unsubscribe(room: string, subscriber: RoomSubscriber): void {
    const watched = this.rooms.get(room);
    if (watched === undefined || !watched.subscribers.delete(subscriber)) return;
    if (watched.subscribers.size === 0) {
      watched.linger = setTimeout(() => this.stop(watched), this.lingerMs).unref();
    }
  }

  /** Stops every watcher (shutdown); leases go back to the fleet. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((watched) => this.stop(watched)));
  }

  private async begin(watched: WatchedRoom): Promise<void> {
    // Listening before the first round: no change published meanwhile is missed.
    await this.fleet.join(watched.name).catch((error: unknown) => {
      this.logger.warn(`stream channel: ${String(error)}`);
    });
    await this.round(watched);
  }

  private async round(watched: WatchedRoom): Promise<void> {
    try {
      const fleet = await this.fleet.tick(watched.name);
      watched.leader = fleet?.leader === true;
      if (fleet?.leader === false && fleet.state !== undefined) {
        this.follow(watched, fleet.state);
      } else {
        // Our turn for the fleet, no watcher has written yet, or no Redis: ask ourselves.
        const changed = this.record(watched, await this.ask(watched.name));
        if (watched.leader) this.fleet.share(watched.name, watched.state!, changed);
      }
    } catch (error) {
      this.logger.error(`watch round failed: ${String(error)}`, (error as Error | null)?.stack);
    } finally {
      watched.markReady();
      if (watched.state !== undefined && isRoomGone(watched.state.outcome)) this.close(watched);
      if (!watched.stopped) this.schedule(watched, this.intervalMs);
    }
  }

  // Never before `due`: a round must find the previous answer as old as the interval, or the
  // cache (which reuses answers younger than the interval) would hand it back, a round late.
  private schedule(watched: WatchedRoom, delayMs: number): void {
    watched.due = Date.now() + delayMs;
    watched.timer = setTimeout(() => this.onTimer(watched), delayMs).unref();
  }

  private onTimer(watched: WatchedRoom): void {
    if (watched.stopped) return;
    const early = watched.due - Date.now();
    if (early > 0) watched.timer = setTimeout(() => this.onTimer(watched), early).unref();
    else void this.round(watched);
  }

  private async ask(room: string): Promise<StreamOutcome> {
    try {
      const status = await this.source.fetchStatus(room, Date.now() + this.deadlineMs);
      this.stats.watcherLookups.ok++;
      return { status };
    } catch (error) {
      this.stats.watcherLookups.error++;
      if (toErrorResponse(error).unexpected) {
        this.logger.error(`status lookup failed: ${String(error)}`, (error as Error | null)?.stack);
      }
      return errorOutcome(error);
    }
  }

  /** A state the fleet's watcher shared; an older one arriving late is ignored. */
  private follow(watched: WatchedRoom, state: RoomState): void {
    const current = watched.state;
    if (current !== undefined && state.version <= current.version) return;
    this.record(watched, state.outcome, state.version);
    if (isRoomGone(state.outcome)) this.close(watched);
  }

  /** On a change: a new version and one event to every started subscriber. */
  private record(watched: WatchedRoom, outcome: StreamOutcome, version?: number): boolean {
    const previous = watched.state;
    if (previous !== undefined && sameOutcome(previous.outcome, outcome)) return false;
    const next = {
      version: version ?? Math.max(Date.now(), (previous?.version ?? 0) + 1),
      outcome,
    };
    watched.state = next;
    const frame = Buffer.from(eventFrame(next));
    let sent = 0;
    for (const subscriber of watched.subscribers) {
      if (subscriber.started && subscriber.send(frame)) sent++;
    }
    this.stats.eventsSent[outcome.status !== undefined ? 'status' : 'error'] += sent;
    return true;
  }

  /** The room is gone: its streams end (their clients get 404 when they reconnect). */
  private close(watched: WatchedRoom): void {
    for (const subscriber of [...watched.subscribers]) {
      if (subscriber.started) subscriber.end('room_gone');
    }
    void this.stop(watched);
  }

  private stop(watched: WatchedRoom): Promise<void> {
    if (watched.stopped) return Promise.resolve();
    watched.stopped = true;
    clearTimeout(watched.timer);
    clearTimeout(watched.linger);
    if (this.rooms.get(watched.name) === watched) this.rooms.delete(watched.name);
    watched.markReady();
    return this.fleet.leave(watched.name, watched.leader);
  }
}
