// The service under test, started as `make run` starts it (python -m backend.launcher: the
// API, a supervised worker, embedded database, storage and broker) in a fresh var folder.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SERVICE_VARIABLES = /^(DATABASE_URL|REDIS_URL|S3_|KONSTRUKTOR_)/;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}); see ${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 500));
  }
  throw new Error(`the service did not start within 120 s; see ${log}`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env["KONSTRUKTOR_E2E_URL"]) return async () => undefined; // a service given
  const port = await freePort();
  const var_dir = mkdtempSync(join(tmpdir(), "konstruktor-e2e-"));
  const log = join(var_dir, "service.log");
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVICE_VARIABLES.test(name)));
  const child = spawn(join(ROOT, ".venv", "bin", "python"), ["-m", "backend.launcher", "--port", String(port)], {
    cwd: ROOT,
    env: { ...env, KONSTRUKTOR_VAR_DIR: var_dir, KONSTRUKTOR_MAX_UPLOAD_MB: "64" },
    stdio: ["ignore", openSync(log, "a"), openSync(log, "a")],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, child, log);
  process.env["KONSTRUKTOR_E2E_URL"] = url;
  process.env["KONSTRUKTOR_E2E_LOG"] = log;
  return async () => {
    if (child.pid) process.kill(-child.pid, "SIGTERM"); // the launcher stops its worker too
    await new Promise((wait) => setTimeout(wait, 3000));
  };
}
