// Step 3: choose what to train. Konstruktor's own choice for the data (what a job with no
// model would train, and why), a catalog model of the dataset's task (a sortable, filterable
// table with one pre-selected), or, for classification, an architecture search: a new one, or
// a member of an earlier search's family picked on its accuracy/cost front.
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { api, ok, type DatasetOut, type DatasetVersionOut, type Schemas } from "../api/client";
import { automaticChoices, useStartJob, type JobBody } from "../api/jobs";
import { useCatalog, useDataset, useModels, useRecommendation, useService, useVersion } from "../api/queries";
import { ChanceWarning, nearChance, verdictOf } from "../components/Badges";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { FamilyView } from "../components/SearchFamily";
import { PageTitle } from "../components/PageTitle";
import { Stepper, useStepLabel } from "../components/Stepper";
import { Tabs } from "../components/Tabs";
import { formatCount, formatMoney, formatNumber, formatPercent } from "../format";
import { useLang, useText, type Lang } from "../i18n";

// ---------------------------------------------------------------------------------------
// Shared with the Settings screen: the version and its dataset, the project and the catalog a
// job takes, and where it runs.

const SHARED_TEXT = {
  en: {
    loading: "Loading the dataset version…",
    toProjects: "Go to your projects",
    blocked: "This version cannot train:",
    toCheck: "Go back to checking the data",
    computeTarget: "Compute target",
    defaultTarget: (name: string) => `${name} (the service's default)`,
    runsOn: (name: string) => `Runs on: ${name}.`,
    local: "the local worker (this server)",
    priced: (title: string, machine: string | null, price: string) => `${title}${machine ? ` — ${machine}` : ""} · ${price}/h`,
    billing: (price: string, hours: string | null) =>
      `Billed for machine time, from the machine's start to its deletion, at ${price}/h${hours ? `; a job is stopped after ${hours} h` : ""}.`,
    serviceDefault: "The job runs where the service runs jobs by default.",
    millions: "M",
    loadingCatalog: "Loading the catalog…",
    retry: "Try again",
  },
  ru: {
    loading: "Загружаем версию набора данных…",
    toProjects: "К вашим проектам",
    blocked: "На этой версии нельзя обучать:",
    toCheck: "Вернуться к проверке данных",
    computeTarget: "Где обучать",
    defaultTarget: (name: string) => `${name} (по умолчанию)`,
    runsOn: (name: string) => `Где обучать: ${name}.`,
    local: "локальный исполнитель (этот сервер)",
    priced: (title: string, machine: string | null, price: string) => `${title}${machine ? ` — ${machine}` : ""} · ${price}/ч`,
    billing: (price: string, hours: string | null) =>
      `Оплачивается время работы машины, от её запуска до удаления, по ${price}/ч${hours ? `; задание останавливается через ${hours} ч` : ""}.`,
    serviceDefault: "Задание выполнится там, где сервис выполняет задания по умолчанию.",
    millions: "млн",
    loadingCatalog: "Загружаем каталог…",
    retry: "Попробовать ещё раз",
  },
};

/** A catalog entry (GET /api/v1/catalog). */
export type CatalogModel = Schemas["CatalogModelOut"];

/** The catalog's loading and error states (an error with a retry), or null once it is here. */
export function CatalogPending({ catalog }: { catalog: ReturnType<typeof useCatalog> }) {
  const t = useText(SHARED_TEXT);
  if (catalog.isPending) return <Loading label={t.loadingCatalog} />;
  if (!catalog.error) return null;
  return (
    <ErrorNotice
      error={catalog.error}
      action={
        <button type="button" className="button-secondary" onClick={() => void catalog.refetch()}>
          {t.retry}
        </button>
      }
    />
  );
}

/** The dataset's task: the dataset's own, else the version's health report's. */
export function taskOf(version: DatasetVersionOut, dataset: DatasetOut): string {
  return dataset.task || String(version.report["task"] ?? "classify");
}

/** Training images of a version, as the service counts them for its defaults. */
export function trainingImages(version: DatasetVersionOut): number {
  const perSplit = version.report["images_per_split"] as { [key: string]: unknown } | undefined;
  if (typeof perSplit?.["train"] === "number") return perSplit["train"];
  const counts = (version.report["counts"] as { [key: string]: unknown } | undefined)?.["train"];
  if (!counts || typeof counts !== "object") return 0;
  return Object.values(counts as { [key: string]: unknown }).reduce<number>(
    (sum, n) => sum + (typeof n === "number" ? n : 0),
    0,
  );
}

/** Parameters in millions, e.g. "5.3 M". */
export function formatMillions(params: number, lang: Lang): string {
  const value = (params / 1e6).toLocaleString(lang, { maximumFractionDigits: 1 });
  return `${value} ${SHARED_TEXT[lang].millions}`;
}

/** `path` with the `project` query parameter of `search` carried along. */
export function withProject(path: string, search: URLSearchParams): string {
  const project = search.get("project");
  return project ? `${path}${path.includes("?") ? "&" : "?"}project=${encodeURIComponent(project)}` : path;
}

/** The project a job on `dataset` goes into: the `project` query parameter (a dataset of
 * another of the user's projects trained in this one), else the dataset's own; and `carry`,
 * which keeps it on a link to another step. */
export function useJobProject(dataset: DatasetOut): { projectId: string; carry: (path: string) => string } {
  const [search] = useSearchParams();
  return { projectId: search.get("project") || dataset.project_id, carry: (path) => withProject(path, search) };
}

/** Loads the version and then its dataset; shows loading, errors (with a way out) and a
 * blocked version's reasons; renders `children` once both are known. */
export function VersionGate({
  versionId,
  children,
}: {
  versionId: string;
  children: (version: DatasetVersionOut, dataset: DatasetOut) => ReactNode;
}) {
  const t = useText(SHARED_TEXT);
  const version = useVersion(versionId);
  if (version.isPending) return <Loading label={t.loading} />;
  if (version.error) return <ErrorNotice error={version.error} action={<Link to="/projects">{t.toProjects}</Link>} />;
  return <DatasetGate version={version.data}>{children}</DatasetGate>;
}

function DatasetGate({
  version,
  children,
}: {
  version: DatasetVersionOut;
  children: (version: DatasetVersionOut, dataset: DatasetOut) => ReactNode;
}) {
  const t = useText(SHARED_TEXT);
  const [search] = useSearchParams();
  const dataset = useDataset(version.dataset_id);
  if (dataset.isPending) return <Loading label={t.loading} />;
  if (dataset.error) return <ErrorNotice error={dataset.error} action={<Link to="/projects">{t.toProjects}</Link>} />;
  const verdict = verdictOf(version);
  return (
    <>
      {verdict.status === "blocked" && (
        <Notice kind="warning">
          <p>
            <strong>{t.blocked}</strong> {verdict.reasons.join("; ")}
          </p>
          <Link to={withProject(`/datasets/${dataset.data.id}?version=${version.id}`, search)}>{t.toCheck}</Link>
        </Notice>
      )}
      {children(version, dataset.data)}
    </>
  );
}

/** A compute backend as the service describes it (its device aside). */
type Target = Omit<Schemas["ComputeTargetOut"], "device">;

