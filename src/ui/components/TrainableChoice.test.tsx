// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { defaultSettings } from '../../core/settings';
import type { ModelSummary } from '../../protocol/events';
import { trainableCounts } from '../settings/trainable-counts';
import { estimateRun } from '../settings/estimate';
import { TrainableChoice } from './TrainableChoice';

afterEach(cleanup);

/** bert-base-uncased's shape. */
const BASE: ModelSummary = { source: 'huggingface', vocabSize: 30522, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512, parameters: 109482240, activation: 'gelu' };

describe('trainable-parameter counts for the estimate', () => {
  it('count BERT-base as peft does: LoRA r 8 on query/value trains 294,912 adapter weights plus the head', () => {
    const s = defaultSettings('mrpc');
    const full = trainableCounts(BASE, 'mrpc', 2, s);
    // 109,482,240 (encoder + pooler) + classifier 768·2 + 2.
    expect(full).toMatchObject({ total: 109483778, trainable: 109483778, lora: 0 });
    const lora = trainableCounts(BASE, 'mrpc', 2, { ...s, trainableParameters: 'lora' });
    // 12 layers · 2 modules · r·(768 + 768) = 294,912 (peft's print_trainable_parameters for bert-base r=8 q,v), + the head.
    expect(lora).toMatchObject({ lora: 294912, trainable: 294912 + 1538, total: 109483778 + 294912 });
    const frozen = trainableCounts(BASE, 'mlm', 0, { ...s, trainableParameters: 'freeze', freezeEmbeddings: true, freezeLayers: 12 });
    // Only the MLM head trains (its decoder is the frozen word embeddings): transform 768·768 + 768, LayerNorm 2·768, bias 30522.
    expect(frozen.trainable).toBe(768 * 768 + 768 + 2 * 768 + 30522);
  });

  it('shrink the memory estimate: weights stay, gradients and Adam state go', () => {
    const s = defaultSettings('mrpc');
    const est = (parameterCounts?: { total: number; trainable: number }) =>
      estimateRun({ model: BASE, maxSeqLength: 128, batchSize: 32, trainExamples: 3668, windowed: false, epochs: 3, backend: 'webgpu', parameterCounts });
    const full = est(trainableCounts(BASE, 'mrpc', 2, s));
    const lora = est(trainableCounts(BASE, 'mrpc', 2, { ...s, trainableParameters: 'lora' }));
    expect(full.trainingStateBytes).toBe(16 * 109483778);
    expect(lora.trainingStateBytes).toBe(4 * (109483778 + 294912) + 12 * (294912 + 1538));
    expect(lora.totalBytes).toBeLessThan(full.totalBytes);
    expect(est().trainingStateBytes).toBe(16 * BASE.parameters);
  });
});

describe('TrainableChoice', () => {
  it('switches mode, sets the rank and the frozen layers, and shows what trains', () => {
    const onChange = vi.fn();
    const s = defaultSettings('mrpc');
    const counts = { chosen: trainableCounts(BASE, 'mrpc', 2, { ...s, trainableParameters: 'lora' }), full: trainableCounts(BASE, 'mrpc', 2, s) };
    const { rerender } = render(<TrainableChoice settings={{ ...s, trainableParameters: 'lora' }} numLayers={12} counts={counts} onChange={onChange} />);
    expect(screen.getByTestId('trainable-counts').textContent).toMatch(/Trains 296\.4 k of 109\.8 M parameters \(294\.9 k in adapters\)/);
    expect(screen.getByTestId('trainable-counts').textContent).toMatch(/full fine-tuning: 1\.63 GB\)/);
    const rank = screen.getByLabelText('Rank r');
    fireEvent.change(rank, { target: { value: '16' } });
    fireEvent.blur(rank);
    expect(onChange).toHaveBeenLastCalledWith({ loraRank: 16 });
    fireEvent.click(screen.getByLabelText('Freeze layers'));
    expect(onChange).toHaveBeenLastCalledWith({ trainableParameters: 'freeze' });
    rerender(<TrainableChoice settings={{ ...s, trainableParameters: 'freeze' }} numLayers={12} counts={null} onChange={onChange} />);
    expect(screen.getByText('of 12 layers')).toBeTruthy();
    const layers = screen.getByLabelText('Freeze the first');
    fireEvent.change(layers, { target: { value: '6' } });
    fireEvent.blur(layers);
    expect(onChange).toHaveBeenLastCalledWith({ freezeLayers: 6 });
    fireEvent.click(screen.getByLabelText('and the embeddings'));
    expect(onChange).toHaveBeenLastCalledWith({ freezeEmbeddings: true });
  });
});
