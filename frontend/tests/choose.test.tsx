import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import type { ReactElement } from "react";
import { Route, Routes, useLocation } from "react-router-dom";
import ChoosePage, { rescaleSimplex } from "../src/pages/Choose";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };

function version(task: string, train: Record<string, number>) {
  return {
    id: "v1",
    dataset_id: "d1",
    version: 1,
    content_hash: "abc",
    class_names: Object.keys(train),
    split_source: "folders",
    stats: {},
    warnings: [],
    report: { task, counts: { train, val: train } },
    verdict: { status: "ready", reasons: [] },
    created_at: "2026-12-05T08:00:00Z",
  };
}

const DATASET = { id: "d1", project_id: "p1", name: "pets", task: "classify", created_at: "2026-12-05T08:00:00Z", versions: [] };

function entry(name: string, family: string, task: string, params: number, gflops: number, year = 2024) {
  return {
    name,
    family,
    task,
    params,
    gflops,
    default_image_size: task === "detect" ? 640 : 224,
    year,
    licence: family === "efficientnet" ? "Apache-2.0" : "AGPL-3.0",
    weights_file: `${name}.pt`,
    weights: "fetchable",
  };
}

const CATALOG = [
  entry("efficientnet_b0", "efficientnet", "classify", 5288548, 0.772, 2019),
  entry("efficientnet_b1", "efficientnet", "classify", 7794184, 1.374, 2019),
  entry("yolo11n-cls", "yolo11", "classify", 2812104, 0.392),
  entry("yolo11s-cls", "yolo11", "classify", 6724008, 1.471),
  entry("yolo11n", "yolo11", "detect", 2624080, 6.543),
];

const SERVICE = {
  version: "0.1.0",
  max_upload_bytes: 1_000_000,
  job_kinds: ["train", "search"],
  compute_backends: ["local"],
  llm_mutator: false,
  import_s3_endpoints: [],
};

type Params = { [key: string]: unknown };

function ranked(rank: number, model: string, family: string, accuracy: number, more: Params = {}) {
  return {
    rank,
    model,
    family,
    score: 2 - rank / 10,
    predicted_accuracy: accuracy,
    params: 5_288_548,
    gflops: 0.772,
    latency_ms: 12.5,
    measured: true,
    pretrained_weights: true,
    why: `${model}: its architecture suits small, varied images`,
    groups: [
      { group: "architecture", words: "width and depth", effect: 0.12 },
      { group: "complexity", words: "FLOPs and parameters", effect: -0.04 },
      { group: "basics", words: "family and year", effect: 0.02 },
      { group: "features", words: "building blocks", effect: 0.001 },
    ],
    ...more,
  };
}

/** The recommender's answer for v1 (POST /projects/{id}/recommendations). */
const RECOMMENDATION = {
  dataset_version_id: "v1",
  recommender: "konstruktor-recommender 1 (four-tower, InfoNCE)",
  protocol: "10 epochs from scratch at 64 px, accuracy on the held-out split",
  latency_device: "one thread of an x86-64 CPU",
  group_weights: { architecture: 0.4, complexity: 0.3, basics: 0.2, features: 0.1 },
  models: [
    // not in rank order: the screen orders them
    ranked(4, "resnet18", "resnet", 0.52, { params: 11_689_512, gflops: 1.824, pretrained_weights: true, why: "resnet18: a solid middle" }),
    ranked(1, "efficientnet_b0", "efficientnet", 0.713),
    ranked(2, "yolo11n-cls", "yolo11", 0.684, { params: 2_812_104, gflops: 0.392, latency_ms: null, pretrained_weights: false }),
    ranked(3, "ghostnet_new", "ghostnet", 0.66, { params: 3_900_000, gflops: 0.15, measured: false, latency_ms: null }),
    ranked(5, "vit_tiny", "vit", 0.31, { params: 5_700_000, gflops: 1.26, measured: false, latency_ms: null, pretrained_weights: false, why: "vit_tiny: needs more images" }),
  ],
  warnings: ["Only 500 training images: the ranking is less certain for small datasets."],
  elapsed_ms: 1840,
  start: {
    method: "POST",
    path: "/api/v1/projects/p1/jobs",
    body: { kind: "train", dataset_version_id: "v1", params: { model: "efficientnet_b0" } },
  },
};

/** The service's answer to a training job that names no model: by task, fine-tuning where
 * the publisher's weights are at hand (mlcore/contract/train.py `choose_start`). */
