// A package file shown with highlighting (README.md, labels.json, ...) holds class names as the
// user wrote them: they must show as text, never become elements.
import { render, waitFor } from "@testing-library/react";
import { expect, test } from "vitest";
import { CodeBlock, languageOf } from "../src/components/CodeBlock";

const NAMES = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "a & b", "`tick` | *c* $x$"];
const FILES: { [name: string]: string } = {
  "README.md": `# model\n\nClasses: ${NAMES.join(", ")}\n\n| class |\n|---|\n${NAMES.map((n) => `| ${n} |`).join("\n")}\n`,
  "labels.json": JSON.stringify(NAMES, null, 2),
  "predict.py": `LABELS = ${JSON.stringify(NAMES)}\nprint("</code><b>bold</b>")\n`,
  "requirements.txt": NAMES.join("\n"),
};

test.each(Object.keys(FILES))("%s shows class names as text", async (name) => {
  const code = FILES[name] ?? "";
  const { container, findByLabelText } = render(<CodeBlock code={code} language={languageOf(name)} label={name} />);
  const block = await findByLabelText(name);
  await waitFor(() => expect(block.querySelector("code.hljs")).not.toBeNull()); // highlighted, not the fallback
  expect(container.querySelector("script, img, b")).toBeNull();
  expect(block.textContent).toBe(code);
});
