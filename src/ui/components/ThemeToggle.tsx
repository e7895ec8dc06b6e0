/** System / light / dark theme switch (kept in localStorage). */
import { useId, useState } from 'react';
import { setTheme, storedTheme, type ThemeChoice } from '../../app/theme';

export function ThemeToggle() {
  const id = useId();
  const [choice, setChoice] = useState<ThemeChoice>(() => storedTheme());
  return (
    <span className="row small">
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={choice}
        data-testid="theme-select"
        onChange={(e) => {
          const next = e.target.value as ThemeChoice;
          setChoice(next);
          setTheme(next);
        }}
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </span>
  );
}