function autoPreview(task: string, weights: boolean) {
  const model = task === "detect" ? "yolo11n" : weights ? "efficientnet_b0" : "resnet18";
  return {
    kind: "train",
    epochs: weights ? 20 : 40,
    compute_backend: "local",
    estimate_s: 600,
    estimate_basis: "default pace for cpu",
    params: {
      model,
      pretrained: weights,
      epochs: weights ? 20 : 40,
      chosen: ["epochs", "model", "pretrained"],
      reasons: {
        epochs: "from scratch on 500 training images",
        model: weights
          ? "fine-tunes well from its publisher's weights, which are at hand"
          : "trains fast from scratch (no publisher weights at hand)",
        pretrained: weights
          ? "its publisher's weights are cached or can be fetched"
          : "no publisher weights at hand (offline, or their URL does not answer)",
      },
    },
  };
}

function handlers({
  task = "classify",
  train = { cat: 300, dog: 200 },
  service = SERVICE,
  models = [] as unknown[],
  weights = true,
  previews = [] as Params[],
  project = "p1",
  recommendations = [] as Params[],
} = {}) {
  return [
    http.post(`/api/v1/projects/${project}/recommendations`, async ({ request }) => {
      recommendations.push((await request.json()) as Params);
      return HttpResponse.json(RECOMMENDATION);
    }),
    http.post(`/api/v1/projects/${project}/jobs/preview`, async ({ request }) => {
      previews.push((await request.json()) as Params);
      return HttpResponse.json(autoPreview(task, weights));
    }),
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/dataset-versions/v1", () => HttpResponse.json(version(task, train))),
    http.get("/api/v1/datasets/d1", () => HttpResponse.json({ ...DATASET, task })),
    http.get("/api/v1/catalog", () => HttpResponse.json(CATALOG)),
    http.get("/api/v1/service", () => HttpResponse.json(service)),
    http.get("/api/v1/models", () => HttpResponse.json(models)),
  ];
}

function Where() {
  const location = useLocation();
  return <p>now at {location.pathname + location.search}</p>;
}

/** The screen at its route, and every other address showing where the app went. */
function page(element: ReactElement) {
  return (
    <Routes>
      <Route path="/versions/:versionId/choose" element={element} />
      <Route path="*" element={<Where />} />
    </Routes>
  );
}

function renderChoose(tab = "") {
  renderAt(page(<ChoosePage />), { route: `/versions/v1/choose${tab}`, path: "/*" });
}

const names = () => screen.getAllByRole("rowheader").map((cell) => cell.textContent);

test("the catalog shows the dataset's task only, sorts, filters, pre-selects one and continues", async () => {
  server.use(...handlers());
  const user = userEvent.setup();
  renderChoose("?tab=catalog");
  expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("Step 3 of 6: Choose a model");
  expect(await screen.findByRole("table", { name: "Catalog models for this task" })).toBeInTheDocument();
  expect(screen.getByRole("tab", { name: "Catalog", selected: true })).toBeInTheDocument();

  // classification models only, smallest first; the detector is not offered
  expect(names()).toEqual(["yolo11n-cls", "efficientnet_b0", "yolo11s-cls", "efficientnet_b1"]);
  expect(screen.queryByRole("radio", { name: "yolo11n" })).not.toBeInTheDocument();
  expect(screen.getAllByText("not measured")).toHaveLength(4);
  expect(screen.getByRole("row", { name: /efficientnet_b0/ })).toHaveTextContent("5.3 M");

  // 500 training images: the smallest is pre-selected, and the screen says why
  expect(screen.getByRole("radio", { name: "yolo11n-cls" })).toBeChecked();
  expect(screen.getByText(/yolo11n-cls is pre-selected: with 500 training images/)).toBeInTheDocument();

  const paramsHeader = screen.getByRole("columnheader", { name: /Parameters/ });
  expect(paramsHeader).toHaveAttribute("aria-sort", "ascending");
  await user.click(within(paramsHeader).getByRole("button"));
  expect(paramsHeader).toHaveAttribute("aria-sort", "descending");
  expect(names()).toEqual(["efficientnet_b1", "yolo11s-cls", "efficientnet_b0", "yolo11n-cls"]);
  await user.click(screen.getByRole("button", { name: /Model/ }));
  expect(screen.getByRole("columnheader", { name: /Model/ })).toHaveAttribute("aria-sort", "ascending");
  expect(paramsHeader).not.toHaveAttribute("aria-sort");
  expect(names()).toEqual(["efficientnet_b0", "efficientnet_b1", "yolo11n-cls", "yolo11s-cls"]);

  await user.selectOptions(screen.getByLabelText("Family"), "EfficientNet");
  expect(names()).toEqual(["efficientnet_b0", "efficientnet_b1"]);
  await user.type(screen.getByLabelText("At most this many million parameters"), "6");
  expect(names()).toEqual(["efficientnet_b0"]);
  expect(screen.getByText(/It is hidden by the filters above/)).toBeInTheDocument();

  await user.click(screen.getByRole("radio", { name: "efficientnet_b0" }));
  const next = screen.getByRole("link", { name: "Continue with efficientnet_b0" });
  expect(next).toHaveAttribute("href", "/versions/v1/settings?model=efficientnet_b0");
  await user.click(next);
  expect(await screen.findByText("now at /versions/v1/settings?model=efficientnet_b0")).toBeInTheDocument();
});

