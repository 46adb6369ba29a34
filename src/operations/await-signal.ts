/**
 * The first SIGTERM or SIGINT, listened for from the call on; `stop` stops listening. A command
 * listens before it prints its start line: a supervisor that stops the process the moment it
 * reads that line gets a graceful shutdown, not the default kill.
 */
export function awaitSignal(): { received: Promise<string>; stop(): void } {
  let handlers: [NodeJS.Signals, () => void][] = [];
  const received = new Promise<string>((done) => {
    handlers = (['SIGTERM', 'SIGINT'] as const).map((name) => [name, () => done(name)]);
    for (const [name, handler] of handlers) process.once(name, handler);
  });
  return {
    received,
    stop: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
