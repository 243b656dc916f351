import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import JobPage from "../src/pages/Job";
import { renderAt } from "./render";
import { server } from "./server";

// uPlot needs a real canvas; the charts' tables carry the same numbers
vi.mock("../src/components/UPlotCanvas", () => ({ default: () => null }));

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };
const AT = { route: "/jobs/j1", path: "/jobs/:jobId" };

const RUNNING = {
  id: "j1",
  project_id: "p1",
  kind: "train",
  state: "running",
  dataset_version_id: "v1",
  params: { model: "efficientnet_b0", early_stopping_patience: 5 },
  compute_backend: "local",
  progress: 0.18,
  epoch: 2,
  epochs: 10,
  message: "epoch 2/10 done",
  metrics_history: [
    { epoch: 1, train_loss: 1.25, val_loss: 1.1, val_accuracy: 0.5, lr: 0.001 },
    { epoch: 2, train_loss: 0.91, val_loss: 0.95, val_accuracy: 0.6, lr: 0.0009 },
  ],
  log: [{ created_at: "2026-12-05T08:01:00Z", message: "data: resident on cuda" }],
  error: null,
  attempts: 1,
  max_attempts: 2,
  cancel_requested: false,
  created_at: "2026-12-05T08:00:00Z",
  started_at: new Date(Date.now() - 60_000).toISOString(),
  finished_at: null,
  model_id: null,
};

type Job = Omit<typeof RUNNING, "model_id" | "finished_at" | "error"> & { [key: string]: unknown };

/** An SSE body: `job` events, the rest after `gate`, then `end` (or left open). */
function events(first: Job[], gate?: Promise<void>, rest: Job[] = [], end = true): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, job: Job) =>
    controller.enqueue(encoder.encode(`event: job\ndata: ${JSON.stringify(job)}\n\n`));
  return new ReadableStream({
    async start(controller) {
      first.forEach((job) => send(controller, job));
      if (gate) await gate;
      rest.forEach((job) => send(controller, job));
      if (end) {
        controller.enqueue(encoder.encode("event: end\ndata: {}\n\n"));
        controller.close();
      }
    },
  });
}

/** A chart (its <figure>) by its caption. */
const figure = (caption: string) => screen.getByText(caption, { selector: "figcaption" }).closest("figure") as HTMLElement;
const findFigure = async (caption: string) =>
  (await screen.findByText(caption, { selector: "figcaption" })).closest("figure") as HTMLElement;

const sse = (body: ReadableStream<Uint8Array>) =>
  new HttpResponse(body, { headers: { "Content-Type": "text/event-stream" } });

test("loads the history, then the stream updates epoch, progress and the charts; the results link takes focus", async () => {
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const third = { epoch: 3, train_loss: 0.72, val_loss: 0.99, val_accuracy: 0.58, lr: 0.0008 };
  const update: Job = {
    ...RUNNING,
    progress: 0.5,
    epoch: 3,
    metrics_history: [...RUNNING.metrics_history, third],
    log: [...RUNNING.log, { created_at: "2026-12-05T08:02:00Z", message: "epoch 3 done" }],
  };
  const done: Job = { ...update, state: "succeeded", progress: 1, epoch: 10, model_id: "m1", finished_at: "2026-12-05T08:10:00Z" };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(RUNNING)),
    http.get("/api/v1/jobs/j1/events", () => sse(events([update], gate, [done]))),
    http.get("/api/v1/models/m1", () => HttpResponse.json({ id: "m1", class_names: ["a", "b"], metrics: { accuracy: 0.9 } })),
  );
  const user = userEvent.setup();
  renderAt(<JobPage />, AT);
  expect(await screen.findByRole("heading", { level: 1, name: "Step 5 of 6: Train" })).toBeInTheDocument();
  expect(await screen.findByRole("heading", { name: "Training efficientnet_b0" })).toBeInTheDocument();

  // the stream's update: epoch 3 of 10 at 50 %
  expect(await screen.findByText("3 of 10")).toBeInTheDocument();
  const bar = screen.getByRole("progressbar", { name: "Progress" });
  expect(bar).toHaveAttribute("aria-valuenow", "50");
  // announced politely, at most every few seconds: "Epoch k/N · about X left (an estimate …)"
  expect(bar.getAttribute("aria-valuetext")).toMatch(/^\d+ %, Epoch [23]\/10 · about .+ left \(an estimate/);
  expect(screen.getByText(/no improvement for 1 of 5 epochs \(best accuracy at epoch 2\)/)).toBeInTheDocument();
  expect(within(screen.getByRole("log", { name: "Log" })).getByText("epoch 3 done")).toBeInTheDocument();

  const losses = figure("Losses");
  await user.click(within(losses).getByText("Show as a table"));
  const table = within(losses).getByRole("table");
  expect(within(table).getByRole("columnheader", { name: "training loss" })).toBeInTheDocument();
  expect(within(table).getByRole("columnheader", { name: "validation loss" })).toBeInTheDocument();
  const row3 = within(table).getByRole("rowheader", { name: "3" }).closest("tr")!;
  expect(row3).toHaveTextContent("0.72");
  expect(row3).toHaveTextContent("0.99");
  expect(figure("Quality on the validation images")).toBeInTheDocument();
  expect(figure("Learning rate")).toBeInTheDocument();

  // the job finishes while the page is open: its results link takes focus
  release();
  const link = await screen.findByRole("link", { name: "See the results" });
  expect(link).toHaveAttribute("href", "/models/m1");
  await waitFor(() => expect(link).toHaveFocus());
  expect(screen.queryByRole("button", { name: "Cancel the job" })).not.toBeInTheDocument();
});

