import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import ModelPage from "../src/pages/Model";
import { renderAt } from "./render";
import { server } from "./server";

// uPlot needs a real canvas; the charts' tables carry the same numbers
vi.mock("../src/components/UPlotCanvas", () => ({ default: () => null }));

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };
const at = (tab: string) => ({ route: `/models/m1?tab=${tab}`, path: "/models/:modelId" });
const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

const CLASSIFIER = {
  id: "m1",
  project_id: "p1",
  job_id: "j1",
  dataset_version_id: "v1",
  architecture: "efficientnet_b0",
  task: "classify",
  class_names: ["daisy", "rose", "tulip"],
  metrics: { accuracy: 0.8, macro_f1: 0.79, val_loss: 0.61 },
  files: ["evaluation", "parity", "error_0", "error_1"],
  package_sha256: SHA,
  package_size: 5_400_000,
  created_at: "2026-12-05T09:00:00Z",
};

const EVALUATION = {
  accuracy: 0.8,
  macro_f1: 0.79,
  val_loss: 0.61,
  classes: ["daisy", "rose", "tulip"],
  per_class: {
    daisy: { precision: 0.9, recall: 0.6, f1: 0.72, support: 5 },
    rose: { precision: 0.8, recall: 1, f1: 0.89, support: 4 },
    tulip: { precision: 0.6, recall: 0.75, f1: 0.67, support: 4 },
  },
  confusion_matrix: [
    [3, 0, 2],
    [0, 4, 0],
    [1, 0, 3],
  ],
  predictions: [
    { file: "val/daisy/d1.jpg", label: "daisy", predicted: "tulip", confidence: 0.87 },
    { file: "val/daisy/d2.jpg", label: "daisy", predicted: "tulip", confidence: 0.55 },
    { file: "val/daisy/d3.jpg", label: "daisy", predicted: "daisy", confidence: 0.97 },
    { file: "val/tulip/t1.jpg", label: "tulip", predicted: "daisy", confidence: 0.61 },
  ],
  confused_pairs: [{ true: "daisy", predicted: "tulip", count: 2 }],
  top_errors: [
    { file: "val/daisy/d1.jpg", label: "daisy", predicted: "tulip", confidence: 0.87, thumbnail: "error_0" },
    { file: "val/tulip/t1.jpg", label: "tulip", predicted: "daisy", confidence: 0.61, thumbnail: "error_1" },
  ],
};

const DETECTOR = {
  ...CLASSIFIER,
  architecture: "yolo11n",
  task: "detect",
  class_names: ["person", "car"],
  metrics: { map50: 0.62, map50_95: 0.41, precision: 0.7, recall: 0.58 },
};

const JPEG = () => new HttpResponse(new Uint8Array([255, 216, 255, 217]), { headers: { "Content-Type": "image/jpeg" } });

beforeEach(() => {
  // jsdom has no object URLs; the images only need one to show
  let n = 0;
  URL.createObjectURL = vi.fn(() => `blob:test/${(n += 1)}`);
  URL.revokeObjectURL = vi.fn();
});

function common(model: object = CLASSIFIER, evaluation: object = EVALUATION) {
  return [
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/models/m1", () => HttpResponse.json(model)),
    http.get("/api/v1/models/m1/evaluation", () => HttpResponse.json(evaluation)),
  ];
}

