// @vitest-environment jsdom
/**
 * The demo's first screen promises no duration it has not measured, and the size note says what
 * the demo chose and why (from the session's 'demoSize' event through the store).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { applyEvent } from '../../state/apply-event';
import { createSeriesStore } from '../../state/series';
import { createStudioStore } from '../../state/store';
import { chooseDemoSize, SMALLEST_DEMO_SIZE } from '../../core/session';
import { DemoHero } from './DemoHero';
import { aboutMinutes, DemoSizeNote } from './DemoSizeNote';

afterEach(cleanup);

describe('DemoHero', () => {
  it('promises no duration before the demo has timed a step here', () => {
    render(<DemoHero onTryDemo={() => undefined} disabled={false} />);
    const hero = screen.getByTestId('demo-hero').textContent ?? '';
    expect(hero).not.toMatch(/trains .* in about a minute/);
    expect(screen.getByTestId('demo-hero-sizing').textContent).toContain('It sizes itself to this device: it first times a training step here');
  });
});

describe('DemoSizeNote', () => {
  it('says the demo is being sized, then what it chose, from the store', () => {
    const store = createStudioStore();
    const series = createSeriesStore();
    applyEvent(store, series, { type: 'demoSize', status: 'measuring', runId: 'r1' }, 0);
    expect(store.getState().demoSize).toEqual({ runId: 'r1', status: 'measuring', choice: null });
    const choice = chooseDemoSize({ size: SMALLEST_DEMO_SIZE, secondsPerStep: 4, evalSecondsPerExample: 0.05 }, 'software-gpu');
    applyEvent(store, series, { type: 'demoSize', status: 'chosen', runId: 'r1', choice }, 0);
    const d = store.getState().demoSize!;
    expect(d.choice?.size).toBe('small');

    const { rerender } = render(<DemoSizeNote status="measuring" choice={null} />);
    expect(screen.getByTestId('demo-size').getAttribute('data-status')).toBe('measuring');
    expect(screen.getByTestId('demo-size').textContent).toContain('timing a training step of its smallest model here');
    rerender(<DemoSizeNote status={d.status} choice={d.choice} />);
    const note = screen.getByTestId('demo-size');
    expect(note.getAttribute('data-size')).toBe('small');
    expect(note.getAttribute('data-device')).toBe('software-gpu');
    expect(screen.getByTestId('demo-size-reason').textContent).toBe('slow GPU (software renderer): 40 steps, hidden 32, 1 layer, sequence 40');
    expect(note.textContent).toContain('· about 3 min');
    expect(note.textContent).toContain('A training step of the smallest demo took 4.00 s here');
    expect(note.textContent).not.toContain('longer than that');
    rerender(<DemoSizeNote status="chosen" choice={{ ...choice, overBudget: true, predictedSeconds: 400 }} />);
    expect(screen.getByTestId('demo-size').textContent).toContain('Even the smallest demo is predicted to take longer than that here.');
  });

  it('puts the predicted time in words', () => {
    expect(aboutMinutes(30)).toBe('under a minute');
    expect(aboutMinutes(61)).toBe('about 1 min');
    expect(aboutMinutes(170)).toBe('about 3 min');
    expect(aboutMinutes(Number.NaN)).toBe('unknown time');
  });
});
