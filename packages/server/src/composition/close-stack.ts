/**
 * The composition root's one stack of close functions: every long-lived resource pushes its
 * close when it is created, and `close()` runs them in reverse order (transports before the
 * services they feed, services before the database). Closing twice is harmless.
 */
export interface CloseStack {
  push(close: () => Promise<void>): void;
  close(): Promise<void>;
}

export function createCloseStack(): CloseStack {
  const closers: (() => Promise<void>)[] = [];
  return {
    push(close) {
      closers.push(close);
    },
    async close() {
      while (closers.length > 0) await closers.pop()?.();
    },
  };
}
