/**
 * Stops a server whose parent process went away (issue 13, item 13). A supervisor that stops
 * `npm start` signals npm; npm passes SIGTERM to its script's shell, and a shell that did not
 * `exec` node dies and leaves node running, adopted by init. `npm start` now `exec`s node, so
 * the signal reaches it; this watch covers what remains: npm killed outright (SIGKILL), or an
 * older script without `exec`. It is on only under npm (npm sets `npm_lifecycle_event` for
 * its scripts) or when PRISM_EXIT_WITH_PARENT=1: a process that was detached on purpose
 * (`nohup … &`) is also reparented and must keep running.
 */

/** How often the parent is checked; a stop starts at most this long after the parent is gone. */
const POLL_MS = 1000;

/** Whether this process should stop when its parent goes away. */
export function shouldWatchParent(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.PRISM_EXIT_WITH_PARENT !== undefined) return env.PRISM_EXIT_WITH_PARENT === '1' || env.PRISM_EXIT_WITH_PARENT === 'true';
  return env.npm_lifecycle_event !== undefined;
}

/**
 * Calls `gone` once when this process's parent changes (it died and the process was adopted).
 * Returns the stop of the watch. The timer does not keep the process alive.
 */
export function watchParent(gone: () => void, pollMs = POLL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    gone();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
