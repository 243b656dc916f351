// Downloads of owner-only files: fetched with the token header, saved under `filename`.
import { authorizedFetch, detailText } from "./client";

/** The response for `url`, or an error with the service's message. */
async function fetchOk(url: string): Promise<Response> {
  const response = await authorizedFetch(url);
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw new Error(detailText(body, response.status));
  }
  return response;
}

export async function downloadFile(url: string, filename: string): Promise<void> {
  const objectUrl = URL.createObjectURL(await (await fetchOk(url)).blob());
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
  return (await fetchOk(url)).text();
}
