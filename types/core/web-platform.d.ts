// The web-platform globals that src/core may use: the ones that browsers, workers and Node all
// provide with the same meaning (text codecs, abort signals, a clock, SHA-256, Blob reads,
// structuredClone). Used only by tsconfig.core.json, which has neither DOM nor Node types, so any
// other global (document, window, indexedDB, navigator, process, Buffer, fs…) is a type error in core.
// Declared as the narrow subset core needs; each matches the WHATWG / W3C definition.
export {};

declare global {
  interface TextDecoderOptions { fatal?: boolean; ignoreBOM?: boolean }
  interface TextDecodeOptions { stream?: boolean }
  class TextDecoder {
    constructor(label?: string, options?: TextDecoderOptions);
    readonly encoding: string;
    decode(input?: ArrayBufferView | ArrayBuffer, options?: TextDecodeOptions): string;
  }
  class TextEncoder {
    encode(input?: string): Uint8Array<ArrayBuffer>;
    encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
  }

  interface AbortSignal {
    readonly aborted: boolean;
    readonly reason: unknown;
    throwIfAborted(): void;
    addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
    removeEventListener(type: 'abort', listener: () => void): void;
  }
  class AbortController {
    readonly signal: AbortSignal;
    abort(reason?: unknown): void;
  }
  class DOMException extends Error {
    constructor(message?: string, name?: string);
  }

  const performance: { now(): number };
  const crypto: {
    getRandomValues<T extends ArrayBufferView>(array: T): T;
    randomUUID(): string;
    subtle: { digest(algorithm: 'SHA-256' | 'SHA-1', data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer> };
  };
  function structuredClone<T>(value: T): T;
  function setTimeout(handler: () => void, timeout?: number): unknown;
  function clearTimeout(id: unknown): void;
  // For yielding one macrotask between training steps (core/train/yield-to-event-loop.ts):
  // unlike nested setTimeout(0) it is not clamped to 4 ms; Node (>= 15), workers and pages have it.
  class MessageChannel {
    readonly port1: MessagePort;
    readonly port2: MessagePort;
  }
  interface MessagePort {
    onmessage: ((event: unknown) => void) | null;
    postMessage(message: unknown): void;
    close(): void;
  }

  interface Blob {
    readonly size: number;
    readonly type: string;
    slice(start?: number, end?: number, contentType?: string): Blob;
    arrayBuffer(): Promise<ArrayBuffer>;
    text(): Promise<string>;
    stream(): { getReader(): { read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>; releaseLock(): void } };
  }
  interface File extends Blob {
    readonly name: string;
    readonly lastModified: number;
  }
}
