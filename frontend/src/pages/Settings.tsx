// Step 4: the training settings of the chosen catalog model. Every field starts at the
// service's own data-driven choice (a job preview) and says so, and why; a change previews again, so
// the defaults that depend on it follow and the service's objections show at once. Only the
// fields the user changed are sent: the service keeps choosing the rest.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { api, ApiError, detailText, errorOut, type DatasetOut, type DatasetVersionOut, type Schemas } from "../api/client";
import { automaticChoices, useStartJob, type JobBody } from "../api/jobs";
import { useCatalog, useModels, useProject, useService } from "../api/queries";
import { nearChance } from "../components/Badges";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { Stepper, useStepLabel } from "../components/Stepper";
import { formatDuration, formatMoney, formatPercent } from "../format";
import { useLang, useText } from "../i18n";
import {
  CatalogPending,
  ComputeTarget,
  computeTargets,
  familyName,
  formatMillions,
  taskOf,
  useJobProject,
  VersionGate,
  withProject,
  type CatalogModel,
} from "./Choose";

type WeightsStatus = CatalogModel["weights"];

/** The Russian form of a count's noun: 1 эпоху, 2 эпохи, 5 эпох. */
function plural(n: number, one: string, few: string, many: string): string {
  const tens = n % 100;
  const units = n % 10;
  if (tens >= 11 && tens <= 14) return many;
  return units === 1 ? one : units >= 2 && units <= 4 ? few : many;
}

