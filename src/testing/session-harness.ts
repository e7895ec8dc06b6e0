/**
 * A session for tests: every event it emits kept in order, `of(type)` to pick one kind. Storage
 * is in memory and the backend WASM unless the test passes its own.
 */
import { createMemoryRunStorage } from '../core/io';
import { createSession, type Session, type SessionEvent, type SessionEventOf, type SessionEventType, type SessionOptions } from '../core/session';

export interface SessionHarness {
  session: Session;
  events: SessionEvent[];
  of<T extends SessionEventType>(type: T): Array<SessionEventOf<T>>;
}

export interface HarnessOptions extends Partial<Omit<SessionOptions, 'emit'>> {
  /** Sees each event as it is emitted (after it is kept), with the session. */
  onEvent?: (event: SessionEvent, session: Session) => void;
}

export function sessionHarness({ onEvent, ...options }: HarnessOptions = {}): SessionHarness {
  const events: SessionEvent[] = [];
  const session: Session = createSession({
    storage: createMemoryRunStorage(),
    preferredBackend: 'wasm',
    ...options,
    emit: (e) => {
      events.push(e);
      onEvent?.(e, session);
    },
  });
  return { session, events, of: <T extends SessionEventType>(type: T) => events.filter((e): e is SessionEventOf<T> => e.type === type) };
}
