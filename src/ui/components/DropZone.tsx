/**
 * Drop files or whole folders here, or pick them with "Choose files" / "Choose folder".
 * Folders are walked recursively (webkitGetAsEntry); hidden files are skipped.
 */
import { useId, useRef, useState, type DragEvent } from 'react';
import { entriesFromDataTransfer, pickedFromFileList, walkEntries, withoutHidden, type PickedFile } from '../files/collectDropped';

export interface DropZoneProps {
  onFiles: (files: PickedFile[]) => void;
  /** Called when reading a dropped folder fails (e.g. permission). */
  onError?: (message: string) => void;
  disabled?: boolean;
}

export function DropZone({ onFiles, onError, disabled }: DropZoneProps) {
  const [active, setActive] = useState(false);
  const [reading, setReading] = useState(false);
  const depth = useRef(0);
  const filesId = useId();
  const folderId = useId();
  const hintId = useId();

  const deliver = (files: PickedFile[]) => {
    const visible = withoutHidden(files);
    if (visible.length > 0) onFiles(visible);
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    depth.current = 0;
    setActive(false);
    if (disabled) return;
    // Entries must be taken synchronously: the DataTransfer is emptied after this handler.
    const { entries, looseFiles } = entriesFromDataTransfer(e.dataTransfer);
    const loose = pickedFromFileList(looseFiles);
    if (entries.length === 0) {
      deliver(loose);
      return;
    }
    setReading(true);
    walkEntries(entries)
      .then((walked) => deliver([...walked, ...loose]))
      .catch((err: unknown) => onError?.(`Could not read the dropped folder: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => setReading(false));
  };

  return (
    <div
      className={`dropzone${active ? ' active' : ''}`}
      data-testid="drop-zone"
      aria-describedby={hintId}
      onDragEnter={(e) => {
        e.preventDefault();
        depth.current++;
        setActive(true);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setActive(false);
      }}
      onDrop={onDrop}
    >
      <strong>Drop a BERT folder, a vocabulary and a dataset here</strong>
      <p className="hint" id={hintId}>
        Hugging Face folder (config.json, vocab.txt, model.safetensors or pytorch_model.bin), Google checkpoint
        (bert_config.json, bert_model.ckpt.*), GLUE TSV, your own CSV/TSV, SQuAD JSON, or plain text (.txt, one sentence per line) to adapt BERT
        to your own domain (masked-LM). Files stay in this tab.
      </p>
      <div className="row">
        <input
          id={filesId}
          className="file-input"
          type="file"
          multiple
          disabled={disabled}
          onChange={(e) => {
            if (e.target.files) deliver(pickedFromFileList(e.target.files));
            e.target.value = '';
          }}
        />
        <label htmlFor={filesId} className="button primary">
          Choose files
        </label>
        <input
          id={folderId}
          className="file-input"
          type="file"
          multiple
          disabled={disabled}
          // webkitdirectory is not in React's typings; it is set through the ref below.
          ref={(el) => {
            if (el) {
              el.setAttribute('webkitdirectory', '');
              el.setAttribute('directory', '');
            }
          }}
          onChange={(e) => {
            if (e.target.files) deliver(pickedFromFileList(e.target.files));
            e.target.value = '';
          }}
        />
        <label htmlFor={folderId} className="button">
          Choose folder
        </label>
      </div>
      {reading && (
        <p className="small muted" role="status">
          Reading the dropped folder…
        </p>
      )}
    </div>
  );
}
