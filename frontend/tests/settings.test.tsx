import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { Route, Routes, useLocation } from "react-router-dom";
import SettingsPage from "../src/pages/Settings";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };

const VERSION = {
  id: "v1",
  dataset_id: "d1",
  version: 1,
  content_hash: "abc",
  class_names: ["cat", "dog"],
  split_source: "folders",
  stats: {},
  warnings: [],
  report: { task: "classify", counts: { train: { cat: 300, dog: 200 } } },
  verdict: { status: "ready", reasons: [] },
  created_at: "2026-12-05T08:00:00Z",
};
const DATASET = { id: "d1", project_id: "p1", name: "pets", task: "classify", created_at: "2026-12-05T08:00:00Z", versions: [] };
const CATALOG = [
  {
    name: "efficientnet_b0",
    family: "efficientnet",
    task: "classify",
    params: 5288548,
    gflops: 0.772,
    default_image_size: 224,
    year: 2019,
    licence: "Apache-2.0",
    weights_file: "efficientnet_b0_rwightman-7f5810bc.pth",
    weights: "cached",
  },
  {
    name: "yolo11n",
    family: "yolo11",
    task: "detect",
    params: 2624080,
    gflops: 6.5,
    default_image_size: 640,
    year: 2024,
    licence: "AGPL-3.0",
    weights_file: "yolo11n.pt",
    weights: "fetchable",
  },
];
const SERVICE = {
  version: "0.1.0",
  max_upload_bytes: 1_000_000,
  job_kinds: ["train", "search"],
  compute_backends: ["local"],
  llm_mutator: false,
  import_s3_endpoints: [],
};

function model(id: string, architecture: string) {
  return {
    id,
    project_id: "p1",
    job_id: `job-${id}`,
    dataset_version_id: "v1",
    architecture,
    class_names: ["cat", "dog"],
    metrics: { accuracy: 0.9 },
    files: ["model.pt"],
    package_sha256: "x",
    package_size: 1,
    created_at: "2026-12-04T08:00:00Z",
  };
}

type Params = { [key: string]: unknown };

/** The service's resolution, as mlcore/contract/train.py does it for 500 training images of
 * 32 px: each blank chosen, with its reason; a blank pretrained is `weightsAtHand`. */
function resolve(params: Params, weightsAtHand = false) {
  const given = typeof params["pretrained"] === "boolean";
  const pretrained = given ? params["pretrained"] : weightsAtHand;
  const warm = pretrained === true || typeof params["init_model_id"] === "string";
  const start = warm ? "fine-tuning" : "from scratch";
  const epochs = (params["epochs"] as number | undefined) ?? (warm ? 20 : 40);
  const choices: { [name: string]: [unknown, string] } = {
    image_size: [224, "the images' median side is 32 px"],
    epochs: [epochs, `${start} on 500 training images`],
    batch_size: [32, "for 224 px images, at least two steps an epoch"],
    learning_rate: [warm ? 0.0003 : 0.001, `efficientnet_b0's recipe ${start}`],
    warmup_epochs: [Math.min(1, epochs / 10), `efficientnet_b0's recipe ${start}`],
    label_smoothing: [0.1, "efficientnet_b0's recipe"],
    optimizer: ["adamw", "efficientnet_b0's recipe"],
    weight_decay: [0.05, "efficientnet_b0's recipe"],
    augmentation: ["strong", "250 training images per class"],
    class_balance: ["none", "largest / smallest class = 1.5"],
    early_stopping_patience: [epochs >= 20 ? Math.max(5, Math.floor(epochs / 4)) : null, "a quarter of the epochs from 20 epochs up"],
  };
  const chosen = Object.keys(choices).filter((name) => !(name in params));
  const reasons: { [name: string]: string } = Object.fromEntries(chosen.map((name) => [name, choices[name]![1]]));
  if (!given) reasons["pretrained"] = pretrained ? "its publisher's weights are cached or can be fetched" : "no publisher weights at hand";
  const values = Object.fromEntries(Object.entries(choices).map(([name, [value]]) => [name, value]));
  return {
    kind: "train",
    params: {
      init_model_id: null,
      seed: 0,
      ...values,
      ...params,
      pretrained,
      chosen: [...chosen, ...(given ? [] : ["pretrained"])].sort(),
      reasons,
    },
    epochs,
    compute_backend: "local",
    estimate_s: null,
    estimate_basis: "",
  };
}