test("a finished job whose model is no better than chance says so beside its results link", async () => {
  const done = { ...RUNNING, state: "succeeded", progress: 1, epoch: 10, model_id: "m1", finished_at: "2026-12-05T08:10:00Z" };
  const model = (accuracy: number) => ({ id: "m1", architecture: "efficientnet_b0", class_names: ["a", "b", "c", "d"], metrics: { accuracy } });
  let accuracy = 0.26; // four classes: chance is 25 %
  let served = 0;
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(done)),
    http.get("/api/v1/jobs/j1/events", () => sse(events([done]))),
    http.get("/api/v1/models/m1", () => {
      served += 1;
      return HttpResponse.json(model(accuracy));
    }),
  );
  const first = renderAt(<JobPage />, AT);
  expect(await screen.findByRole("link", { name: "See the results" })).toBeInTheDocument();
  expect(await screen.findByRole("note")).toHaveTextContent("No better than chance (25 %)");
  first.unmount();

  accuracy = 0.9;
  renderAt(<JobPage />, AT);
  expect(await screen.findByRole("link", { name: "See the results" })).toBeInTheDocument();
  await waitFor(() => expect(served).toBe(2));
  await new Promise((settle) => setTimeout(settle, 100)); // the answer rendered
  expect(screen.queryByText(/No better than chance/)).not.toBeInTheDocument();
});

test("cancel asks for a confirmation, then posts", async () => {
  let cancelled = 0;
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(RUNNING)),
    http.get("/api/v1/jobs/j1/events", () => sse(events([RUNNING], undefined, [], false))),
    http.post("/api/v1/jobs/j1/cancel", () => {
      cancelled += 1;
      return HttpResponse.json({ ...RUNNING, cancel_requested: true });
    }),
  );
  const user = userEvent.setup();
  renderAt(<JobPage />, AT);
  await user.click(await screen.findByRole("button", { name: "Cancel the job" }));
  const dialog = screen.getByRole("alertdialog");
  expect(dialog).toHaveTextContent("Stop this job? The epochs finished so far are kept");
  expect(within(dialog).getByRole("button", { name: "Stop the job" })).toHaveFocus();
  expect(cancelled).toBe(0);

  await user.click(within(dialog).getByRole("button", { name: "Keep it running" }));
  expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  expect(cancelled).toBe(0);

  await user.click(screen.getByRole("button", { name: "Cancel the job" }));
  await user.click(screen.getByRole("button", { name: "Stop the job" }));
  expect(await screen.findByText(/Stopping: the worker stops the job at its next check/)).toBeInTheDocument();
  expect(cancelled).toBe(1);
});

