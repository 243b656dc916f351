// Each screen's <h1>: also the document title, and where focus moves when the screen opens
// (so a keyboard or screen-reader user starts at the new step, not at the old button).
import { useEffect, useRef, type ReactNode } from "react";

export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Konstruktor`;
    heading.current?.focus();
  }, [title]);
  return (
    <h1 ref={heading} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}