const LOCAL = { name: "local", title: "this service's own machine", device: "cpu", machine: null };
const YANDEX = {
  name: "yandex",
  title: "Yandex Cloud GPU",
  device: "cuda",
  machine: "gpu-standard-v3: 1 GPU, 28 vCPU, 119 GB RAM",
  currency: "RUB",
  price_per_hour: 369.3,
  max_hours: 24,
};

/** What a job on YANDEX costs: with a duration estimate of `estimate_s`, or only its ceiling. */
function paid(estimate_s: number | null) {
  const basis =
    estimate_s === null
      ? "no duration estimate for this kind of job: the ceiling is its time limit"
      : "the job's expected duration plus a machine's start (3 min), at 369.3 RUB/h";
  const estimate = estimate_s === null ? null : Math.round(((estimate_s + 180) * 369.3) / 36) / 100;
  const cost = { currency: "RUB", price_per_hour: 369.3, estimate, ceiling: 8863.2, basis, machine_seconds: 0, actual: 0, machines: 0 };
  return { compute_backend: "yandex", estimate_s, estimate_basis: "measured pace on cuda", cost };
}

function handlers({
  service = SERVICE as typeof SERVICE & { compute_targets?: object[] },
  models = [] as unknown[],
  weightsAtHand = false,
  project = "p1",
  onYandex = paid(null),
} = {}) {
  const previews: Params[] = [];
  const list = [
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/dataset-versions/v1", () => HttpResponse.json(VERSION)),
    http.get("/api/v1/datasets/d1", () => HttpResponse.json(DATASET)),
    http.get("/api/v1/catalog", () => HttpResponse.json(CATALOG)),
    http.get("/api/v1/service", () => HttpResponse.json(service)),
    http.get("/api/v1/models", () => HttpResponse.json(models)),
    http.post(`/api/v1/projects/${project}/jobs/preview`, async ({ request }) => {
      const body = (await request.json()) as { params: Params };
      previews.push(body);
      const epochs = body.params["epochs"];
      if (typeof epochs === "number" && epochs > 1000) {
        return HttpResponse.json(
          {
            detail: "train.params.epochs: Input should be less than or equal to 1000",
            errors: [
              {
                loc: ["body", "train", "params", "epochs"],
                msg: "Input should be less than or equal to 1000",
                type: "less_than_equal",
              },
            ],
          },
          { status: 422 },
        );
      }
      const backend = (body as { compute_backend?: string }).compute_backend ?? service.compute_backends[0];
      return HttpResponse.json({ ...resolve(body.params, weightsAtHand), cost: null, ...(backend === "yandex" ? onYandex : {}) });
    }),
  ];
  return { list, previews };
}

function Where() {
  const location = useLocation();
  return <p>now at {location.pathname + location.search}</p>;
}

function renderSettings(model = "efficientnet_b0", query = "") {
  renderAt(
    <Routes>
      <Route path="/versions/:versionId/settings" element={<SettingsPage />} />
      <Route path="*" element={<Where />} />
    </Routes>,
    { route: `/versions/v1/settings?model=${model}${query}`, path: "/*" },
  );
}

