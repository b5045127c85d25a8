/** How many characters a link token has: 6 random bytes in base64url. */
export const LINK_TOKEN_LENGTH = 8;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const TOKEN = /^[A-Za-z0-9_-]{8}$/;

/**
 * A new link token: 6 bytes (48 bits) from the platform's `crypto.getRandomValues` as 8 base64url
 * characters. Random, so it says nothing of the order, the phone or the business, and cannot be
 * guessed: among a million live links, a guess finds one with odds of about 1 in 280 million.
 */
export function newLinkToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  let token = "";
  for (let i = 0; i < 6; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    token +=
      (ALPHABET[(n >>> 18) & 63] as string) +
      (ALPHABET[(n >>> 12) & 63] as string) +
      (ALPHABET[(n >>> 6) & 63] as string) +
      (ALPHABET[n & 63] as string);
  }
  return token;
}

/** `true` when `value` has a token's shape (exactly 8 base64url characters): checked before any store read. */
export function isLinkToken(value: string): boolean {
  return TOKEN.test(value);
}
