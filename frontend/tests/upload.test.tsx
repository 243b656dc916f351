import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import UploadPage from "../src/pages/Upload";
import { renderAt } from "./render";
import { server } from "./server";

const ME = { id: "u1", email: "ada@example.com", created_at: "2026-12-05T08:00:00Z" };
const SERVICE = {
  version: "1.0.0",
  max_upload_bytes: 1_000_000,
  job_kinds: ["train", "search"],
  compute_backends: ["local"],
  llm_mutator: false,
  import_s3_endpoints: ["https://storage.yandexcloud.net", "https://s3.example.org"],
};
const PROJECT = { id: "p1", name: "garden", created_at: "2026-12-05T08:00:00Z" };
const DATASET = { id: "d1", project_id: "p1", name: "flowers", task: "classify", created_at: "2026-12-05T09:00:00Z", versions: [] };
const PATH = "/projects/:projectId/upload";

function serve(...extra: Parameters<typeof server.use>) {
  server.use(
    ...extra, // first: they take precedence over the defaults
    http.get("/api/v1/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/v1/service", () => HttpResponse.json(SERVICE)),
    http.get("/api/v1/projects/p1", () => HttpResponse.json(PROJECT)),
    http.get("/api/v1/datasets/d1", () => HttpResponse.json(DATASET)),
  );
}

