const encoder = new TextEncoder();

interface NodeDigest {
  update(data: string | Uint8Array): { digest(): Uint8Array; digest(encoding: "hex"): string };
}

type NodeCrypto = {
  createHash(algorithm: string): NodeDigest;
  createHmac(algorithm: string, key: string | object | Uint8Array): NodeDigest;
  createSecretKey?(key: Uint8Array): object;
};

/** `node:crypto` once looked up: `undefined` until the first hash, `null` when the runtime has none. */
let nodeCryptoModule: NodeCrypto | null | undefined;

/**
 * Node's (and Bun's, Deno's) synchronous hashing when the runtime has it; Web Crypto otherwise.
 * Looked up at the first hash, not at import: loading `node:crypto` costs a cold import of
 * otzovik several milliseconds (issue 13), and the parsers never hash.
 */
function nodeCrypto(): NodeCrypto | null {
  if (nodeCryptoModule !== undefined) return nodeCryptoModule;
  try {
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process?.getBuiltinModule;
    nodeCryptoModule = (getBuiltin?.("node:crypto") as NodeCrypto | undefined) ?? null;
  } catch {
    nodeCryptoModule = null;
  }
  return nodeCryptoModule;
}

/** SHA-256 of a string. */
async function digest(value: string): Promise<Uint8Array> {
  const node = nodeCrypto();
  if (node) return new Uint8Array(node.createHash("sha256").update(value).digest());
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

/**
 * Compares presented secrets with known ones in constant time: both sides are hashed first (so
 * lengths do not leak), every known secret is compared (so which one matched does not leak), and
 * bytes are compared without early exit. The known secrets are hashed once, up front.
 *
 * @param known - The secrets to accept (webhook keys, several during a rotation).
 * @returns A function resolving the index of the matching known secret, or `-1`.
 */
export function secretMatcher(known: readonly string[]): (presented: string) => Promise<number> {
  const references = Promise.all(known.map(digest));
  return async (presented) => {
    const candidate = await digest(presented);
    let found = -1;
    const refs = await references;
    for (let i = 0; i < refs.length; i++) {
      const reference = refs[i] as Uint8Array;
      let diff = 0;
      for (let b = 0; b < reference.length; b++)
        diff |= (reference[b] as number) ^ (candidate[b] as number);
      if (diff === 0 && found === -1) found = i;
    }
    return found;
  };
}

/** SHA-256 of a string as lowercase hex: a stable, non-reversible key part. */
export async function sha256Hex(value: string): Promise<string> {
  return hex(await digest(value));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A keyed hash (HMAC-SHA-256, first 128 bits as hex): stable for one secret on every process and
 * runtime, and not reversible without the secret — unlike a plain hash of a phone number, which
 * anyone can reverse by hashing every number.
 *
 * @param secret - The key, or a function giving it; read on the first hash, not before (Workers
 *   allow no random values at start-up).
 * @returns A function hashing values with that key.
 */
export function keyedHasher(secret: string | (() => string)): (value: string) => Promise<string> {
  let key: string | null = null;
  let nodeKey: string | object | null = null;
  let webKey: Promise<CryptoKey> | null = null;
  const keyText = () => {
    key ??= typeof secret === "function" ? secret() : secret;
    return key;
  };
  return async (value) => {
    const node = nodeCrypto();
    if (node) {
      // A key object is imported once, not on every hash (a string key is, each time).
      nodeKey ??= node.createSecretKey?.(encoder.encode(keyText())) ?? keyText();
      return node.createHmac("sha256", nodeKey).update(value).digest("hex").slice(0, 32);
    }
    webKey ??= crypto.subtle.importKey(
      "raw",
      encoder.encode(keyText()),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const signature = await crypto.subtle.sign("HMAC", await webKey, encoder.encode(value));
    return hex(new Uint8Array(signature)).slice(0, 32);
  };
}

/** A random secret for this process (hex), for keyed hashes that need not outlive it. */
export function randomSecret(): string {
  return hex(crypto.getRandomValues(new Uint8Array(32)));
}

/** SHA-256 of bytes. */
export async function sha256Bytes(data: Uint8Array): Promise<Uint8Array> {
  const node = nodeCrypto();
  if (node) return new Uint8Array(node.createHash("sha256").update(data).digest());
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

/**
 * HMAC-SHA-256 of bytes under a key given as bytes (a webhook signing secret). The key must not
 * be empty (Web Crypto refuses an empty HMAC key).
 */
export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const node = nodeCrypto();
  if (node) return new Uint8Array(node.createHmac("sha256", key).update(data).digest());
  let webKey = webHmacKeys.get(key);
  if (webKey === undefined) {
    webKey = crypto.subtle.importKey(
      "raw",
      key as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    webHmacKeys.set(key, webKey);
  }
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", await webKey, data as Uint8Array<ArrayBuffer>),
  );
}

/** Web Crypto keys imported once per key array (a receiver keeps its key for its lifetime). */
const webHmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/**
 * Whether two byte strings are equal, in time that depends on their length only (no early exit on
 * the first differing byte). Lengths are compared first: the length of a MAC or a digest is public.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return hex(bytes);
}

/** Bytes of a hex string (either case), or `null` when it is not hex of whole bytes. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Bytes of standard base64 (with `+`, `/` and `=` padding), or `null` when it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text))
    return null;
  try {
    const binary = atob(text);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Standard base64 (with padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