test("with more training images the second-smallest model is pre-selected", async () => {
  server.use(...handlers({ train: { cat: 3000, dog: 2000 } }));
  renderChoose("?tab=catalog");
  expect(await screen.findByRole("radio", { name: "efficientnet_b0" })).toBeChecked();
  expect(screen.getByText(/efficientnet_b0 is pre-selected: with 5,000 training images/)).toBeInTheDocument();
});

test("a search with a complexity vector: the sliders stay on the simplex, the job is queued and opened", async () => {
  let posted: unknown = null;
  let release: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (release = resolve));
  server.use(
    ...handlers(),
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      await answered;
      return HttpResponse.json({ id: "j1" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderChoose("?tab=search");
  expect(await screen.findByRole("tab", { name: "Architecture search", selected: true })).toBeInTheDocument();
  const strategy = await screen.findByLabelText("Strategy");
  expect(strategy).toHaveValue("hyper_darts");
  expect(strategy).toHaveAccessibleDescription(/family of architectures along the accuracy\/cost front/);
  expect(screen.queryByLabelText("How children are proposed")).not.toBeInTheDocument(); // no LLM here

  await user.click(screen.getByLabelText("The one at a complexity vector s"));
  const sliders = ["maxpool3", "identity", "conv3"].map((op) => screen.getByRole("slider", { name: new RegExp(`s for ${op}`) }));
  expect(sliders.map((s) => Number((s as HTMLInputElement).value))).toEqual([1 / 3, 1 / 3, 1 / 3]);
  fireEvent.change(sliders[2]!, { target: { value: "0.6" } });
  expect(sliders[0]).toHaveAttribute("aria-valuetext", "0.20");
  expect(sliders[1]).toHaveAttribute("aria-valuetext", "0.20");
  expect(screen.getByText("Sum: 1.00")).toBeInTheDocument();
  await user.type(screen.getByLabelText("Retraining epochs"), "10");

  await user.click(screen.getByRole("button", { name: "Start the search" }));
  expect(await screen.findByRole("button", { name: "Queued…" })).toBeDisabled();
  await waitFor(() => expect(posted).not.toBeNull());
  const body = posted as { kind: string; dataset_version_id: string; params: { complexity: number[] } };
  expect(body).toMatchObject({ kind: "search", dataset_version_id: "v1", params: { strategy: "hyper_darts", retrain_epochs: 10 } });
  expect(Object.keys(body.params).sort()).toEqual(["complexity", "retrain_epochs", "strategy"]);
  expect(body.params.complexity).toHaveLength(3);
  expect(body.params.complexity[2]).toBeCloseTo(0.6);
  expect(body.params.complexity[0]).toBeCloseTo(0.2);
  expect(body.params.complexity.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  release();
  expect(await screen.findByText("now at /jobs/j1")).toBeInTheDocument();
});

test("a black-box search sends its candidates, mutator and budget, and shows the service's refusal", async () => {
  let posted: { params?: unknown } | null = null;
  server.use(
    ...handlers({ service: { ...SERVICE, llm_mutator: true, compute_backends: ["local", "gpu-pool"] } }),
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = (await request.json()) as { params?: unknown };
      return HttpResponse.json({ detail: "max_params 50 is below every architecture of this space" }, { status: 422 });
    }),
  );
  const user = userEvent.setup();
  renderChoose("?tab=search");
  await user.selectOptions(await screen.findByLabelText("Strategy"), "evolution");
  expect(screen.queryByLabelText("The one at a complexity vector s")).not.toBeInTheDocument(); // hyper_darts only
  expect(screen.getByLabelText("Candidates to train")).toHaveValue(24);
  await user.selectOptions(screen.getByLabelText("How children are proposed"), "rules");
  await user.click(screen.getByLabelText("The most accurate with at most this many parameters"));
  await user.click(screen.getByRole("button", { name: "Start the search" }));
  expect(screen.getByRole("alert")).toHaveTextContent("Enter a number above zero for the budget");
  expect(posted).toBeNull();
  await user.type(screen.getByLabelText("Parameters at most"), "50");
  await user.selectOptions(screen.getByLabelText("Compute target"), "gpu-pool");
  await user.click(screen.getByRole("button", { name: "Start the search" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("max_params 50 is below every architecture of this space");
  expect(posted).toEqual({
    kind: "search",
    dataset_version_id: "v1",
    compute_backend: "gpu-pool",
    params: { strategy: "evolution", max_params: 50, evaluations: 24, mutator: "rules" },
  });
  expect(screen.getByRole("button", { name: "Start the search" })).toBeEnabled();
});

test("a detection dataset is pointed from the search to the catalog", async () => {
  server.use(...handlers({ task: "detect" }));
  const user = userEvent.setup();
  renderChoose("?tab=search");
  expect(await screen.findByText(/Architecture search builds image classifiers/)).toBeInTheDocument();
  await user.click(screen.getByRole("link", { name: "Open the catalog" }));
  expect(await screen.findByRole("radio", { name: "yolo11n" })).toBeChecked();
  expect(names()).toEqual(["yolo11n"]);
});

const FAMILY = {
  members: [
    {
      s: [0.1, 0.1, 0.8],
      genotype: { ops: ["maxpool3", "identity", "conv3"], choices: [[0, 1, 1], [1, 0, 0]] },
      counts: { maxpool3: 2, identity: 4, conv3: 0 },
      params: 3000,
      flops: 90000,
      predicted_latency_ms: 0.4,
      proxy_accuracy: 0.6,
    },
    {
      s: [0.4, 0.3, 0.3],
      genotype: { ops: ["maxpool3", "identity", "conv3"], choices: [[2, 2, 1], [0, 2, 1]] },
      counts: { maxpool3: 1, identity: 2, conv3: 3 },
      params: 8000,
      flops: 400000,
      predicted_latency_ms: 0.9,
      proxy_accuracy: 0.75,
    },
    {
      s: [0.8, 0.1, 0.1],
      genotype: { ops: ["maxpool3", "identity", "conv3"], choices: [[2, 2, 2], [2, 0, 2]] },
      counts: { maxpool3: 1, identity: 0, conv3: 5 },
      params: 9000,
      flops: 500000,
      predicted_latency_ms: null,
      proxy_accuracy: 0.7,
    },
  ],
  front: [0, 1],
  chosen: 1,
  strategy: "hyper_darts",
};

const NAS_MODEL = {
  id: "m1",
  project_id: "p1",
  job_id: "j0",
  dataset_version_id: "v1",
  architecture: "nas",
  task: "classify",
  class_names: ["cat", "dog"],
  metrics: { accuracy: 0.8 },
  files: ["family", "family_plot", "model.pt"],
  package_sha256: "x",
  package_size: 1,
  created_at: "2026-12-04T08:00:00Z",
};

test("a point of an earlier search's front shows its member, and training it posts the family", async () => {
  let posted: unknown = null;
  server.use(
    ...handlers({ models: [NAS_MODEL, { ...NAS_MODEL, id: "m2", architecture: "efficientnet_b0", files: ["model.pt"] }] }),
    http.get("/api/v1/models/m1/files/family", () => HttpResponse.json(FAMILY)),
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      return HttpResponse.json({ id: "j9" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderChoose("?tab=search");
  expect(await screen.findByLabelText("Search")).toHaveValue("m1");
  expect(await screen.findByText(/3 architectures, 2 of them on the front/)).toBeInTheDocument();
  const points = screen.getAllByRole("button", { name: /^Member \d:/ });
  expect(points.map((p) => p.getAttribute("aria-label"))).toEqual([
    "Member 1: 3,000 parameters, proxy accuracy 60 %, on the front",
    "Member 2: 8,000 parameters, proxy accuracy 75 %, on the front, kept by the search",
    "Member 3: 9,000 parameters, proxy accuracy 70 %",
  ]);
  // the table twin has the same numbers
  const table = screen.getByRole("table", { name: "Proxy accuracy against parameters" });
  expect(within(table).getAllByRole("row")[2]).toHaveTextContent(/2\s*yes\s*8,000\s*400,000\s*0.9 ms\s*75 %/);

  await user.click(points[1]!);
  const card = screen.getByRole("region", { name: "Member 2" });
  expect(card).toHaveTextContent("Cell 1: conv3, conv3, identity");
  expect(card).toHaveTextContent("Cell 2: maxpool3, conv3, identity");
  expect(card).toHaveTextContent("maxpool3 0.4 · identity 0.3 · conv3 0.3");
  expect(points[1]).toHaveAttribute("aria-pressed", "true");

  // keyboard: the next point by size, then Enter
  points[1]!.focus();
  await user.keyboard("{ArrowRight}");
  expect(points[2]).toHaveFocus();
  await user.keyboard("{Enter}");
  const third = screen.getByRole("region", { name: "Member 3" });
  expect(third).toHaveTextContent("not measured");
  expect(third).toHaveTextContent("Cell 1: conv3, conv3, conv3");

  await user.click(within(third).getByRole("button", { name: "Train this member" }));
  expect(await screen.findByText("now at /jobs/j9")).toBeInTheDocument();
  expect(posted).toEqual({
    kind: "search",
    dataset_version_id: "v1",
    params: { family_model_id: "m1", family_member: 2 },
  });
});

test("a family of a shared-cell space names its rows the normal and the reduction cell", async () => {
  const shared = { ...FAMILY, space: { cells: 3, cell_sharing: "shared" } };
  server.use(
    ...handlers({ models: [NAS_MODEL] }),
    http.get("/api/v1/models/m1/files/family", () => HttpResponse.json(shared)),
  );
  const user = userEvent.setup();
  renderChoose("?tab=search");
  const points = await screen.findAllByRole("button", { name: /^Member \d:/ });
  await user.click(points[0]!);
  const card = screen.getByRole("region", { name: "Member 1" });
  expect(card).toHaveTextContent("Normal cell (cell 1): maxpool3, identity, identity");
  expect(card).toHaveTextContent("Reduction cell (cells 2, 3): identity, maxpool3, maxpool3");
  expect(card).toHaveTextContent(/shares the reduction cell's operations/);
  expect(card).not.toHaveTextContent("Cell 1:");
});

test("members of equal size and accuracy are drawn side by side, each clickable", async () => {
  const twin = { ...FAMILY.members[0]!, genotype: { ops: ["maxpool3", "identity", "conv3"], choices: [[1, 1, 1], [1, 0, 0]] } };
  const twins = { ...FAMILY, members: [...FAMILY.members, twin] };
  server.use(
    ...handlers({ models: [NAS_MODEL] }),
    http.get("/api/v1/models/m1/files/family", () => HttpResponse.json(twins)),
  );
  const user = userEvent.setup();
  renderChoose("?tab=search");
  const first = await screen.findByRole("button", { name: /^Member 1:/ });
  const fourth = screen.getByRole("button", { name: /^Member 4:/ });
  const cx = (point: HTMLElement) => Number(point.querySelector("circle")?.getAttribute("cx"));
  expect(Math.abs(cx(first) - cx(fourth))).toBe(14);
  await user.click(fourth);
  expect(screen.getByRole("region", { name: "Member 4" })).toHaveTextContent("Cell 1: identity, identity, identity");
});

test("a member of a black-box family (no complexity vectors) is trained by its index too", async () => {
  let posted: unknown = null;
  const blackbox = { ...FAMILY, members: FAMILY.members.map((m) => ({ ...m, s: [] })), strategy: "random" };
  server.use(
    ...handlers({ models: [NAS_MODEL] }),
    http.get("/api/v1/models/m1/files/family", () => HttpResponse.json(blackbox)),
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      return HttpResponse.json({ id: "j3" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderChoose("?tab=search");
  await user.click(await screen.findByRole("button", { name: "Show member 1" }));
  expect(screen.getByRole("heading", { name: "Member 1" })).toHaveFocus();
  await user.click(screen.getByRole("button", { name: "Train this member" }));
  expect(await screen.findByText("now at /jobs/j3")).toBeInTheDocument();
  expect(posted).toEqual({ kind: "search", dataset_version_id: "v1", params: { family_model_id: "m1", family_member: 0 } });
});

test("moving one component of s rescales the others proportionally", () => {
  const next = rescaleSimplex([0.5, 0.3, 0.2], 0, 0.8);
  expect(next[0]).toBe(0.8);
  expect(next[1]).toBeCloseTo(0.12);
  expect(next[2]).toBeCloseTo(0.08);
  expect(rescaleSimplex([1, 0, 0], 0, 0.4)).toEqual([0.4, 0.3, 0.3]);
});

test("“Let Konstruktor choose” shows the model the service would train, and why, and continues with it", async () => {
  const previews: Params[] = [];
  server.use(...handlers({ previews }));
  const user = userEvent.setup();
  renderChoose();
  const auto = await screen.findByRole("region", { name: "Let Konstruktor choose" });
  // it comes before the ways to choose a model yourself
  const tabs = screen.getByRole("tablist", { name: "Ways to choose a model" });
  expect(auto.compareDocumentPosition(tabs) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  const next = await within(auto).findByRole("link", { name: "Use Konstruktor's choice: efficientnet_b0" });
  expect(previews).toEqual([{ kind: "train", dataset_version_id: "v1", params: {} }]);
  expect(within(auto).getByText("efficientnet_b0")).toBeInTheDocument();
  expect(within(auto).getByText("Why: fine-tunes well from its publisher's weights, which are at hand.")).toBeInTheDocument();
  expect(within(auto).getByText(/the publisher's weights \(fine-tuning\)/)).toBeInTheDocument();
  expect(within(auto).getByText("Why: its publisher's weights are cached or can be fetched.")).toBeInTheDocument();
  // the service's other choices are for the settings screen
  expect(within(auto).queryByText(/500 training images/)).not.toBeInTheDocument();

  expect(next).toHaveAttribute("href", "/versions/v1/settings?model=efficientnet_b0");
  next.focus();
  await user.keyboard("{Enter}");
  expect(await screen.findByText("now at /versions/v1/settings?model=efficientnet_b0")).toBeInTheDocument();
});

test("without publisher weights a detection dataset is offered its detector from scratch, in Russian too", async () => {
  localStorage.setItem("konstruktor.lang", "ru");
  server.use(...handlers({ task: "detect", weights: false }));
  renderChoose();
  const auto = await screen.findByRole("region", { name: "Пусть выберет Konstruktor" });
  expect(await within(auto).findByRole("link", { name: "Взять выбор Konstruktor: yolo11n" })).toHaveAttribute(
    "href",
    "/versions/v1/settings?model=yolo11n",
  );
  expect(within(auto).getByText(/с нуля/)).toBeInTheDocument();
  expect(
    within(auto).getByText("Почему: no publisher weights at hand (offline, or their URL does not answer)."),
  ).toBeInTheDocument();
});

test("the service's refusal of its own choice shows with a way to ask again", async () => {
  let answers = 0;
  server.use(
    http.post("/api/v1/projects/p1/jobs/preview", () => {
      answers += 1;
      return answers === 1
        ? HttpResponse.json({ detail: "dataset version v1 cannot train: add a val/ folder" }, { status: 422 })
        : HttpResponse.json(autoPreview("classify", false));
    }),
    ...handlers(),
  );
  const user = userEvent.setup();
  renderChoose();
  const auto = await screen.findByRole("region", { name: "Let Konstruktor choose" });
  expect(await within(auto).findByRole("alert")).toHaveTextContent("add a val/ folder");
  await user.click(within(auto).getByRole("button", { name: "Try again" }));
  expect(await within(auto).findByRole("link", { name: "Use Konstruktor's choice: resnet18" })).toBeInTheDocument();
  expect(within(auto).getByText("Why: trains fast from scratch (no publisher weights at hand).")).toBeInTheDocument();
});

test("with ?project= the choice is previewed and ranked in that project, and the way on keeps it", async () => {
  const recommendations: Params[] = [];
  server.use(...handlers({ project: "p9", recommendations }));
  const user = userEvent.setup();
  renderChoose("?project=p9");
  const auto = await screen.findByRole("region", { name: "Let Konstruktor choose" });
  expect(await within(auto).findByRole("link", { name: "Use Konstruktor's choice: efficientnet_b0" })).toHaveAttribute(
    "href",
    "/versions/v1/settings?model=efficientnet_b0&project=p9",
  );
  expect(await screen.findByRole("region", { name: "1. efficientnet_b0" })).toBeInTheDocument();
  expect(recommendations).toEqual([{ dataset_version_id: "v1" }]);
  await user.click(screen.getByRole("tab", { name: "Catalog" }));
  expect(await screen.findByRole("link", { name: "Continue with yolo11n-cls" })).toHaveAttribute(
    "href",
    "/versions/v1/settings?model=yolo11n-cls&project=p9",
  );
  const stepper = screen.getByRole("navigation", { name: "Progress" });
  expect(within(stepper).getByRole("link", { name: "Check the data" })).toHaveAttribute(
    "href",
    "/datasets/d1?version=v1&project=p9",
  );
});

// ---------------------------------------------------------------------------------------
// Recommended

test("Recommended opens first: the top three as cards, the rest as a ranked table, labelled honestly", async () => {
  let release: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (release = resolve));
  const asked: Params[] = [];
  server.use(
    http.post("/api/v1/projects/p1/recommendations", async ({ request }) => {
      asked.push((await request.json()) as Params);
      await answered;
      return HttpResponse.json(RECOMMENDATION);
    }),
    ...handlers(),
  );
  renderChoose();
  const tabs = await screen.findAllByRole("tab");
  expect(tabs.map((tab) => tab.textContent)).toEqual(["Recommended", "Catalog", "Architecture search"]);
  expect(screen.getByRole("tab", { name: "Recommended" })).toHaveAttribute("aria-selected", "true");
  // while the recommender works, the screen says what it is doing
  const panel = screen.getByRole("tabpanel");
  expect(await within(panel).findByRole("status")).toHaveTextContent(/Ranking the catalog's classification models/);
  release();

  const cards = await screen.findAllByRole("region", { name: /^\d\. / });
  expect(cards.map((card) => card.getAttribute("aria-labelledby") && within(card).getByRole("heading").textContent)).toEqual([
    "1. efficientnet_b0",
    "2. yolo11n-cls",
    "3. ghostnet_new",
  ]);
  expect(asked).toEqual([{ dataset_version_id: "v1" }]);
  const [first, second, third] = cards as [HTMLElement, HTMLElement, HTMLElement];
  expect(first).toHaveTextContent("EfficientNet");
  expect(first).toHaveTextContent(/Predicted proxy accuracy\s*71\.3 %/);
  expect(first).toHaveTextContent(/Parameters\s*5\.3 M/);
  expect(first).toHaveTextContent(/GFLOPs\s*0\.772/);
  expect(first).toHaveTextContent(/CPU latency\s*12\.5 ms/);
  expect(first).toHaveTextContent("efficientnet_b0: its architecture suits small, varied images");
  expect(within(first).getByText("ImageNet weights")).toBeInTheDocument();
  expect(within(first).queryByText("not in the meta-dataset")).not.toBeInTheDocument();
  expect(second).toHaveTextContent(/CPU latency\s*not measured/);
  expect(within(second).queryByText("ImageNet weights")).not.toBeInTheDocument();
  expect(within(third).getByText("not in the meta-dataset")).toHaveAttribute(
    "title",
    "The meta-dataset never trained this model: it is ranked from its metadata alone.",
  );

  // the predicted accuracy says what it predicts: the protocol, not a full training
  const accuracy = within(first).getByText("71.3 %").closest("dd")!;
  expect(accuracy).toHaveAccessibleDescription(/10 epochs from scratch at 64 px.*It is not the accuracy a full training here will reach/);
  expect(screen.getByText(/one thread of an x86-64 CPU/)).toBeInTheDocument();

  // each group's effect in words and numbers (the bars are decoration)
  const effects = within(first).getByRole("list", { name: "What moved efficientnet_b0's score" });
  expect(within(effects).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
    "Architecture+0.12",
    "Complexity-0.04",
    "Basics+0.02",
    "Features0",
  ]);
  expect(screen.getByText(/Complexity: FLOPs and parameters/)).toBeInTheDocument();
  expect(screen.getByText("Only 500 training images: the ranking is less certain for small datasets.")).toBeInTheDocument();

  // the rest, in rank order
  const table = screen.getByRole("table", { name: "The other classification models, ranked" });
  const rows = within(table).getAllByRole("row").slice(1);
  expect(rows.map((row) => within(row).getByRole("rowheader").textContent)).toEqual([
    "resnet18 ImageNet weights",
    "vit_tiny not in the meta-dataset",
  ]);
  expect(rows[0]).toHaveTextContent(/^4\s*resnet18.*resnet\s*52 %\s*11\.7 M\s*1\.82\s*12\.5 ms\s*resnet18: a solid middle/);
  expect(rows[1]).toHaveTextContent(/not measured/);
  expect(within(table).getAllByRole("button", { name: /^Train this model/ })).toHaveLength(2);
});

test("“Train this model” on a card starts that training in one call and opens the job", async () => {
  let posted: unknown = null;
  server.use(
    ...handlers(),
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      return HttpResponse.json({ id: "j7" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderChoose();
  const card = await screen.findByRole("region", { name: "2. yolo11n-cls" });
  await user.click(within(card).getByRole("button", { name: "Train this model (yolo11n-cls)" }));
  expect(await screen.findByText("now at /jobs/j7")).toBeInTheDocument();
  expect(posted).toEqual({ kind: "train", dataset_version_id: "v1", params: { model: "yolo11n-cls" } });
});

test("a row of the table trains in the dataset's other project, and a refusal shows beside the table", async () => {
  const bodies: unknown[] = [];
  server.use(
    ...handlers({ project: "p9" }),
    http.post("/api/v1/projects/p9/jobs", async ({ request }) => {
      bodies.push(await request.json());
      return bodies.length === 1
        ? HttpResponse.json({ detail: "vit_tiny needs at least 32 px images" }, { status: 422 })
        : HttpResponse.json({ id: "j8" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderChoose("?project=p9");
  const table = await screen.findByRole("table", { name: "The other classification models, ranked" });
  const row = within(table).getByRole("row", { name: /vit_tiny/ });
  await user.click(within(row).getByRole("button", { name: "Train this model (vit_tiny)" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("vit_tiny needs at least 32 px images");
  expect(within(row).getByRole("button", { name: /^Train this model/ })).toBeEnabled();
  await user.click(within(row).getByRole("button", { name: /^Train this model/ }));
  expect(await screen.findByText("now at /jobs/j8")).toBeInTheDocument();
  expect(bodies).toEqual([
    { kind: "train", dataset_version_id: "v1", params: { model: "vit_tiny" } },
    { kind: "train", dataset_version_id: "v1", params: { model: "vit_tiny" } },
  ]);
});

test("the recommender's refusal shows the service's words with a way to ask again", async () => {
  let answers = 0;
  server.use(
    http.post("/api/v1/projects/p1/recommendations", () => {
      answers += 1;
      return answers === 1
        ? HttpResponse.json({ detail: "the recommender's bundle is missing: run python -m mlcore recommender" }, { status: 503 })
        : HttpResponse.json(RECOMMENDATION);
    }),
    ...handlers(),
  );
  const user = userEvent.setup();
  renderChoose();
  const panel = await screen.findByRole("tabpanel");
  expect(await within(panel).findByRole("alert")).toHaveTextContent(
    "the recommender's bundle is missing: run python -m mlcore recommender",
  );
  await user.click(within(panel).getByRole("button", { name: "Try again" }));
  expect(await screen.findByRole("region", { name: "1. efficientnet_b0" })).toBeInTheDocument();
  expect(answers).toBe(2);
});

test("a detection version is not offered recommendations: the catalog opens first", async () => {
  server.use(...handlers({ task: "detect" })); // a request for recommendations would fail the test
  renderChoose("?tab=recommended");
  expect(await screen.findByRole("radio", { name: "yolo11n" })).toBeChecked();
  expect(screen.getAllByRole("tab").map((tab) => tab.textContent)).toEqual(["Catalog", "Architecture search"]);
  expect(screen.getByRole("tab", { name: "Catalog" })).toHaveAttribute("aria-selected", "true");
});

test("the recommendations in Russian", async () => {
  localStorage.setItem("konstruktor.lang", "ru");
  server.use(...handlers());
  renderChoose();
  expect(await screen.findByRole("tab", { name: "Рекомендации", selected: true })).toBeInTheDocument();
  const card = await screen.findByRole("region", { name: "1. efficientnet_b0" });
  expect(card).toHaveTextContent(/Предсказанная прокси-точность\s*71,3 %/);
  expect(within(card).getByRole("button", { name: "Обучить эту модель (efficientnet_b0)" })).toBeEnabled();
  expect(screen.getByRole("table", { name: "Остальные модели классификации по порядку" })).toBeInTheDocument();
});