/** The service's compute targets, the default first; from a service that only names them, the names. */
export function computeTargets(service: Schemas["ServiceOut"] | undefined): Target[] {
  return service?.compute_targets ?? (service?.compute_backends ?? []).map((name) => ({ name, title: name, machine: null }));
}

/** Where a job runs: the service's compute targets, the default first ("" = default), a paid
 * one with its machine and price, and how it is billed. */
export function ComputeTarget({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  const t = useText(SHARED_TEXT);
  const { lang } = useLang();
  const service = useService();
  if (service.isPending) return null;
  if (service.error) return <p className="hint">{t.serviceDefault}</p>;
  const targets = computeTargets(service.data);
  const price = ({ price_per_hour, currency }: Target) =>
    typeof price_per_hour === "number" && currency ? formatMoney(price_per_hour, currency, lang) : null;
  const label = (target: Target) => {
    const title = target.name === "local" ? t.local : target.title;
    const cost = price(target);
    return cost ? t.priced(title, target.machine, cost) : title;
  };
  const selected = targets.find((target) => target.name === value) ?? targets[0];
  const cost = selected && price(selected);
  const hours = selected?.max_hours;
  const billing = cost ? t.billing(cost, hours ? formatNumber(hours, lang) : null) : null;
  if (!selected || targets.length === 1) {
    return <p className="hint">{[t.runsOn(selected ? label(selected) : t.local), billing].filter(Boolean).join(" ")}</p>;
  }
  return (
    <div className="field">
      <label htmlFor={id}>{t.computeTarget}</label>
      <select
        id={id}
        value={selected.name}
        aria-describedby={billing ? `${id}-billing` : undefined}
        onChange={(event) => onChange(event.target.value === targets[0]?.name ? "" : event.target.value)}
      >
        {targets.map((target, index) => (
          <option key={target.name} value={target.name}>
            {index === 0 ? t.defaultTarget(label(target)) : label(target)}
          </option>
        ))}
      </select>
      {billing && <small id={`${id}-billing`}>{billing}</small>}
    </div>
  );
}

// ---------------------------------------------------------------------------------------
// The screen.

const TEXT = {
  en: {
    tabs: "Ways to choose a model",
    recommended: "Recommended",
    catalog: "Catalog",
    search: "Architecture search",
    intro: (task: string) => `Models that can learn this dataset's task (${task}).`,
    classify: "classification",
    detect: "detection",
    family: "Family",
    allFamilies: "All families",
    maxParams: "At most this many million parameters",
    maxParamsHint: "Leave blank for no limit.",
    tableCaption: "Catalog models for this task",
    pick: "Choice",
    name: "Model",
    params: "Parameters",
    gflops: "GFLOPs",
    imageSize: "Image size (px)",
    latency: "Latency",
    notMeasured: "not measured",
    year: "Year",
    licence: "Licence",
    none: "No model matches these filters: raise the parameter limit or choose all families.",
    noneForTask: (task: string) =>
      `The catalog has no model for ${task}. Ask the operator to add one, or go back and upload another dataset.`,
    fewImages: (name: string, images: string) =>
      `${name} is pre-selected: with ${images} training images (under 1,000), the smallest model learns fastest and is least likely to overfit.`,
    manyImages: (name: string, images: string) =>
      `${name} is pre-selected: with ${images} training images, the second-smallest model adds capacity while training stays quick.`,
    selected: (name: string) => `Selected: ${name}.`,
    hiddenSelection: "It is hidden by the filters above.",
    continueWith: (name: string) => `Continue with ${name}`,
    pickOne: "Choose a model in the table to continue.",
    auto: "Let Konstruktor choose",
    autoIntro:
      "Konstruktor picks the model for this dataset's task and every setting from your data and the weights at hand; the next screen shows each choice and lets you change it.",
    autoLoading: "Asking Konstruktor what it would train…",
    autoModel: "Model",
    autoStart: "Starts from",
    autoPretrained: "the publisher's weights (fine-tuning)",
    autoScratch: "scratch (random weights)",
    why: (reason: string) => `Why: ${reason}.`,
    autoContinue: (name: string) => `Use Konstruktor's choice: ${name}`,
    yourself: "Or choose yourself",
  },
  ru: {
    tabs: "Способы выбрать модель",
    recommended: "Рекомендации",
    catalog: "Каталог",
    search: "Поиск архитектуры",
    intro: (task: string) => `Модели, которые умеют решать задачу этого набора данных (${task}).`,
    classify: "классификация",
    detect: "детекция",
    family: "Семейство",
    allFamilies: "Все семейства",
    maxParams: "Не больше стольких миллионов параметров",
    maxParamsHint: "Оставьте пустым, чтобы не ограничивать.",
    tableCaption: "Модели каталога для этой задачи",
    pick: "Выбор",
    name: "Модель",
    params: "Параметры",
    gflops: "GFLOPs",
    imageSize: "Размер изображения (пкс)",
    latency: "Задержка",
    notMeasured: "не измерена",
    year: "Год",
    licence: "Лицензия",
    none: "Под эти фильтры не подходит ни одна модель: увеличьте предел параметров или выберите все семейства.",
    noneForTask: (task: string) =>
      `В каталоге нет моделей для задачи «${task}». Попросите администратора добавить модель или вернитесь и загрузите другой набор данных.`,
    fewImages: (name: string, images: string) =>
      `Заранее выбрана модель ${name}: обучающих изображений всего ${images} (меньше 1000), а самая маленькая модель учится быстрее всех и меньше других склонна к переобучению.`,
    manyImages: (name: string, images: string) =>
      `Заранее выбрана модель ${name}: обучающих изображений ${images}, и вторая по размеру модель даёт больше ёмкости, а обучение остаётся быстрым.`,
    selected: (name: string) => `Выбрана модель ${name}.`,
    hiddenSelection: "Она скрыта фильтрами выше.",
    continueWith: (name: string) => `Продолжить с моделью ${name}`,
    pickOne: "Выберите модель в таблице, чтобы продолжить.",
    auto: "Пусть выберет Konstruktor",
    autoIntro:
      "Konstruktor подберёт модель для задачи этого набора данных и все настройки по вашим данным и доступным весам; на следующем экране видно каждое решение, и его можно изменить.",
    autoLoading: "Спрашиваем Konstruktor, что он будет обучать…",
    autoModel: "Модель",
    autoStart: "Начинает",
    autoPretrained: "с весов издателя (дообучение)",
    autoScratch: "с нуля (случайные веса)",
    why: (reason: string) => `Почему: ${reason}.`,
    autoContinue: (name: string) => `Взять выбор Konstruktor: ${name}`,
    yourself: "Или выберите сами",
  },
};

const FAMILY_NAMES: { [family: string]: string } = { efficientnet: "EfficientNet", yolo11: "YOLO11" };
export const familyName = (family: string) => FAMILY_NAMES[family] ?? family;

export default function ChoosePage() {
  const { versionId = "" } = useParams();
  const t = useText(TEXT);
  const title = useStepLabel("choose");
  const version = useVersion(versionId); // the same cached read as VersionGate's
  const datasetId = version.data?.dataset_id;
  const [search] = useSearchParams();
  const check = datasetId ? { check: withProject(`/datasets/${datasetId}?version=${versionId}`, search) } : {};
  return (
    <>
      <Stepper current="choose" links={check} />
      <PageTitle title={title}>{title}</PageTitle>
      <VersionGate versionId={versionId}>
        {(loaded, dataset) => (
          <>
            <AutoChoice version={loaded} dataset={dataset} />
            <h2>{t.yourself}</h2>
            <Tabs
              label={t.tabs}
              tabs={[
                // the recommender ranks classification models only: a detection version is not offered it
                ...(taskOf(loaded, dataset) === "classify"
                  ? [
                      {
                        id: "recommended",
                        label: t.recommended,
                        content: () => <RecommendedTab version={loaded} dataset={dataset} />,
                      },
                    ]
                  : []),
                { id: "catalog", label: t.catalog, content: () => <CatalogTab version={loaded} dataset={dataset} /> },
                { id: "search", label: t.search, content: () => <SearchTab version={loaded} dataset={dataset} /> },
              ]}
            />
          </>
        )}
      </VersionGate>
    </>
  );
}

// ---------------------------------------------------------------------------------------
// Konstruktor's choice: a preview of a training job that names no model

const AUTO_TASKS = new Set(["classify", "detect"]);

/** What the service would train for this version with nothing chosen (its model, whether it
 * starts from the publisher's weights, and why), and the way on to its settings. */
function AutoChoice({ version, dataset }: { version: DatasetVersionOut; dataset: DatasetOut }) {
  const t = useText(TEXT);
  const shared = useText(SHARED_TEXT);
  const { projectId, carry } = useJobProject(dataset);
  const task = taskOf(version, dataset);
  const shown = AUTO_TASKS.has(task) && verdictOf(version).status !== "blocked";
  const body: JobBody = { kind: "train", dataset_version_id: version.id, params: {} };
  const preview = useQuery({
    queryKey: ["jobPreview", projectId, JSON.stringify(body)],
    queryFn: async () =>
      ok(
        await api.POST("/api/v1/projects/{project_id}/jobs/preview", {
          params: { path: { project_id: projectId } },
          body,
        }),
      ),
    enabled: shown,
    retry: false,
  });
  if (!shown) return null;
  const params = preview.data?.params;
  const model = typeof params?.["model"] === "string" ? params["model"] : null;
  const { reasons } = automaticChoices(params ?? {});
  const why = (name: string) => {
    const reason = reasons.get(name);
    return reason ? (
      <small className="hint" style={{ display: "block" }}>
        {t.why(reason)}
      </small>
    ) : null;
  };
  return (
    <section aria-labelledby="auto-heading">
      <h2 id="auto-heading">{t.auto}</h2>
      <p className="hint">{t.autoIntro}</p>
      {preview.isPending && <Loading label={t.autoLoading} />}
      <ErrorNotice
        error={preview.error}
        action={
          <button type="button" className="button-secondary" onClick={() => void preview.refetch()}>
            {shared.retry}
          </button>
        }
      />
      {model && (
        <>
          <dl className="fields">
            <div>
              <dt>{t.autoModel}</dt>
              <dd>
                <strong className="mono">{model}</strong> {why("model")}
              </dd>
            </div>
            <div>
              <dt>{t.autoStart}</dt>
              <dd>
                {params?.["pretrained"] === true ? t.autoPretrained : t.autoScratch} {why("pretrained")}
              </dd>
            </div>
          </dl>
          <div className="actions">
            <Link className="button" to={carry(`/versions/${version.id}/settings?model=${encodeURIComponent(model)}`)}>
              {t.autoContinue(model)}
            </Link>
          </div>
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------
// Recommended: the recommender's ranking of the catalog's classification models for this
// version, the top three as cards and the rest as a table, each trainable in one click.

/** The recommender's answer (POST /projects/{id}/recommendations). */
export type Recommendation = Schemas["RecommendationOut"];
type RankedModel = Recommendation["models"][number];
type Group = RankedModel["groups"][number]["group"];

const GROUPS: Group[] = ["architecture", "complexity", "basics", "features"];
const TOP = 3;

const RECOMMEND_TEXT = {
  en: {
    intro:
      "The recommender ranks every classification model of the catalog for this dataset, from what it learnt on other datasets: how your images and classes look, and each model's architecture and cost. “Train this model” starts a training at once; the service chooses every other setting from your data.",
    loading:
      "Ranking the catalog's classification models for this dataset: the recommender reads your images and compares them with the datasets it learnt from. This can take a few seconds…",
    top: "The three best-ranked models",
    cardTitle: (rank: number, model: string) => `${rank}. ${model}`,
    predicted: "Predicted proxy accuracy",
    params: "Parameters",
    gflops: "GFLOPs",
    latency: "CPU latency",
    notMeasured: "not measured",
    ms: (value: string) => `${value} ms`,
    unmeasured: "not in the meta-dataset",
    unmeasuredHint: "The meta-dataset never trained this model: it is ranked from its metadata alone.",
    unmeasuredNote:
      "“Not in the meta-dataset”: the recommender's meta-dataset never trained this model, so it is ranked from its metadata alone (its architecture and cost), and its prediction is less certain.",
    imagenet: "ImageNet weights",
    imagenetHint: "Its publisher has ImageNet weights; the service may start from them.",
    effects: (model: string) => `What moved ${model}'s score`,
    groups: {
      architecture: "Architecture",
      complexity: "Complexity",
      basics: "Basics",
      features: "Features",
    } as Record<Group, string>,
    train: "Train this model",
    queued: "Queued…",
    protocolNote: (protocol: string) =>
      `Predicted proxy accuracy is what the recommender expects under the protocol of its meta-dataset: ${protocol}. It is not the accuracy a full training here will reach; use it to compare the models with each other.`,
    latencyNote: (device: string) => `CPU latency: the median time of one image on ${device}, measured in the meta-dataset.`,
    groupsNote:
      "The bars show how much each group of what the recommender knows about a model moved its score against the average of the catalog (to the right: up; to the left: down):",
    restCaption: "The other classification models, ranked",
    rank: "Rank",
    model: "Model",
    family: "Family",
    predictedShort: "Predicted proxy accuracy",
    why: "Why",
    action: "Train",
    how: "How this ranking was made",
    recommender: "Recommender",
    weights: "Weight of each group",
    elapsed: (seconds: string) => `Ranked in ${seconds} s.`,
    none: "The recommender ranked no model for this dataset. Choose one in the catalog instead.",
    toCatalog: "Open the catalog",
  },
  ru: {
    intro:
      "Рекомендатель ранжирует все модели классификации из каталога для этого набора данных по тому, чему научился на других наборах: как выглядят ваши изображения и классы, какова архитектура и стоимость каждой модели. «Обучить эту модель» сразу запускает обучение; остальные настройки сервис выберет по вашим данным.",
    loading:
      "Ранжируем модели классификации из каталога для этого набора данных: рекомендатель читает ваши изображения и сравнивает их с наборами, на которых учился. Это может занять несколько секунд…",
    top: "Три лучшие модели",
    cardTitle: (rank: number, model: string) => `${rank}. ${model}`,
    predicted: "Предсказанная прокси-точность",
    params: "Параметры",
    gflops: "GFLOPs",
    latency: "Задержка на CPU",
    notMeasured: "не измерена",
    ms: (value: string) => `${value} мс`,
    unmeasured: "нет в мета-наборе",
    unmeasuredHint: "Мета-набор ни разу не обучал эту модель: её место определено только по её описанию.",
    unmeasuredNote:
      "«Нет в мета-наборе»: в мета-наборе рекомендателя эта модель ни разу не обучалась, поэтому её место определено только по описанию (архитектуре и стоимости), и предсказание для неё менее надёжно.",
    imagenet: "Веса ImageNet",
    imagenetHint: "У издателя есть веса ImageNet; сервис может начать с них.",
    effects: (model: string) => `Что сдвинуло оценку ${model}`,
    groups: {
      architecture: "Архитектура",
      complexity: "Сложность",
      basics: "Основное",
      features: "Особенности",
    } as Record<Group, string>,
    train: "Обучить эту модель",
    queued: "В очереди…",
    protocolNote: (protocol: string) =>
      `Предсказанная прокси-точность — то, что рекомендатель ожидает по протоколу своего мета-набора: ${protocol}. Это не точность, которой достигнет полное обучение здесь; по ней модели сравнивают между собой.`,
    latencyNote: (device: string) => `Задержка на CPU: медианное время одного изображения на ${device}, измеренное в мета-наборе.`,
    groupsNote:
      "Полоски показывают, насколько каждая группа сведений о модели сдвинула её оценку относительно среднего по каталогу (вправо — вверх, влево — вниз):",
    restCaption: "Остальные модели классификации по порядку",
    rank: "Место",
    model: "Модель",
    family: "Семейство",
    predictedShort: "Предсказанная прокси-точность",
    why: "Почему",
    action: "Обучить",
    how: "Как получен этот порядок",
    recommender: "Рекомендатель",
    weights: "Вес каждой группы",
    elapsed: (seconds: string) => `Ранжировано за ${seconds} с.`,
    none: "Рекомендатель не предложил ни одной модели для этого набора данных. Выберите модель в каталоге.",
    toCatalog: "Открыть каталог",
  },
};

/** The job that trains a ranked `model`: the one call the recommendation's `start` describes
 * (a POST to the project's jobs route, which useStartJob makes), its `model` swapped in. */
export function trainBody(recommendation: Recommendation, model: string): JobBody {
  const { body } = recommendation.start;
  return { ...body, params: { ...body.params, model } };
}

function RecommendedTab({ version, dataset }: { version: DatasetVersionOut; dataset: DatasetOut }) {
  const t = useText(RECOMMEND_TEXT);
  const shared = useText(SHARED_TEXT);
  const { lang } = useLang();
  const { projectId, carry } = useJobProject(dataset);
  const recommendation = useRecommendation(projectId, version.id);
  const start = useStartJob(projectId);

  if (recommendation.isPending) return <Loading label={t.loading} />;
  if (recommendation.error) {
    return (
      <ErrorNotice
        error={recommendation.error}
        action={
          <button type="button" className="button-secondary" onClick={() => void recommendation.refetch()}>
            {shared.retry}
          </button>
        }
      />
    );
  }
  const answer = recommendation.data;
  const models = [...answer.models].sort((a, b) => a.rank - b.rank);
  const warnings = (answer.warnings ?? []).length > 0 && (
    <Notice kind="warning">
      {(answer.warnings ?? []).map((warning) => (
        <p key={warning}>{warning}</p>
      ))}
    </Notice>
  );
  if (models.length === 0) {
    return (
      <>
        {warnings}
        <Notice>
          <p>{t.none}</p>
          <Link to={{ search: carry("?tab=catalog") }}>{t.toCatalog}</Link>
        </Notice>
      </>
    );
  }
  const top = models.slice(0, TOP);
  const rest = models.slice(TOP);
  const scale = Math.max(0, ...top.flatMap((m) => m.groups.map((g) => Math.abs(g.effect))));
  // one training at a time: the model whose start is queued (or failed) is the one pressed
  const pressed = (start.variables?.params as { model?: unknown } | undefined)?.model;
  const queued = start.isPending || start.isSuccess;
  const train = (model: string) => start.mutate(trainBody(answer, model));
  const trainButton = (model: string) => (
    <button type="button" disabled={queued} onClick={() => train(model)}>
      {queued && pressed === model ? t.queued : t.train} <span className="visually-hidden">({model})</span>
    </button>
  );
  const failed = (model: string) => (pressed === model ? <ErrorNotice error={start.error} /> : null);
  const percent = (m: RankedModel) => formatPercent(m.predicted_accuracy, lang);
  const latency = (m: RankedModel) => (typeof m.latency_ms === "number" ? t.ms(formatNumber(m.latency_ms, lang)) : null);
  const badges = (m: RankedModel) =>
    [
      !m.measured && (
        <span key="measured" className="badge badge-warning" title={t.unmeasuredHint}>
          {t.unmeasured}
        </span>
      ),
      m.pretrained_weights && (
        <span key="weights" className="badge badge-neutral" title={t.imagenetHint}>
          {t.imagenet}
        </span>
      ),
    ]
      .filter(Boolean)
      .flatMap((badge, index) => (index ? [" ", badge] : [badge]));
  const words = new Map(models.flatMap((m) => m.groups.map((g) => [g.group, g.words] as const)));
  return (
    <>
      <p className="hint">{t.intro}</p>
      {warnings}
      <h3>{t.top}</h3>
      <ol className="cards">
        {top.map((m) => {
          const id = `recommended-${m.rank}`;
          return (
            <li key={m.model}>
              <div className="card" role="region" aria-labelledby={id}>
                <h4 id={id}>{t.cardTitle(m.rank, m.model)}</h4>
                <p className="muted">{familyName(m.family)}</p>
                {(!m.measured || m.pretrained_weights) && <p>{badges(m)}</p>}
                <dl className="facts">
                  <dt title={answer.protocol}>{t.predicted}</dt>
                  <dd aria-describedby="recommended-protocol">
                    <strong>{percent(m)}</strong>
                  </dd>
                  <dt>{t.params}</dt>
                  <dd>{formatMillions(m.params, lang)}</dd>
                  <dt>{t.gflops}</dt>
                  <dd>{formatNumber(m.gflops, lang, 3)}</dd>
                  <dt>{t.latency}</dt>
                  <dd>{latency(m) ?? <span className="muted">{t.notMeasured}</span>}</dd>
                </dl>
                <p>{m.why}</p>
                <Effects model={m} scale={scale} />
                {failed(m.model)}
                <div className="actions">{trainButton(m.model)}</div>
              </div>
            </li>
          );
        })}
      </ol>
      <p id="recommended-protocol" className="hint">
        {t.protocolNote(answer.protocol)} {t.latencyNote(answer.latency_device)}
      </p>
      <p className="hint">
        {t.groupsNote}{" "}
        {GROUPS.filter((g) => words.has(g))
          .map((g) => `${t.groups[g]}: ${words.get(g)}`)
          .join("; ")}
        .
      </p>
      {models.some((m) => !m.measured) && (
        <p className="hint">
          {t.unmeasuredNote}
        </p>
      )}
      {rest.length > 0 && (
        <>
          <div className="table-scroll">
            <table className="ranked">
              <caption>{t.restCaption}</caption>
              <thead>
                <tr>
                  <th scope="col" className="number">
                    {t.rank}
                  </th>
                  <th scope="col">{t.model}</th>
                  <th scope="col">{t.family}</th>
                  <th scope="col" className="number">
                    {t.predictedShort}
                  </th>
                  <th scope="col" className="number">
                    {t.params}
                  </th>
                  <th scope="col" className="number">
                    {t.gflops}
                  </th>
                  <th scope="col" className="number">
                    {t.latency}
                  </th>
                  <th scope="col">{t.why}</th>
                  <th scope="col">{t.action}</th>
                </tr>
              </thead>
              <tbody>
                {rest.map((m) => (
                  <tr key={m.model}>
                    <td className="number">{m.rank}</td>
                    <th scope="row">
                      {m.model} {badges(m)}
                    </th>
                    <td>{familyName(m.family)}</td>
                    <td className="number">{percent(m)}</td>
                    <td className="number">{formatMillions(m.params, lang)}</td>
                    <td className="number">{formatNumber(m.gflops, lang, 3)}</td>
                    <td className={latency(m) ? "number" : "muted"}>{latency(m) ?? t.notMeasured}</td>
                    <td>{m.why}</td>
                    <td>{trainButton(m.model)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rest.some((m) => m.model === pressed) && <ErrorNotice error={start.error} />}
        </>
      )}
      <details>
        <summary>{t.how}</summary>
        <dl className="facts">
          <dt>{t.recommender}</dt>
          <dd className="mono">{answer.recommender}</dd>
          <dt>{t.weights}</dt>
          <dd>
            {GROUPS.filter((g) => typeof answer.group_weights[g] === "number")
              .map((g) => `${t.groups[g]} ${formatNumber(answer.group_weights[g] ?? 0, lang, 2)}`)
              .join(" · ")}
          </dd>
        </dl>
        <p className="hint">{t.elapsed(formatNumber(answer.elapsed_ms / 1000, lang, 2))}</p>
      </details>
    </>
  );
}

/** Each metadata group's effect on a model's score as a bar from the middle (right: up,
 * left: down), its signed value beside it; `scale` is the largest effect shown. */
function Effects({ model, scale }: { model: RankedModel; scale: number }) {
  const t = useText(RECOMMEND_TEXT);
  const { lang } = useLang();
  const signed = (value: number) => value.toLocaleString(lang, { maximumFractionDigits: 2, signDisplay: "exceptZero" });
  const order = (group: Group) => GROUPS.indexOf(group);
  return (
    <ul className="bars effects" aria-label={t.effects(model.model)}>
      {[...model.groups]
        .sort((a, b) => order(a.group) - order(b.group))
        .map((g) => {
          const half = scale > 0 ? Math.min(50, (Math.abs(g.effect) / scale) * 50) : 0;
          const up = g.effect >= 0;
          return (
            <li key={g.group}>
              <span>{t.groups[g.group] ?? g.group}</span>
              <span className="bar-track effect-track" aria-hidden="true">
                <span
                  className={`effect-bar ${up ? "effect-up" : "effect-down"}`}
                  style={{ left: up ? "50%" : `${50 - half}%`, width: `${half}%` }}
                />
              </span>
              <span className="number">{signed(g.effect)}</span>
            </li>
          );
        })}
    </ul>
  );
}

// ---------------------------------------------------------------------------------------
// Catalog

type SortKey = "name" | "family" | "params" | "gflops" | "default_image_size" | "year" | "licence";
type Direction = "ascending" | "descending";

export const FEW_IMAGES = 1000;

/** The pre-selected model: the smallest of the task for under FEW_IMAGES training images,
 * else the second-smallest (a little more capacity for more data). */
export function preselect(models: CatalogModel[], images: number): CatalogModel | undefined {
  const bySize = [...models].sort((a, b) => a.params - b.params);
  return images < FEW_IMAGES ? bySize[0] : (bySize[1] ?? bySize[0]);
}

function compare(a: CatalogModel, b: CatalogModel, key: SortKey): number {
  const x = a[key];
  const y = b[key];
  return typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
}

function CatalogTab({ version, dataset }: { version: DatasetVersionOut; dataset: DatasetOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const { carry } = useJobProject(dataset);
  const catalog = useCatalog();
  const task = taskOf(version, dataset);
  const taskName = task === "detect" ? t.detect : task === "classify" ? t.classify : task;
  const models = useMemo(() => (catalog.data ?? []).filter((m) => m.task === task), [catalog.data, task]);
  const images = trainingImages(version);
  const suggested = useMemo(() => preselect(models, images), [models, images]);
  const [picked, setPicked] = useState<string | null>(null);
  const [family, setFamily] = useState("");
  const [maxMillions, setMaxMillions] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; direction: Direction }>({ key: "params", direction: "ascending" });
  const selected = picked ?? suggested?.name ?? null;

  if (!catalog.data) return <CatalogPending catalog={catalog} />;
  if (models.length === 0) return <Notice kind="warning">{t.noneForTask(taskName)}</Notice>;

  const families = [...new Set(models.map((m) => m.family))];
  const limit = maxMillions.trim() === "" ? Infinity : Number(maxMillions) * 1e6;
  const rows = models
    .filter((m) => (family === "" || m.family === family) && m.params <= limit)
    .sort((a, b) => compare(a, b, sort.key) * (sort.direction === "ascending" ? 1 : -1));
  const columns: { key: SortKey | null; label: string; number?: boolean }[] = [
    { key: null, label: t.pick },
    { key: "name", label: t.name },
    { key: "family", label: t.family },
    { key: "params", label: t.params, number: true },
    { key: "gflops", label: t.gflops, number: true },
    { key: "default_image_size", label: t.imageSize, number: true },
    { key: null, label: t.latency },
    { key: "year", label: t.year, number: true },
    { key: "licence", label: t.licence },
  ];
  const sortBy = (key: SortKey) =>
    setSort((now) => ({
      key,
      direction: now.key === key && now.direction === "ascending" ? "descending" : "ascending",
    }));
  const imagesText = formatCount(images, lang);
  return (
    <>
      <p>{t.intro(taskName)}</p>
      {suggested && (
        <p className="hint">
          {images < FEW_IMAGES ? t.fewImages(suggested.name, imagesText) : t.manyImages(suggested.name, imagesText)}
        </p>
      )}
      <div className="fields">
        <div className="field">
          <label htmlFor="catalog-family">{t.family}</label>
          <select id="catalog-family" value={family} onChange={(event) => setFamily(event.target.value)}>
            <option value="">{t.allFamilies}</option>
            {families.map((name) => (
              <option key={name} value={name}>
                {familyName(name)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="catalog-max-params">{t.maxParams}</label>
          <input
            id="catalog-max-params"
            type="number"
            min={0}
            step="any"
            inputMode="decimal"
            value={maxMillions}
            aria-describedby="catalog-max-params-hint"
            onChange={(event) => setMaxMillions(event.target.value)}
          />
          <small id="catalog-max-params-hint">{t.maxParamsHint}</small>
        </div>
      </div>
      {rows.length === 0 ? (
        <Notice>{t.none}</Notice>
      ) : (
        <div className="table-scroll">
          <table>
            <caption>{t.tableCaption}</caption>
            <thead>
              <tr>
                {columns.map((column) => {
                  const sorted = column.key !== null && sort.key === column.key;
                  return (
                    <th
                      key={column.label}
                      scope="col"
                      className={column.number ? "number" : undefined}
                      aria-sort={sorted ? sort.direction : undefined}
                    >
                      {column.key === null ? (
                        column.label
                      ) : (
                        <button type="button" className="button-quiet" onClick={() => sortBy(column.key as SortKey)}>
                          {column.label}
                          <span aria-hidden="true">{sorted ? (sort.direction === "ascending" ? " ▲" : " ▼") : ""}</span>
                        </button>
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.name}>
                  <td>
                    <input
                      type="radio"
                      name="catalog-model"
                      id={`model-${m.name}`}
                      value={m.name}
                      checked={selected === m.name}
                      onChange={() => setPicked(m.name)}
                    />
                  </td>
                  <th scope="row">
                    <label htmlFor={`model-${m.name}`}>{m.name}</label>
                  </th>
                  <td>{familyName(m.family)}</td>
                  <td className="number">{formatMillions(m.params, lang)}</td>
                  <td className="number">{formatNumber(m.gflops, lang, 3)}</td>
                  <td className="number">{m.default_image_size}</td>
                  <td className="muted">{t.notMeasured}</td>
                  <td className="number">{m.year}</td>
                  <td>{m.licence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        {selected ? (
          <>
            <span>
              {t.selected(selected)} {!rows.some((m) => m.name === selected) && t.hiddenSelection}
            </span>
            <Link className="button" to={carry(`/versions/${version.id}/settings?model=${encodeURIComponent(selected)}`)}>
              {t.continueWith(selected)}
            </Link>
          </>
        ) : (
          <span>{t.pickOne}</span>
        )}
      </div>
    </>
  );
}

// ---------------------------------------------------------------------------------------
// Architecture search

type Strategy = NonNullable<Schemas["SearchParams"]["strategy"]>;
type CellOp = NonNullable<Schemas["SearchParams"]["ops"]>[number];

export const STRATEGY_NAMES: Strategy[] = ["hyper_darts", "darts", "gdas", "random", "evolution", "map_elites"];
const BLACKBOX: Strategy[] = ["random", "evolution", "map_elites"];
const VARIES_PARENTS: Strategy[] = ["evolution", "map_elites"];
export const ALL_OPS: CellOp[] = ["conv3", "conv5", "dilconv3", "sepconv3", "maxpool3", "avgpool3", "identity"];
export const PAPER_OPS: CellOp[] = ["maxpool3", "identity", "conv3"];

/** Move component `index` of a point on the simplex to `value` and rescale the others
 * proportionally so the sum stays 1 (equally when they were all zero). */
export function rescaleSimplex(values: number[], index: number, value: number): number[] {
  const v = Math.min(1, Math.max(0, value));
  const rest = values.reduce((sum, x, i) => (i === index ? sum : sum + x), 0);
  const others = Math.max(values.length - 1, 1);
  return values.map((x, i) => (i === index ? v : rest > 0 ? (x * (1 - v)) / rest : (1 - v) / others));
}

const uniform = (k: number) => Array.from({ length: k }, () => 1 / k);

const SEARCH_TEXT = {
  en: {
    detectOnly:
      "Architecture search builds image classifiers, and this dataset is for detection. Choose a detector in the catalog instead.",
    toCatalog: "Open the catalog",
    newSearch: "A new search",
    newIntro:
      "The service searches a space of small cell networks on your data, then retrains the architecture it keeps and packages it like a catalog model.",
    strategy: "Strategy",
    strategies: {
      hyper_darts: ["Hyper-DARTS: a family of architectures", "One search gives a whole family of architectures along the accuracy/cost front; any member can be trained later by its complexity vector s, without searching again."],
      darts: ["DARTS: one architecture", "First-order DARTS: one supernet learns which operation to keep on every edge; the search gives one architecture."],
      gdas: ["GDAS: one architecture", "Like DARTS, but samples one operation per edge while searching (Gumbel-softmax); gives one architecture."],
      random: ["Random search", "Candidates drawn at random, each trained briefly; the most accurate is kept."],
      evolution: ["Regularised evolution", "The best candidates are mutated into children and the oldest leave the population; each candidate is trained briefly."],
      map_elites: ["MAP-Elites", "Keeps the best candidate for every combination of depth, width and FLOPs, and breeds new ones from them; each candidate is trained briefly."],
    } as Record<Strategy, [string, string]>,
    ops: "Operations on each edge of a cell",
    opsHint: "Choose at least two.",
    opsTooFew: "Choose at least two operations.",
    opNames: {
      conv3: "3×3 convolution",
      conv5: "5×5 convolution",
      dilconv3: "3×3 dilated convolution",
      sepconv3: "3×3 separable convolution",
      maxpool3: "3×3 max pooling",
      avgpool3: "3×3 average pooling",
      identity: "identity (a skip)",
    } as Record<CellOp, string>,
    budget: "Which architecture to keep",
    budgetNone: "The most accurate one",
    budgetParams: "The most accurate with at most this many parameters",
    budgetLatency: "The most accurate with at most this latency",
    budgetComplexity: "The one at a complexity vector s",
    maxParams: "Parameters at most",
    maxLatency: "Latency per image at most (ms, on the worker's device)",
    needNumber: "Enter a number above zero for the budget, or choose “The most accurate one”.",
    sIntro:
      "Each value penalises one operation; together they always add up to 1. Raise an operation's share to get a network with less of it. Moving one slider rescales the others.",
    sLabel: (op: string) => `s for ${op}`,
    sum: (value: string) => `Sum: ${value}`,
    searchEpochs: "Search epochs",
    searchEpochsHint: "Supernet epochs, or training epochs per candidate. Blank: chosen by the service from the data.",
    retrainEpochs: "Retraining epochs",
    retrainEpochsHint: "Epochs to retrain the kept architecture. Blank: chosen by the service from the data.",
    evaluations: "Candidates to train",
    evaluationsHint: "How many architectures the search trains and compares (2 to 2,000).",
    mutator: "How children are proposed",
    mutatorLlm: "By the service's language model (LLMatic)",
    mutatorRules: "By rules (random edits)",
    start: "Start the search",
    queued: "Queued…",
  },
  ru: {
    detectOnly:
      "Поиск архитектуры строит классификаторы изображений, а этот набор данных — для детекции. Выберите детектор в каталоге.",
    toCatalog: "Открыть каталог",
    newSearch: "Новый поиск",
    newIntro:
      "Сервис ищет архитектуру среди небольших сетей из ячеек на ваших данных, затем заново обучает выбранную архитектуру и упаковывает её, как модель из каталога.",
    strategy: "Стратегия",
    strategies: {
      hyper_darts: ["Hyper-DARTS: семейство архитектур", "Один поиск даёт целое семейство архитектур вдоль границы «точность — стоимость»; любого члена семейства можно потом обучить по его вектору сложности s без нового поиска."],
      darts: ["DARTS: одна архитектура", "DARTS первого порядка: одна суперсеть учится, какую операцию оставить на каждом ребре; поиск даёт одну архитектуру."],
      gdas: ["GDAS: одна архитектура", "Как DARTS, но во время поиска на каждом ребре выбирается одна операция (Gumbel-softmax); результат — одна архитектура."],
      random: ["Случайный поиск", "Кандидаты выбираются случайно, каждый недолго обучается; остаётся самый точный."],
      evolution: ["Регуляризованная эволюция", "Из лучших кандидатов мутацией получаются потомки, самые старые покидают популяцию; каждый кандидат недолго обучается."],
      map_elites: ["MAP-Elites", "Хранит лучшего кандидата для каждого сочетания глубины, ширины и FLOPs и выводит из них новых; каждый кандидат недолго обучается."],
    } as Record<Strategy, [string, string]>,
    ops: "Операции на каждом ребре ячейки",
    opsHint: "Выберите хотя бы две.",
    opsTooFew: "Выберите хотя бы две операции.",
    opNames: {
      conv3: "свёртка 3×3",
      conv5: "свёртка 5×5",
      dilconv3: "расширенная свёртка 3×3",
      sepconv3: "разделимая свёртка 3×3",
      maxpool3: "max-пулинг 3×3",
      avgpool3: "усредняющий пулинг 3×3",
      identity: "тождественная операция (пропуск)",
    } as Record<CellOp, string>,
    budget: "Какую архитектуру оставить",
    budgetNone: "Самую точную",
    budgetParams: "Самую точную, у которой параметров не больше",
    budgetLatency: "Самую точную, у которой задержка не больше",
    budgetComplexity: "Ту, что соответствует вектору сложности s",
    maxParams: "Параметров не больше",
    maxLatency: "Задержка на изображение не больше (мс, на устройстве исполнителя)",
    needNumber: "Введите для ограничения число больше нуля или выберите «Самую точную».",
    sIntro:
      "Каждое значение — штраф за одну операцию; в сумме они всегда дают 1. Чем больше доля операции, тем меньше её будет в сети. Когда двигаете один ползунок, остальные пересчитываются.",
    sLabel: (op: string) => `s для ${op}`,
    sum: (value: string) => `Сумма: ${value}`,
    searchEpochs: "Эпохи поиска",
    searchEpochsHint: "Эпохи обучения суперсети или эпохи обучения каждого кандидата. Пусто — сервис выберет по данным.",
    retrainEpochs: "Эпохи повторного обучения",
    retrainEpochsHint: "Сколько эпох заново обучать выбранную архитектуру. Пусто — сервис выберет по данным.",
    evaluations: "Сколько кандидатов обучить",
    evaluationsHint: "Сколько архитектур поиск обучит и сравнит (от 2 до 2000).",
    mutator: "Как предлагать потомков",
    mutatorLlm: "Языковой моделью сервиса (LLMatic)",
    mutatorRules: "По правилам (случайные правки)",
    start: "Начать поиск",
    queued: "В очереди…",
  },
};

function SearchTab({ version, dataset }: { version: DatasetVersionOut; dataset: DatasetOut }) {
  const t = useText(SEARCH_TEXT);
  const { projectId, carry } = useJobProject(dataset);
  if (taskOf(version, dataset) !== "classify") {
    return (
      <Notice>
        <p>{t.detectOnly}</p>
        <Link to={{ search: carry("?tab=catalog") }}>{t.toCatalog}</Link>
      </Notice>
    );
  }
  return (
    <>
      <SearchForm versionId={version.id} projectId={projectId} />
      <EarlierSearches versionId={version.id} projectId={projectId} />
    </>
  );
}

type Budget = "none" | "params" | "latency" | "complexity";

function SearchForm({ versionId, projectId }: { versionId: string; projectId: string }) {
  const t = useText(SEARCH_TEXT);
  const { lang } = useLang();
  const service = useService();
  const start = useStartJob(projectId);
  const [strategy, setStrategy] = useState<Strategy>("hyper_darts");
  const [ops, setOps] = useState<CellOp[]>(PAPER_OPS);
  const [budget, setBudget] = useState<Budget>("none");
  const [maxParams, setMaxParams] = useState("");
  const [maxLatency, setMaxLatency] = useState("");
  const [s, setS] = useState<number[]>(uniform(PAPER_OPS.length));
  const [searchEpochs, setSearchEpochs] = useState("");
  const [retrainEpochs, setRetrainEpochs] = useState("");
  const [evaluations, setEvaluations] = useState("24");
  const [mutator, setMutator] = useState<"llm" | "rules">("llm");
  const [compute, setCompute] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const blackbox = BLACKBOX.includes(strategy);
  const llm = service.data?.llm_mutator === true && VARIES_PARENTS.includes(strategy);
  const queued = start.isPending || start.isSuccess;

  const chooseStrategy = (next: Strategy) => {
    setStrategy(next);
    if (next !== "hyper_darts" && budget === "complexity") setBudget("none");
  };
  const toggleOp = (op: CellOp, on: boolean) => {
    const next = ALL_OPS.filter((o) => (o === op ? on : ops.includes(o)));
    setOps(next);
    setS(uniform(next.length));
  };
  const submit = () => {
    setProblem(null);
    if (ops.length < 2) return setProblem(t.opsTooFew);
    const params: Partial<Schemas["SearchParams"]> = { strategy };
    if (ops.join() !== PAPER_OPS.join()) params.ops = ops;
    const number = (text: string) => (text.trim() === "" ? NaN : Number(text));
    if (budget === "params" || budget === "latency") {
      const value = number(budget === "params" ? maxParams : maxLatency);
      if (!(value > 0)) return setProblem(t.needNumber);
      if (budget === "params") params.max_params = Math.round(value);
      else params.max_latency_ms = value;
    }
    if (budget === "complexity") params.complexity = s;
    if (searchEpochs.trim()) params.search_epochs = number(searchEpochs);
    if (retrainEpochs.trim()) params.retrain_epochs = number(retrainEpochs);
    if (blackbox && evaluations.trim()) params.evaluations = number(evaluations);
    if (llm) params.mutator = mutator;
    start.mutate({
      kind: "search",
      dataset_version_id: versionId,
      params: params as Schemas["SearchParams"],
      ...(compute ? { compute_backend: compute } : {}),
    });
  };
  const two = (value: number) => value.toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const budgets: Budget[] = strategy === "hyper_darts" ? ["none", "params", "latency", "complexity"] : ["none", "params", "latency"];
  const budgetLabel: Record<Budget, string> = {
    none: t.budgetNone,
    params: t.budgetParams,
    latency: t.budgetLatency,
    complexity: t.budgetComplexity,
  };
  return (
    <section aria-labelledby="new-search-heading">
      <h2 id="new-search-heading">{t.newSearch}</h2>
      <p className="hint">{t.newIntro}</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <div className="field">
          <label htmlFor="search-strategy">{t.strategy}</label>
          <select
            id="search-strategy"
            value={strategy}
            aria-describedby="search-strategy-hint"
            onChange={(event) => chooseStrategy(event.target.value as Strategy)}
          >
            {STRATEGY_NAMES.map((name) => (
              <option key={name} value={name}>
                {t.strategies[name][0]}
              </option>
            ))}
          </select>
          <small id="search-strategy-hint">{t.strategies[strategy][1]}</small>
        </div>

        <fieldset>
          <legend>{t.ops}</legend>
          <p className="hint">{t.opsHint}</p>
          <div className="fields">
            {ALL_OPS.map((op) => (
              <div key={op}>
                <input
                  type="checkbox"
                  id={`search-op-${op}`}
                  checked={ops.includes(op)}
                  onChange={(event) => toggleOp(op, event.target.checked)}
                />{" "}
                <label htmlFor={`search-op-${op}`}>
                  {op} <span className="muted">({t.opNames[op]})</span>
                </label>
              </div>
            ))}
          </div>
        </fieldset>

        <fieldset>
          <legend>{t.budget}</legend>
          {budgets.map((name) => (
            <div key={name}>
              <input
                type="radio"
                name="search-budget"
                id={`search-budget-${name}`}
                value={name}
                checked={budget === name}
                onChange={() => setBudget(name)}
              />{" "}
              <label htmlFor={`search-budget-${name}`}>{budgetLabel[name]}</label>
            </div>
          ))}
          {budget === "params" && (
            <div className="field">
              <label htmlFor="search-max-params">{t.maxParams}</label>
              <input
                id="search-max-params"
                type="number"
                min={1}
                step={1}
                value={maxParams}
                onChange={(event) => setMaxParams(event.target.value)}
              />
            </div>
          )}
          {budget === "latency" && (
            <div className="field">
              <label htmlFor="search-max-latency">{t.maxLatency}</label>
              <input
                id="search-max-latency"
                type="number"
                min={0}
                step="any"
                value={maxLatency}
                onChange={(event) => setMaxLatency(event.target.value)}
              />
            </div>
          )}
          {budget === "complexity" && (
            <div role="group" aria-labelledby="search-s-intro">
              <p id="search-s-intro" className="hint">
                {t.sIntro}
              </p>
              {ops.map((op, index) => {
                const value = s[index] ?? 0;
                return (
                  <div className="field" key={op}>
                    <label htmlFor={`search-s-${op}`}>
                      {t.sLabel(op)}
                      <span aria-hidden="true">
                        : <output htmlFor={`search-s-${op}`}>{two(value)}</output>
                      </span>
                    </label>
                    <input
                      id={`search-s-${op}`}
                      type="range"
                      min={0}
                      max={1}
                      step={0.01}
                      value={value}
                      aria-valuetext={two(value)}
                      onChange={(event) => setS(rescaleSimplex(s, index, Number(event.target.value)))}
                    />
                  </div>
                );
              })}
              <p className="hint">{t.sum(two(s.reduce((sum, x) => sum + x, 0)))}</p>
            </div>
          )}
        </fieldset>

        <div className="fields">
          <div className="field">
            <label htmlFor="search-epochs">{t.searchEpochs}</label>
            <input
              id="search-epochs"
              type="number"
              min={1}
              max={500}
              step={1}
              value={searchEpochs}
              aria-describedby="search-epochs-hint"
              onChange={(event) => setSearchEpochs(event.target.value)}
            />
            <small id="search-epochs-hint">{t.searchEpochsHint}</small>
          </div>
          <div className="field">
            <label htmlFor="search-retrain-epochs">{t.retrainEpochs}</label>
            <input
              id="search-retrain-epochs"
              type="number"
              min={1}
              max={1000}
              step={1}
              value={retrainEpochs}
              aria-describedby="search-retrain-epochs-hint"
              onChange={(event) => setRetrainEpochs(event.target.value)}
            />
            <small id="search-retrain-epochs-hint">{t.retrainEpochsHint}</small>
          </div>
          {blackbox && (
            <div className="field">
              <label htmlFor="search-evaluations">{t.evaluations}</label>
              <input
                id="search-evaluations"
                type="number"
                min={2}
                max={2000}
                step={1}
                value={evaluations}
                aria-describedby="search-evaluations-hint"
                onChange={(event) => setEvaluations(event.target.value)}
              />
              <small id="search-evaluations-hint">{t.evaluationsHint}</small>
            </div>
          )}
          {llm && (
            <div className="field">
              <label htmlFor="search-mutator">{t.mutator}</label>
              <select id="search-mutator" value={mutator} onChange={(event) => setMutator(event.target.value as "llm" | "rules")}>
                <option value="llm">{t.mutatorLlm}</option>
                <option value="rules">{t.mutatorRules}</option>
              </select>
            </div>
          )}
        </div>
        <ComputeTarget id="search-compute" value={compute} onChange={setCompute} />
        {problem && (
          <p role="alert" className="notice notice-error">
            {problem}
          </p>
        )}
        <ErrorNotice error={start.error} />
        <div className="actions">
          <button type="submit" disabled={queued}>
            {queued ? t.queued : t.start}
          </button>
        </div>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------------------------------
// Earlier searches of this project: pick one, see its family, train a member

const EARLIER_TEXT = {
  en: {
    heading: "Earlier searches of this project",
    intro:
      "Every architecture a search found, with its size and proxy accuracy (the search's own estimate, before retraining). Pick one to train it on this version without searching again.",
    none: "No earlier search in this project yet: start one above, and its family will appear here when it has finished.",
    loading: "Loading the searches…",
    which: "Search",
    option: (date: string, accuracy: string, chance: boolean) =>
      `Search of ${date}${accuracy ? ` · accuracy ${accuracy}` : ""}${chance ? " (no better than chance)" : ""}`,
  },
  ru: {
    heading: "Прежние поиски в этом проекте",
    intro:
      "Все архитектуры, найденные поиском, с их размером и прокси-точностью (оценкой самого поиска, до повторного обучения). Выберите одну, чтобы обучить её на этой версии без нового поиска.",
    none: "В этом проекте ещё не было поиска: начните его выше, и его семейство появится здесь, когда поиск закончится.",
    loading: "Загружаем поиски…",
    which: "Поиск",
    option: (date: string, accuracy: string, chance: boolean) =>
      `Поиск от ${date}${accuracy ? ` · точность ${accuracy}` : ""}${chance ? " (не лучше случайного угадывания)" : ""}`,
  },
};

function EarlierSearches({ versionId, projectId }: { versionId: string; projectId: string }) {
  const t = useText(EARLIER_TEXT);
  const { lang } = useLang();
  const models = useModels(projectId);
  const [picked, setPicked] = useState("");
  const searches = (models.data ?? [])
    .filter((m) => m.architecture === "nas" && m.files.includes("family"))
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  const current = searches.find((m) => m.id === picked) ?? searches[0];
  return (
    <section aria-labelledby="earlier-heading">
      <h2 id="earlier-heading">{t.heading}</h2>
      {models.isPending && <Loading label={t.loading} />}
      <ErrorNotice error={models.error} />
      {models.data && searches.length === 0 && <Notice>{t.none}</Notice>}
      {current && (
        <>
          <p className="hint">{t.intro}</p>
          <div className="field">
            <label htmlFor="family-model">{t.which}</label>
            <select id="family-model" value={current.id} onChange={(event) => setPicked(event.target.value)}>
              {searches.map((m) => {
                const accuracy = m.metrics["accuracy"];
                return (
                  <option key={m.id} value={m.id}>
                    {t.option(
                      new Date(m.created_at).toLocaleString(lang),
                      typeof accuracy === "number" ? formatPercent(accuracy, lang) : "",
                      nearChance(m.metrics, m.class_names.length, m.verdict),
                    )}
                  </option>
                );
              })}
            </select>
            <ChanceWarning metrics={current.metrics} classes={current.class_names.length} verdict={current.verdict} />
          </div>
          <FamilyView key={current.id} model={current} versionId={versionId} />
        </>
      )}
    </section>
  );
}