const TEXT = {
  en: {
    noModel: "No model was chosen for this training.",
    unknownModel: (name: string) => `There is no model “${name}” in the catalog.`,
    wrongTask: (name: string, its: string, ours: string) =>
      `${name} is a ${its} model, and this dataset is for ${ours}.`,
    backToChoose: "Go back and choose a model",
    chooseAnother: "Choose another model",
    intoProject: "The job goes into the project",
    notDatasets: "not the dataset's own: the dataset stays in its project.",
    classify: "classification",
    detect: "detection",
    training: (name: string, family: string, params: string) => `Model ${name} (${family}, ${params} parameters).`,
    resolving: "Working out the settings from your data…",
    updating: "Updating the automatic choices…",
    upToDate: "The automatic choices are up to date.",
    plan: (epochs: number, backend: string) =>
      `The service will train for ${epochs} ${epochs === 1 ? "epoch" : "epochs"} on ${backend}.`,
    estimate: (time: string, basis: string) => `Expected to take about ${time} (${basis}).`,
    cost: (estimate: string, ceiling: string, basis: string) =>
      `Expected to cost about ${estimate} (${basis}), at most ${ceiling} at the job's time limit.`,
    ceiling: (ceiling: string, basis: string) => `It can cost at most ${ceiling} (${basis}).`,
    local: "the local worker",
    intro:
      "Every setting is already chosen from your data. Change any of them: the ones that depend on it follow, and only what you change is sent.",
    chosen: "chosen automatically",
    why: (reason: string) => `Why: ${reason}.`,
    yours: "your value",
    reset: "Use the automatic value",
    resetOf: (label: string) => `Use the automatic value for ${label}`,
    basic: "Training",
    advanced: "Advanced",
    epochs: "Epochs",
    epochsHint: "Passes over the training images (1 to 1,000).",
    imageSize: "Image size (px)",
    imageSizeHint: "Images are resized to a square of this side (16 to 1,280).",
    batchSize: "Batch size",
    batchSizeHint: "Images per training step (1 to 1,024).",
    pretrained: "Start from the publisher's weights",
    pretrainedHint: (file: string | null, weights: WeightsStatus) =>
      file === null
        ? "This model has no publisher weights: it trains from scratch."
        : ({
            cached: `Loads ${file} from the service's weights folder.`,
            fetchable: `Downloads ${file} from its publisher on first use (the job shows the progress) and keeps it on the service.`,
            absent: `${file} is not on this service, which downloads no weights: ask the operator to fetch it (make weights), or train from scratch.`,
          })[weights],
    learningRate: "Learning rate",
    learningRateHint: "The optimizer's step size (above 0, at most 10).",
    optimizer: "Optimizer",
    optimizerHint: "How the weights follow the gradient at each step.",
    optimizers: {
      adamw: "AdamW",
      sgd: "SGD with Nesterov momentum (0.9)",
    },
    weightDecay: "Weight decay",
    weightDecayHint: "Pulls the weights towards zero a little at each step, against overfitting (0 to 1; 0: none).",
    warmup: "Warm-up epochs",
    warmupHint: "Linear warm-up before the cosine decay.",
    smoothing: "Label smoothing",
    smoothingHint: "From 0 to just under 1.",
    augmentation: "Augmentation",
    augmentations: {
      none: "None",
      light: "Light: crops and flips",
      strong: "Strong: crops, flips, rotation, colour changes, erasing",
    },
    balance: "Class balance",
    balances: {
      none: "None",
      loss_weights: "Weight the loss by class frequency",
      sampler: "Draw training images class-balanced",
    },
    patience: "Early stopping: epochs without improvement",
    patienceHint:
      "Stop after this many epochs without a better validation result; 0: never stop early. Blank: the service decides (a quarter of the epochs from 20 epochs up, else never).",
    seed: "Random seed",
    seedHint: "The same seed and settings give the same model.",
    init: "Start from one of your earlier models",
    initNone: "None",
    chance: "no better than chance",
    initHint: (name: string) => `Your models in this project of the same architecture (${name}); their weights are the starting point.`,
    initEmpty: (name: string) => `None of your models in this project is a ${name} yet.`,
    start: "Start training",
    queued: "Queued…",
  },
  ru: {
    noModel: "Модель для обучения не выбрана.",
    unknownModel: (name: string) => `В каталоге нет модели «${name}».`,
    wrongTask: (name: string, its: string, ours: string) =>
      `${name} — модель для задачи «${its}», а этот набор данных — для задачи «${ours}».`,
    backToChoose: "Вернуться и выбрать модель",
    chooseAnother: "Выбрать другую модель",
    intoProject: "Задание попадёт в проект",
    notDatasets: "а не в проект набора данных: сам набор остаётся в своём проекте.",
    classify: "классификация",
    detect: "детекция",
    training: (name: string, family: string, params: string) => `Модель ${name} (${family}, ${params} параметров).`,
    resolving: "Подбираем настройки по вашим данным…",
    updating: "Обновляем автоматически выбранные значения…",
    upToDate: "Автоматически выбранные значения актуальны.",
    plan: (epochs: number, backend: string) => `Сервис проведёт ${epochs} ${plural(epochs, "эпоху", "эпохи", "эпох")} обучения; где: ${backend}.`,
    estimate: (time: string, basis: string) => `Займёт около ${time} (${basis}).`,
    cost: (estimate: string, ceiling: string, basis: string) =>
      `Обойдётся примерно в ${estimate} (${basis}), не больше ${ceiling} при пределе времени задания.`,
    ceiling: (ceiling: string, basis: string) => `Обойдётся не больше чем в ${ceiling} (${basis}).`,
    local: "локальный исполнитель",
    intro:
      "Все настройки уже подобраны по вашим данным. Измените любую — зависящие от неё значения пересчитаются, а отправлено будет только то, что вы изменили.",
    chosen: "выбрано автоматически",
    why: (reason: string) => `Почему: ${reason}.`,
    yours: "ваше значение",
    reset: "Вернуть автоматическое",
    resetOf: (label: string) => `Вернуть автоматическое значение: ${label}`,
    basic: "Обучение",
    advanced: "Дополнительно",
    epochs: "Эпохи",
    epochsHint: "Сколько раз модель пройдёт по обучающим изображениям (от 1 до 1000).",
    imageSize: "Размер изображения (пкс)",
    imageSizeHint: "Изображения приводятся к квадрату с такой стороной (от 16 до 1280).",
    batchSize: "Размер батча",
    batchSizeHint: "Изображений на один шаг обучения (от 1 до 1024).",
    pretrained: "Начать с весов издателя модели",
    pretrainedHint: (file: string | null, weights: WeightsStatus) =>
      file === null
        ? "У этой модели нет весов издателя: она обучается с нуля."
        : ({
            cached: `Загружает ${file} из папки весов сервиса.`,
            fetchable: `Скачивает ${file} у издателя при первом запуске (задание показывает ход загрузки) и хранит на сервисе.`,
            absent: `${file} нет на сервисе, а веса он не скачивает: попросите администратора загрузить файл (make weights) или обучайте с нуля.`,
          })[weights],
    learningRate: "Скорость обучения",
    learningRateHint: "Шаг оптимизатора (больше 0, не больше 10).",
    optimizer: "Оптимизатор",
    optimizerHint: "Как веса следуют за градиентом на каждом шаге.",
    optimizers: {
      adamw: "AdamW",
      sgd: "SGD с моментом Нестерова (0,9)",
    },
    weightDecay: "Затухание весов (weight decay)",
    weightDecayHint: "На каждом шаге немного тянет веса к нулю, против переобучения (от 0 до 1; 0 — без затухания).",
    warmup: "Эпохи разогрева",
    warmupHint: "Линейный разогрев перед косинусным затуханием.",
    smoothing: "Сглаживание меток",
    smoothingHint: "От 0 до чуть меньше 1.",
    augmentation: "Аугментация",
    augmentations: {
      none: "Без аугментации",
      light: "Лёгкая: кадрирование и отражение",
      strong: "Сильная: кадрирование, отражение, поворот, изменение цвета, стирание",
    },
    balance: "Балансировка классов",
    balances: {
      none: "Без балансировки",
      loss_weights: "Взвешивать потери по частоте классов",
      sampler: "Выбирать обучающие изображения поровну по классам",
    },
    patience: "Ранняя остановка: эпох без улучшения",
    patienceHint:
      "Остановить обучение после стольких эпох без улучшения на проверочной выборке; 0 — никогда не останавливать досрочно. Пусто — решает сервис (четверть эпох начиная с 20 эпох, иначе никогда).",
    seed: "Зерно случайных чисел (seed)",
    seedHint: "Одинаковые зерно и настройки дают одинаковую модель.",
    init: "Начать с одной из ваших прежних моделей",
    initNone: "Нет",
    chance: "не лучше случайного угадывания",
    initHint: (name: string) => `Ваши модели этого проекта с той же архитектурой (${name}); обучение начнётся с их весов.`,
    initEmpty: (name: string) => `В этом проекте у вас пока нет моделей ${name}.`,
    start: "Начать обучение",
    queued: "В очереди…",
  },
};

