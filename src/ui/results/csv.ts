/** CSV text for downloads (RFC 4180 quoting, "\n" line ends). */

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function buildCsv(header: readonly string[], rows: Iterable<readonly (string | number | null | undefined)[]>): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) {
    if (row.length !== header.length) throw new RangeError(`CSV row has ${row.length} fields, header has ${header.length}`);
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

export interface LossPoint {
  step: number;
  loss: number;
  learningRate?: number;
  gradNorm?: number;
}

/** The loss curve download: step, loss, smoothed loss, learning rate, gradient norm. */
export function lossCurveCsv(points: readonly LossPoint[], smoothed: readonly number[]): string {
  if (smoothed.length !== points.length) throw new RangeError('smoothed series length differs from the loss series');
  return buildCsv(
    ['step', 'loss', 'smoothed_loss', 'learning_rate', 'grad_norm'],
    points.map((p, i) => [p.step, p.loss, smoothed[i], p.learningRate, p.gradNorm]),
  );
}

/** GLUE submission TSV: header `index<TAB>prediction`. */
export function glueTsv(predictions: readonly string[]): string {
  return ['index\tprediction', ...predictions.map((p, i) => `${i}\t${p}`)].join('\n') + '\n';
}
