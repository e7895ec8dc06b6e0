/** A titled section of the page (a landmark with an accessible name). */
import { useId, type ReactNode } from 'react';

export function Panel({ title, actions, children, testId, className = '' }: { title: string; actions?: ReactNode; children: ReactNode; testId?: string; className?: string }) {
  const id = useId();
  return (
    <section className={`panel ${className}`} aria-labelledby={id} data-testid={testId}>
      <header>
        <h2 id={id}>{title}</h2>
        <span className="spacer" />
        {actions}
      </header>
      {children}
    </section>
  );
}
