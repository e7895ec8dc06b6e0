/** Which TensorFlow.js backend runs, and (on click) why the better ones were not used. */
import type { BackendName } from '../../protocol/events';

export interface BackendInfo {
  name: BackendName;
  tried: Array<{ name: BackendName; reason: string }>;
  /** WebGPU: the adapter (vendor / architecture / device / description). */
  adapter?: string;
  /** The adapter emulates a GPU on the CPU (SwiftShader and the like). */
  softwareRenderer?: boolean;
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
const ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function BackendBadge({ backend }: { backend: BackendInfo | null }) {
  if (!backend) {
    return (
      <span className="badge" data-testid="backend-badge" data-backend="" title="WebGPU, WebGL, WASM or CPU: picked when training starts">
        backend: chosen at start
      </span>
    );
  }
  const soft = backend.softwareRenderer === true;
  const tone = backend.name === 'webgpu' && !soft ? 'ok' : backend.name === 'cpu' ? 'bad' : 'warn';
  const better = backend.tried.filter((t) => ORDER.indexOf(t.name) < ORDER.indexOf(backend.name));
  return (
    <span className="backend-badge">
      <details>
        <summary className={`badge ${tone}`} data-testid="backend-badge" data-backend={backend.name} data-software={soft ? 'true' : undefined} aria-label={`Backend: ${backend.name}${soft ? ' on a software renderer' : ''}. Show why`}>
          <span aria-hidden="true">●</span> {backend.name}
          {soft && <span data-testid="software-renderer"> · software renderer</span>}
        </summary>
        <div className="why" role="note">
          <strong>Training runs on {LABEL[backend.name]}.</strong>
          {backend.adapter && <p>Adapter: {backend.adapter}</p>}
          {soft && <p>This adapter is a software renderer: the GPU is emulated on the CPU (no GPU driver available to the browser), so training is much slower than on a real GPU.</p>}
          {better.length === 0 ? (
            <p>This is the fastest backend TensorFlow.js offers here.</p>
          ) : (
            <ul>
              {better.map((t) => (
                <li key={t.name}>
                  {LABEL[t.name]} not used: {t.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      </details>
    </span>
  );
}
