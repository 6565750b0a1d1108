// A random RFC 4122 version 4 UUID. crypto.randomUUID exists only in secure contexts
// (https, localhost); plain-http pages fall back to getRandomValues with the same format,
// which the collector's UUID column requires.

export const uuid = () =>
  crypto.randomUUID
    ? crypto.randomUUID()
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (d) =>
        (d ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (d / 4)))).toString(16)
      );