test("every field starts at the service's choice, tagged, and only the changed fields are sent", async () => {
  const { list, previews } = handlers();
  let posted: unknown = null;
  let release: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (release = resolve));
  server.use(
    ...list,
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      await answered;
      return HttpResponse.json({ id: "j2" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderSettings();
  expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("Step 4 of 6: Settings");
  const epochs = await screen.findByLabelText("Epochs");
  expect(previews[0]).toEqual({ kind: "train", dataset_version_id: "v1", params: { model: "efficientnet_b0" } });
  expect(epochs).toHaveValue(40);
  expect(epochs).toHaveAccessibleDescription(/chosen automatically/);
  expect(screen.getByLabelText("Image size (px)")).toHaveValue(224);
  expect(screen.getByLabelText("Learning rate")).toHaveValue(0.001);
  expect(screen.getByLabelText("Early stopping: epochs without improvement")).toHaveValue(10);
  expect(screen.getByLabelText("Augmentation")).toHaveValue("strong");
  expect(screen.getByLabelText("Augmentation")).toHaveAccessibleDescription(/chosen automatically/);
  expect(screen.getByLabelText("Random seed")).toHaveValue(0);
  expect(screen.getByLabelText("Random seed")).not.toHaveAccessibleDescription(/chosen automatically/);
  expect(await screen.findByText("Runs on: the local worker (this server).")).toBeInTheDocument();

  // starting from weights: the service lowers the epochs and the learning rate
  await user.click(screen.getByLabelText("Start from the publisher's weights"));
  await waitFor(() => expect(screen.getByLabelText("Epochs")).toHaveValue(20));
  expect(screen.getByLabelText("Learning rate")).toHaveValue(0.0003);
  expect(screen.getByLabelText("Learning rate")).toHaveAccessibleDescription(/chosen automatically/);

  await user.clear(screen.getByLabelText("Epochs"));
  await user.type(screen.getByLabelText("Epochs"), "12");
  expect(screen.getByLabelText("Epochs")).toHaveAccessibleDescription(/your value/);
  await waitFor(() => expect(screen.getByLabelText("Early stopping: epochs without improvement")).toHaveValue(null));
  expect(screen.getByText(/The service will train for 12 epochs on the local worker/)).toBeInTheDocument();

  await user.click(screen.getByRole("button", { name: "Start training" }));
  expect(await screen.findByRole("button", { name: "Queued…" })).toBeDisabled();
  await waitFor(() =>
    expect(posted).toEqual({
      kind: "train",
      dataset_version_id: "v1",
      params: { model: "efficientnet_b0", epochs: 12, pretrained: true },
    }),
  );
  release();
  expect(await screen.findByText("now at /jobs/j2")).toBeInTheDocument();
});

test("a value the service refuses shows its 422 beside the form and the field", async () => {
  const { list } = handlers();
  server.use(...list);
  const user = userEvent.setup();
  renderSettings();
  const epochs = await screen.findByLabelText("Epochs");
  await user.clear(epochs);
  await user.type(epochs, "5000");
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("train.params.epochs: Input should be less than or equal to 1000");
  expect(epochs).toHaveAttribute("aria-invalid", "true");
  expect(epochs).toHaveAccessibleDescription(/Input should be less than or equal to 1000/);
  // the other fields keep the last good choices
  expect(screen.getByLabelText("Image size (px)")).toHaveValue(224);

  await user.click(screen.getByRole("button", { name: "Use the automatic value for Epochs" }));
  await waitFor(() => expect(screen.queryByRole("alert")).not.toBeInTheDocument());
  expect(screen.getByLabelText("Epochs")).toHaveValue(40);
});

test("an earlier model of the same architecture and another compute target are sent when chosen", async () => {
  const { list } = handlers({
    service: { ...SERVICE, compute_backends: ["local", "k8s"] },
    models: [model("m1", "efficientnet_b0"), model("m2", "yolo11n-cls")],
  });
  let posted: unknown = null;
  server.use(
    ...list,
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      return HttpResponse.json(
        { detail: "init_model_id m1 predates transfer learning; retrain it to reuse it" },
        { status: 422 },
      );
    }),
  );
  const user = userEvent.setup();
  renderSettings();
  const init = await screen.findByLabelText("Start from one of your earlier models");
  expect(within(init).getAllByRole("option").map((o) => o.getAttribute("value"))).toEqual(["", "m1"]);
  await user.selectOptions(init, "m1");
  await user.selectOptions(await screen.findByLabelText("Compute target"), "k8s");
  await user.click(screen.getByRole("button", { name: "Start training" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("init_model_id m1 predates transfer learning");
  expect(init).toHaveAccessibleDescription(/predates transfer learning/);
  expect(posted).toEqual({
    kind: "train",
    dataset_version_id: "v1",
    compute_backend: "k8s",
    params: { model: "efficientnet_b0", init_model_id: "m1" },
  });
  expect(screen.getByRole("button", { name: "Start training" })).toBeEnabled();
});

test("an unknown model, or one for another task, leads back to choosing", async () => {
  const { list } = handlers();
  server.use(...list);
  renderSettings("nope");
  expect(await screen.findByText("There is no model “nope” in the catalog.")).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "Go back and choose a model" })).toHaveAttribute("href", "/versions/v1/choose");
});

