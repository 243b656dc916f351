// Step 1: data into a project. A zip from this computer (dropped on the page or chosen with
// the file picker), checked here before a byte is sent, then uploaded with bytes, speed,
// time left and a Cancel button; or an archive the service imports from S3 itself. With
// ?dataset=ID the zip becomes a new version of that dataset.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type DragEvent, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api, ok, type DatasetOut, type DatasetVersionOut, type Schemas } from "../api/client";
import { keys, useProject, useService } from "../api/queries";
import { uploadWithProgress, UploadError, type UploadHandle, type UploadProgress } from "../api/upload";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { ProgressBar } from "../components/ProgressBar";
import { Stepper, useStepLabel } from "../components/Stepper";
import { Tabs } from "../components/Tabs";
import { formatBytes, formatDuration } from "../format";
import { useLang, useText, type Lang } from "../i18n";

const TEXT = {
  en: {
    intro: (project: string) =>
      `Add a dataset to “${project}”: one zip of images, as a folder per class (ImageFolder), a CSV list of files and labels, YOLO or COCO.`,
    introVersion: (dataset: string) =>
      `Upload a new version of “${dataset}”: the same kind of zip as before. Earlier versions stay as they are.`,
    backToProject: "Back to the project",
    backToDataset: "Back to the dataset",
    how: "How to add the data",
    zipTab: "Upload a zip",
    s3Tab: "Import from S3",
    loadingService: "Loading the service's limits…",
    file: "Zip file with your images",
    drop: "Drag a zip file here, or choose it:",
    limit: (size: string) => `Up to ${size}.`,
    chosen: (name: string, size: string) => `Chosen: ${name} (${size})`,
    noFile: "Choose a zip file first.",
    notZip: (name: string) =>
      `${name} is not a zip file. Pack the images into a .zip archive and choose that archive.`,
    empty: (name: string) => `${name} is empty (0 bytes). Choose the zip that holds your images.`,
    tooLarge: (name: string, size: string, limit: string) =>
      `${name} is ${size}, more than this service's limit of ${limit}. Remove some images or make them smaller, or ask the service's operator to raise the limit.`,
    name: "Dataset name",
    noName: "Give the dataset a name.",
    nameHint: "How the dataset is listed in the project. Filled in from the file's name; change it if you like.",
    upload: "Upload",
    uploadVersion: "Upload as a new version",
    progress: "Upload",
    starting: "Starting the upload…",
    sent: (sent: string, total: string) => `${sent} of ${total} sent`,
    speed: (rate: string) => `${rate}/s`,
    eta: (time: string) => `about ${time} left`,
    checking: (total: string) =>
      `All ${total} sent. The service is checking the data; a large archive takes a minute or more.`,
    keepOpen: "Keep this page open until the upload finishes.",
    cancel: "Cancel",
    cancelUpload: (name: string) => `Cancel the upload of ${name}`,
    cancelled: (name: string) => `The upload of ${name} was cancelled; nothing was stored.`,
    again: "Upload again",
    againNamed: (name: string) => `Upload ${name} again`,
    retry: "Try again",
    retryNamed: (name: string) => `Try again to upload ${name}`,
    failedFile: (name: string) => `${name} was not uploaded.`,
    fixHint: "Fix what the message says and try again, or choose another file.",
    lost: "The connection was lost during the upload. Check the network and try again.",
    s3Intro: (limit: string) =>
      `For archives too large for a browser: the service downloads the zip from S3 storage itself (up to ${limit}). One zip, in the same layouts as an upload.`,
    s3IntroNoLimit:
      "For archives too large for a browser: the service downloads the zip from S3 storage itself. One zip, in the same layouts as an upload.",
    s3NewDataset: (dataset: string) =>
      `An import always makes a new dataset. To add a version of “${dataset}”, upload a zip instead.`,
    noEndpoints:
      "This service does not import from S3: its operator has allowed no S3 endpoints (KONSTRUKTOR_IMPORT_S3_ENDPOINTS). Upload a zip instead, or ask the operator.",
    uri: "S3 URI of the zip",
    uriHint: "s3://bucket/path/to/data.zip",
    badUri:
      "Write the URI as s3://bucket/path/to/data.zip: a bucket name of lowercase letters, digits, dots and hyphens, then the path of the file.",
    endpoint: "S3 endpoint",
    region: "Region",
    regionHint: "Lowercase letters, digits and hyphens, e.g. ru-central1.",
    badRegion: "The region is lowercase letters, digits and hyphens (at most 32), e.g. ru-central1.",
    credentials: "Credentials (only for a private bucket)",
    credentialsHint:
      "Leave both empty for a public bucket. They are used for this import only and are not stored.",
    accessKey: "Access key ID",
    secretKey: "Secret access key",
    bothOrNone: "Fill in both the access key ID and the secret access key, or leave both empty for a public bucket.",
    import: "Import",
    importing:
      "Importing… The service is downloading and checking the archive; a large one takes several minutes. Keep this page open.",
    importHint: "Check the URI, the endpoint and the credentials, then import again.",
  },
  ru: {
    intro: (project: string) =>
      `Добавьте набор данных в проект «${project}»: один zip-архив с изображениями — папка на каждый класс (ImageFolder), CSV-список файлов и меток, YOLO или COCO.`,
    introVersion: (dataset: string) =>
      `Загрузите новую версию набора «${dataset}»: такой же zip-архив, как раньше. Прежние версии не изменятся.`,
    backToProject: "Назад к проекту",
    backToDataset: "Назад к набору данных",
    how: "Способ добавления данных",
    zipTab: "Загрузить zip",
    s3Tab: "Импорт из S3",
    loadingService: "Загружаем ограничения сервиса…",
    file: "Zip-архив с изображениями",
    drop: "Перетащите zip-архив сюда или выберите его:",
    limit: (size: string) => `Не больше ${size}.`,
    chosen: (name: string, size: string) => `Выбран файл: ${name} (${size})`,
    noFile: "Сначала выберите zip-архив.",
    notZip: (name: string) =>
      `${name} — не zip-архив. Упакуйте изображения в архив .zip и выберите его.`,
    empty: (name: string) => `Файл ${name} пуст (0 байт). Выберите архив с вашими изображениями.`,
    tooLarge: (name: string, size: string, limit: string) =>
      `Размер ${name} — ${size}, а сервис принимает не больше ${limit}. Уберите часть изображений или уменьшите их либо попросите администратора сервиса поднять ограничение.`,
    name: "Название набора данных",
    noName: "Дайте набору данных название.",
    nameHint: "Под этим названием набор будет виден в проекте. Взято из имени файла; его можно изменить.",
    upload: "Загрузить",
    uploadVersion: "Загрузить как новую версию",
    progress: "Отправка",
    starting: "Начинаем загрузку…",
    sent: (sent: string, total: string) => `Отправлено ${sent} из ${total}`,
    speed: (rate: string) => `${rate}/с`,
    eta: (time: string) => `осталось около ${time}`,
    checking: (total: string) =>
      `Все ${total} отправлены. Сервис проверяет данные; большой архив проверяется минуту и дольше.`,
    keepOpen: "Не закрывайте страницу, пока загрузка не закончится.",
    cancel: "Отменить",
    cancelUpload: (name: string) => `Отменить загрузку ${name}`,
    cancelled: (name: string) => `Загрузка ${name} отменена, ничего не сохранено.`,
    again: "Загрузить снова",
    againNamed: (name: string) => `Загрузить ${name} снова`,
    retry: "Повторить",
    retryNamed: (name: string) => `Повторить загрузку ${name}`,
    failedFile: (name: string) => `Файл ${name} не загружен.`,
    fixHint: "Исправьте то, о чём говорится в сообщении, и повторите загрузку или выберите другой файл.",
    lost: "Соединение прервалось во время загрузки. Проверьте сеть и повторите попытку.",
    s3Intro: (limit: string) =>
      `Для архивов, слишком больших для браузера: сервис сам скачает zip-архив из хранилища S3 (не больше ${limit}). Один архив, в тех же форматах, что и при загрузке.`,
    s3IntroNoLimit:
      "Для архивов, слишком больших для браузера: сервис сам скачает zip-архив из хранилища S3. Один архив, в тех же форматах, что и при загрузке.",
    s3NewDataset: (dataset: string) =>
      `Импорт всегда создаёт новый набор данных. Чтобы добавить версию набора «${dataset}», загрузите zip-архив.`,
    noEndpoints:
      "Этот сервис не импортирует данные из S3: администратор не разрешил ни одного адреса S3 (KONSTRUKTOR_IMPORT_S3_ENDPOINTS). Загрузите zip-архив или обратитесь к администратору.",
    uri: "S3-адрес zip-архива",
    uriHint: "s3://bucket/path/to/data.zip",
    badUri:
      "Укажите адрес в виде s3://bucket/path/to/data.zip: имя бакета из строчных латинских букв, цифр, точек и дефисов, затем путь к файлу.",
    endpoint: "Адрес хранилища S3",
    region: "Регион",
    regionHint: "Строчные латинские буквы, цифры и дефисы, например ru-central1.",
    badRegion: "Регион — строчные латинские буквы, цифры и дефисы (не больше 32), например ru-central1.",
    credentials: "Ключи доступа (только для закрытого бакета)",
    credentialsHint:
      "Для открытого бакета оставьте оба поля пустыми. Ключи нужны только для этого импорта и не сохраняются.",
    accessKey: "Идентификатор ключа доступа",
    secretKey: "Секретный ключ",
    bothOrNone: "Заполните и идентификатор ключа, и секретный ключ или оставьте оба поля пустыми для открытого бакета.",
    import: "Импортировать",
    importing:
      "Импортируем… Сервис скачивает и проверяет архив; большой архив обрабатывается несколько минут. Не закрывайте страницу.",
    importHint: "Проверьте адрес, хранилище и ключи доступа, затем повторите импорт.",
  },
};

