/**
 * The page <-> worker protocol, one module imported by both sides.
 * commands.ts: page -> worker; events.ts: worker -> page (the session's events and `ready`);
 * messages.ts: postCommand / postEvent (transfer ArrayBuffers); throttle.ts: step coalescing.
 */
export * from './commands';
export * from './events';
export * from './messages';
export * from './throttle';
