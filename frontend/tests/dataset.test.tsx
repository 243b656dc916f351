import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import DatasetPage from "../src/pages/Dataset";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };
const PATH = "/datasets/:datasetId";

const IMBALANCE = "classes are imbalanced 3.8:1 (`daisy` 30 vs `rose` 8 training images)";
const REPORT = {
  layout: "imagefolder",
  task: "classify",
  split_source: "generated",
  images: 60,
  classes: ["daisy", "rose", "tulip"],
  counts: { train: { daisy: 30, rose: 8, tulip: 10 }, val: { daisy: 6, rose: 2, tulip: 4 } },
  image_sizes: {
    width: { min: 28, median: 240.5, max: 1024 },
    height: { min: 30, median: 200, max: 768 },
    shortest_side: { "<64": 2, "64-223": 10, "224-511": 40, "512-1023": 7, ">=1024": 1 },
    modes: { RGB: 58, L: 2 },
    formats: { JPEG: 60 },
  },
  unreadable: [{ file: "rose/broken.jpg", reason: "cannot identify image file" }],
  duplicates: {
    exact: [["daisy/a.jpg", "daisy/a copy.jpg"]],
    near: [],
    leakage: [["train/daisy/a.jpg", "val/daisy/b.jpg"]],
    conflicting_labels: [],
  },
  imbalance_ratio: 3.75,
  issues: [
    { severity: "warning", code: "class_imbalance", message: IMBALANCE },
    { severity: "info", code: "split_generated", message: "no train/val split was given; a stratified 80/20 split was made" },
  ],
  advice: ["Add images of `rose` or use class-balanced sampling; watch per-class recall."],
  thumbnails: { daisy: ["thumbnails/0/0.jpg", "thumbnails/0/1.jpg"], rose: ["thumbnails/1/0.jpg"] },
};

const BASE = {
  dataset_id: "d1",
  content_hash: "abc",
  split_source: "generated",
  stats: {},
  warnings: [],
};
const V1 = {
  ...BASE,
  id: "v1",
  version: 1,
  class_names: ["daisy"],
  created_at: "2026-12-04T08:00:00Z",
  report: { task: "classify", counts: { train: { daisy: 5 }, val: { daisy: 0 } } }, // an older, shorter report
  verdict: {
    status: "blocked",
    reasons: [
      "a classifier needs training images of at least two classes; add another",
      "the validation split has no images; add a val/ folder or more data",
    ],
  },
};
const V2 = {
  ...BASE,
  id: "v2",
  version: 2,
  class_names: ["daisy", "rose", "tulip"],
  created_at: "2026-12-05T08:00:00Z",
  report: REPORT,
  verdict: { status: "warnings", reasons: [IMBALANCE] },
};
const DATASET = { id: "d1", project_id: "p1", name: "flowers", task: "classify", created_at: "2026-12-04T08:00:00Z", versions: [V1, V2] };

let thumbnails: string[] = [];

function serve(dataset: Parameters<typeof HttpResponse.json>[0] = DATASET) {
  thumbnails = [];
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/datasets/d1", () => HttpResponse.json(dataset)),
    http.get("/api/v1/dataset-versions/:versionId/thumbnails/:index/:name", ({ request }) => {
      thumbnails.push(new URL(request.url).pathname);
      return HttpResponse.arrayBuffer(new Uint8Array([255, 216, 255]).buffer, { headers: { "Content-Type": "image/jpeg" } });
    }),
  );
}