type Text = (typeof TEXT)["en"];

const ZIP_TYPES = ["application/zip", "application/x-zip-compressed", "application/x-zip"];
const URI_PATTERN = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^?#]+$/;
const REGION_PATTERN = /^[a-z0-9-]{1,32}$/;
const PROGRESS_EVERY_MS = 400; // progress text changes at most this often (it is announced)

/** Why `file` cannot be uploaded, checked before sending it, or null when it can. */
export function fileProblem(file: File, limit: number | undefined, t: Text, lang: Lang): string | null {
  const named = file.name.toLowerCase().endsWith(".zip");
  if (!named && !ZIP_TYPES.includes(file.type)) return t.notZip(file.name);
  if (file.size === 0) return t.empty(file.name);
  if (limit !== undefined && file.size > limit) {
    return t.tooLarge(file.name, formatBytes(file.size, lang), formatBytes(limit, lang));
  }
  return null;
}

/** "12 MB of 40 MB sent · 3 MB/s · about 9 s left", or that the service is checking. */
export function progressText(progress: UploadProgress | null, t: Text, lang: Lang): string {
  if (!progress || progress.sent === 0) return t.starting;
  if (progress.total > 0 && progress.sent >= progress.total) return t.checking(formatBytes(progress.total, lang));
  const parts = [t.sent(formatBytes(progress.sent, lang), formatBytes(progress.total, lang))];
  if (progress.bytesPerSecond > 0) parts.push(t.speed(formatBytes(progress.bytesPerSecond, lang)));
  if (progress.etaSeconds !== null) parts.push(t.eta(formatDuration(progress.etaSeconds, lang)));
  return parts.join(" · ");
}

