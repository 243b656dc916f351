// A labelled progress bar; `status` (e.g. "Epoch 3/10 · 2 min left") is announced politely.
import { useId } from "react";

export function ProgressBar({ value, label, status }: { value: number; label: string; status?: string }) {
  const id = useId();
  const percent = Math.round(Math.min(Math.max(value, 0), 1) * 100);
  return (
    <div className="progress">
      <div className="progress-head">
        <span id={id}>{label}</span>
        <span>{percent} %</span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-labelledby={id}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={status ? `${percent} %, ${status}` : `${percent} %`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      {status !== undefined && (
        <p role="status" aria-live="polite" className="progress-status">
          {status}
        </p>
      )}
    </div>
  );
}
