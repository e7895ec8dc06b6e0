/**
 * "Fine-tune this model next" after a masked-LM (or LoRA) run: one click makes the adapted encoder
 * (its MLM head dropped, LoRA merged) the pre-trained model of the next run; the file list then
 * shows it in place of the dropped model, and a labelled dataset dropped next picks its task.
 */
export interface FineTuneNextProps {
  onClick: () => void;
  enabled: boolean;
  /** The model is already the adapted one (the click was made). */
  done: boolean;
}

export function FineTuneNext({ onClick, enabled, done }: FineTuneNextProps) {
  return (
    <div className="row" data-testid="fine-tune-next">
      <button type="button" onClick={onClick} disabled={!enabled || done}>
        Fine-tune this model next
      </button>
      <span className="small muted" data-testid="fine-tune-next-note">
        {done
          ? 'The adapted model is now the pre-trained model: drop a labelled dataset (or pick a task) and start.'
          : 'Keeps the adapted encoder, drops the masked-LM head, and uses it as the pre-trained model for your next run.'}
      </span>
    </div>
  );
}