function stem(name: string): string {
  return name.replace(/\.zip$/i, "").slice(0, 200);
}

type Phase = "idle" | "sending" | "failed" | "cancelled";

/** The zip tab's state, kept by the page so switching tabs loses neither the file nor the
 * upload under way; an upload still running when the page closes is cancelled. */
function useZipUpload(projectId: string, datasetId: string | null) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [name, setNameState] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const setName = (value: string) => {
    setNameError(null);
    setNameState(value);
  };
  const [phase, setPhase] = useState<Phase>("idle");
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<UploadError | null>(null);
  const handle = useRef<UploadHandle<DatasetOut | DatasetVersionOut> | null>(null);

  useEffect(() => () => handle.current?.cancel(), []);
  useEffect(() => {
    if (phase !== "sending") return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [phase]);

  const choose = (next: File, problem: string | null) => {
    if (phase === "sending") return;
    setError(null);
    setPhase("idle");
    setProgress(null);
    if (problem) {
      setFile(null);
      setFileError(problem);
      return;
    }
    setFileError(null);
    setFile(next);
    setNameError(null);
    setNameState((current) => (current === "" || (file && current === stem(file.name)) ? stem(next.name) : current));
  };

  const start = (chosen: File) => {
    const url = datasetId
      ? `/api/v1/datasets/${encodeURIComponent(datasetId)}/versions`
      : `/api/v1/projects/${encodeURIComponent(projectId)}/datasets?name=${encodeURIComponent(name.trim())}`;
    let shown = -Infinity;
    setPhase("sending");
    setError(null);
    setProgress(null);
    const upload = uploadWithProgress<DatasetOut | DatasetVersionOut>(url, chosen, "application/zip", (next) => {
      const now = performance.now();
      if (now - shown < PROGRESS_EVERY_MS && next.sent < next.total) return;
      shown = now;
      setProgress(next);
    });
    handle.current = upload;
    upload.done.then(
      (result) => {
        handle.current = null;
        void queryClient.invalidateQueries({ queryKey: keys.datasets(projectId) });
        if (!result || typeof result !== "object") {
          navigate(`/projects/${projectId}`); // stored, but the answer did not say where
        } else if ("dataset_id" in result) {
          void queryClient.invalidateQueries({ queryKey: keys.dataset(result.dataset_id) });
          navigate(`/datasets/${result.dataset_id}?version=${result.id}`);
        } else {
          navigate(`/datasets/${result.id}`);
        }
      },
      (reason: unknown) => {
        handle.current = null;
        if (reason instanceof UploadError && reason.status === -1) {
          setPhase("cancelled");
          return;
        }
        setPhase("failed");
        setError(reason instanceof UploadError ? reason : new UploadError(0, String(reason)));
      },
    );
  };

  return {
    file,
    fileError,
    setFileError,
    name,
    setName,
    nameError,
    setNameError,
    phase,
    progress,
    error,
    choose,
    start,
    cancel: () => handle.current?.cancel(),
  };
}

