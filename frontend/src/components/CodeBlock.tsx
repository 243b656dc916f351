// Source code with syntax highlighting (highlight.js, loaded with the first code block).
import { useEffect, useState } from "react";

type Language = "python" | "markdown" | "json" | "bash" | "plaintext";

async function highlight(code: string, language: Language): Promise<string> {
  const { default: hljs } = await import("highlight.js/lib/core");
  const modules = {
    python: () => import("highlight.js/lib/languages/python"),
    markdown: () => import("highlight.js/lib/languages/markdown"),
    json: () => import("highlight.js/lib/languages/json"),
    bash: () => import("highlight.js/lib/languages/bash"),
  } as const;
  if (language === "plaintext") return escapeHtml(code);
  if (!hljs.getLanguage(language)) hljs.registerLanguage(language, (await modules[language]()).default);
  return hljs.highlight(code, { language }).value;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

export function languageOf(name: string): Language {
  if (name.endsWith(".py")) return "python";
  if (name.endsWith(".md")) return "markdown";
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".sh")) return "bash";
  return "plaintext";
}

export function CodeBlock({ code, language, label }: { code: string; language: Language; label: string }) {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    highlight(code, language).then((result) => live && setHtml(result), () => live && setHtml(null));
    return () => {
      live = false;
    };
  }, [code, language]);
  return (
    <pre className="code" aria-label={label} tabIndex={0}>
      {html === null ? <code>{code}</code> : <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />}
    </pre>
  );
}
