import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import KeysPage from "../src/pages/Keys";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };
const OLD = {
  id: "k1",
  name: "old script",
  prefix: "kst_oldoldol",
  created_at: "2026-11-01T08:00:00Z",
  last_used_at: "2026-12-01T10:00:00Z",
};
const SECRET = "kst_newnewneSECRETpart-_0123456789abcdef";
const PROJECTS = [
  { id: "p1", name: "garden", created_at: "2026-12-05T08:00:00Z" },
  { id: "p2", name: "cars", created_at: "2026-12-05T09:00:00Z" },
];

function serve(projects = PROJECTS) {
  let list: { id: string; name: string; prefix: string; created_at: string; last_used_at: string | null }[] = [OLD];
  const calls = { created: [] as unknown[], deleted: [] as string[] };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/projects", () => HttpResponse.json(projects)),
    http.get("/api/v1/api-keys", () => HttpResponse.json(list)),
    http.post("/api/v1/api-keys", async ({ request }) => {
      const body = (await request.json()) as { name: string };
      calls.created.push(body);
      const row = { id: "k2", name: body.name, prefix: SECRET.slice(0, 12), created_at: "2026-12-05T10:00:00Z", last_used_at: null };
      list = [...list, row];
      return HttpResponse.json({ ...row, key: SECRET }, { status: 201 });
    }),
    http.delete("/api/v1/api-keys/:id", ({ params }) => {
      calls.deleted.push(String(params["id"]));
      list = list.filter((key) => key.id !== params["id"]);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return calls;
}

test("creates a key, shows its secret once with a copy button, and fills the examples with it", async () => {
  const calls = serve();
  const user = userEvent.setup(); // with a clipboard stub
  renderAt(<KeysPage />, { route: "/keys", path: "/keys" });
  const row = (await screen.findByText("old script")).closest("li")!;
  expect(row).toHaveTextContent("starts with kst_oldoldol… · created");
  expect(row).toHaveTextContent("last used");

  // before a key is created the examples use the environment variable, explained
  const curl = screen.getByLabelText("Example with curl");
  await waitFor(() => expect(curl).toHaveTextContent('curl -sS --fail-with-body -H "Authorization: Bearer $KONSTRUKTOR_KEY" "$KONSTRUKTOR_URL/api/v1/projects"'));
  expect(curl).toHaveTextContent("# export KONSTRUKTOR_KEY='kst_…'");
  expect(curl).toHaveTextContent(`export KONSTRUKTOR_URL='${window.location.origin}'`);
  expect(curl).toHaveTextContent('"$KONSTRUKTOR_URL/api/v1/projects/p1/datasets?name=my-data"');
  expect(curl).toHaveTextContent('"$KONSTRUKTOR_URL/api/v1/projects/p1/jobs"');
  expect(screen.getByText(/The examples read the key from the KONSTRUKTOR_KEY environment variable/)).toBeInTheDocument();
  const python = screen.getByLabelText("Example in Python (requests)");
  expect(python).toHaveTextContent('KEY = os.environ["KONSTRUKTOR_KEY"]');
  expect(python).toHaveTextContent('PROJECT = "p1" # “garden”');

  await user.type(screen.getByLabelText("New key name"), "laptop");
  await user.click(screen.getByRole("button", { name: "Create key" }));

  const secret = await screen.findByLabelText("Secret of the key “laptop”");
  expect(calls.created).toEqual([{ name: "laptop" }]);
  expect(secret).toHaveValue(SECRET);
  expect(secret).toHaveAttribute("readonly");
  expect(secret).toHaveFocus();
  expect(screen.getByText(/it will not be shown again/)).toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: "Copy the key “laptop”" }));
  expect(await navigator.clipboard.readText()).toBe(SECRET);
  expect(screen.getByText("Copied to the clipboard.")).toHaveAttribute("role", "status");

  await waitFor(() => expect(curl).toHaveTextContent(`export KONSTRUKTOR_KEY='${SECRET}'`));
  expect(python).toHaveTextContent(`KEY = "${SECRET}"`);
  expect(screen.getByText(/These examples contain your new key/)).toBeInTheDocument();
  const added = (await screen.findByText("laptop")).closest("li")!; // in the list, by its prefix only
  expect(added).toHaveTextContent("starts with kst_newnewne… · created");
  expect(added).toHaveTextContent("never used");
  expect(added).not.toHaveTextContent(SECRET);

  await user.click(screen.getByRole("button", { name: "I have saved it: hide the key" }));
  expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
  expect(document.body).not.toHaveTextContent(SECRET);
  expect(screen.getByLabelText("New key name")).toHaveFocus();
});

test("copies by selection when the clipboard is refused", async () => {
  serve();
  const user = userEvent.setup();
  vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new Error("denied"));
  renderAt(<KeysPage />, { route: "/keys", path: "/keys" });
  await screen.findByText("old script");
  await user.type(screen.getByLabelText("New key name"), "ci{Enter}");
  const secret = (await screen.findByLabelText("Secret of the key “ci”")) as HTMLInputElement;
  await user.click(screen.getByRole("button", { name: "Copy the key “ci”" }));
  expect(await screen.findByText(/the key is selected, press Ctrl\+C/)).toBeInTheDocument();
  expect(secret).toHaveFocus();
  expect([secret.selectionStart, secret.selectionEnd]).toEqual([0, SECRET.length]);
});

test("revokes a key only after a confirmation", async () => {
  const calls = serve();
  const user = userEvent.setup();
  renderAt(<KeysPage />, { route: "/keys", path: "/keys" });
  await user.click(await screen.findByRole("button", { name: "Revoke old script" }));
  const dialog = screen.getByRole("alertdialog");
  expect(dialog).toHaveTextContent("Revoke “old script”? Scripts that use it stop working at once.");
  expect(within(dialog).getByRole("button", { name: "Revoke" })).toHaveFocus();

  await user.click(within(dialog).getByRole("button", { name: "Keep it" }));
  expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  expect(calls.deleted).toEqual([]);

  await user.click(screen.getByRole("button", { name: "Revoke old script" }));
  await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Revoke" }));
  await waitFor(() => expect(screen.queryByText("old script")).not.toBeInTheDocument());
  expect(calls.deleted).toEqual(["k1"]);
  expect(screen.getByText("No API keys yet: create one above to use the API from scripts.")).toBeInTheDocument();
  expect(screen.getByRole("heading", { name: "Your keys" })).toHaveFocus();
});

test("shows the service's refusal and, without a project, says how to get one", async () => {
  serve([]);
  server.use(
    http.post("/api/v1/api-keys", () =>
      HttpResponse.json(
        {
          detail: "name: String should have at most 200 characters",
          errors: [{ loc: ["body", "name"], msg: "String should have at most 200 characters", type: "string_too_long" }],
        },
        { status: 422 },
      ),
    ),
  );
  const user = userEvent.setup();
  renderAt(<KeysPage />, { route: "/keys", path: "/keys" });
  expect(await screen.findByText(/You have no project yet, so the examples use PROJECT_ID/)).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "Create a project" })).toHaveAttribute("href", "/projects");
  expect(screen.getByLabelText("Example with curl")).toHaveTextContent("/api/v1/projects/PROJECT_ID/jobs");
  await user.type(screen.getByLabelText("New key name"), "x");
  await user.click(screen.getByRole("button", { name: "Create key" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("name: String should have at most 200 characters");
});
