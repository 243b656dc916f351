// The typed API client, generated from the service's /openapi.json (src/api/schema.d.ts):
// every call of the app goes through it, so the app and the API cannot drift apart.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type JobOut = Schemas["JobOut"];
export type ModelOut = Schemas["ModelOut"];
export type DatasetOut = Schemas["DatasetOut"];
export type DatasetVersionOut = Schemas["DatasetVersionOut"];
export type ProjectOut = Schemas["ProjectOut"];

const TOKEN_KEY = "konstruktor.token";

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Called when the service says the credentials are no longer valid. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** What every request path does with a 401: forget the token, back to sign-in. */
export function reportStatus(status: number): void {
  if (status === 401 && getToken()) onUnauthorized();
}

/** fetch with the token header, for what the typed client cannot read (bytes, an event
 * stream); a 401 is reported like any other. */
export async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const token = getToken();
  const response = await fetch(url, { ...init, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  reportStatus(response.status);
  return response;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    reportStatus(response.status);
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request) => globalThis.fetch(request), // looked up per call (tests replace fetch)
});
api.use(auth);

/** An error the service answered with: its status and its message, shown as it is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body of every error the service answers with: `detail` in words, and for an invalid
 * request each wrong field in `errors`. */
export type ErrorOut = Schemas["ErrorOut"];

/** The error body, if `body` is one (a proxy in between may answer with something else). */
export function errorOut(body: unknown): ErrorOut | undefined {
  const detail = (body as { detail?: unknown } | null)?.detail;
  return typeof detail === "string" ? (body as ErrorOut) : undefined;
}

/** The service's own words for an error body. */
export function detailText(body: unknown, status: number): string {
  return errorOut(body)?.detail ?? `the service answered ${status}`;
}

/** The data of an openapi-fetch result, or an ApiError carrying the service's message. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, detailText(result.error, result.response.status));
  }
  return result.data as T;
}
