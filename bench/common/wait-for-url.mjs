/**
 * Waits until a local server answers 200 at `url`, polling every 300 ms; throws after `ms`
 * naming the address. Shared by the bench runners that start their own Vite (browser-train,
 * its old-build recorder, studio-ab). Plain .mjs so the Node-run .mjs runners import it as is.
 */
export async function waitForUrl(url, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