test("the results tab: metrics, per-class table, and a heatmap cell lists its images", async () => {
  const requested: string[] = [];
  server.use(
    ...common(),
    http.get("/api/v1/dataset-versions/v1/images/*", ({ request }) => {
      const url = new URL(request.url);
      requested.push(`${url.pathname}?${url.searchParams.toString()}`);
      return JPEG();
    }),
  );
  const user = userEvent.setup();
  renderAt(<ModelPage />, at("results"));
  expect(await screen.findByRole("heading", { level: 1, name: "Step 6 of 6: Results" })).toBeInTheDocument();
  expect(await screen.findByRole("heading", { name: "efficientnet_b0" })).toBeInTheDocument();
  expect(screen.getByRole("link", { name: /Train/ })).toHaveAttribute("href", "/jobs/j1");
  expect(screen.getByRole("tab", { name: "Results" })).toHaveAttribute("aria-selected", "true");
  expect(screen.queryByRole("note")).not.toBeInTheDocument(); // 80 % of 3 classes: better than chance

  const perClass = await screen.findByRole("table", { name: "Per class" });
  expect(within(perClass).getByRole("rowheader", { name: "rose" }).closest("tr")).toHaveTextContent("80 %100 %89 %4");

  const matrix = screen.getByRole("table", { name: /Confusion matrix/ });
  expect(within(matrix).getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["daisy", "rose", "tulip"]);
  expect(within(matrix).queryByRole("button", { name: /of daisy predicted as rose/ })).toBeNull(); // zero: no button
  const cell = within(matrix).getByRole("button", { name: "2 images of daisy predicted as tulip" });
  expect(cell).toHaveTextContent("2");
  await user.click(cell);
  expect(cell).toHaveAttribute("aria-pressed", "true");
  const heading = screen.getByRole("heading", { name: "daisy predicted as tulip: 2 images" });
  expect(heading).toHaveFocus();
  const gallery = screen.getByRole("region", { name: "daisy predicted as tulip: 2 images" });
  const images = await within(gallery).findAllByRole("img", { name: "An image of daisy the model predicted as tulip" });
  expect(images).toHaveLength(2);
  expect(gallery).toHaveTextContent("daisy → tulip, 87 %");
  expect(gallery).toHaveTextContent("daisy → tulip, 55 %");
  expect(gallery).not.toHaveTextContent("d3.jpg");
  expect(requested).toContain("/api/v1/dataset-versions/v1/images/val/daisy/d1.jpg?max_side=160");

  await user.click(within(gallery).getByRole("button", { name: "Back to the matrix" }));
  expect(screen.queryByRole("region", { name: /predicted as tulip/ })).not.toBeInTheDocument();
  await waitFor(() => expect(screen.getByRole("button", { name: "2 images of daisy predicted as tulip" })).toHaveFocus());
});

test("a model no better than chance is flagged where its metrics show", async () => {
  const chance = { ...CLASSIFIER, metrics: { accuracy: 1 / 3, macro_f1: 0.17, val_loss: 1.1 } };
  server.use(...common(chance, { ...EVALUATION, accuracy: 1 / 3 }));
  renderAt(<ModelPage />, at("results"));
  await screen.findByRole("table", { name: "Per class" });
  const notes = screen.getAllByRole("note");
  expect(notes).toHaveLength(2); // the header and the results tab
  expect(notes[0]).toHaveTextContent("No better than chance (33 %)");
});

test("the errors tab shows the most confident errors with their thumbnails", async () => {
  const thumbnails: string[] = [];
  server.use(
    ...common(),
    http.get("/api/v1/models/m1/files/:name", ({ params }) => {
      thumbnails.push(String(params["name"]));
      return JPEG();
    }),
  );
  renderAt(<ModelPage />, at("errors"));
  expect(await screen.findByRole("heading", { name: "The most confident errors" })).toBeInTheDocument();
  expect(await screen.findByRole("img", { name: "An image of daisy the model predicted as tulip" })).toBeInTheDocument();
  expect(screen.getByText("daisy → tulip (87 %)")).toBeInTheDocument();
  expect(screen.getByText("tulip → daisy (61 %)")).toBeInTheDocument();
  expect(thumbnails.sort()).toEqual(["error_0", "error_1"]);
});

