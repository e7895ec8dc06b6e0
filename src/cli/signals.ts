/**
 * Ctrl-C and `kill` during a long command: the first SIGINT or SIGTERM asks the command to stop
 * at its next step boundary (it then saves and exits 130 / 143); a second one of either exits at
 * once with that signal's code.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** 128 + the signal's number, as shells report it. */
export function exitCodeOf(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

export interface InterruptWatch {
  /** The first signal received, or null. */
  readonly received: StopSignal | null;
  dispose(): void;
}

/** `where()` says how far the command got ("at step 12"), for the message. */
export function watchInterrupts(onFirst: (signal: StopSignal) => void, write: (line: string) => void = (l) => process.stderr.write(l + '\n'), where: () => string = () => ''): InterruptWatch {
  let received: StopSignal | null = null;
  const handler = (signal: StopSignal) => {
    if (received) {
      write(`${signal} again: exiting now (the last saved checkpoint is kept)`);
      process.exit(exitCodeOf(signal));
    }
    received = signal;
    const at = where();
    write(`${signal}${at ? ` ${at}` : ''}: stopping at the next step boundary and saving a checkpoint (send it again to exit at once)`);
    onFirst(signal);
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get received() {
      return received;
    },
    dispose() {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
    },
  };
}
