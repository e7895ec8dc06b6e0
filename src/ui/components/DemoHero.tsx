/** First visit, nothing dropped: a prominent "Try the demo" that trains a small BERT in this tab. */
export function DemoHero({ onTryDemo, disabled }: { onTryDemo: () => void; disabled: boolean }) {
  return (
    <section className="panel hero" aria-labelledby="hero-title" data-testid="demo-hero">
      <h2 id="hero-title">Fine-tune BERT in this tab</h2>
      <p>
        No files yet? The demo generates a small question-answering set (made-up facts such as a city’s river or a person’s birth year), trains a small BERT from scratch on
        your GPU in about a minute, then lets you ask it questions. Nothing is uploaded anywhere.
      </p>
      <button type="button" className="primary big" onClick={onTryDemo} disabled={disabled}>
        Try the demo
      </button>
      <p className="small">Or drop your own BERT, vocabulary and dataset below.</p>
    </section>
  );
}