test("a failed job shows its error, what to do next, and the service's answer to resume", async () => {
  const failed = {
    ...RUNNING,
    state: "failed",
    error: "CUDA out of memory: lower the batch size",
    finished_at: "2026-12-05T08:05:00Z",
  };
  let resumed = 0;
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(failed)),
    http.post("/api/v1/jobs/j1/resume", () => {
      resumed += 1;
      return HttpResponse.json({ detail: "job j1 has used its 2 attempts; start a new job" }, { status: 409 });
    }),
  );
  const user = userEvent.setup();
  renderAt(<JobPage />, AT);
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("CUDA out of memory: lower the batch size");
  expect(alert).toHaveTextContent("Resume it to continue from the last finished epoch");
  expect(within(alert).getByRole("link", { name: "Change the model or its settings" })).toHaveAttribute(
    "href",
    "/versions/v1/choose",
  );
  expect(screen.queryByRole("button", { name: "Cancel the job" })).not.toBeInTheDocument();

  await user.click(within(alert).getByRole("button", { name: "Resume the job" }));
  await waitFor(() => expect(screen.getAllByRole("alert")).toHaveLength(2));
  expect(screen.getAllByRole("alert")[1]).toHaveTextContent("job j1 has used its 2 attempts; start a new job");
  expect(resumed).toBe(1);
});

test("a resumed failed job follows its stream again", async () => {
  const failed = { ...RUNNING, state: "failed", error: "worker lost" };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(failed)),
    http.post("/api/v1/jobs/j1/resume", () => HttpResponse.json({ ...RUNNING, state: "queued", error: null })),
    http.get("/api/v1/jobs/j1/events", () => sse(events([{ ...RUNNING, epoch: 4, progress: 0.4 }], undefined, [], false))),
  );
  const user = userEvent.setup();
  renderAt(<JobPage />, AT);
  await user.click(await screen.findByRole("button", { name: "Resume the job" }));
  expect(await screen.findByText("4 of 10")).toBeInTheDocument();
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Cancel the job" })).toBeInTheDocument();
});

test("falls back to polling when the stream drops, and says so", async () => {
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(RUNNING)),
    http.get("/api/v1/jobs/j1/events", () => new HttpResponse(null, { status: 502 })),
  );
  renderAt(<JobPage />, AT);
  expect(await screen.findByText(/The live connection dropped; the page now checks the job every 5 seconds/)).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Reconnect the live updates" })).toBeInTheDocument();
});

test("a search job charts its phases apart, shows the current front and marks restored epochs", async () => {
  const front = (accuracy: number) => [
    { probe: "cheap", s: [1, 0, 0], counts: { maxpool3: 5, identity: 1, conv3: 0 }, params: 12_000, val_accuracy: accuracy },
    { probe: "rich", s: [0, 0, 1], counts: { maxpool3: 0, identity: 0, conv3: 6 }, params: 90_000, val_accuracy: 0.81 },
  ];
  const search = {
    ...RUNNING,
    kind: "search",
    state: "succeeded",
    model_id: "m9",
    params: { strategy: "hyper_darts", early_stopping_patience: null },
    epoch: 4,
    epochs: 4,
    progress: 1,
    metrics_history: [
      { epoch: 1, phase: "searching", restored: true, train_loss: 2.1, temperature: 5, val_accuracy_cheap: 0.3, val_accuracy_rich: 0.35, front: front(0.3) },
      { epoch: 2, phase: "searching", train_loss: 1.7, temperature: 3, val_accuracy_cheap: 0.42, val_accuracy_rich: 0.5, front: front(0.42) },
      { epoch: 3, phase: "retraining", train_loss: 1.4 },
      { epoch: 4, phase: "retraining", train_loss: 1.1 },
    ],
  };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(search)),
    http.get("/api/v1/models/m9", () => HttpResponse.json({ id: "m9", class_names: ["a", "b"], metrics: { accuracy: 0.8 } })),
  );
  const user = userEvent.setup();
  renderAt(<JobPage />, AT);
  expect(await screen.findByRole("heading", { name: "Architecture search (hyper_darts)" })).toBeInTheDocument();
  expect(figure("Search: training loss of the supernet")).toBeInTheDocument();
  expect(figure("Search: temperature")).toBeInTheDocument();
  const accuracy = figure("Search: validation accuracy at each probe");
  await user.click(within(accuracy).getByText("Show as a table"));
  expect(within(accuracy).getByRole("columnheader", { name: "accuracy at rich" })).toBeInTheDocument();

  const retrain = figure("Retraining the chosen architecture: loss");
  await user.click(within(retrain).getByText("Show as a table"));
  expect(within(retrain).getByRole("rowheader", { name: "1" }).closest("tr")).toHaveTextContent("1.4");

  const frontTable = screen.getByRole("table", { name: "The current front (after search epoch 2)" });
  expect(within(frontTable).getByRole("rowheader", { name: "cheap" }).closest("tr")).toHaveTextContent("42 %");
  expect(frontTable).toHaveTextContent("maxpool3 × 5, identity × 1");

  expect(screen.getByText(/1 epoch was restored from before the job was resumed/)).toBeInTheDocument();
  await user.click(screen.getByText("Every epoch as a table"));
  const epochs = screen.getByRole("table", { name: "Every epoch as a table" });
  expect(within(epochs).getByRole("rowheader", { name: "1" }).closest("tr")).toHaveTextContent("restored");
  expect(within(epochs).getByRole("rowheader", { name: "2" }).closest("tr")).not.toHaveTextContent("restored");
  expect(screen.queryByText(/Early stopping/)).not.toBeInTheDocument();
});

