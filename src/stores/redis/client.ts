/**
 * One minimal connection over either Redis client, so the store never imports one: it sends a
 * command as strings and reads the reply, and says whether the client can send now. The client
 * kind is told apart by shape: ioredis has `status`, `call` and `evalsha`; node-redis (v4 and
 * later) has `sendCommand` and `isOpen`.
 */

/**
 * The part of an ioredis client (v5 or later, `new Redis(…)`) the Redis store uses. Any ioredis
 * `Redis` instance has it; the store finds out which client it was given by these members.
 */
export interface IoredisClientLike {
  /** The connection state: `"ready"`, `"connecting"`, `"reconnecting"`, `"end"`, …. */
  readonly status: string;
  /** Sends any command: `call("SET", ["key", "value"])`. */
  call(command: string, args: string[]): Promise<unknown>;
  /** Runs a cached Lua script (only its presence is checked; the store sends `EVALSHA` by `call`). */
  evalsha(...args: never[]): unknown;
  /** Subscribes to `ready` and `end`. */
  on(event: "ready" | "end", listener: () => void): unknown;
  /** Unsubscribes from `ready` and `end`. */
  off(event: "ready" | "end", listener: () => void): unknown;
}

/**
 * The part of a node-redis client (`createClient(…)` of `redis` v4 or later) the Redis store
 * uses. The client must be connected (`await client.connect()`) by its owner.
 */
export interface NodeRedisClientLike {
  /** `true` from `connect()` until the client is closed. */
  readonly isOpen: boolean;
  /** `true` while the connection is up and can take commands. */
  readonly isReady?: boolean;
  /** Sends any command: `sendCommand(["SET", "key", "value"])`. */
  sendCommand(args: string[]): Promise<unknown>;
  /** Subscribes to `ready` and `end`. */
  on(event: "ready" | "end", listener: () => void): unknown;
  /** Unsubscribes from `ready` and `end`. */
  off(event: "ready" | "end", listener: () => void): unknown;
}

/** A client the Redis store accepts: ioredis or node-redis. */
export type RedisClientLike = IoredisClientLike | NodeRedisClientLike;

/** Which client library a connection drives. */
export type RedisClientType = "ioredis" | "node-redis";

/**
 * Whether the client can take a command now (`ready`), may later (`pending`: connecting or
 * reconnecting), or never will (`closed`: quit, or a node-redis client never connected).
 */
export type ConnectionState = "ready" | "pending" | "closed";

/** What the store sends through. */
export interface Connection {
  /** The client library. */
  readonly type: RedisClientType;
  /** See {@link ConnectionState}. */
  state(): ConnectionState;
  /** Resolves at the client's next `ready` or `end` event (one listener, however many wait). */
  changed(): Promise<void>;
  /** Sends `command` with `args`; resolves with the client's reply. */
  send(command: string, args: string[]): Promise<unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}

/** The client's kind, or `null` when it is neither an ioredis nor a node-redis client. */
export function clientType(client: unknown): RedisClientType | null {
  if (!isObject(client) || typeof client.on !== "function" || typeof client.off !== "function")
    return null;
  if (
    typeof client.status === "string" &&
    typeof client.call === "function" &&
    typeof client.evalsha === "function"
  )
    return "ioredis";
  if (typeof client.sendCommand === "function" && typeof client.isOpen === "boolean")
    return "node-redis";
  return null;
}

/** Wraps a client {@link clientType} accepted. */
export function connect(client: RedisClientLike): Connection {
  const type = clientType(client);
  if (type === null) throw new TypeError("not a Redis client");
  let waiting: Promise<void> | null = null;
  const changed = (): Promise<void> => {
    waiting ??= new Promise<void>((resolve) => {
      const done = (): void => {
        client.off("ready", done);
        client.off("end", done);
        waiting = null;
        resolve();
      };
      client.on("ready", done);
      client.on("end", done);
    });
    return waiting;
  };

  if (type === "ioredis") {
    const io = client as IoredisClientLike;
    return {
      type,
      // `wait` is a lazyConnect client not connected yet: its first command connects it.
      state: () =>
        io.status === "ready" || io.status === "wait"
          ? "ready"
          : io.status === "end"
            ? "closed"
            : "pending",
      changed,
      send: (command, args) => io.call(command, args),
    };
  }
  const node = client as NodeRedisClientLike;
  return {
    type,
    state: () =>
      !node.isOpen
        ? "closed"
        : (typeof node.isReady === "boolean" ? node.isReady : true)
          ? "ready"
          : "pending",
    changed,
    send: (command, args) => node.sendCommand([command, ...args]),
  };
}
