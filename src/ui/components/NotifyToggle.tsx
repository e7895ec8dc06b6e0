/**
 * "Notify me when training ends": asks for the Notification permission only when pressed (never
 * on load), then says what the browser decided. Hidden where notifications do not exist.
 */
import { useState } from 'react';

type Permission = 'default' | 'granted' | 'denied' | 'unsupported';

function current(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export function NotifyToggle() {
  const [permission, setPermission] = useState<Permission>(current);
  if (permission === 'unsupported') return null;
  if (permission === 'granted') return <p className="small muted" data-testid="notify-state">A notification will say when training ends.</p>;
  if (permission === 'denied') return <p className="small muted" data-testid="notify-state">Notifications are blocked for this page; the tab’s title shows the progress instead.</p>;
  return (
    <button
      type="button"
      className="link small"
      onClick={() => void Notification.requestPermission().then((p) => setPermission(p), () => setPermission(current()))}
    >
      Notify me when training ends
    </button>
  );
}