type Field =
  | "epochs"
  | "image_size"
  | "batch_size"
  | "pretrained"
  | "learning_rate"
  | "warmup_epochs"
  | "label_smoothing"
  | "optimizer"
  | "weight_decay"
  | "augmentation"
  | "class_balance"
  | "early_stopping_patience"
  | "seed"
  | "init_model_id";

const FIELDS: Field[] = [
  "epochs",
  "image_size",
  "batch_size",
  "pretrained",
  "learning_rate",
  "warmup_epochs",
  "label_smoothing",
  "optimizer",
  "weight_decay",
  "augmentation",
  "class_balance",
  "early_stopping_patience",
  "seed",
  "init_model_id",
];
const NUMERIC: Field[] = [
  "epochs",
  "image_size",
  "batch_size",
  "learning_rate",
  "warmup_epochs",
  "label_smoothing",
  "weight_decay",
  "early_stopping_patience",
  "seed",
];

/** The user's changes: text as typed (blank = let the service choose), or a checkbox. */
type Edits = Partial<Record<Field, string | boolean>>;

/** The job's params: the model and the fields the user changed, nothing else. */
export function changedParams(model: string, edits: Edits): Schemas["TrainParams"] {
  const params: { [key: string]: unknown } = { model };
  for (const name of FIELDS) {
    const value = edits[name];
    if (value === undefined || value === "") continue;
    if (typeof value === "string" && NUMERIC.includes(name)) {
      const number = Number(value);
      params[name] = Number.isFinite(number) ? number : value; // the service names a bad one
    } else {
      params[name] = value;
    }
  }
  return params as Schemas["TrainParams"]; // keys from FIELDS, values checked by the service
}

/** The service's message, and its messages per field (422 details, or a refusal that starts
 * with a field's name). */
export class FieldErrors extends ApiError {
  constructor(
    status: number,
    message: string,
    readonly fields: Partial<Record<Field, string>>,
  ) {
    super(status, message);
  }
}