type ZipState = ReturnType<typeof useZipUpload>;

function ZipTab({ zip, limit, newVersion }: { zip: ZipState; limit: number | undefined; newVersion: boolean }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0); // dragenter/dragleave also fire for the zone's children
  const input = useRef<HTMLInputElement>(null);
  const sending = zip.phase === "sending";
  const { file } = zip;

  const pick = (chosen: File | undefined) => {
    if (chosen) zip.choose(chosen, fileProblem(chosen, limit, t, lang));
  };
  const onDrag = (event: DragEvent, change: number) => {
    event.preventDefault();
    if (sending) return;
    depth.current = Math.max(0, depth.current + change);
    setDragging(depth.current > 0);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    depth.current = 0;
    setDragging(false);
    if (!sending) pick(event.dataTransfer.files[0]);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      zip.setFileError(zip.fileError ?? t.noFile);
      input.current?.focus();
      return;
    }
    const problem = fileProblem(file, limit, t, lang); // the limit may have loaded since
    if (problem) {
      zip.choose(file, problem);
      input.current?.focus();
      return;
    }
    if (!newVersion && zip.name.trim() === "") {
      zip.setNameError(t.noName);
      document.getElementById("dataset-name")?.focus();
      return;
    }
    zip.start(file);
  };

  return (
    <form onSubmit={submit} noValidate>
      <div
        className={`drop-zone${dragging ? " dragging" : ""}`}
        onDragEnter={(event) => onDrag(event, 1)}
        onDragOver={(event) => event.preventDefault()}
        onDragLeave={(event) => onDrag(event, -1)}
        onDrop={onDrop}
      >
        <p aria-hidden="true">{t.drop}</p>
        <div className="field" style={{ alignItems: "center" }}>
          <label htmlFor="zip-file">{t.file}</label>
          <input
            ref={input}
            id="zip-file"
            type="file"
            accept=".zip,application/zip"
            disabled={sending}
            aria-invalid={zip.fileError ? true : undefined}
            aria-describedby={zip.fileError ? "zip-limit zip-error" : "zip-limit"}
            onChange={(event) => pick(event.target.files?.[0])}
          />
          {limit !== undefined && (
            <small id="zip-limit">{t.limit(formatBytes(limit, lang))}</small>
          )}
        </div>
        {file && <p className="mono">{t.chosen(file.name, formatBytes(file.size, lang))}</p>}
      </div>
      {zip.fileError && (
        <div role="alert" id="zip-error" className="notice notice-error" style={{ marginTop: "0.75rem" }}>
          <p>{zip.fileError}</p>
        </div>
      )}
      {!newVersion && (
        <div className="field" style={{ marginTop: "0.75rem" }}>
          <label htmlFor="dataset-name">{t.name}</label>
          <input
            id="dataset-name"
            value={zip.name}
            required
            maxLength={200}
            disabled={sending}
            aria-invalid={zip.nameError ? true : undefined}
            aria-describedby={zip.nameError ? "dataset-name-hint dataset-name-error" : "dataset-name-hint"}
            onChange={(event) => zip.setName(event.target.value)}
          />
          <small id="dataset-name-hint">{t.nameHint}</small>
          {zip.nameError && (
            <p role="alert" id="dataset-name-error" className="notice notice-error">
              {zip.nameError}
            </p>
          )}
        </div>
      )}
      {zip.phase === "idle" && (
        <div className="actions">
          <button type="submit">
            {newVersion ? t.uploadVersion : t.upload}
          </button>
        </div>
      )}
      {sending && file && (
        <div>
          <ProgressBar
            value={zip.progress && zip.progress.total > 0 ? zip.progress.sent / zip.progress.total : 0}
            label={t.progress}
            status={progressText(zip.progress, t, lang)}
          />
          <p className="hint">{t.keepOpen}</p>
          <div className="actions">
            <button type="button" className="button-secondary" aria-label={t.cancelUpload(file.name)} onClick={zip.cancel}>
              {t.cancel}
            </button>
          </div>
        </div>
      )}
      {zip.phase === "failed" && file && (
        <ErrorNotice
          error={zip.error && zip.error.status === 0 ? t.lost : zip.error}
          action={
            <>
              <p>
                {t.failedFile(file.name)} {t.fixHint}
              </p>
              <div className="actions">
                <button type="submit" aria-label={t.retryNamed(file.name)}>
                  {t.retry}
                </button>
              </div>
            </>
          }
        />
      )}
      {zip.phase === "cancelled" && file && (
        <Notice kind="warning">
          <p role="status">{t.cancelled(file.name)}</p>
          <div className="actions">
            <button type="submit" aria-label={t.againNamed(file.name)}>
              {t.again}
            </button>
          </div>
        </Notice>
      )}
    </form>
  );
}

