import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { getToken } from "../src/api/client";
import { AccountPage, LoginPage } from "../src/pages/Account";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };

function serve() {
  const calls = { password: [] as unknown[], logoutAll: 0, logout: 0 };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.post("/api/v1/auth/password", async ({ request }) => {
      const body = (await request.json()) as { current_password: string };
      calls.password.push(body);
      if (body.current_password !== "old password") {
        return HttpResponse.json({ detail: "the current password is wrong" }, { status: 403 });
      }
      return new HttpResponse(null, { status: 204 });
    }),
    http.post("/api/v1/auth/logout-all", () => {
      calls.logoutAll += 1;
      return new HttpResponse(null, { status: 204 });
    }),
    http.post("/api/v1/auth/logout", () => {
      calls.logout += 1; // the token is revoked already
      return HttpResponse.json({ detail: "invalid API key or token" }, { status: 401 });
    }),
  );
  return calls;
}

test("changes the password, optionally revoking the API keys, and says what it signed out", async () => {
  const calls = serve();
  const user = userEvent.setup();
  renderAt(<AccountPage />, { route: "/account", path: "/account" });
  expect(await screen.findByText("Signed in as ada@example.com.")).toBeInTheDocument();

  await user.type(screen.getByLabelText("Current password"), "a wrong one");
  await user.type(screen.getByLabelText("New password"), "new passphrase");
  await user.click(screen.getByRole("button", { name: "Change password" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("the current password is wrong");
  expect(getToken()).toBe("test-token"); // a refusal is no sign-out

  await user.clear(screen.getByLabelText("Current password"));
  await user.type(screen.getByLabelText("Current password"), "old password");
  await user.click(screen.getByRole("button", { name: "Change password" }));
  expect(await screen.findByText(/Password changed\. Every other sign-in of yours was signed out; this one stays\./)).toHaveAttribute(
    "role",
    "status",
  );
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  expect(screen.getByLabelText("Current password")).toHaveValue("");
  expect(screen.getByLabelText("New password")).toHaveValue("");

  await user.type(screen.getByLabelText("Current password"), "old password");
  await user.type(screen.getByLabelText("New password"), "newer passphrase");
  await user.click(screen.getByLabelText("Also revoke all my API keys"));
  await user.click(screen.getByRole("button", { name: "Change password" }));
  expect(await screen.findByText(/and your API keys were revoked/)).toBeInTheDocument();
  expect(calls.password).toEqual([
    { current_password: "a wrong one", new_password: "new passphrase", revoke_api_keys: false },
    { current_password: "old password", new_password: "new passphrase", revoke_api_keys: false },
    { current_password: "old password", new_password: "newer passphrase", revoke_api_keys: true },
  ]);
});

test("logs out everywhere only after a confirmation, then forgets the token here", async () => {
  const calls = serve();
  const user = userEvent.setup();
  renderAt(<AccountPage />, { route: "/account", path: "/account" });
  await user.click(await screen.findByRole("button", { name: "Log out everywhere" }));
  const dialog = screen.getByRole("alertdialog");
  expect(dialog).toHaveTextContent("Log out of every browser and device, this one too?");
  expect(within(dialog).getByRole("button", { name: "Log out everywhere" })).toHaveFocus();
  await user.click(within(dialog).getByRole("button", { name: "Stay signed in" }));
  expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  expect(calls.logoutAll).toBe(0);

  await user.click(screen.getByRole("button", { name: "Log out everywhere" }));
  await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Log out everywhere" }));
  expect(await screen.findByText("elsewhere")).toBeInTheDocument(); // the sign-in page's route
  expect(calls.logoutAll).toBe(1);
  expect(getToken()).toBeNull();
});

test("the sign-in form says when to try again after too many attempts", async () => {
  const detail = "too many failed sign-ins for this account: try again in 15 minutes (at 18:01:41 UTC)";
  server.use(
    http.post("/api/v1/auth/login", () => HttpResponse.json({ detail }, { status: 429, headers: { "Retry-After": "901" } })),
  );
  const user = userEvent.setup();
  renderAt(<LoginPage />, { route: "/login", path: "/login", signedIn: false });
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), "correct horse battery");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent(detail);
  expect(alert).toHaveTextContent("Sign-in is paused after repeated failed attempts");
  await waitFor(() => expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled());
  expect(getToken()).toBeNull();
});
