import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { ProjectsPage } from "../src/pages/Projects";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };

test("creates, renames and deletes a project after a confirmation", async () => {
  let projects = [{ id: "p1", name: "flowers", created_at: "2026-12-05T08:00:00Z" }];
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/projects", () => HttpResponse.json(projects)),
    http.post("/api/v1/projects", async ({ request }) => {
      const body = (await request.json()) as { name: string };
      projects = [...projects, { id: "p2", name: body.name, created_at: "2026-12-05T09:00:00Z" }];
      return HttpResponse.json(projects[1], { status: 201 });
    }),
    http.patch("/api/v1/projects/p1", async ({ request }) => {
      const body = (await request.json()) as { name: string };
      projects = projects.map((p) => (p.id === "p1" ? { ...p, name: body.name } : p));
      return HttpResponse.json(projects[0]);
    }),
    http.delete("/api/v1/projects/p2", () => {
      projects = projects.filter((p) => p.id !== "p2");
      return new HttpResponse(null, { status: 204 });
    }),
  );
  const user = userEvent.setup();
  renderAt(<ProjectsPage />);
  expect(await screen.findByRole("link", { name: "flowers" })).toBeInTheDocument();

  await user.type(screen.getByLabelText("New project name"), "cars");
  await user.click(screen.getByRole("button", { name: "Create project" }));
  expect(await screen.findByRole("link", { name: "cars" })).toBeInTheDocument();

  await user.click(screen.getByRole("button", { name: "Rename flowers" }));
  const field = screen.getByLabelText("New name for flowers");
  await user.clear(field);
  await user.type(field, "flowers v2{Enter}");
  expect(await screen.findByRole("link", { name: "flowers v2" })).toBeInTheDocument();

  await user.click(screen.getByRole("button", { name: "Delete cars" }));
  const dialog = screen.getByRole("alertdialog");
  expect(dialog).toHaveTextContent("Delete “cars” with its datasets, jobs and models?");
  expect(document.activeElement).toHaveTextContent("Delete");  // focus moved to the choice
  await user.click(screen.getByRole("button", { name: "Delete" }));
  await waitFor(() => expect(screen.queryByRole("link", { name: "cars" })).not.toBeInTheDocument());
});

test("shows the service's message when it refuses", async () => {
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/projects", () => HttpResponse.json([])),
    http.post("/api/v1/projects", () =>
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
  renderAt(<ProjectsPage />);
  expect(await screen.findByText("No projects yet: create one to upload a dataset.")).toBeInTheDocument();
  await user.type(screen.getByLabelText("New project name"), "x");
  await user.click(screen.getByRole("button", { name: "Create project" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("name: String should have at most 200 characters");
});