interface ImportForm {
  uri: string;
  name: string;
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

type ImportProblem = { field: keyof ImportForm; message: string } | null;

/** The first field the service would refuse, checked here so the answer comes at once. */
function importProblem(form: ImportForm, t: Text): ImportProblem {
  if (!URI_PATTERN.test(form.uri.trim())) return { field: "uri", message: t.badUri };
  if (form.name.trim() === "") return { field: "name", message: t.noName };
  if (!REGION_PATTERN.test(form.region.trim())) return { field: "region", message: t.badRegion };
  if (Boolean(form.accessKey.trim()) !== Boolean(form.secretKey)) {
    return { field: form.accessKey.trim() ? "secretKey" : "accessKey", message: t.bothOrNone };
  }
  return null;
}

function nameFromUri(uri: string): string {
  return stem(uri.split("/").pop() ?? "");
}

function ImportTab({
  endpoints,
  limit,
  versionOf,
  importer,
}: {
  endpoints: string[];
  limit: number | undefined;
  versionOf: string | null;
  importer: ReturnType<typeof useImport>;
}) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const { form, setForm, mutation } = importer;
  const [problem, setProblem] = useState<ImportProblem>(null);
  const endpoint = endpoints.includes(form.endpoint) ? form.endpoint : (endpoints[0] ?? "");
  const set = (field: keyof ImportForm, value: string) => {
    setProblem(null);
    setForm((current) => {
      const next = { ...current, [field]: value };
      if (field === "uri" && (current.name === "" || current.name === nameFromUri(current.uri))) {
        next.name = nameFromUri(value);
      }
      return next;
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const uri = form.uri.trim();
    const found = importProblem(form, t);
    setProblem(found);
    if (found) {
      document.getElementById(`import-${found.field}`)?.focus();
      return;
    }
    mutation.mutate({
      uri,
      name: form.name.trim(),
      endpoint_url: endpoint,
      region: form.region.trim(),
      access_key_id: form.accessKey.trim() || null,
      secret_access_key: form.secretKey || null,
    });
  };
  if (endpoints.length === 0) {
    return (
      <Notice kind="warning">
        <p>{t.noEndpoints}</p>
      </Notice>
    );
  }
  const busy = mutation.isPending;
  const described = (field: keyof ImportForm, hint?: string) => {
    const ids = [hint, problem?.field === field ? "import-problem" : undefined].filter(Boolean);
    return ids.length ? ids.join(" ") : undefined;
  };
  return (
    <form onSubmit={submit} noValidate aria-busy={busy}>
      <p>{limit !== undefined ? t.s3Intro(formatBytes(limit, lang)) : t.s3IntroNoLimit}</p>
      {versionOf !== null && (
        <Notice>
          <p>{t.s3NewDataset(versionOf)}</p>
        </Notice>
      )}
      <div className="field">
        <label htmlFor="import-uri">{t.uri}</label>
        <input
          id="import-uri"
          value={form.uri}
          required
          placeholder={t.uriHint}
          spellCheck={false}
          autoComplete="off"
          disabled={busy}
          aria-invalid={problem?.field === "uri" ? true : undefined}
          aria-describedby={described("uri", "import-uri-hint")}
          onChange={(event) => set("uri", event.target.value)}
        />
        <small id="import-uri-hint">{t.uriHint}</small>
      </div>
      <div className="field">
        <label htmlFor="import-name">{t.name}</label>
        <input
          id="import-name"
          value={form.name}
          required
          maxLength={200}
          disabled={busy}
          aria-invalid={problem?.field === "name" ? true : undefined}
          aria-describedby={described("name")}
          onChange={(event) => set("name", event.target.value)}
        />
      </div>
      <div className="fields">
        <div className="field">
          <label htmlFor="import-endpoint">{t.endpoint}</label>
          <select
            id="import-endpoint"
            value={endpoint}
            disabled={busy}
            onChange={(event) => set("endpoint", event.target.value)}
          >
            {endpoints.map((url) => (
              <option key={url} value={url}>
                {url}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="import-region">{t.region}</label>
          <input
            id="import-region"
            value={form.region}
            required
            spellCheck={false}
            disabled={busy}
            aria-invalid={problem?.field === "region" ? true : undefined}
            aria-describedby={described("region", "import-region-hint")}
            onChange={(event) => set("region", event.target.value)}
          />
          <small id="import-region-hint">{t.regionHint}</small>
        </div>
      </div>
      <fieldset>
        <legend>{t.credentials}</legend>
        <p className="hint" id="import-credentials-hint">
          {t.credentialsHint}
        </p>
        <div className="fields">
          <div className="field">
            <label htmlFor="import-accessKey">{t.accessKey}</label>
            <input
              id="import-accessKey"
              value={form.accessKey}
              autoComplete="off"
              spellCheck={false}
              disabled={busy}
              aria-invalid={problem?.field === "accessKey" ? true : undefined}
              aria-describedby={described("accessKey", "import-credentials-hint")}
              onChange={(event) => set("accessKey", event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="import-secretKey">{t.secretKey}</label>
            <input
              id="import-secretKey"
              type="password"
              value={form.secretKey}
              autoComplete="off"
              disabled={busy}
              aria-invalid={problem?.field === "secretKey" ? true : undefined}
              aria-describedby={described("secretKey", "import-credentials-hint")}
              onChange={(event) => set("secretKey", event.target.value)}
            />
          </div>
        </div>
      </fieldset>
      {problem && (
        <div role="alert" id="import-problem" className="notice notice-error">
          <p>{problem.message}</p>
        </div>
      )}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {t.import}
        </button>
      </div>
      {busy && (
        <p role="status" className="loading">
          {t.importing}
        </p>
      )}
      <ErrorNotice error={mutation.error} action={<p>{t.importHint}</p>} />
    </form>
  );
}

/** The import form and its request, kept by the page (a tab switch keeps both). */
function useImport(projectId: string) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState<ImportForm>({
    uri: "",
    name: "",
    endpoint: "",
    region: "ru-central1",
    accessKey: "",
    secretKey: "",
  });
  const mutation = useMutation({
    mutationFn: async (body: Schemas["DatasetImport"]) =>
      ok(
        await api.POST("/api/v1/projects/{project_id}/datasets/import", {
          params: { path: { project_id: projectId } },
          body,
        }),
      ),
    onSuccess: (dataset) => {
      setForm((current) => ({ ...current, secretKey: "" }));
      void queryClient.invalidateQueries({ queryKey: keys.datasets(projectId) });
      navigate(`/datasets/${dataset.id}`);
    },
  });
  return { form, setForm, mutation };
}

export default function UploadPage() {
  const { projectId = "" } = useParams();
  const [search] = useSearchParams();
  const datasetId = search.get("dataset");
  const t = useText(TEXT);
  const step = useStepLabel("upload");
  const service = useService();
  const project = useProject(projectId);
  const dataset = useQuery({
    queryKey: keys.dataset(datasetId ?? ""),
    enabled: datasetId !== null,
    queryFn: async () =>
      ok(await api.GET("/api/v1/datasets/{dataset_id}", { params: { path: { dataset_id: datasetId ?? "" } } })),
  });
  const zip = useZipUpload(projectId, datasetId);
  const importer = useImport(projectId);
  const limit = service.data?.max_upload_bytes;
  const versionOf = datasetId ? (dataset.data?.name ?? "…") : null;

  return (
    <>
      <Stepper current="upload" />
      <PageTitle title={step}>{step}</PageTitle>
      {datasetId ? (
        <>
          <ErrorNotice error={dataset.error} />
          {dataset.data && <p>{t.introVersion(dataset.data.name)}</p>}
          <p>
            <Link to={`/datasets/${datasetId}`}>{t.backToDataset}</Link>
          </p>
        </>
      ) : (
        <>
          <ErrorNotice error={project.error} />
          {project.data && <p>{t.intro(project.data.name)}</p>}
          <p>
            <Link to={`/projects/${projectId}`}>{t.backToProject}</Link>
          </p>
        </>
      )}
      {service.isPending && <Loading label={t.loadingService} />}
      <ErrorNotice error={service.error} />
      <Tabs
        label={t.how}
        tabs={[
          {
            id: "zip",
            label: t.zipTab,
            content: () => <ZipTab zip={zip} limit={limit} newVersion={datasetId !== null} />,
          },
          {
            id: "s3",
            label: t.s3Tab,
            content: () =>
              service.data ? (
                <ImportTab
                  endpoints={service.data.import_s3_endpoints}
                  limit={limit}
                  versionOf={versionOf}
                  importer={importer}
                />
              ) : service.isPending ? (
                <Loading label={t.loadingService} />
              ) : null,
          },
        ]}
      />
    </>
  );
}