test("try it posts the chosen images and shows the top-k labels; a refusal is shown next to the files", async () => {
  let sent: { files: number; topk: string | null } | null = null;
  let refuse = false;
  server.use(
    ...common(),
    http.post("/api/v1/models/m1/predict", async ({ request }) => {
      const form = await request.formData();
      sent = { files: form.getAll("files").length, topk: new URL(request.url).searchParams.get("topk") };
      if (refuse) {
        return HttpResponse.json({ detail: "b.png is not an image this service can read; send a JPEG or PNG" }, { status: 422 });
      }
      return HttpResponse.json([
        { file: "a.png", top: [{ label: "daisy", probability: 0.87 }, { label: "tulip", probability: 0.1 }] },
        { file: "b.png", top: [{ label: "rose", probability: 0.66 }, { label: "daisy", probability: 0.2 }] },
      ]);
    }),
  );
  const user = userEvent.setup();
  renderAt(<ModelPage />, at("try"));
  const input = await screen.findByLabelText("Images to try (1 to 16; JPEG, PNG…)");
  expect(input).toHaveAttribute("accept", "image/*");
  await user.click(screen.getByRole("button", { name: "Run the model" }));
  expect(screen.getByRole("alert")).toHaveTextContent("Choose at least one image first.");

  await user.upload(input, [
    new File(["a"], "a.png", { type: "image/png" }),
    new File(["bb"], "b.png", { type: "image/png" }),
  ]);
  const topk = screen.getByLabelText("Labels to show per image (top-k)");
  await user.clear(topk);
  await user.type(topk, "2");
  await user.click(screen.getByRole("button", { name: "Run the model" }));

  const first = await screen.findByRole("list", { name: "Most likely labels for a.png" });
  expect(sent).toEqual({ files: 2, topk: "2" });
  expect(within(first).getAllByRole("listitem")[0]).toHaveTextContent("daisy87 %");
  expect(within(first).getAllByRole("listitem")[1]).toHaveTextContent("tulip10 %");
  expect(screen.getByRole("list", { name: "Most likely labels for b.png" })).toHaveTextContent("rose66 %");
  expect(screen.getByRole("img", { name: "Your image a.png" })).toHaveAttribute("src", "blob:test/1");

  refuse = true;
  await user.click(screen.getByRole("button", { name: "Run the model" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("b.png is not an image this service can read; send a JPEG or PNG");
  expect(screen.getByRole("alert")).toHaveTextContent("Choose other images");
});

test("a detector lists the boxes it found, and its results show AP per class, PR curves and warnings", async () => {
  const evaluation = {
    map50: 0.62,
    map50_95: 0.41,
    precision: 0.7,
    recall: 0.58,
    warnings: ["only 3 validation images have boxes; the numbers are rough"],
    per_class: {
      person: { ap50: 0.7, ap50_95: 0.5, precision: 0.8, recall: 0.6, instances: 30 },
      car: { ap50: 0.54, ap50_95: 0.32, precision: 0.6, recall: 0.56, instances: 12 },
    },
    pr_curves: {
      person: { recall: [0, 0.5, 1], precision: [1, 0.8, 0.2] },
      car: { recall: [0, 0.5, 1], precision: [1, 0.6, 0.1] },
    },
  };
  let conf: string | null = null;
  server.use(
    ...common(DETECTOR, evaluation),
    http.post("/api/v1/models/m1/predict", ({ request }) => {
      conf = new URL(request.url).searchParams.get("conf");
      return HttpResponse.json([
        {
          file: "street.jpg",
          boxes: [
            { label: "person", confidence: 0.87, box: [10, 20, 110, 220] },
            { label: "car", confidence: 0.52, box: [200.4, 40, 380, 160.6] },
          ],
        },
      ]);
    }),
  );
  const user = userEvent.setup();
  renderAt(<ModelPage />, at("results"));
  expect(await screen.findByText("only 3 validation images have boxes; the numbers are rough")).toBeInTheDocument();
  const perClass = screen.getByRole("table", { name: "Per class" });
  expect(within(perClass).getByRole("rowheader", { name: "person" }).closest("tr")).toHaveTextContent("70 %50 %80 %60 %30");
  const chart = screen.getByText("Precision-recall curves", { selector: "figcaption" }).closest("figure")!;
  await user.click(within(chart).getByText("Show as a table"));
  expect(within(chart).getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["recall", "person", "car"]);
  expect(screen.queryByRole("tab", { name: "Errors" })).not.toBeInTheDocument();

  await user.click(screen.getByRole("tab", { name: "Try it" }));
  await user.upload(screen.getByLabelText("Images to try (1 to 16; JPEG, PNG…)"), new File(["x"], "street.jpg", { type: "image/jpeg" }));
  await user.type(screen.getByLabelText(/Minimum confidence of a box/), "0.5");
  await user.click(screen.getByRole("button", { name: "Run the model" }));
  const boxes = await screen.findByRole("list", { name: "2 boxes found in street.jpg" });
  expect(conf).toBe("0.5");
  const items = within(boxes).getAllByRole("listitem");
  expect(items[0]).toHaveTextContent("person 87 %, from (10, 20) to (110, 220) px");
  expect(items[1]).toHaveTextContent("car 52 %, from (200, 40) to (380, 161) px");
});

test("a detector that found almost nothing is flagged; one that learnt is not", async () => {
  const flat = { map50: 0.004, map50_95: 0.001, precision: 0, recall: 0, per_class: {} };
  server.use(...common({ ...DETECTOR, metrics: flat }, flat));
  const first = renderAt(<ModelPage />, at("results"));
  const notes = await screen.findAllByRole("note");
  expect(notes[0]).toHaveTextContent("Finds almost nothing (mAP50 under 1 %)");
  first.unmount();

  server.use(...common(DETECTOR, { ...flat, map50: 0.62 }));
  renderAt(<ModelPage />, at("results"));
  expect(await screen.findByRole("heading", { name: "yolo11n" })).toBeInTheDocument();
  expect(await screen.findByRole("table", { name: "Per class" })).toBeInTheDocument();
  expect(screen.queryByRole("note")).not.toBeInTheDocument();
});

test("the download tab: the package with its size and SHA-256, the files inside, README on demand", async () => {
  let packageDownloads = 0;
  const fileDownloads: string[] = [];
  server.use(
    ...common(),
    http.get("/api/v1/models/m1/package", () =>
      HttpResponse.json([
        { name: "README.md", size: 4200, sha256: "a".repeat(64), media_type: "text/plain; charset=utf-8" },
        { name: "model.onnx", size: 16_800_000, sha256: "b".repeat(64), media_type: "application/octet-stream" },
        { name: "predict.py", size: 9000, sha256: "c".repeat(64), media_type: "text/plain; charset=utf-8" },
      ]),
    ),
    http.get("/api/v1/models/m1/download", () => {
      packageDownloads += 1;
      return new HttpResponse(new Uint8Array([80, 75]), { headers: { "Content-Type": "application/zip" } });
    }),
    http.get("/api/v1/models/m1/package/:name", ({ params, request }) => {
      if (new URL(request.url).searchParams.get("download") === "true") fileDownloads.push(String(params["name"]));
      return HttpResponse.text(params["name"] === "README.md" ? "# efficientnet_b0 image classifier" : "print('hi')");
    }),
  );
  const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
  const user = userEvent.setup();
  renderAt(<ModelPage />, at("download"));
  const download = await screen.findByRole("button", { name: "Download the package (ZIP, 5.1 MB)" });
  expect(screen.getByText(SHA)).toHaveClass("mono");
  await user.click(screen.getByRole("button", { name: "Copy the SHA-256" }));
  expect(await screen.findByText("Copied.")).toBeInTheDocument();
  expect(await navigator.clipboard.readText()).toBe(SHA);

  const files = await screen.findByRole("table", { name: "Files in the package" });
  const onnx = within(files).getByRole("rowheader", { name: "model.onnx" }).closest("tr")!;
  expect(onnx).toHaveTextContent("16 MB");
  expect(onnx).toHaveTextContent("b".repeat(64));
  expect(within(files).getAllByRole("row")).toHaveLength(4);

  await user.click(download);
  await waitFor(() => expect(packageDownloads).toBe(1));
  await user.click(within(files).getByRole("button", { name: "Download model.onnx" }));
  await waitFor(() => expect(fileDownloads).toEqual(["model.onnx"]));
  await waitFor(() => expect(click).toHaveBeenCalledTimes(2));
  const saved = click.mock.contexts.map((link) => (link as HTMLAnchorElement).download);
  expect(saved).toEqual(["konstruktor-efficientnet_b0-m1.zip", "model.onnx"]);

  await user.click(screen.getByText("Show README.md"));
  expect(await screen.findByLabelText("README.md")).toHaveTextContent("# efficientnet_b0 image classifier");
  click.mockRestore();
});

test("the parity tab: every format's agreement and why INT8 was left out", async () => {
  server.use(
    ...common(),
    http.get("/api/v1/models/m1/parity", () =>
      HttpResponse.json({
        images: 13,
        reference: "pytorch",
        min_fp32_agreement: 0.995,
        min_int8_agreement: 0.98,
        max_int8_accuracy_drop: 0.01,
        pytorch_accuracy: 0.8,
        formats: {
          onnx: { agreement: 1, max_abs_logit_diff: 0.00002, max_abs_prob_diff: 0.000004, accuracy: 0.8, accuracy_drop: 0, file: "model.onnx", shipped: true },
          torchscript: { agreement: 1, max_abs_logit_diff: 0, max_abs_prob_diff: 0, accuracy: 0.8, accuracy_drop: 0, file: "model.torchscript", shipped: true },
          onnx_int8: { quantization: null, reason: "quantisation failed: ValueError: unsupported operator", file: null, shipped: false },
        },
      }),
    ),
  );
  renderAt(<ModelPage />, at("parity"));
  const table = await screen.findByRole("table", { name: "Parity" });
  expect(screen.getByText(/on the same 13 validation images/)).toBeInTheDocument();
  expect(screen.getByText(/at least 99.5 % of the predictions/)).toBeInTheDocument();
  expect(within(table).getAllByRole("columnheader").map((th) => th.textContent)).toEqual([
    "Measure",
    "ONNX",
    "TorchScript",
    "ONNX INT8",
  ]);
  const agreement = within(table).getByRole("rowheader", { name: "Agreement with PyTorch" }).closest("tr")!;
  expect(agreement).toHaveTextContent("100 % (meets the rule)");
  const quantization = within(table).getByRole("rowheader", { name: "Quantization" }).closest("tr")!;
  expect(quantization).toHaveTextContent("not in the package: quantisation failed: ValueError: unsupported operator");
  expect(screen.getByText(/ships only if it gives PyTorch's answer on at least 98 %/)).toBeInTheDocument();
  const file = within(table).getByRole("rowheader", { name: "File" }).closest("tr")!;
  expect(file).toHaveTextContent("model.onnx");
});

test("a search model shows its family on the interactive front, its own member first, trainable on its version", async () => {
  const nas = { ...CLASSIFIER, architecture: "nas", files: ["evaluation", "family"] };
  const member = (params: number, accuracy: number, s: number[]) => ({
    s,
    genotype: { ops: ["maxpool3", "identity", "conv3"], choices: [[0, 2, 1]] },
    counts: { maxpool3: 1, identity: 1, conv3: 1 },
    params,
    flops: params * 40,
    predicted_latency_ms: params / 10_000,
    proxy_accuracy: accuracy,
  });
  let posted: unknown = null;
  server.use(
    ...common(nas),
    http.get("/api/v1/models/m1/files/family", () =>
      HttpResponse.json({
        members: [member(12_000, 0.5, [1, 0, 0]), member(40_000, 0.7, [0, 0, 1]), member(30_000, 0.6, [0.5, 0, 0.5])],
        front: [0, 1],
        chosen: 1,
        strategy: "hyper_darts",
      }),
    ),
    http.post("/api/v1/projects/p1/jobs", async ({ request }) => {
      posted = await request.json();
      return HttpResponse.json({ id: "j7" }, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderAt(<ModelPage />, at("family"));
  expect(await screen.findByText(/3 architectures, 2 of them on the front\./)).toBeInTheDocument();
  expect(screen.getByRole("button", { name: /^Member 2: 40,000 parameters.*kept by the search/ })).toHaveAttribute("aria-pressed", "true");
  const own = screen.getByRole("region", { name: "Member 2" });
  expect(own).toHaveTextContent("The search kept this one");
  expect(own).toHaveTextContent("Cell 1: maxpool3, conv3, identity");

  await user.click(screen.getByRole("button", { name: /^Member 1: 12,000 parameters/ }));
  await user.click(within(screen.getByRole("region", { name: "Member 1" })).getByRole("button", { name: "Train this member" }));
  await waitFor(() => expect(posted).toEqual({ kind: "search", dataset_version_id: "v1", params: { family_model_id: "m1", family_member: 0 } }));
});

test("a search model whose dataset version was deleted shows its family without a train button", async () => {
  const nas = { ...CLASSIFIER, architecture: "nas", dataset_version_id: null, files: ["evaluation", "family"] };
  server.use(
    ...common(nas),
    http.get("/api/v1/models/m1/files/family", () =>
      HttpResponse.json({ members: [{ s: [1, 0], params: 9000, flops: 1, proxy_accuracy: 0.4 }], front: [0], chosen: 0 }),
    ),
  );
  renderAt(<ModelPage />, at("family"));
  const own = await screen.findByRole("region", { name: "Member 1" });
  expect(own).toHaveTextContent("cannot be trained from here");
  expect(screen.queryByRole("button", { name: "Train this member" })).not.toBeInTheDocument();
});
