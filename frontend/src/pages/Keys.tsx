// API keys: create one (its secret is shown once, to copy), list and revoke them (after a
// confirmation), and examples (curl, Python) filled with this service's address, your first
// project and, right after it is created, the new key itself.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { api, ok, type ProjectOut, type Schemas } from "../api/client";
import { keys } from "../api/queries";
import { CodeBlock } from "../components/CodeBlock";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { useLang, useText } from "../i18n";
import { useProjects } from "./Projects";

type ApiKey = Schemas["ApiKeyOut"];
type NewKey = Schemas["ApiKeyCreated"];

const TEXT = {
  en: {
    title: "API keys",
    intro:
      "An API key lets scripts and other programs use Konstruktor as you, without your password. Keep it secret: whoever has it can use your account until you revoke it.",
    name: "New key name",
    nameHint: "What the key is for, e.g. “training script on my laptop”.",
    create: "Create key",
    newKey: (name: string) => `Your new key “${name}”`,
    once: "Copy the key now and keep it somewhere safe: it will not be shown again. If you lose it, revoke it and create another.",
    secret: (name: string) => `Secret of the key “${name}”`,
    copy: "Copy",
    copyNamed: (name: string) => `Copy the key “${name}”`,
    copied: "Copied to the clipboard.",
    selectToCopy: "This browser did not let the page copy: the key is selected, press Ctrl+C (⌘C on a Mac) to copy it.",
    saved: "I have saved it: hide the key",
    yours: "Your keys",
    loading: "Loading your keys…",
    none: "No API keys yet: create one above to use the API from scripts.",
    startsWith: "starts with",
    created: "created",
    lastUsed: "last used",
    never: "never used",
    revoke: "Revoke",
    revokeNamed: (name: string) => `Revoke ${name}`,
    confirm: (name: string) =>
      `Revoke “${name}”? Scripts that use it stop working at once. This cannot be undone.`,
    keep: "Keep it",
    examples: "Use the API",
    examplesIntro: (origin: string) =>
      `Every request sends the key in the header Authorization: Bearer KEY. The examples talk to this service at ${origin}; the full reference is in the API docs.`,
    keyFromEnvironment:
      "The examples read the key from the KONSTRUKTOR_KEY environment variable: set it to the key you saved (export KONSTRUKTOR_KEY='…' in a shell). A key's secret is shown only when it is created, so the examples hold a real key only right after you create one.",
    withKey: "These examples contain your new key: run them, but do not share them.",
    noProject: "You have no project yet, so the examples use PROJECT_ID: create a project and its id appears here.",
    toProjects: "Create a project",
    docs: "API docs",
    curl: "Example with curl",
    python: "Example in Python (requests)",
    // comments inside the examples
    cSetKey: "set it first to the API key you saved:",
    cList: "List your projects",
    cUpload: (project: string) => `Upload data.zip as a new dataset “my-data” of the project ${project}`,
    cKeepVersion: "and keep the id of its newest version",
    cTrain: "Train a model on that version (GET /api/v1/catalog lists the models)",
    cKey: "the API key you saved",
  },
  ru: {
    title: "Ключи API",
    intro:
      "Ключ API позволяет скриптам и другим программам работать с Konstruktor от вашего имени без пароля. Храните его в секрете: любой, у кого он есть, может пользоваться вашей учётной записью, пока вы не отзовёте ключ.",
    name: "Название нового ключа",
    nameHint: "Для чего ключ, например «скрипт обучения на ноутбуке».",
    create: "Создать ключ",
    newKey: (name: string) => `Ваш новый ключ «${name}»`,
    once: "Скопируйте ключ сейчас и сохраните в надёжном месте: больше он показан не будет. Если вы его потеряете, отзовите ключ и создайте новый.",
    secret: (name: string) => `Секрет ключа «${name}»`,
    copy: "Копировать",
    copyNamed: (name: string) => `Копировать ключ «${name}»`,
    copied: "Скопировано в буфер обмена.",
    selectToCopy: "Браузер не разрешил странице копирование: ключ выделен, нажмите Ctrl+C (⌘C на Mac), чтобы скопировать его.",
    saved: "Я сохранил ключ — скрыть его",
    yours: "Ваши ключи",
    loading: "Загружаем ваши ключи…",
    none: "Ключей API пока нет: создайте ключ выше, чтобы работать с API из скриптов.",
    startsWith: "начинается с",
    created: "создан",
    lastUsed: "последнее использование",
    never: "ещё не использовался",
    revoke: "Отозвать",
    revokeNamed: (name: string) => `Отозвать ${name}`,
    confirm: (name: string) =>
      `Отозвать «${name}»? Скрипты, которые его используют, сразу перестанут работать. Это нельзя отменить.`,
    keep: "Оставить",
    examples: "Работа с API",
    examplesIntro: (origin: string) =>
      `Каждый запрос передаёт ключ в заголовке Authorization: Bearer КЛЮЧ. Примеры обращаются к этому сервису по адресу ${origin}; полное описание — в документации API.`,
    keyFromEnvironment:
      "Примеры берут ключ из переменной окружения KONSTRUKTOR_KEY: запишите в неё сохранённый ключ (export KONSTRUKTOR_KEY='…' в командной строке). Секрет ключа показывается только при создании, поэтому настоящий ключ попадает в примеры только сразу после создания.",
    withKey: "В этих примерах ваш новый ключ: запускайте их, но никому не передавайте.",
    noProject: "У вас пока нет проектов, поэтому в примерах стоит PROJECT_ID: создайте проект, и здесь появится его идентификатор.",
    toProjects: "Создать проект",
    docs: "Документация API",
    curl: "Пример с curl",
    python: "Пример на Python (requests)",
    cSetKey: "сначала запишите сюда сохранённый ключ API:",
    cList: "Список ваших проектов",
    cUpload: (project: string) => `Загрузить data.zip как новый набор данных «my-data» в проект ${project}`,
    cKeepVersion: "и запомнить идентификатор его последней версии",
    cTrain: "Обучить модель на этой версии (GET /api/v1/catalog перечисляет модели)",
    cKey: "сохранённый ключ API",
  },
};