function serviceError(result: { error?: unknown; response: Response }): FieldErrors {
  const body = errorOut(result.error);
  const fields: Partial<Record<Field, string>> = {};
  if (body?.errors) {
    for (const item of body.errors) {
      const field = FIELDS.find((name) => name === item.loc[item.loc.length - 1]);
      if (field) fields[field] = item.msg;
    }
  } else if (body) {
    const field = FIELDS.find((name) => name === body.detail.split(/[\s:]/)[0]);
    if (field) fields[field] = body.detail;
  }
  return new FieldErrors(result.response.status, detailText(result.error, result.response.status), fields);
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export const PREVIEW_DELAY_MS = 300;

export default function SettingsPage() {
  const { versionId = "" } = useParams();
  const [search] = useSearchParams();
  const model = search.get("model") ?? "";
  const title = useStepLabel("settings");
  return (
    <>
      <Stepper current="settings" links={{ choose: withProject(`/versions/${versionId}/choose`, search) }} />
      <PageTitle title={title}>{title}</PageTitle>
      <VersionGate versionId={versionId}>
        {(version, dataset) => <ModelGate model={model} version={version} dataset={dataset} />}
      </VersionGate>
    </>
  );
}

/** The chosen model from the catalog, or a way back to choosing one. */
function ModelGate({ model, version, dataset }: { model: string; version: DatasetVersionOut; dataset: DatasetOut }) {
  const t = useText(TEXT);
  const catalog = useCatalog();
  const { projectId, carry } = useJobProject(dataset);
  const back = carry(`/versions/${version.id}/choose`);
  if (!catalog.data) return <CatalogPending catalog={catalog} />;
  const info = catalog.data.find((m) => m.name === model);
  const task = taskOf(version, dataset);
  const taskName = (name: string) => (name === "detect" ? t.detect : name === "classify" ? t.classify : name);
  if (!info || info.task !== task) {
    return (
      <Notice kind="warning">
        <p>
          {!model ? t.noModel : !info ? t.unknownModel(model) : t.wrongTask(info.name, taskName(info.task), taskName(task))}
        </p>
        <Link to={back}>{t.backToChoose}</Link>
      </Notice>
    );
  }
  return (
    <>
      {projectId !== dataset.project_id && <JobProject projectId={projectId} />}
      <SettingsForm info={info} version={version} projectId={projectId} back={back} />
    </>
  );
}

/** The project the job goes into when it is not the dataset's own. */
function JobProject({ projectId }: { projectId: string }) {
  const t = useText(TEXT);
  const project = useProject(projectId);
  return (
    <p>
      {t.intoProject} <Link to={`/projects/${projectId}`}>{project.data?.name ?? projectId}</Link>, {t.notDatasets}
    </p>
  );
}

type Preview = Schemas["JobPreview"];

function SettingsForm({
  info,
  version,
  projectId,
  back,
}: {
  info: CatalogModel;
  version: DatasetVersionOut;
  projectId: string;
  back: string;
}) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const models = useModels(projectId);
  const service = useService();
  const [edits, setEdits] = useState<Edits>({});
  const [compute, setCompute] = useState("");
  const start = useStartJob(projectId, serviceError);
  const queued = start.isPending || start.isSuccess;

  const body = JSON.stringify({
    kind: "train",
    dataset_version_id: version.id,
    params: changedParams(info.name, edits),
    ...(compute ? { compute_backend: compute } : {}),
  });
  const previewed = useDebounced(body, PREVIEW_DELAY_MS);
  const preview = useQuery({
    queryKey: ["jobPreview", projectId, previewed],
    queryFn: async () => {
      const result = await api.POST("/api/v1/projects/{project_id}/jobs/preview", {
        params: { path: { project_id: projectId } },
        body: JSON.parse(previewed) as JobBody,
      });
      if (result.error !== undefined || !result.response.ok) throw serviceError(result);
      return result.data as Preview;
    },
    placeholderData: keepPreviousData,
    retry: false,
  });
  const [resolved, setResolved] = useState<Preview | null>(null);
  useEffect(() => {
    if (preview.data && !preview.isPlaceholderData) setResolved(preview.data);
  }, [preview.data, preview.isPlaceholderData]);

  if (!resolved) {
    if (preview.error) return <ErrorNotice error={preview.error} action={<Link to={back}>{t.chooseAnother}</Link>} />;
    return <Loading label={t.resolving} />;
  }

  const { chosen, reasons } = automaticChoices(resolved.params);
  const previewError = preview.error instanceof FieldErrors ? preview.error : null;
  const startError = start.error instanceof FieldErrors ? start.error : null;
  const fieldErrors: Partial<Record<Field, string>> = { ...previewError?.fields, ...startError?.fields };
  const edit = (name: Field, value: string | boolean) => setEdits((now) => ({ ...now, [name]: value }));
  const reset = (name: Field) =>
    setEdits((now) => {
      const next = { ...now };
      delete next[name];
      return next;
    });
  const text = (name: Field): string => {
    const value = edits[name];
    if (typeof value === "string") return value;
    const served = resolved.params[name];
    return served === null || served === undefined ? "" : String(served);
  };
  const earlier = (models.data ?? []).filter((m) => m.architecture === info.name);
  const busy = preview.isFetching || previewed !== body;
  const backend =
    resolved.compute_backend === "local"
      ? t.local
      : (computeTargets(service.data).find((target) => target.name === resolved.compute_backend)?.title ?? resolved.compute_backend);
  const costText = (cost: Schemas["JobCost"]) => {
    const money = (amount: number) => formatMoney(amount, cost.currency, lang);
    return cost.estimate === null
      ? t.ceiling(money(cost.ceiling), cost.basis)
      : t.cost(money(cost.estimate), money(cost.ceiling), cost.basis);
  };

  const shell = (name: Field, label: string, hint: ReactNode, control: (describedBy: string) => ReactNode) => (
    <SettingField
      name={name}
      label={label}
      hint={hint}
      chosen={!(name in edits) && chosen.has(name)}
      reason={reasons.get(name)}
      edited={name in edits}
      error={fieldErrors[name]}
      onReset={() => reset(name)}
      control={control}
    />
  );
  const number = (name: Field, label: string, hint: string, limits: { min?: number; max?: number; step: number | "any" }) =>
    shell(name, label, hint, (describedBy) => (
      <input
        id={`setting-${name}`}
        type="number"
        inputMode={limits.step === 1 ? "numeric" : "decimal"}
        {...limits}
        value={text(name)}
        aria-describedby={describedBy}
        aria-invalid={fieldErrors[name] ? true : undefined}
        onChange={(event) => edit(name, event.target.value)}
        onBlur={(event) => event.target.value === "" && reset(name)}
      />
    ));
  const choice = (name: Field, label: string, options: { [value: string]: string }, hint: string | null = null) =>
    shell(name, label, hint, (describedBy) => (
      <select
        id={`setting-${name}`}
        value={text(name)}
        aria-describedby={describedBy}
        aria-invalid={fieldErrors[name] ? true : undefined}
        onChange={(event) => edit(name, event.target.value)}
      >
        {Object.entries(options).map(([value, words]) => (
          <option key={value} value={value}>
            {words}
          </option>
        ))}
      </select>
    ));

  return (
    <>
      <p>
        {t.training(info.name, familyName(info.family), formatMillions(info.params, lang))}{" "}
        <Link to={back}>{t.chooseAnother}</Link>
      </p>
      <p className="hint">{t.intro}</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          start.mutate({
            kind: "train",
            dataset_version_id: version.id,
            params: changedParams(info.name, edits),
            ...(compute ? { compute_backend: compute } : {}),
          });
        }}
      >
        <fieldset>
          <legend>{t.basic}</legend>
          <div className="fields">
            {number("epochs", t.epochs, t.epochsHint, { min: 1, max: 1000, step: 1 })}
            {number("image_size", t.imageSize, t.imageSizeHint, { min: 16, max: 1280, step: 1 })}
            {number("batch_size", t.batchSize, t.batchSizeHint, { min: 1, max: 1024, step: 1 })}
          </div>
          {shell("pretrained", t.pretrained, t.pretrainedHint(info.weights_file, info.weights), (describedBy) => (
            <input
              id="setting-pretrained"
              type="checkbox"
              checked={typeof edits.pretrained === "boolean" ? edits.pretrained : resolved.params["pretrained"] === true}
              aria-describedby={describedBy}
              onChange={(event) => edit("pretrained", event.target.checked)}
            />
          ))}
          {shell(
            "init_model_id",
            t.init,
            earlier.length ? t.initHint(info.name) : t.initEmpty(info.name),
            (describedBy) => (
              <select
                id="setting-init_model_id"
                value={text("init_model_id")}
                aria-describedby={describedBy}
                aria-invalid={fieldErrors.init_model_id ? true : undefined}
                onChange={(event) => (event.target.value ? edit("init_model_id", event.target.value) : reset("init_model_id"))}
              >
                <option value="">{t.initNone}</option>
                {earlier.map((m) => {
                  const accuracy = m.metrics["accuracy"] ?? m.metrics["map50"];
                  return (
                    <option key={m.id} value={m.id}>
                      {m.architecture} · {new Date(m.created_at).toLocaleString(lang)}
                      {typeof accuracy === "number" ? ` · ${formatPercent(accuracy, lang)}` : ""}
                      {nearChance(m.metrics, m.class_names.length, m.verdict) ? ` (${t.chance})` : ""}
                    </option>
                  );
                })}
              </select>
            ),
          )}
          <ComputeTarget id="setting-compute" value={compute} onChange={setCompute} />
        </fieldset>
        <details>
          <summary>{t.advanced}</summary>
          <div className="fields">
            {number("learning_rate", t.learningRate, t.learningRateHint, { min: 0, max: 10, step: "any" })}
            {number("warmup_epochs", t.warmup, t.warmupHint, { min: 0, max: 100, step: "any" })}
            {number("label_smoothing", t.smoothing, t.smoothingHint, { min: 0, max: 0.99, step: "any" })}
            {choice("optimizer", t.optimizer, t.optimizers, t.optimizerHint)}
            {number("weight_decay", t.weightDecay, t.weightDecayHint, { min: 0, max: 1, step: "any" })}
            {choice("augmentation", t.augmentation, t.augmentations)}
            {choice("class_balance", t.balance, t.balances)}
            {number("early_stopping_patience", t.patience, t.patienceHint, { min: 0, step: 1 })}
            {number("seed", t.seed, t.seedHint, { min: 0, step: 1 })}
          </div>
        </details>
        <p role="status" className="hint">
          {busy
            ? t.updating
            : [
                t.upToDate,
                t.plan(resolved.epochs, backend),
                typeof resolved.estimate_s === "number"
                  ? t.estimate(formatDuration(resolved.estimate_s, lang), resolved.estimate_basis)
                  : "",
                resolved.cost ? costText(resolved.cost) : "",
              ]
                .filter(Boolean)
                .join(" ")}
        </p>
        <ErrorNotice error={start.error ?? preview.error} />
        <div className="actions">
          <button type="submit" disabled={queued}>
            {queued ? t.queued : t.start}
          </button>
        </div>
      </form>
    </>
  );
}

