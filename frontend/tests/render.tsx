// Render a screen as the app does: query client, language, router (at `path`), signed in.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { setToken } from "../src/api/client";
import { AuthProvider } from "../src/auth";
import { LangProvider } from "../src/i18n";

export function renderAt(
  element: ReactElement,
  { route = "/", path = "/", signedIn = true }: { route?: string; path?: string; signedIn?: boolean } = {},
): RenderResult {
  if (signedIn) setToken("test-token");
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <LangProvider>
        <MemoryRouter initialEntries={[route]}>
          <AuthProvider>
            <Routes>
              <Route path={path} element={element} />
              <Route path="*" element={<p>elsewhere</p>} />
            </Routes>
          </AuthProvider>
        </MemoryRouter>
      </LangProvider>
    </QueryClientProvider>,
  );
}
