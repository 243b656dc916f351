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

/** The service's resolution, as mlcore/contract/train.py does it for 500 training images. */
function resolve(params: Params) {
  const warm = params["pretrained"] === true || typeof params["init_model_id"] === "string";
  const epochs = (params["epochs"] as number | undefined) ?? (warm ? 20 : 40);
  const choices: Params = {
    image_size: 224,
    epochs,
    batch_size: 32,
    learning_rate: warm ? 0.0003 : 0.001,
    warmup_epochs: Math.min(1, epochs / 10),
    label_smoothing: 0.1,
    augmentation: "strong",
    class_balance: "none",
    early_stopping_patience: epochs >= 20 ? Math.max(5, Math.floor(epochs / 4)) : null,
  };
  const chosen = Object.keys(choices).filter((name) => !(name in params));
  return {
    kind: "train",
    params: { pretrained: false, init_model_id: null, seed: 0, ...choices, ...params, chosen },
    epochs,
    compute_backend: "local",
  };
}

function handlers({ service = SERVICE, models = [] as unknown[] } = {}) {
  const previews: Params[] = [];
  const list = [
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/dataset-versions/v1", () => HttpResponse.json(VERSION)),
    http.get("/api/v1/datasets/d1", () => HttpResponse.json(DATASET)),
    http.get("/api/v1/catalog", () => HttpResponse.json(CATALOG)),
    http.get("/api/v1/service", () => HttpResponse.json(service)),
    http.get("/api/v1/models", () => HttpResponse.json(models)),
    http.post("/api/v1/projects/p1/jobs/preview", async ({ request }) => {
      const body = (await request.json()) as { params: Params };
      previews.push(body);
      const epochs = body.params["epochs"];
      if (typeof epochs === "number" && epochs > 1000) {
        return HttpResponse.json(
          { detail: [{ loc: ["body", "train", "params", "epochs"], msg: "Input should be less than or equal to 1000" }] },
          { status: 422 },
        );
      }
      return HttpResponse.json(resolve(body.params));
    }),
  ];
  return { list, previews };
}

function Where() {
  const location = useLocation();
  return <p>now at {location.pathname + location.search}</p>;
}

function renderSettings(model = "efficientnet_b0") {
  renderAt(
    <Routes>
      <Route path="/versions/:versionId/settings" element={<SettingsPage />} />
      <Route path="*" element={<Where />} />
    </Routes>,
    { route: `/versions/v1/settings?model=${model}`, path: "/*" },
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
