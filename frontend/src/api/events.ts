// A job's Server-Sent Events over fetch (EventSource cannot send the Authorization header):
// one `job` event per change, `end` when the job finishes.
import { authorizedFetch, type JobOut } from "./client";

export interface JobStream {
  close(): void;
}

export function followJob(
  jobId: string,
  onJob: (job: JobOut) => void,
  onEnd: () => void,
  onError: (error: Error) => void,
): JobStream {
  const controller = new AbortController();
  (async () => {
    const response = await authorizedFetch(`/api/v1/jobs/${jobId}/events`, { signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let split: number;
      while ((split = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        const kind = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (kind === "job" && data) onJob(JSON.parse(data) as JobOut);
        if (kind === "end") {
          onEnd();
          return;
        }
      }
    }
    onEnd();
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) onError(error instanceof Error ? error : new Error(String(error)));
  });
  return { close: () => controller.abort() };
}
