// Uploads with progress: XMLHttpRequest (fetch cannot report upload progress), cancelable.
import { detailText, getToken, reportStatus } from "./client";

export interface UploadProgress {
  sent: number;
  total: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
}

export interface UploadHandle<T> {
  done: Promise<T>;
  cancel(): void;
}

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function uploadWithProgress<T>(
  url: string,
  body: Blob,
  contentType: string,
  onProgress: (progress: UploadProgress) => void,
): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const started = performance.now();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open("POST", url);
    const token = getToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.upload.onprogress = (event) => {
      const seconds = Math.max((performance.now() - started) / 1000, 1e-3);
      const rate = event.loaded / seconds;
      const left = event.total - event.loaded;
      onProgress({
        sent: event.loaded,
        total: event.total,
        bytesPerSecond: rate,
        etaSeconds: rate > 0 ? left / rate : null,
      });
    };
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = null;
      }
      reportStatus(xhr.status);
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T);
      else reject(new UploadError(xhr.status, detailText(parsed, xhr.status)));
    };
    xhr.onerror = () => reject(new UploadError(0, "the connection was lost during the upload"));
    xhr.onabort = () => reject(new UploadError(-1, "cancelled"));
    xhr.send(body);
  });
  return { done, cancel: () => xhr.abort() };
}
