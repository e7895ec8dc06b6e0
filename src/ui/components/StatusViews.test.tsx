// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { estimateRun } from '../settings/estimate';
import { BackendBadge } from './BackendBadge';
import { EstimateView } from './EstimateView';
import { PhaseProgress } from './PhaseProgress';

afterEach(cleanup);

describe('PhaseProgress', () => {
  it('gives every phase a labelled <progress> with done / total', () => {
    render(
      <PhaseProgress
        phases={[
          { phase: 'tokenizing', done: 3668, total: 3668 },
          { phase: 'epoch', done: 40, total: 115, label: 'Epoch 2 of 3' },
          { phase: 'evaluating', done: 0, total: 0 },
        ]}
      />,
    );
    const tok = screen.getByLabelText('Tokenizing') as HTMLProgressElement;
    expect([tok.value, tok.max]).toEqual([3668, 3668]);
    expect(screen.getByTestId('phase-tokenizing').textContent).toContain('3,668 / 3,668 ✓');
    const epoch = screen.getByLabelText('Epoch 2 of 3') as HTMLProgressElement;
    expect([epoch.value, epoch.max]).toEqual([40, 115]);
    expect(screen.getByTestId('phase-epoch').textContent).toContain('40 / 115');
    expect(screen.getByLabelText('Evaluating (size unknown)').hasAttribute('value')).toBe(false);
  });
});

describe('BackendBadge', () => {
  it('names the backend and why better ones were not used', () => {
    render(<BackendBadge backend={{ name: 'wasm', tried: [{ name: 'webgpu', reason: 'navigator.gpu is missing' }, { name: 'webgl', reason: 'no WebGL2 context' }] }} />);
    const badge = screen.getByTestId('backend-badge');
    expect(badge.getAttribute('data-backend')).toBe('wasm');
    expect(badge.textContent).toContain('wasm');
    const note = screen.getByRole('note');
    expect(note.textContent).toContain('WebGPU not used: navigator.gpu is missing');
    expect(note.textContent).toContain('WebGL not used: no WebGL2 context');
  });
  it('says when the fastest backend runs', () => {
    render(<BackendBadge backend={{ name: 'webgpu', tried: [] }} />);
    expect(screen.getByRole('note').textContent).toContain('fastest backend');
  });
});

describe('EstimateView', () => {
  const base = { parameters: 109_482_240, vocabSize: 30522, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512 };
  it('shows memory, steps, compute and time per epoch, and warns when it will not fit a laptop GPU', () => {
    const e = estimateRun({ model: base, maxSeqLength: 128, batchSize: 32, trainExamples: 3668, windowed: false, epochs: 3, backend: 'webgpu' });
    render(<EstimateView estimate={e} backend="webgpu" />);
    const text = screen.getByTestId('estimate').textContent ?? '';
    expect(text).toContain('GPU memory: ≈ 6.69 GB');
    expect(text).toContain('≈ 115 steps, ≈ 248 TFLOP, ≈ 10:20');
    expect(text).toContain('assuming 400 GFLOP/s on webgpu');
    expect(text).toContain('may not fit a laptop GPU');
  });
  it('marks SQuAD numbers as lower bounds and uses the measured speed', () => {
    const e = estimateRun({ model: base, maxSeqLength: 384, batchSize: 12, trainExamples: 1190, windowed: true, epochs: 2, backend: 'webgpu', measuredSequencesPerSec: 10 });
    render(<EstimateView estimate={e} backend="webgpu" />);
    expect(screen.getByTestId('estimate-time').textContent).toBe('1:59');
    expect(screen.getByTestId('estimate').textContent).toContain('≥ 100 steps');
    expect(screen.getByTestId('estimate').textContent).toContain('(at the measured speed)');
  });
});