function zip(name = "flowers.zip", bytes = 2048): File {
  return new File([new Uint8Array(bytes).fill(80)], name, { type: "application/zip" });
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

test("refuses a non-zip, an empty and an over-limit file before sending anything", async () => {
  let posts = 0;
  serve(
    http.post("/api/v1/projects/p1/datasets", () => {
      posts += 1;
      return HttpResponse.json(DATASET, { status: 201 });
    }),
  );
  const user = userEvent.setup({ applyAccept: false });
  renderAt(<UploadPage />, { route: "/projects/p1/upload", path: PATH });
  expect(await screen.findByText("Up to 977 KB.")).toBeInTheDocument();
  expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Step 1 of 6: Upload");
  const input = screen.getByLabelText("Zip file with your images");
  expect(input).toHaveAttribute("accept", ".zip,application/zip");

  await user.upload(input, new File(["hello"], "notes.txt", { type: "text/plain" }));
  expect(screen.getByRole("alert")).toHaveTextContent("notes.txt is not a zip file.");
  expect(input).toHaveAttribute("aria-invalid", "true");
  await user.click(screen.getByRole("button", { name: "Upload" }));
  expect(screen.getByRole("alert")).toHaveTextContent("notes.txt is not a zip file.");

  await user.upload(input, zip("empty.zip", 0));
  expect(screen.getByRole("alert")).toHaveTextContent("empty.zip is empty (0 bytes).");

  // dropped on the zone: checked the same way
  fireEvent.drop(document.querySelector(".drop-zone")!, { dataTransfer: { files: [zip("big.zip", 1_500_000)] } });
  expect(screen.getByRole("alert")).toHaveTextContent(
    "big.zip is 1.4 MB, more than this service's limit of 977 KB.",
  );
  await user.click(screen.getByRole("button", { name: "Upload" }));
  expect(posts).toBe(0);
});

test("uploads a zip, shows the service's 4xx message and sends the same file again", async () => {
  const seen: { type: string | null; name: string | null; size: number }[] = [];
  serve(
    http.post("/api/v1/projects/p1/datasets", async ({ request }) => {
      seen.push({
        type: request.headers.get("content-type"),
        name: new URL(request.url).searchParams.get("name"),
        size: (await request.arrayBuffer()).byteLength,
      });
      if (seen.length === 1) {
        return HttpResponse.json(
          { detail: "no class folders found: put images in one folder per class" },
          { status: 422 },
        );
      }
      return HttpResponse.json(DATASET, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderAt(<UploadPage />, { route: "/projects/p1/upload", path: PATH });
  expect(await screen.findByText(/Add a dataset to “garden”/)).toBeInTheDocument();
  await screen.findByText("Up to 977 KB.");

  await user.upload(screen.getByLabelText("Zip file with your images"), zip("my flowers.zip"));
  expect(screen.getByText("Chosen: my flowers.zip (2 KB)")).toBeInTheDocument();
  expect(screen.getByLabelText("Dataset name")).toHaveValue("my flowers");
  await user.click(screen.getByRole("button", { name: "Upload" }));

  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("no class folders found: put images in one folder per class");
  expect(alert).toHaveTextContent("my flowers.zip was not uploaded.");
  await user.click(screen.getByRole("button", { name: "Try again to upload my flowers.zip" }));

  expect(await screen.findByText("elsewhere")).toBeInTheDocument(); // the dataset's page
  expect(seen).toEqual([
    { type: "application/zip", name: "my flowers", size: 2048 },
    { type: "application/zip", name: "my flowers", size: 2048 },
  ]);
});

/** An XMLHttpRequest whose progress, answer and abort the test drives. */
class FakeXHR {
  static sent: FakeXHR[] = [];
  upload: { onprogress: ((event: { loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  responseText = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown = null;
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
    FakeXHR.sent.push(this);
  }
  abort() {
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total });
  }
  respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

test("a new version: progress with speed and time left, cancel, then upload again", async () => {
  FakeXHR.sent = [];
  vi.stubGlobal("XMLHttpRequest", FakeXHR);
  let now = 1000;
  vi.spyOn(performance, "now").mockImplementation(() => now);
  serve();
  const user = userEvent.setup();
  renderAt(<UploadPage />, { route: "/projects/p1/upload?dataset=d1", path: PATH });
  expect(await screen.findByText(/Upload a new version of “flowers”/)).toBeInTheDocument();
  await screen.findByText("Up to 977 KB.");
  expect(screen.queryByLabelText("Dataset name")).not.toBeInTheDocument();

  const file = zip("flowers-v2.zip", 800_000);
  await user.upload(screen.getByLabelText("Zip file with your images"), file);
  await user.click(screen.getByRole("button", { name: "Upload as a new version" }));
  const first = FakeXHR.sent[0]!;
  expect(first.url).toBe("/api/v1/datasets/d1/versions");
  expect(first.headers["Content-Type"]).toBe("application/zip");
  expect(first.headers["Authorization"]).toBe("Bearer test-token");
  expect(first.body).toBe(file);
  expect(screen.getByText("Starting the upload…")).toHaveAttribute("role", "status");

  now = 3000; // 2 s after the start: 200,000 bytes sent
  act(() => first.progress(200_000, 800_000));
  expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "25");
  expect(screen.getByText("195 KB of 781 KB sent · 97.7 KB/s · about 6 s left")).toHaveAttribute(
    "role",
    "status",
  );

  await user.click(screen.getByRole("button", { name: "Cancel the upload of flowers-v2.zip" }));
  expect(await screen.findByText("The upload of flowers-v2.zip was cancelled; nothing was stored.")).toBeInTheDocument();

  await user.click(screen.getByRole("button", { name: "Upload flowers-v2.zip again" }));
  const second = FakeXHR.sent[1]!;
  expect(second.body).toBe(file);
  now = 4000;
  act(() => second.progress(800_000, 800_000));
  expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  expect(screen.getByText(/All 781 KB sent. The service is checking the data/)).toBeInTheDocument();
  act(() => second.respond(201, { id: "v2", dataset_id: "d1", version: 2 }));
  expect(await screen.findByText("elsewhere")).toBeInTheDocument();
});

test("a lost connection says so and can be retried", async () => {
  FakeXHR.sent = [];
  vi.stubGlobal("XMLHttpRequest", FakeXHR);
  serve();
  const user = userEvent.setup();
  renderAt(<UploadPage />, { route: "/projects/p1/upload", path: PATH });
  await screen.findByText("Up to 977 KB.");
  await user.upload(screen.getByLabelText("Zip file with your images"), zip());
  await user.click(screen.getByRole("button", { name: "Upload" }));
  act(() => FakeXHR.sent[0]!.onerror?.());
  expect(await screen.findByRole("alert")).toHaveTextContent("The connection was lost during the upload.");
  await user.click(screen.getByRole("button", { name: "Try again to upload flowers.zip" }));
  expect(FakeXHR.sent).toHaveLength(2);
  expect(FakeXHR.sent[1]!.url).toBe("/api/v1/projects/p1/datasets?name=flowers");
});

test("imports from S3: checks the form, shows the service's refusal, then opens the dataset", async () => {
  const bodies: unknown[] = [];
  serve(
    http.post("/api/v1/projects/p1/datasets/import", async ({ request }) => {
      bodies.push(await request.json());
      if (bodies.length === 1) {
        return HttpResponse.json(
          { detail: "cannot read s3://my-bucket/data/flowers.zip: access denied: check the credentials" },
          { status: 422 },
        );
      }
      return HttpResponse.json(DATASET, { status: 201 });
    }),
  );
  const user = userEvent.setup();
  renderAt(<UploadPage />, { route: "/projects/p1/upload", path: PATH });
  await screen.findByText("Up to 977 KB.");
  await user.click(screen.getByRole("tab", { name: "Import from S3" }));

  const endpoint = await screen.findByLabelText("S3 endpoint");
  expect([...endpoint.querySelectorAll("option")].map((o) => o.textContent)).toEqual(SERVICE.import_s3_endpoints);
  expect(screen.getByLabelText("Secret access key")).toHaveAttribute("type", "password");

  await user.type(screen.getByLabelText("S3 URI of the zip"), "s3://my-bucket/data/flowers.zip");
  expect(screen.getByLabelText("Dataset name")).toHaveValue("flowers");
  await user.type(screen.getByLabelText("Access key ID"), "AKIA1");
  await user.click(screen.getByRole("button", { name: "Import" }));
  expect(screen.getByRole("alert")).toHaveTextContent("Fill in both the access key ID and the secret access key");
  expect(bodies).toHaveLength(0);

  await user.type(screen.getByLabelText("Secret access key"), "s3cret");
  await user.selectOptions(endpoint, "https://s3.example.org");
  await user.click(screen.getByRole("button", { name: "Import" }));
  expect(await screen.findByRole("alert")).toHaveTextContent(
    "cannot read s3://my-bucket/data/flowers.zip: access denied: check the credentials",
  );
  expect(bodies[0]).toEqual({
    uri: "s3://my-bucket/data/flowers.zip",
    name: "flowers",
    endpoint_url: "https://s3.example.org",
    region: "ru-central1",
    access_key_id: "AKIA1",
    secret_access_key: "s3cret",
  });

  await user.click(screen.getByRole("button", { name: "Import" }));
  await waitFor(() => expect(screen.getByText("elsewhere")).toBeInTheDocument());
  expect(bodies).toHaveLength(2);
});

test("says when the service imports from no S3 endpoint", async () => {
  serve(http.get("/api/v1/service", () => HttpResponse.json({ ...SERVICE, import_s3_endpoints: [] })));
  renderAt(<UploadPage />, { route: "/projects/p1/upload?tab=s3", path: PATH });
  expect(await screen.findByText(/This service does not import from S3/)).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Import" })).not.toBeInTheDocument();
});

test("speaks Russian too", async () => {
  localStorage.setItem("konstruktor.lang", "ru");
  serve();
  const user = userEvent.setup({ applyAccept: false });
  renderAt(<UploadPage />, { route: "/projects/p1/upload", path: PATH });
  expect(await screen.findByText("Не больше 977 КБ.")).toBeInTheDocument();
  expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Шаг 1 из 6: Загрузка");
  await user.upload(screen.getByLabelText("Zip-архив с изображениями"), new File(["x"], "notes.txt"));
  expect(screen.getByRole("alert")).toHaveTextContent("notes.txt — не zip-архив.");
  expect(screen.getByRole("tab", { name: "Импорт из S3" })).toBeInTheDocument();
});
