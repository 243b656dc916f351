// ARIA tabs (arrow keys move between them) whose choice lives in the URL (?tab=...), so a
// reload or Back keeps it.
import { useRef, type KeyboardEvent, type ReactNode } from "react";
import { useSearchParams } from "react-router-dom";

export interface Tab {
  id: string;
  label: string;
  content: () => ReactNode;
}

export function Tabs({ tabs, label, param = "tab" }: { tabs: Tab[]; label: string; param?: string }) {
  const [search, setSearch] = useSearchParams();
  const current = tabs.find((tab) => tab.id === search.get(param)) ?? tabs[0];
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  if (!current) return null;
  const select = (id: string, focus: boolean) => {
    const next = new URLSearchParams(search);
    next.set(param, id);
    setSearch(next, { replace: true });
    if (focus) buttons.current[tabs.findIndex((tab) => tab.id === id)]?.focus();
  };
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = tabs[(index + step + tabs.length) % tabs.length];
    if (next) select(next.id, true);
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label={label}>
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            ref={(element) => {
              buttons.current[index] = element;
            }}
            role="tab"
            type="button"
            id={`tab-${tab.id}`}
            aria-selected={tab.id === current.id}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === current.id ? 0 : -1}
            onClick={() => select(tab.id, false)}
            onKeyDown={(event) => onKey(event, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`} tabIndex={0}>
        {current.content()}
      </div>
    </div>
  );
}