test("a detector for a classification dataset leads back to choosing", async () => {
  const { list } = handlers();
  server.use(...list);
  renderSettings("yolo11n");
  expect(
    await screen.findByText("yolo11n is a detection model, and this dataset is for classification."),
  ).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "Go back and choose a model" })).toBeInTheDocument();
});

test("each automatic choice says why the service made it, in the field's description", async () => {
  const { list } = handlers();
  server.use(...list);
  const user = userEvent.setup();
  renderSettings();
  const size = await screen.findByLabelText("Image size (px)");
  expect(size).toHaveAccessibleDescription(/chosen automatically.*Why: the images' median side is 32 px\./);
  expect(screen.getByText("Why: the images' median side is 32 px.")).toBeInTheDocument();
  expect(screen.getByLabelText("Early stopping: epochs without improvement")).toHaveAccessibleDescription(
    /Why: a quarter of the epochs from 20 epochs up\./,
  );
  expect(screen.getByLabelText("Start from the publisher's weights")).toHaveAccessibleDescription(
    /chosen automatically.*Why: no publisher weights at hand\./,
  );
  // a field the user set has no reason: it is theirs
  await user.clear(size);
  await user.type(size, "64");
  expect(size).toHaveAccessibleDescription(/your value/);
  expect(size).not.toHaveAccessibleDescription(/Why:/);
  expect(screen.queryByText("Why: the images' median side is 32 px.")).not.toBeInTheDocument();
  // the seed is not chosen, so it has no reason either
  expect(screen.getByLabelText("Random seed")).not.toHaveAccessibleDescription(/Why:/);
});

test("the optimizer and weight decay start at the model's recipe and are sent only when changed, like pretrained", async () => {
  const { list, previews } = handlers({ weightsAtHand: true });
  let posted: unknown = null;
  server.use(
    ...list,
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      return HttpResponse.json({ id: "j3" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderSettings();
  const optimizer = await screen.findByLabelText("Optimizer");
  expect(optimizer).toHaveValue("adamw");
  expect(within(optimizer).getAllByRole("option").map((o) => o.textContent)).toEqual(["AdamW", "SGD with Nesterov momentum (0.9)"]);
  expect(optimizer).toHaveAccessibleDescription(/chosen automatically.*Why: efficientnet_b0's recipe\./);
  const decay = screen.getByLabelText("Weight decay");
  expect(decay).toHaveValue(0.05);
  expect(decay).toHaveAttribute("min", "0");
  expect(decay).toHaveAttribute("max", "1");
  expect(decay).toHaveAttribute("step", "any");
  // the weights are at hand: the untouched checkbox shows the service's choice, unsent
  expect(screen.getByLabelText("Start from the publisher's weights")).toBeChecked();
  expect(previews[0]).toEqual({ kind: "train", dataset_version_id: "v1", params: { model: "efficientnet_b0" } });

  await user.selectOptions(optimizer, "sgd");
  expect(optimizer).toHaveAccessibleDescription(/your value/);
  await waitFor(() => expect(previews.at(-1)?.["params"]).toEqual({ model: "efficientnet_b0", optimizer: "sgd" }));
  expect(screen.getByLabelText("Start from the publisher's weights")).toBeChecked();
  await user.click(screen.getByRole("button", { name: "Start training" }));
  await waitFor(() =>
    expect(posted).toEqual({ kind: "train", dataset_version_id: "v1", params: { model: "efficientnet_b0", optimizer: "sgd" } }),
  );
});

test("the new fields have Russian labels and reasons", async () => {
  localStorage.setItem("konstruktor.lang", "ru");
  const { list } = handlers();
  server.use(...list);
  renderSettings();
  const optimizer = await screen.findByLabelText("Оптимизатор");
  expect(within(optimizer).getByRole("option", { name: "SGD с моментом Нестерова (0,9)" })).toBeInTheDocument();
  expect(optimizer).toHaveAccessibleDescription(/выбрано автоматически.*Почему: efficientnet_b0's recipe\./);
  expect(screen.getByLabelText("Затухание весов (weight decay)")).toHaveValue(0.05);
});

test("with ?project= the job goes into that project, which the screen names", async () => {
  const { list } = handlers({ project: "p9" });
  let posted: unknown = null;
  server.use(
    ...list,
    http.get("/api/v1/projects/p9", () => HttpResponse.json({ id: "p9", name: "garden", created_at: "2026-12-05T08:00:00Z" })),
    http.post("/api/v1/projects/p9/jobs", async ({ request }) => {
      posted = await request.json();
      return HttpResponse.json({ id: "j9" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderSettings("efficientnet_b0", "&project=p9");
  await screen.findByLabelText("Epochs"); // previewed in p9: the service's choices are here
  expect(await screen.findByRole("link", { name: "garden" })).toHaveAttribute("href", "/projects/p9");
  expect(screen.getByText(/The job goes into the project/)).toHaveTextContent(/not the dataset's own/);
  expect(screen.getByRole("link", { name: "Choose another model" })).toHaveAttribute("href", "/versions/v1/choose?project=p9");
  await user.click(screen.getByRole("button", { name: "Start training" }));
  expect(await screen.findByText("now at /jobs/j9")).toBeInTheDocument();
  expect(posted).toEqual({ kind: "train", dataset_version_id: "v1", params: { model: "efficientnet_b0" } });
});

test("a paid compute target is listed with its machine and price, and choosing it says how it is billed", async () => {
  const { list, previews } = handlers({
    service: { ...SERVICE, compute_backends: ["local", "yandex"], compute_targets: [LOCAL, YANDEX] },
  });
  server.use(...list);
  const user = userEvent.setup();
  renderSettings();
  const target = await screen.findByLabelText("Compute target");
  expect(within(target).getAllByRole("option").map((o) => o.textContent)).toEqual([
    "the local worker (this server) (the service's default)",
    "Yandex Cloud GPU — gpu-standard-v3: 1 GPU, 28 vCPU, 119 GB RAM · ₽369.30/h",
  ]);
  expect(screen.queryByText(/Billed for machine time/)).not.toBeInTheDocument();
  await user.selectOptions(target, "yandex");
  expect(target).toHaveAccessibleDescription(
    "Billed for machine time, from the machine's start to its deletion, at ₽369.30/h; a job is stopped after 24 h.",
  );
  await waitFor(() => expect(previews.at(-1)).toMatchObject({ compute_backend: "yandex" }));
});

test("on a paid target the status line gives the expected cost, and the most the job can cost", async () => {
  const { list } = handlers({
    service: { ...SERVICE, compute_backends: ["local", "yandex"], compute_targets: [LOCAL, YANDEX] },
    onYandex: paid(1800),
  });
  server.use(...list);
  const user = userEvent.setup();
  renderSettings();
  const target = await screen.findByLabelText("Compute target");
  const status = screen.getByRole("status");
  expect(status).toHaveTextContent("The service will train for 40 epochs on the local worker.");
  expect(status).not.toHaveTextContent(/cost/);
  await user.selectOptions(target, "yandex");
  await waitFor(() =>
    expect(status).toHaveTextContent(
      "The service will train for 40 epochs on Yandex Cloud GPU. Expected to take about 30 min 0 s (measured pace on cuda). " +
        "Expected to cost about ₽203.12 (the job's expected duration plus a machine's start (3 min), at 369.3 RUB/h), " +
        "at most ₽8,863.20 at the job's time limit.",
    ),
  );
});

test("the only target, when paid, is named with its price and billing; without a duration estimate only the ceiling is given", async () => {
  const { list } = handlers({ service: { ...SERVICE, compute_backends: ["yandex"], compute_targets: [YANDEX] } });
  server.use(...list);
  renderSettings();
  expect(
    await screen.findByText(
      "Runs on: Yandex Cloud GPU — gpu-standard-v3: 1 GPU, 28 vCPU, 119 GB RAM · ₽369.30/h. " +
        "Billed for machine time, from the machine's start to its deletion, at ₽369.30/h; a job is stopped after 24 h.",
    ),
  ).toBeInTheDocument();
  const status = screen.getByRole("status");
  await waitFor(() =>
    expect(status).toHaveTextContent(
      "It can cost at most ₽8,863.20 (no duration estimate for this kind of job: the ceiling is its time limit).",
    ),
  );
  expect(status).not.toHaveTextContent(/Expected to/);
});