test("shows the verdict first, then the next step, the counts and the report", async () => {
  serve();
  renderAt(<DatasetPage />, { route: "/datasets/d1", path: PATH });
  const verdict = await screen.findByRole("heading", { name: "Can it train?" });
  const report = screen.getByRole("heading", { name: "Health report" });
  expect(verdict.compareDocumentPosition(report) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Step 2 of 6: Check the data");
  expect(screen.getByText(/Dataset “flowers”, version 2 of 2/)).toBeInTheDocument();

  const section = verdict.closest("section")!;
  expect(within(section).getByText("Ready, with warnings")).toBeInTheDocument();
  expect(within(section).getByText("Version 2 can train, but check these warnings first:")).toBeInTheDocument();
  expect(within(section).getByRole("listitem")).toHaveTextContent(IMBALANCE);
  expect(within(section).getByRole("link", { name: "Choose a model" })).toHaveAttribute("href", "/versions/v2/choose");
  const stepper = screen.getByRole("navigation", { name: "Progress" });
  expect(within(stepper).getByRole("link", { name: "Upload" })).toHaveAttribute("href", "/projects/p1/upload?dataset=d1");
  expect(within(stepper).getByRole("link", { name: "Choose a model" })).toHaveAttribute("href", "/versions/v2/choose");

  const counts = screen.getByRole("table", { name: "Images per class and split" });
  const rows = within(counts).getAllByRole("row");
  expect(rows.map((row) => row.textContent)).toEqual([
    "ClassTrainValidationTotal",
    "daisy30636",
    "rose8210",
    "tulip10414",
    "All classes481260",
  ]);

  const summary = screen.getByRole("table", { name: "Summary" });
  expect(summary).toHaveTextContent("Made by the service: a stratified 80/20 split");
  expect(summary).toHaveTextContent("3.75 : 1 (imbalanced: see the advice below)");

  const sizes = screen.getByRole("table", { name: "Width and height in pixels" });
  expect(within(sizes).getByRole("row", { name: /Width/ })).toHaveTextContent("Width28240.51,024");
  const buckets = screen.getByRole("table", { name: "Images by their shortest side, in pixels" });
  expect(within(buckets).getByRole("row", { name: /1024 or more/ })).toHaveTextContent("1");
  expect(screen.getByText("File formats: JPEG: 60. Colour modes: RGB: 58, L: 2.")).toBeInTheDocument();

  expect(await screen.findByRole("img", { name: "daisy: example 2" })).toBeInTheDocument();
  expect(screen.getByRole("img", { name: "rose: example 1" })).toBeInTheDocument();
  expect(thumbnails.sort()).toEqual([
    "/api/v1/dataset-versions/v2/thumbnails/0/0.jpg",
    "/api/v1/dataset-versions/v2/thumbnails/0/1.jpg",
    "/api/v1/dataset-versions/v2/thumbnails/1/0.jpg",
  ]);
  const duplicates = screen.getByRole("table", { name: "Duplicates and leakage" });
  expect(within(duplicates).getByRole("row", { name: /leakage/ })).toHaveTextContent(
    "train/daisy/a.jpg → val/daisy/b.jpg",
  );
  expect(screen.getByText("rose/broken.jpg: cannot identify image file")).toBeInTheDocument();
  expect(screen.getByText("Warning")).toBeInTheDocument();
  expect(screen.getByText("Note")).toBeInTheDocument();
  expect(screen.getByText(/Add images of `rose`/)).toBeInTheDocument();

  const versions = screen.getByRole("heading", { name: "Versions" }).closest("section")!;
  expect(within(versions).getByRole("link", { name: "Version 2" })).toHaveAttribute("aria-current", "page");
  expect(within(versions).getByRole("link", { name: "Version 1" })).toHaveAttribute("href", "/datasets/d1?version=v1");
  expect(within(versions).getByText("Blocked")).toBeInTheDocument();
});

test("a start from another project keeps its project on the way to a model", async () => {
  serve();
  renderAt(<DatasetPage />, { route: "/datasets/d1?project=p9", path: PATH });
  const verdict = await screen.findByRole("heading", { name: "Can it train?" });
  const section = verdict.closest("section")!;
  expect(within(section).getByRole("link", { name: "Choose a model" })).toHaveAttribute(
    "href",
    "/versions/v2/choose?project=p9",
  );
  const stepper = screen.getByRole("navigation", { name: "Progress" });
  expect(within(stepper).getByRole("link", { name: "Choose a model" })).toHaveAttribute(
    "href",
    "/versions/v2/choose?project=p9",
  );
});

test("a blocked version has no way to a model, says why and links to a new version", async () => {
  serve();
  const user = userEvent.setup();
  renderAt(<DatasetPage />, { route: "/datasets/d1", path: PATH });
  await screen.findByText("Version 2 can train, but check these warnings first:");
  await user.click(screen.getByRole("link", { name: "Version 1" }));

  expect(await screen.findByText("Version 1 cannot train yet:")).toBeInTheDocument();
  expect(screen.queryByRole("link", { name: "Choose a model" })).not.toBeInTheDocument(); // nor in the stepper
  const section = screen.getByRole("heading", { name: "Can it train?" }).closest("section")!;
  expect(within(section).getByText("Blocked")).toBeInTheDocument();
  expect(within(section).getAllByRole("listitem").map((item) => item.textContent)).toEqual(V1.verdict.reasons);
  expect(within(section).getByText(/A training job on this version would fail/)).toBeInTheDocument();
  expect(within(section).getByRole("link", { name: "Upload a new version" })).toHaveAttribute(
    "href",
    "/projects/p1/upload?dataset=d1",
  );

  // the older report lacks most keys: each part says so instead of failing
  expect(screen.getByRole("table", { name: "Images per class and split" })).toHaveTextContent("daisy505");
  expect(screen.getByText("This version's report has no image sizes.")).toBeInTheDocument();
  expect(screen.getByText("This version has no example images.")).toBeInTheDocument();
  expect(screen.getByText("No issues found.")).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "Version 1" })).toHaveAttribute("aria-current", "page");
});

test("a detection version shows boxes, images per split and background images", async () => {
  const report = {
    layout: "yolo",
    task: "detect",
    split_source: "given",
    images: 12,
    classes: ["cat", "dog"],
    counts: { train: { cat: 14, dog: 9 }, val: { cat: 3, dog: 2 } },
    images_per_split: { train: 9, val: 3 },
    background_images: { train: 1, val: 0 },
    boxes: 28,
    images_without_label_file: 1,
    empty_label_files: 0,
  };
  serve({ ...DATASET, task: "detect", versions: [{ ...V2, report, verdict: { status: "ready", reasons: [] } }] });
  renderAt(<DatasetPage />, { route: "/datasets/d1?version=v2", path: PATH });
  expect(await screen.findByText("Version 2 is ready to train.")).toBeInTheDocument();
  const verdict = screen.getByRole("heading", { name: "Can it train?" }).closest("section")!;
  expect(within(verdict).getByText("Ready")).toBeInTheDocument();
  expect(within(verdict).getByRole("link", { name: "Choose a model" })).toBeInTheDocument();
  expect(screen.getByRole("table", { name: "Boxes per class and split" })).toHaveTextContent("cat14317");
  expect(screen.getByRole("table", { name: "Images per split" })).toHaveTextContent(
    "SplitImagesBackground images (no boxes)Train91Validation30",
  );
  const summary = screen.getByRole("table", { name: "Summary" });
  expect(summary).toHaveTextContent("YOLO");
  expect(summary).toHaveTextContent("Boxes28");
  expect(summary).toHaveTextContent("Images without a label file1");
});

test("a missing dataset says so and leads back to the projects", async () => {
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/datasets/d9", () => HttpResponse.json({ detail: "dataset d9 not found" }, { status: 404 })),
  );
  renderAt(<DatasetPage />, { route: "/datasets/d9", path: PATH });
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("dataset d9 not found");
  expect(within(alert).getByRole("link", { name: "Go to your projects" })).toHaveAttribute("href", "/projects");
});
