/**
 * First visit, nothing dropped: a prominent "Try the demo" that trains a small BERT in this tab.
 * It promises no duration: the demo times a step on this device first and says what it chose
 * (DemoSizeNote) before training.
 */
export function DemoHero({ onTryDemo, disabled }: { onTryDemo: () => void; disabled: boolean }) {
  return (
    <section className="panel hero" aria-labelledby="hero-title" data-testid="demo-hero">
      <h2 id="hero-title">Fine-tune BERT in this tab</h2>
      <p>
        No files yet? The demo generates a small question-answering set (made-up facts such as a city’s river or a person’s birth year), trains a small BERT from scratch on
        your GPU (or whatever this page runs on), then lets you ask it questions. Nothing is uploaded anywhere.
      </p>
      <p className="small" data-testid="demo-hero-sizing">
        It sizes itself to this device: it first times a training step here, then picks the steps, model width and data to aim for about a minute on a real GPU and a few
        minutes on a software renderer or without a GPU, and tells you what it chose.
      </p>
      <button type="button" className="primary big" onClick={onTryDemo} disabled={disabled}>
        Try the demo
      </button>
      <p className="small">Or drop your own BERT, vocabulary and dataset below.</p>
    </section>
  );
}
