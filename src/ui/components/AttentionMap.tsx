/**
 * A token-to-token attention heatmap on a canvas: pick a layer and a head (or the mean over
 * heads). Rows are the attending token (query), columns the attended one (key); each row sums to 1.
 * Hovering a cell names both tokens and the weight.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { AttentionMaps } from '../../core/pipeline';
import { attentionMatrix, cellColour, type HeadChoice } from '../inside/attention';

export interface AttentionMapProps {
  maps: AttentionMaps;
  tokens: readonly string[];
}

const LABEL = 72; // px for the token labels on the left and top

export function AttentionMap({ maps, tokens }: AttentionMapProps) {
  const layerId = useId();
  const headId = useId();
  const [layer, setLayer] = useState(maps.layers - 1);
  const [head, setHead] = useState<HeadChoice>('mean');
  const [hover, setHover] = useState<{ q: number; k: number } | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const S = maps.length;
  const cell = Math.max(3, Math.min(18, Math.floor(480 / Math.max(1, S))));
  const size = LABEL + cell * S;
  const safeLayer = Math.min(layer, maps.layers - 1);
  const matrix = useMemo(() => attentionMatrix(maps, safeLayer, head), [maps, safeLayer, head]);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = globalThis.devicePixelRatio || 1;
    c.width = size * dpr;
    c.height = size * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    let max = 0;
    for (const v of matrix) if (v > max) max = v;
    for (let q = 0; q < S; q++) {
      for (let k = 0; k < S; k++) {
        const [r, g, b] = cellColour(matrix[q * S + k], max);
        ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
        ctx.fillRect(LABEL + k * cell, LABEL + q * cell, cell, cell);
      }
    }
    ctx.strokeStyle = 'rgba(128, 128, 128, 0.6)';
    ctx.strokeRect(LABEL - 0.5, LABEL - 0.5, cell * S + 1, cell * S + 1);
    if (cell >= 8) {
      const fg = getComputedStyle(c).color || '#222';
      ctx.fillStyle = fg;
      ctx.font = `${Math.min(11, cell)}px system-ui, sans-serif`;
      ctx.textBaseline = 'middle';
      const clip = (t: string) => (t.length > 10 ? `${t.slice(0, 9)}…` : t);
      ctx.textAlign = 'right';
      for (let q = 0; q < S; q++) ctx.fillText(clip(tokens[q] ?? ''), LABEL - 4, LABEL + q * cell + cell / 2);
      ctx.save();
      ctx.textAlign = 'left';
      for (let k = 0; k < S; k++) {
        ctx.save();
        ctx.translate(LABEL + k * cell + cell / 2, LABEL - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(clip(tokens[k] ?? ''), 0, 0);
        ctx.restore();
      }
      ctx.restore();
    }
  }, [matrix, S, cell, size, tokens]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const k = Math.floor((e.clientX - r.left - LABEL) / cell);
    const q = Math.floor((e.clientY - r.top - LABEL) / cell);
    setHover(q >= 0 && k >= 0 && q < S && k < S ? { q, k } : null);
  };

  return (
    <figure className="stack" data-testid="attention-view" style={{ margin: 0 }}>
      <div className="row small">
        <label htmlFor={layerId}>Layer</label>
        <select id={layerId} value={safeLayer} onChange={(e) => setLayer(Number(e.target.value))} data-testid="attention-layer">
          {Array.from({ length: maps.layers }, (_, l) => (
            <option key={l} value={l}>
              {l + 1}
            </option>
          ))}
        </select>
        <label htmlFor={headId}>Head</label>
        <select id={headId} value={String(head)} onChange={(e) => setHead(e.target.value === 'mean' ? 'mean' : Number(e.target.value))} data-testid="attention-head">
          <option value="mean">mean of {maps.heads} heads</option>
          {Array.from({ length: maps.heads }, (_, h) => (
            <option key={h} value={h}>
              {h + 1}
            </option>
          ))}
        </select>
      </div>
      <div style={{ overflow: 'auto', maxWidth: '100%' }}>
        <canvas
          ref={canvas}
          data-testid="attention-map"
          style={{ width: size, height: size, display: 'block' }}
          role="img"
          aria-label={`Attention of layer ${safeLayer + 1}, ${head === 'mean' ? 'mean over heads' : `head ${head + 1}`}: ${S} × ${S} tokens`}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
        />
      </div>
      <figcaption className="small muted" aria-live="polite">
        {hover
          ? `“${tokens[hover.q]}” (row ${hover.q}) attends to “${tokens[hover.k]}” (column ${hover.k}) with weight ${matrix[hover.q * S + hover.k].toFixed(3)}`
          : 'Rows: the attending token; columns: the token attended to. Darker is more attention (scaled to the largest weight shown).'}
      </figcaption>
    </figure>
  );
}
