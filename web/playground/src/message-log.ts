import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';

// Every JSON-RPC message the playground exchanges, with the server (over HTTP) and with the
// widget (over postMessage), in order, with when it went and, for a response, how long it took.

export type Channel = 'server' | 'widget';

export interface LoggedMessage {
  seq: number;
  channel: Channel;
  /** `out`: the playground (the host) sent it; `in`: it received it. */
  direction: 'out' | 'in';
  /** Milliseconds since the page loaded. */
  at: number;
  /** For a response: milliseconds since its request. */
  tookMs: number | undefined;
  /** The HTTP status it came with, when not 200 (a refusal the SDK turns into an exception). */
  httpStatus?: number;
  message: JSONRPCMessage;
}

export class MessageLog {
  readonly entries: LoggedMessage[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly pending = new Map<string, number>();
  private links = 0;

  /** `link`: which connection (each widget's bridge, each server connection): ids repeat across them. */
  record(channel: Channel, direction: 'out' | 'in', message: JSONRPCMessage, httpStatus?: number, link = 0): void {
    const at = performance.now();
    const id = 'id' in message ? message.id : undefined;
    const isRequest = 'method' in message;
    // Requests go both ways (the widget asks the host too): key each by who asked.
    const asker = isRequest ? direction : direction === 'in' ? 'out' : 'in';
    const key = `${channel}:${link}:${asker}:${String(id)}`;
    let tookMs: number | undefined;
    if (id !== undefined && isRequest) this.pending.set(key, at);
    else if (id !== undefined && this.pending.has(key)) {
      tookMs = Math.round(at - this.pending.get(key)!);
      this.pending.delete(key);
    }
    this.entries.push({ seq: this.entries.length + 1, channel, direction, at: Math.round(at), tookMs, httpStatus, message });
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The same transport, with what it sends and receives recorded on `channel`. */
  wrap<T extends Transport>(transport: T, channel: Channel): T {
    const log = this;
    const link = ++this.links;
    return new Proxy(transport, {
      get(target, key) {
        if (key === 'send') {
          return (message: JSONRPCMessage, ...rest: unknown[]) => {
            log.record(channel, 'out', message, undefined, link);
            return (target.send as (...args: unknown[]) => Promise<void>).call(target, message, ...rest);
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
      set(target, key, value) {
        if (key !== 'onmessage' || typeof value !== 'function') return Reflect.set(target, key, value, target);
        const deliver = value as (message: JSONRPCMessage, ...rest: unknown[]) => void;
        return Reflect.set(target, key, (message: JSONRPCMessage, ...rest: unknown[]) => {
          log.record(channel, 'in', message, undefined, link);
          deliver(message, ...rest);
        }, target);
      },
    });
  }
}
