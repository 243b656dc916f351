// Downloads of owner-only files: fetched with the token header, saved under `filename`.
import { detailText, getToken, reportStatus } from "./client";

export async function downloadFile(url: string, filename: string): Promise<void> {
  const token = getToken();
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    reportStatus(response.status);
    const body: unknown = await response.json().catch(() => null);
    throw new Error(detailText(body, response.status));
  }
  const objectUrl = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = objectUrl;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
}

/** A text file of an owner-only resource (e.g. a package's README.md). */
export async function fetchText(url: string): Promise<string> {
  const token = getToken();
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    reportStatus(response.status);
    const body: unknown = await response.json().catch(() => null);
    throw new Error(detailText(body, response.status));
  }
  return response.text();
}
