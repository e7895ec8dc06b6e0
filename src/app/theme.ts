/**
 * Light / dark theme: follows prefers-color-scheme unless the user picked one, which is kept in
 * localStorage and set as <html data-theme="light|dark">. The CSS reads the attribute first.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'tabtune.theme';

export function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage blocked: the choice holds for this page only
  }
  applyTheme(choice);
}

export function applyTheme(choice: ThemeChoice): void {
  const el = document.documentElement;
  if (choice === 'system') el.removeAttribute('data-theme');
  else el.setAttribute('data-theme', choice);
}

export function applyStoredTheme(): void {
  applyTheme(storedTheme());
}

/** The theme in effect (for charts, which draw on canvas and need concrete colours). */
export function effectiveTheme(): 'light' | 'dark' {
  const attr = document.documentElement.getAttribute('data-theme');
  if (attr === 'light' || attr === 'dark') return attr;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
