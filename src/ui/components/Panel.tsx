/** A titled section of the page (a landmark with an accessible name). */
import { useId, type ReactNode } from 'react';

/** `focusable`: the page may move focus to the panel (tabIndex -1), e.g. Progress on Start. */
export function Panel({ title, actions, children, testId, className = '', focusable }: { title: string; actions?: ReactNode; children: ReactNode; testId?: string; className?: string; focusable?: boolean }) {
  const id = useId();
  return (
    <section className={`panel ${className}`} aria-labelledby={id} data-testid={testId} tabIndex={focusable ? -1 : undefined}>
      <header>
        <h2 id={id}>{title}</h2>
        <span className="spacer" />
        {actions}
      </header>
      {children}
    </section>
  );
}
