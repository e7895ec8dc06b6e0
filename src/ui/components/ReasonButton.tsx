/**
 * A button that says why it is disabled: the reason is its tooltip (title) and, for screen
 * readers, a visually hidden text the button points at with aria-describedby. Enabled, it is a
 * plain button. Use it for every control that can be disabled (issue 12: "every disabled control
 * says why").
 *
 *   <ReasonButton onClick={start} disabledReason={ready ? null : 'drop a dataset first'}>Start</ReasonButton>
 */
import { useId, type ButtonHTMLAttributes } from 'react';

export interface ReasonButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'disabled'> {
  /** Why the button cannot be used now; null/undefined = enabled. */
  disabledReason?: string | null;
}

export function ReasonButton({ disabledReason, title, children, type, ...rest }: ReasonButtonProps) {
  const id = useId();
  const disabled = disabledReason !== null && disabledReason !== undefined && disabledReason !== '';
  return (
    <>
      <button
        {...rest}
        type={type ?? 'button'}
        disabled={disabled}
        title={disabled ? disabledReason : title}
        aria-describedby={disabled ? id : rest['aria-describedby']}
        data-disabled-reason={disabled ? disabledReason : undefined}
      >
        {children}
      </button>
      {disabled && (
        <span id={id} className="visually-hidden">
          {disabledReason}
        </span>
      )}
    </>
  );
}
