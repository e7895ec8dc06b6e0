/**
 * Masked-LM runs: the held-out masked-token accuracy and masked-LM loss at each evaluation
 * (eval metrics masked_accuracy and mlm_loss of core's task-mlm), drawn with LiveChart beside the
 * dashboard's training loss. The charts redraw when an evaluation arrives (React passes `evals`).
 */
import type uPlot from 'uplot';
import type { EvalResult } from '../../core/train';
import { LiveChart } from '../charts/LiveChart';
import { useValueSource } from '../charts/valueSource';

export function MaskedLmCharts({ evals }: { evals: EvalResult[] }) {
  const { source, latest } = useValueSource(evals);
  const column = (key: string): uPlot.AlignedData => [latest.current.map((e) => e.step), latest.current.map((e) => e.metrics[key] ?? null)];
  return (
    <div className="charts" data-testid="mlm-charts">
      <LiveChart
        title="Masked-token accuracy (held-out text)"
        testId="mlm-accuracy-chart"
        source={source}
        getData={() => column('masked_accuracy')}
        series={[{ label: 'masked-token accuracy', color: 1, points: true }]}
        xLabel="step"
        emptyText="The share of masked tokens the model guesses right appears at each evaluation."
      />
      <LiveChart
        title="Masked-LM loss (held-out text)"
        testId="mlm-loss-chart"
        source={source}
        getData={() => column('mlm_loss')}
        series={[{ label: 'masked-LM loss', color: 0, points: true }]}
        xLabel="step"
        emptyText="The held-out loss appears at each evaluation."
      />
    </div>
  );
}
