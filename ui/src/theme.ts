import { useEffect, useState } from 'preact/hooks';

/** Dark/light theme on <html data-theme>, remembered in localStorage, defaulting to the OS preference. */
const KEY = 'vigil.theme';
const listeners = new Set<(t: string) => void>();

function initial(): string {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'dark' || saved === 'light') return saved;
  } catch {
    /* storage unavailable */
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

let theme = initial();
document.documentElement.dataset['theme'] = theme;

export function setTheme(t: string): void {
  theme = t;
  document.documentElement.dataset['theme'] = t;
  try {
    localStorage.setItem(KEY, t);
  } catch {
    /* storage unavailable */
  }
  listeners.forEach((l) => l(t));
}

export function useTheme(): string {
  const [t, setT] = useState(theme);
  useEffect(() => {
    listeners.add(setT);
    return () => {
      listeners.delete(setT);
    };
  }, []);
  return t;
}
