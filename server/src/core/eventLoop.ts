/**
 * Two turns of the event loop. The first lets the poll phase read what the
 * client sent meanwhile; the second lets the JSON-RPC connection dispatch it
 * (it runs its handlers from an immediate). A newer edit waiting in the pipe
 * has then reached the language server, so a check for cancellation after
 * this sees it.
 */
export async function letPendingMessagesIn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}