test("a black-box search shows its candidate stream", async () => {
  const candidate = (n: number, accuracy: number) => ({
    epoch: n,
    phase: "searching",
    proxy_accuracy: accuracy,
    best_proxy_accuracy: Math.max(accuracy, 0.4),
    candidate: { counts: { conv3: n, identity: 6 - n }, params: 1000 * n, proxy_accuracy: accuracy },
    best: { counts: { conv3: 1 }, params: 1000, proxy_accuracy: 0.4 },
  });
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () =>
      HttpResponse.json({
        ...RUNNING,
        kind: "search",
        state: "cancelled",
        params: { strategy: "evolution" },
        metrics_history: [candidate(1, 0.4), candidate(2, 0.35), candidate(3, 0.55)],
      }),
    ),
  );
  renderAt(<JobPage />, AT);
  expect(await findFigure("Black-box search: candidates")).toBeInTheDocument();
  const latest = screen.getByRole("table", { name: "Latest candidates, newest first" });
  const rows = within(latest).getAllByRole("row");
  expect(rows[1]).toHaveTextContent("3");
  expect(rows[1]).toHaveTextContent("55 %");
  expect(rows[1]).toHaveTextContent("conv3 × 3, identity × 3");
  expect(screen.getByText("This job was cancelled.")).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Resume the job" })).toBeInTheDocument();
});

test("the service's baseline verdict decides the warning, not the client's chance guess", async () => {
  const done = { ...RUNNING, state: "succeeded", progress: 1, epoch: 10, model_id: "m1", finished_at: "2026-12-05T08:10:00Z" };
  const verdict = (better: boolean) => ({
    better,
    metric: "accuracy",
    score: 0.9,
    baseline: 0.9,
    baseline_class: "ants",
    required: 0.92,
    predicted_classes: better ? 2 : 1,
    reason: "…",
  });
  // 90 % looks far above chance for two classes, but it is what always answering "ants" scores
  let model = { id: "m1", architecture: "efficientnet_b0", class_names: ["ants", "bees"], metrics: { accuracy: 0.9 }, verdict: verdict(false) };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(done)),
    http.get("/api/v1/jobs/j1/events", () => sse(events([done]))),
    http.get("/api/v1/models/m1", () => HttpResponse.json(model)),
  );
  const first = renderAt(<JobPage />, AT);
  expect(await screen.findByRole("note")).toHaveTextContent("No better than always answering “ants”, the most frequent class (90 %)");
  first.unmount();

  // 26 % of four classes is near chance by the client's guess; the service judged it better
  model = { ...model, class_names: ["a", "b", "c", "d"], metrics: { accuracy: 0.26 }, verdict: verdict(true) };
  renderAt(<JobPage />, AT);
  expect(await screen.findByRole("link", { name: "See the results" })).toBeInTheDocument();
  await new Promise((settle) => setTimeout(settle, 100)); // the model rendered
  expect(screen.queryByRole("note")).not.toBeInTheDocument();
});