function SettingField({
  name,
  label,
  hint,
  chosen,
  reason,
  edited,
  error,
  onReset,
  control,
}: {
  name: Field;
  label: string;
  hint: ReactNode;
  chosen: boolean;
  /** why the service chose the value (shown while it is the service's choice) */
  reason: string | undefined;
  edited: boolean;
  error: string | undefined;
  onReset: () => void;
  control: (describedBy: string) => ReactNode;
}) {
  const t = useText(TEXT);
  const id = `setting-${name}`;
  const why = chosen && reason ? reason : null;
  const describedBy = [
    chosen || edited ? `${id}-tag` : "",
    why ? `${id}-reason` : "",
    hint ? `${id}-hint` : "",
    error ? `${id}-error` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const checkbox = name === "pretrained";
  return (
    <div className="field">
      {checkbox ? (
        <span>
          {control(describedBy)} <label htmlFor={id}>{label}</label>
        </span>
      ) : (
        <label htmlFor={id}>{label}</label>
      )}
      {!checkbox && control(describedBy)}
      {chosen && (
        <span id={`${id}-tag`} className="chosen-tag">
          {t.chosen}
        </span>
      )}
      {edited && (
        <span>
          <span id={`${id}-tag`} className="hint">
            {t.yours}
          </span>{" "}
          <button type="button" className="button-quiet" aria-label={t.resetOf(label)} onClick={onReset}>
            {t.reset}
          </button>
        </span>
      )}
      {why && <small id={`${id}-reason`}>{t.why(why)}</small>}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="notice-error">
          {error}
        </small>
      )}
    </div>
  );
}
