/**
 * One download prepared by the worker as a zip (ONNX for transformers.js, the torchrun job):
 * a button that asks for it, then a link to save the zip. The zip's bytes arrive as a transferred
 * ArrayBuffer (store.formatExports); the object URL is revoked when the export changes.
 */
import { useEffect, useMemo } from 'react';
import type { ExportState } from '../../state/slices';
import { formatBytes } from '../format/numbers';
import { ReasonButton } from './ReasonButton';

export interface ZipExportProps {
  /** Button text, e.g. "ONNX for transformers.js". */
  label: string;
  /** Short name while it is written, e.g. "ONNX". */
  short: string;
  state: ExportState | undefined;
  /** Why it cannot be exported now (null: it can). */
  disabledReason: string | null;
  onExport: () => void;
  testId: string;
}

export function ZipExport({ label, short, state, disabledReason, onExport, testId }: ZipExportProps) {
  const zip = state?.status === 'done' ? state.zip : null;
  const url = useMemo(() => (zip ? URL.createObjectURL(new Blob([zip.data], { type: 'application/zip' })) : null), [zip]);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  const pending = state?.status === 'pending';
  return (
    <>
      {zip && url ? (
        <a className="button" href={url} download={zip.name} data-testid={testId}>
          {label} (.zip, {formatBytes(zip.data.byteLength)})
        </a>
      ) : (
        <ReasonButton onClick={onExport} disabledReason={pending ? `${short} is being written` : disabledReason} data-testid={`${testId}-prepare`}>
          {pending ? `Writing ${short}…` : label}
        </ReasonButton>
      )}
      {state?.status === 'failed' && state.error && (
        <span className="small" role="alert" style={{ color: 'var(--bad)' }}>
          {short} export failed: {state.error.message}
        </span>
      )}
    </>
  );
}
