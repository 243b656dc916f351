import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { ProjectPage } from "../src/pages/Project";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };
const PROJECTS = [
  { id: "p1", name: "flowers", created_at: "2026-12-05T08:00:00Z" },
  { id: "p2", name: "cars", created_at: "2026-12-05T09:00:00Z" },
];

function version(id: string, number: number) {
  return {
    id,
    dataset_id: "d1",
    version: number,
    content_hash: id,
    class_names: ["iris", "rose", "tulip"],
    split_source: "given",
    stats: {},
    warnings: [],
    report: {},
    verdict: { status: "ready", reasons: [] },
    created_at: "2026-12-05T08:00:00Z",
  };
}

function dataset(id: string, name: string, versions: unknown[]) {
  return { id, project_id: "p1", name, task: "classify", created_at: "2026-12-05T08:00:00Z", versions };
}

function renderProject(others: unknown[]) {
  const asked: (string | null)[] = [];
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/projects", () => HttpResponse.json(PROJECTS)),
    http.get("/api/v1/projects/p2", () => HttpResponse.json(PROJECTS[1])),
    http.get("/api/v1/projects/p2/datasets", () => HttpResponse.json([])),
    http.get("/api/v1/jobs", () => HttpResponse.json([])),
    http.get("/api/v1/models", () => HttpResponse.json([])),
    http.get("/api/v1/datasets", ({ request }) => {
      asked.push(new URL(request.url).searchParams.get("exclude_project"));
      return HttpResponse.json(others);
    }),
  );
  renderAt(<ProjectPage />, { route: "/projects/p2", path: "/projects/:projectId" });
  return asked;
}

test("datasets of the other projects can be trained in this one", async () => {
  const asked = renderProject([
    dataset("d1", "petals", [version("v1", 1), version("v2", 2)]),
    dataset("d2", "empty", []), // no version: nothing to train
  ]);
  const section = (await screen.findByRole("heading", { name: "Datasets from your other projects" })).closest("section")!;
  expect(asked).toEqual(["p2"]);
  const [item, ...rest] = within(section).getAllByRole("listitem");
  expect(rest).toEqual([]);
  expect(item).toHaveTextContent("petals");
  expect(await within(item!).findByText("in “flowers” · classification · version 2 · 3 classes")).toBeInTheDocument();
  expect(within(item!).getByRole("link", { name: "Train in this project: petals" })).toHaveAttribute(
    "href",
    "/versions/v2/choose?project=p2",
  );
});

test("without datasets elsewhere there is no such section", async () => {
  const asked = renderProject([]);
  await waitFor(() => expect(asked).toEqual(["p2"]));
  expect(await screen.findByText("No dataset yet. Upload a zip of images to start.")).toBeInTheDocument();
  expect(screen.queryByText("Datasets from your other projects")).not.toBeInTheDocument();
});