type Text = (typeof TEXT)["en"];

interface SnippetValues {
  origin: string;
  key: string | null; // the literal key, only right after it was created
  project: ProjectOut | undefined;
}

/** One line, for a comment: a name may hold anything. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

function projectLabel(project: ProjectOut | undefined, lang: "en" | "ru"): string {
  if (!project) return "PROJECT_ID";
  const name = oneLine(project.name);
  return lang === "ru" ? `«${name}»` : `“${name}”`;
}

/** Single-quoted for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function curlExample({ origin, key, project }: SnippetValues, t: Text, lang: "en" | "ru"): string {
  const projectId = project?.id ?? "PROJECT_ID";
  const auth = '-H "Authorization: Bearer $KONSTRUKTOR_KEY"';
  return [
    `export KONSTRUKTOR_URL=${shellQuote(origin)}`,
    key ? `export KONSTRUKTOR_KEY=${shellQuote(key)}` : `# KONSTRUKTOR_KEY: ${t.cSetKey}\n# export KONSTRUKTOR_KEY='kst_…'`,
    "",
    `# ${t.cList}`,
    `curl -sS --fail-with-body ${auth} "$KONSTRUKTOR_URL/api/v1/projects"`,
    "",
    `# ${t.cUpload(projectLabel(project, lang))}`,
    `# ${t.cKeepVersion}`,
    `VERSION_ID=$(curl -sS --fail-with-body ${auth} \\`,
    `  -H "Content-Type: application/zip" --data-binary @data.zip \\`,
    `  "$KONSTRUKTOR_URL/api/v1/projects/${projectId}/datasets?name=my-data" \\`,
    `  | python3 -c 'import json, sys; print(json.load(sys.stdin)["versions"][-1]["id"])')`,
    "",
    `# ${t.cTrain}`,
    `curl -sS --fail-with-body ${auth} \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d "{\\"kind\\": \\"train\\", \\"dataset_version_id\\": \\"$VERSION_ID\\", \\"params\\": {\\"model\\": \\"efficientnet_b0\\"}}" \\`,
    `  "$KONSTRUKTOR_URL/api/v1/projects/${projectId}/jobs"`,
    "",
  ].join("\n");
}

export function pythonExample({ origin, key, project }: SnippetValues, t: Text, lang: "en" | "ru"): string {
  return [
    "import os",
    "",
    "import requests",
    "",
    `BASE = ${JSON.stringify(`${origin}/api/v1`)}`,
    key ? `KEY = ${JSON.stringify(key)}` : `KEY = os.environ["KONSTRUKTOR_KEY"]  # ${t.cKey}`,
    `PROJECT = ${JSON.stringify(project?.id ?? "PROJECT_ID")}  # ${projectLabel(project, lang)}`,
    'auth = {"Authorization": f"Bearer {KEY}"}',
    "",
    `# ${t.cList}`,
    'projects = requests.get(f"{BASE}/projects", headers=auth, timeout=30)',
    "projects.raise_for_status()",
    'print([p["name"] for p in projects.json()])',
    "",
    `# ${t.cUpload(projectLabel(project, lang))}`,
    `# ${t.cKeepVersion}`,
    'with open("data.zip", "rb") as archive:',
    "    dataset = requests.post(",
    '        f"{BASE}/projects/{PROJECT}/datasets",',
    '        params={"name": "my-data"},',
    "        data=archive,",
    '        headers={**auth, "Content-Type": "application/zip"},',
    "        timeout=3600,",
    "    )",
    "dataset.raise_for_status()",
    'version_id = dataset.json()["versions"][-1]["id"]',
    "",
    `# ${t.cTrain}`,
    "job = requests.post(",
    '    f"{BASE}/projects/{PROJECT}/jobs",',
    '    json={"kind": "train", "dataset_version_id": version_id, "params": {"model": "efficientnet_b0"}},',
    "    headers=auth,",
    "    timeout=30,",
    ")",
    "job.raise_for_status()",
    'print(job.json()["id"], job.json()["state"])',
    "",
  ].join("\n");
}

function NewKeyPanel({ created, onHide }: { created: NewKey; onHide: () => void }) {
  const t = useText(TEXT);
  const field = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<"copied" | "select" | null>(null);
  useEffect(() => {
    setCopy(null);
    field.current?.focus();
    field.current?.select();
  }, [created.key]);
  const copyKey = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy("copied");
    } catch {
      field.current?.focus();
      field.current?.select();
      setCopy("select");
    }
  };
  return (
    <section aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">{t.newKey(created.name)}</h2>
      <Notice kind="warning">
        <p>{t.once}</p>
      </Notice>
      <div className="field">
        <label htmlFor="new-key-secret">{t.secret(created.name)}</label>
        <div className="actions" style={{ margin: 0, flexWrap: "nowrap" }}>
          <input
            ref={field}
            id="new-key-secret"
            className="mono"
            readOnly
            value={created.key}
            spellCheck={false}
            autoComplete="off"
            style={{ flex: 1, minWidth: 0 }}
            onFocus={(event) => event.target.select()}
          />
          <button type="button" aria-label={t.copyNamed(created.name)} onClick={() => void copyKey()}>
            {t.copy}
          </button>
        </div>
      </div>
      <p role="status">{copy === "copied" ? t.copied : copy === "select" ? t.selectToCopy : ""}</p>
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onHide}>
          {t.saved}
        </button>
      </div>
    </section>
  );
}

function KeyRow({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: (id: string) => void }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const revoke = useMutation({
    mutationFn: async () =>
      ok(await api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: apiKey.id } } })),
    onSuccess: () => {
      onRevoked(apiKey.id);
      void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
    },
  });
  return (
    <li>
      <span>
        <strong>{apiKey.name}</strong>{" "}
        <span className="muted">
          {t.startsWith} <span className="mono">{apiKey.prefix}…</span> · {t.created}{" "}
          {new Date(apiKey.created_at).toLocaleDateString(lang)} ·{" "}
          {apiKey.last_used_at ? `${t.lastUsed} ${new Date(apiKey.last_used_at).toLocaleString(lang)}` : t.never}
        </span>
      </span>
      {!confirming && (
        <button
          type="button"
          className="button-secondary"
          aria-label={t.revokeNamed(apiKey.name)}
          onClick={() => setConfirming(true)}
        >
          {t.revoke}
        </button>
      )}
      {confirming && (
        <div role="alertdialog" aria-labelledby={`revoke-${apiKey.id}`} className="notice notice-warning" style={{ width: "100%" }}>
          <p id={`revoke-${apiKey.id}`}>{t.confirm(apiKey.name)}</p>
          <div className="actions">
            <button
              ref={confirmButton}
              type="button"
              className="button-danger"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate()}
            >
              {t.revoke}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              {t.keep}
            </button>
          </div>
        </div>
      )}
      <ErrorNotice error={revoke.error} />
    </li>
  );
}

export default function KeysPage() {
  const t = useText(TEXT);
  const { lang } = useLang();
  const queryClient = useQueryClient();
  const apiKeys = useQuery({ queryKey: keys.apiKeys, queryFn: async () => ok(await api.GET("/api/v1/api-keys")) });
  const projects = useProjects();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<NewKey | null>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const create = useMutation({
    mutationFn: async () => ok(await api.POST("/api/v1/api-keys", { body: { name: name.trim() } })),
    onSuccess: (key) => {
      setName("");
      setCreated(key);
      void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const values: SnippetValues = {
    origin: window.location.origin,
    key: created?.key ?? null,
    project: projects.data?.[0],
  };
  const hide = () => {
    setCreated(null);
    document.getElementById("key-name")?.focus();
  };
  const revoked = (id: string) => {
    if (created?.id === id) setCreated(null);
    listHeading.current?.focus();
  };

  return (
    <>
      <PageTitle title={t.title}>{t.title}</PageTitle>
      <p className="muted">{t.intro}</p>
      <section>
        <form className="actions" onSubmit={submit}>
          <div className="field" style={{ margin: 0 }}>
            <label htmlFor="key-name">{t.name}</label>
            <input
              id="key-name"
              value={name}
              required
              maxLength={200}
              aria-describedby="key-name-hint"
              onChange={(event) => setName(event.target.value)}
            />
            <small id="key-name-hint">{t.nameHint}</small>
          </div>
          <button type="submit" disabled={create.isPending}>
            {t.create}
          </button>
        </form>
        <ErrorNotice error={create.error} />
      </section>
      {created && <NewKeyPanel created={created} onHide={hide} />}
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading" ref={listHeading} tabIndex={-1}>
          {t.yours}
        </h2>
        {apiKeys.isPending && <Loading label={t.loading} />}
        <ErrorNotice error={apiKeys.error} />
        {apiKeys.data?.length === 0 && <Notice>{t.none}</Notice>}
        <ul className="list">
          {apiKeys.data?.map((apiKey) => <KeyRow key={apiKey.id} apiKey={apiKey} onRevoked={revoked} />)}
        </ul>
      </section>
      <section aria-labelledby="examples-heading">
        <h2 id="examples-heading">{t.examples}</h2>
        <p>
          {t.examplesIntro(values.origin)} <a href="/docs">{t.docs}</a>
        </p>
        {values.key ? (
          <Notice kind="warning">
            <p>{t.withKey}</p>
          </Notice>
        ) : (
          <p>{t.keyFromEnvironment}</p>
        )}
        {projects.data?.length === 0 && (
          <Notice>
            <p>
              {t.noProject} <Link to="/projects">{t.toProjects}</Link>
            </p>
          </Notice>
        )}
        <ErrorNotice error={projects.error} />
        <h3>{t.curl}</h3>
        <CodeBlock code={curlExample(values, t, lang)} language="bash" label={t.curl} />
        <h3>{t.python}</h3>
        <CodeBlock code={pythonExample(values, t, lang)} language="python" label={t.python} />
      </section>
    </>
  );
}
