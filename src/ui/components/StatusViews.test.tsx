// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { estimateRun, measuredTimes } from '../settings/estimate';
import type { RunEstimate } from '../../protocol/events';
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
  it('says when the WebGPU adapter is a software renderer (SwiftShader)', () => {
    render(<BackendBadge backend={{ name: 'webgpu', tried: [], adapter: 'google / swiftshader / Google SwiftShader', softwareRenderer: true }} />);
    expect(screen.getByTestId('software-renderer').textContent).toContain('software renderer');
    expect(screen.getByRole('note').textContent).toContain('Adapter: google / swiftshader');
    expect(screen.getByTestId('backend-badge').className).toContain('warn');
  });
  it('says when the fastest backend runs', () => {
    render(<BackendBadge backend={{ name: 'webgpu', tried: [] }} />);
    expect(screen.getByRole('note').textContent).toContain('fastest backend');
  });
});

describe('EstimateView', () => {
  const base = { parameters: 109_482_240, vocabSize: 30522, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512 };
  const e = estimateRun({ model: base, maxSeqLength: 128, batchSize: 32, trainExamples: 3668, windowed: false, epochs: 3, backend: 'webgpu' });
  const cal: RunEstimate = {
    status: 'done', backend: 'webgpu', adapter: 'google / swiftshader', batchSize: 32, seqLength: 128, secondsPerStep: 2, firstStepSeconds: 9, stepsPerEpoch: 115, totalSteps: 345,
    secondsPerEpoch: 230, evaluations: 3, evalExamples: 408, evalSeconds: 60, totalSeconds: 750, peakBytes: 3 * 2 ** 30,
  };
  it('says it is measuring before the calibration answers (no assumed rate)', () => {
    render(<EstimateView estimate={e} measured={{ status: 'measuring', backend: 'webgpu', batchSize: 32, seqLength: 128 }} times={null} backend="webgpu" />);
    expect(screen.getByTestId('estimate-measuring').textContent).toContain('a few real training steps at batch 32, sequence length 128');
    expect(screen.getByTestId('estimate').textContent).not.toContain('GFLOP/s');
  });
  it('states the measured step time, epoch, whole run with evaluations and peak memory, as an estimate', () => {
    render(<EstimateView estimate={e} measured={cal} times={measuredTimes(cal)} backend="webgpu" />);
    const text = screen.getByTestId('estimate').textContent ?? '';
    expect(screen.getByTestId('estimate-step').textContent).toBe('2.0 s per step');
    expect(screen.getByTestId('estimate-time').textContent).toBe('3:50');
    expect(screen.getByTestId('estimate-total').textContent).toBe('12:30');
    expect(text).toContain('345 steps + 3 evaluations of 408 examples (1:00)');
    expect(text).toContain('an estimate: it is refined with the live speed once training starts');
    expect(screen.getByTestId('estimate-memory').textContent).toBe('3.00 GB'); // formatBytes: binary units
  });
  it('uses the live speed while training', () => {
    render(<EstimateView estimate={e} measured={cal} times={measuredTimes(cal, 64)} backend="webgpu" />);
    expect(screen.getByTestId('estimate').textContent).toContain('(at the live speed)');
    expect(screen.getByTestId('estimate-step').textContent).toBe('500 ms per step');
  });
});