test("a running job shows the trainer's time left and the duration expected before it started", async () => {
  const running = {
    ...RUNNING,
    eta_s: 125,
    estimate_s: 6000,
    estimate_basis: "default pace for cpu, 4 GFLOP/s",
  };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(running)),
    http.get("/api/v1/jobs/j1/events", () => sse(events([running], new Promise(() => undefined), [], false))),
  );
  renderAt(<JobPage />, AT);
  expect(await screen.findByText("about 1 h 40 min (default pace for cpu, 4 GFLOP/s)")).toBeInTheDocument();
  expect(screen.getByText("Expected duration")).toBeInTheDocument();
  const bar = await screen.findByRole("progressbar");
  await waitFor(() => expect(bar.getAttribute("aria-valuetext")).toMatch(/Epoch 2\/10 · about 2 min 5 s of training left/));
});

test("the configuration lists every parameter, and says why Konstruktor chose the ones it chose", async () => {
  const configured = {
    ...RUNNING,
    params: {
      model: "resnet18",
      pretrained: false,
      image_size: 32,
      learning_rate: 0.0003,
      optimizer: "sgd",
      early_stopping_patience: null,
      seed: 7,
      chosen: ["early_stopping_patience", "image_size", "model", "pretrained"],
      reasons: {
        early_stopping_patience: "a run from scratch learns late: its schedule always runs to the end",
        image_size: "the images' median side is 32 px",
        model: "trains fast from scratch (no publisher weights at hand)",
        pretrained: "no publisher weights at hand (offline, or their URL does not answer)",
      },
    },
  };
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(configured)),
    http.get("/api/v1/jobs/j1/events", () => sse(events([], new Promise(() => undefined), [], false))),
  );
  const user = userEvent.setup();
  renderAt(<JobPage />, AT);
  const summary = await screen.findByText("Configuration", { selector: "summary" });
  await user.click(summary);
  const details = summary.closest("details") as HTMLElement;
  expect(details).toHaveAttribute("open");
  const value = (name: string) => within(details).getByText(name, { selector: "dt" }).nextElementSibling as HTMLElement;
  expect(value("image_size")).toHaveTextContent("32(chosen: the images' median side is 32 px)");
  expect(value("model")).toHaveTextContent("resnet18(chosen: trains fast from scratch (no publisher weights at hand))");
  expect(value("pretrained")).toHaveTextContent(/^no\(chosen: no publisher weights at hand/);
  expect(value("early_stopping_patience")).toHaveTextContent("—(chosen: a run from scratch learns late: its schedule always runs to the end)");
  // the user's own values carry no reason
  expect(value("learning_rate")).toHaveTextContent(/^0\.0003$/);
  expect(value("optimizer")).toHaveTextContent(/^sgd$/);
  expect(value("seed")).toHaveTextContent(/^7$/);
  // the bookkeeping is not listed as a parameter
  expect(within(details).queryByText("chosen", { selector: "dt" })).not.toBeInTheDocument();
  expect(within(details).queryByText("reasons", { selector: "dt" })).not.toBeInTheDocument();
});

test("a job on a paid target shows its expected cost, then what its machine time costs, then the final cost", async () => {
  const cost = { currency: "RUB", price_per_hour: 369.3, estimate: 184.65, ceiling: 8863.2, basis: "the job's expected duration" };
  const queued = { ...RUNNING, state: "queued", compute_backend: "yandex", cost: { ...cost, machine_seconds: 0, actual: 0, machines: 0 } };
  const running = { ...queued, state: "running", cost: { ...cost, machine_seconds: 754, actual: 77.35, machines: 2 } };
  const done = { ...running, state: "failed", error: "out of memory", finished_at: "2026-12-05T08:10:00Z" };
  let start = () => undefined as void;
  const started = new Promise<void>((resolve) => (start = resolve));
  let job: Job = queued;
  server.use(
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/jobs/j1", () => HttpResponse.json(job)),
    http.get("/api/v1/jobs/j1/events", () => sse(events([], started, [running], false))),
  );
  const costRow = async () => (await screen.findByText("Cost", { selector: "dt" })).nextElementSibling;
  const first = renderAt(<JobPage />, AT);
  const row = await costRow();
  expect(row).toHaveTextContent("expected about ₽184.65 (at most ₽8,863.20)");
  start();
  await waitFor(() => expect(row).toHaveTextContent("₽77.35 so far, for 12 min 34 s of machine time on 2 machines"));
  first.unmount();

  job = done;
  renderAt(<JobPage />, AT);
  expect(await costRow()).toHaveTextContent("₽77.35 in all, for 12 min 34 s of machine time on 2 machines");
});
