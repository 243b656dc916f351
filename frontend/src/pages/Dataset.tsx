// Step 2: can this version of the data train, and what is in it? The verdict comes first
// (ready, ready with warnings, blocked, and why) with the next step, then the health report
// (counts per class and split, image sizes, examples, duplicates and leakage, issues,
// advice) with a table beside every chart, then every version of the dataset.
import type { ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import type { DatasetOut, DatasetVersionOut } from "../api/client";
import { useDataset } from "../api/queries";
import { AuthImage } from "../components/AuthImage";
import { VerdictBadge, verdictOf } from "../components/Badges";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { Stepper, useStepLabel } from "../components/Stepper";
import { formatCount, formatNumber } from "../format";
import { useLang, useText, type Lang } from "../i18n";
import { withProject } from "./Choose";

type Unit = "images" | "boxes";

const TEXT = {
  en: {
    loading: "Loading the dataset…",
    notFound: "Go to your projects",
    context: (name: string, version: number, count: number, date: string) =>
      `Dataset “${name}”, version ${version} of ${count}, uploaded ${date}.`,
    backToProject: "Back to the project",
    noVersion: (id: string) => `This dataset has no version ${id}; the latest version is shown.`,
    noVersions: "This dataset has no version yet.",
    verdictHeading: "Can it train?",
    ready: (v: number) => `Version ${v} is ready to train.`,
    readyNext: "Next: choose a model to train on it.",
    warnings: (v: number) => `Version ${v} can train, but check these warnings first:`,
    warningsNext: "You can train on it now, or fix the warnings and upload a new version.",
    blocked: (v: number) => `Version ${v} cannot train yet:`,
    blockedNext:
      "A training job on this version would fail. Fix the data as the reasons above say, then upload it as a new version of this dataset.",
    choose: "Choose a model",
    uploadVersion: "Upload a new version",
    report: "Health report",
    summary: "Summary",
    layout: "Read as",
    layouts: {
      imagefolder: "ImageFolder (a folder per class)",
      csv: "CSV (a list of files and labels)",
      yolo: "YOLO",
      coco: "COCO",
    } as Record<string, string>,
    task: "Task",
    tasks: { classify: "Classification", detect: "Object detection" } as Record<string, string>,
    split: "Train / validation split",
    splits: {
      given: "Given in the archive",
      generated: "Made by the service: a stratified 80/20 split (the archive gave none)",
    } as Record<string, string>,
    images: "Images",
    classes: "Classes",
    boxes: "Boxes",
    imbalance: "Largest / smallest training class",
    imbalanced: "imbalanced: see the advice below",
    balanced: "balanced enough",
    withoutLabels: "Images without a label file",
    emptyLabels: "Empty label files",
    counts: "Counts per class",
    perClass: (unit: Unit, split: string) =>
      unit === "boxes" ? `Boxes per class, ${split}` : `Images per class, ${split}`,
    table: (unit: Unit): string => (unit === "boxes" ? "Boxes per class and split" : "Images per class and split"),
    splitName: { train: "training", val: "validation" } as Record<string, string>,
    column: { train: "Train", val: "Validation" } as Record<string, string>,
    class: "Class",
    total: "Total",
    allClasses: "All classes",
    noCounts: "This version's report has no counts.",
    perSplit: "Images per split",
    splitColumn: "Split",
    background: "Background images (no boxes)",
    sizes: "Image sizes",
    sizeTable: "Width and height in pixels",
    dimension: "Dimension",
    width: "Width",
    height: "Height",
    min: "Smallest",
    median: "Median",
    max: "Largest",
    shortest: "Images by their shortest side, in pixels",
    bucket: "Shortest side",
    buckets: {
      "<64": "under 64",
      "64-223": "64–223",
      "224-511": "224–511",
      "512-1023": "512–1023",
      ">=1024": "1024 or more",
    } as Record<string, string>,
    count: "Images",
    formats: "File formats",
    modes: "Colour modes",
    noSizes: "This version's report has no image sizes.",
    examples: "Examples per class",
    boxesDrawn: "The labelled boxes are drawn on the examples.",
    example: (cls: string, n: number) => `${cls}: example ${n}`,
    noExamples: "This version has no example images.",
    duplicates: "Duplicates and leakage",
    kind: "What",
    howMany: "How many",
    first: "First files",
    exact: "Groups of exact copies",
    near: "Pairs that look nearly identical",
    leakage: "Validation images also in train (leakage)",
    conflicting: "Identical images with different labels",
    atLeast: (n: string) => `${n} or more`,
    noDuplicates: "No duplicates, and no image is both in train and in validation.",
    unreadable: "Unreadable files",
    unreadableCount: (n: string) => `${n} file(s) could not be read as images and were skipped:`,
    noUnreadable: "Every image could be read.",
    more: (n: string) => `and ${n} more`,
    issues: "Issues",
    noIssues: "No issues found.",
    severity: { error: "Error", warning: "Warning", info: "Note" } as Record<string, string>,
    advice: "What to do",
    versions: "Versions",
    version: (n: number) => `Version ${n}`,
    shown: "shown",
  },
  ru: {
    loading: "Загружаем набор данных…",
    notFound: "К вашим проектам",
    context: (name: string, version: number, count: number, date: string) =>
      `Набор данных «${name}», версия ${version} из ${count}, загружена ${date}.`,
    backToProject: "Назад к проекту",
    noVersion: (id: string) => `У этого набора нет версии ${id}; показана последняя версия.`,
    noVersions: "У этого набора данных пока нет версий.",
    verdictHeading: "Можно ли обучать?",
    ready: (v: number) => `Версия ${v} готова к обучению.`,
    readyNext: "Дальше: выберите модель для обучения.",
    warnings: (v: number) => `На версии ${v} можно обучать, но сначала проверьте замечания:`,
    warningsNext: "Можно обучать уже сейчас, а можно исправить замечания и загрузить новую версию.",
    blocked: (v: number) => `На версии ${v} пока нельзя обучать:`,
    blockedNext:
      "Обучение на этой версии завершится ошибкой. Исправьте данные, как сказано выше, и загрузите их как новую версию этого набора.",
    choose: "Выбрать модель",
    uploadVersion: "Загрузить новую версию",
    report: "Отчёт о качестве данных",
    summary: "Сводка",
    layout: "Формат",
    layouts: {
      imagefolder: "ImageFolder (папка на каждый класс)",
      csv: "CSV (список файлов и меток)",
      yolo: "YOLO",
      coco: "COCO",
    } as Record<string, string>,
    task: "Задача",
    tasks: { classify: "Классификация", detect: "Детекция объектов" } as Record<string, string>,
    split: "Разбиение на обучающую и проверочную выборки",
    splits: {
      given: "Задано в архиве",
      generated: "Сделано сервисом: стратифицированное разбиение 80/20 (в архиве его не было)",
    } as Record<string, string>,
    images: "Изображений",
    classes: "Классов",
    boxes: "Рамок",
    imbalance: "Крупнейший / наименьший обучающий класс",
    imbalanced: "дисбаланс: см. советы ниже",
    balanced: "баланс приемлемый",
    withoutLabels: "Изображений без файла разметки",
    emptyLabels: "Пустых файлов разметки",
    counts: "Количество по классам",
    perClass: (unit: Unit, split: string) =>
      unit === "boxes" ? `Рамки по классам, ${split}` : `Изображения по классам, ${split}`,
    table: (unit: Unit): string =>
      unit === "boxes" ? "Рамки по классам и выборкам" : "Изображения по классам и выборкам",
    splitName: { train: "обучающая выборка", val: "проверочная выборка" } as Record<string, string>,
    column: { train: "Обучение", val: "Проверка" } as Record<string, string>,
    class: "Класс",
    total: "Всего",
    allClasses: "Все классы",
    noCounts: "В отчёте этой версии нет количества по классам.",
    perSplit: "Изображения по выборкам",
    splitColumn: "Выборка",
    background: "Фоновые изображения (без рамок)",
    sizes: "Размеры изображений",
    sizeTable: "Ширина и высота в пикселях",
    dimension: "Измерение",
    width: "Ширина",
    height: "Высота",
    min: "Наименьшая",
    median: "Медиана",
    max: "Наибольшая",
    shortest: "Изображения по короткой стороне, в пикселях",
    bucket: "Короткая сторона",
    buckets: {
      "<64": "меньше 64",
      "64-223": "64–223",
      "224-511": "224–511",
      "512-1023": "512–1023",
      ">=1024": "1024 и больше",
    } as Record<string, string>,
    count: "Изображений",
    formats: "Форматы файлов",
    modes: "Цветовые режимы",
    noSizes: "В отчёте этой версии нет размеров изображений.",
    examples: "Примеры по классам",
    boxesDrawn: "На примерах нарисованы размеченные рамки.",
    example: (cls: string, n: number) => `${cls}: пример ${n}`,
    noExamples: "У этой версии нет примеров изображений.",
    duplicates: "Дубликаты и утечки",
    kind: "Что",
    howMany: "Сколько",
    first: "Первые файлы",
    exact: "Группы точных копий",
    near: "Почти одинаковые пары",
    leakage: "Проверочные изображения, которые есть и в обучающих (утечка)",
    conflicting: "Одинаковые изображения с разными метками",
    atLeast: (n: string) => `${n} и больше`,
    noDuplicates: "Дубликатов нет, и ни одно изображение не попало одновременно в обучающую и проверочную выборки.",
    unreadable: "Нечитаемые файлы",
    unreadableCount: (n: string) => `Файлов, которые не удалось прочитать как изображения и которые пропущены: ${n}.`,
    noUnreadable: "Все изображения прочитаны.",
    more: (n: string) => `и ещё ${n}`,
    issues: "Замечания",
    noIssues: "Замечаний нет.",
    severity: { error: "Ошибка", warning: "Предупреждение", info: "Заметка" } as Record<string, string>,
    advice: "Что делать",
    versions: "Версии",
    version: (n: number) => `Версия ${n}`,
    shown: "показана",
  },
};

type Text = (typeof TEXT)["en"];
type Json = { [key: string]: unknown };

const MAX_REPORTED = 50; // the service lists at most this many of each kind of duplicate
const SHOWN_FILES = 5;

// The report is free-form JSON and older versions lack newer keys: read it defensively.
function obj(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}
/** The numeric entries of an object, in its order. */
function numbers(value: unknown): [string, number][] {
  return Object.entries(obj(value)).flatMap(([key, n]) => (num(n) === undefined ? [] : [[key, n as number]]));
}

/** Horizontal bars, drawn for the eye only: the table beside them holds the same numbers. */
function Bars({ rows, lang }: { rows: [string, number][]; lang: Lang }) {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return (
    <ul className="bars" aria-hidden="true">
      {rows.map(([label, n]) => (
        <li key={label}>
          <span style={{ overflowWrap: "anywhere" }}>{label}</span>
          <div className="bar-track">
            <div className="bar" style={{ width: `${(n / max) * 100}%` }} />
          </div>
          <span className="number">{formatCount(n, lang)}</span>
        </li>
      ))}
    </ul>
  );
}

function Figure({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <figure className="chart">
      <figcaption>{caption}</figcaption>
      {children}
    </figure>
  );
}

function Summary({ version, report, t }: { version: DatasetVersionOut; report: Json; t: Text }) {
  const { lang } = useLang();
  const layout = str(report["layout"]);
  const task = str(report["task"]);
  const split = str(report["split_source"]) ?? version.split_source;
  const images = num(report["images"]) ?? num(version.stats["images"]);
  const classes = strings(report["classes"]).length || version.class_names.length;
  const ratio = num(report["imbalance_ratio"]);
  const rows: [string, ReactNode][] = [];
  if (layout) rows.push([t.layout, t.layouts[layout] ?? layout]);
  if (task) rows.push([t.task, t.tasks[task] ?? task]);
  if (split) rows.push([t.split, t.splits[split] ?? split]);
  if (images !== undefined) rows.push([t.images, formatCount(images, lang)]);
  if (classes) rows.push([t.classes, formatCount(classes, lang)]);
  const boxes = num(report["boxes"]);
  if (boxes !== undefined) rows.push([t.boxes, formatCount(boxes, lang)]);
  if (ratio !== undefined) {
    rows.push([t.imbalance, `${formatNumber(ratio, lang, 3)} : 1 (${ratio > 3 ? t.imbalanced : t.balanced})`]);
  }
  const withoutLabels = num(report["images_without_label_file"]);
  if (withoutLabels !== undefined) rows.push([t.withoutLabels, formatCount(withoutLabels, lang)]);
  const emptyLabels = num(report["empty_label_files"]);
  if (emptyLabels !== undefined) rows.push([t.emptyLabels, formatCount(emptyLabels, lang)]);
  return (
    <div className="table-scroll">
      <table>
        <caption>{t.summary}</caption>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Counts({ version, report, unit, t }: { version: DatasetVersionOut; report: Json; unit: Unit; t: Text }) {
  const { lang } = useLang();
  const source = Object.keys(obj(report["counts"])).length ? obj(report["counts"]) : version.stats;
  const splits = ["train", "val"].filter((split) => Object.keys(obj(source[split])).length > 0);
  const order = [...strings(report["classes"]), ...version.class_names];
  for (const split of splits) order.push(...Object.keys(obj(source[split])));
  const classes = [...new Set(order)];
  const count = (split: string, cls: string) => num(obj(source[split])[cls]) ?? 0;
  if (splits.length === 0 || classes.length === 0) return <p>{t.noCounts}</p>;
  const perSplit = numbers(report["images_per_split"]);
  const background = obj(report["background_images"]);
  return (
    <>
      <div className="grid-2">
        {splits.map((split) => (
          <Figure key={split} caption={t.perClass(unit, t.splitName[split] ?? split)}>
            <Bars rows={classes.map((cls) => [cls, count(split, cls)])} lang={lang} />
          </Figure>
        ))}
      </div>
      <div className="table-scroll">
        <table>
          <caption>{t.table(unit)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.class}</th>
              {splits.map((split) => (
                <th scope="col" key={split} className="number">
                  {t.column[split] ?? split}
                </th>
              ))}
              <th scope="col" className="number">
                {t.total}
              </th>
            </tr>
          </thead>
          <tbody>
            {classes.map((cls) => (
              <tr key={cls}>
                <th scope="row">{cls}</th>
                {splits.map((split) => (
                  <td key={split} className="number">
                    {formatCount(count(split, cls), lang)}
                  </td>
                ))}
                <td className="number">{formatCount(splits.reduce((sum, split) => sum + count(split, cls), 0), lang)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t.allClasses}</th>
              {splits.map((split) => (
                <td key={split} className="number">
                  {formatCount(classes.reduce((sum, cls) => sum + count(split, cls), 0), lang)}
                </td>
              ))}
              <td className="number">
                {formatCount(splits.reduce((all, split) => all + classes.reduce((sum, cls) => sum + count(split, cls), 0), 0), lang)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      {perSplit.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption>{t.perSplit}</caption>
            <thead>
              <tr>
                <th scope="col">{t.splitColumn}</th>
                <th scope="col" className="number">
                  {t.images}
                </th>
                {Object.keys(background).length > 0 && (
                  <th scope="col" className="number">
                    {t.background}
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {perSplit.map(([split, n]) => (
                <tr key={split}>
                  <th scope="row">{t.column[split] ?? split}</th>
                  <td className="number">{formatCount(n, lang)}</td>
                  {Object.keys(background).length > 0 && (
                    <td className="number">{formatCount(num(background[split]) ?? 0, lang)}</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function Sizes({ report, t }: { report: Json; t: Text }) {
  const { lang } = useLang();
  const sizes = obj(report["image_sizes"]);
  const px = (value: unknown) => {
    const n = num(value);
    return n === undefined ? "—" : n.toLocaleString(lang, { maximumFractionDigits: 1 });
  };
  const dimensions = (["width", "height"] as const).filter((key) => Object.keys(obj(sizes[key])).length > 0);
  const buckets = numbers(sizes["shortest_side"]);
  const formats = numbers(sizes["formats"]);
  const modes = numbers(sizes["modes"]);
  if (dimensions.length === 0 && buckets.length === 0) return <p>{t.noSizes}</p>;
  const tally = (rows: [string, number][]) => rows.map(([name, n]) => `${name}: ${formatCount(n, lang)}`).join(", ");
  return (
    <>
      {dimensions.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption>{t.sizeTable}</caption>
            <thead>
              <tr>
                <th scope="col">{t.dimension}</th>
                <th scope="col" className="number">
                  {t.min}
                </th>
                <th scope="col" className="number">
                  {t.median}
                </th>
                <th scope="col" className="number">
                  {t.max}
                </th>
              </tr>
            </thead>
            <tbody>
              {dimensions.map((key) => {
                const stats = obj(sizes[key]);
                return (
                  <tr key={key}>
                    <th scope="row">{t[key]}</th>
                    <td className="number">{px(stats["min"])}</td>
                    <td className="number">{px(stats["median"])}</td>
                    <td className="number">{px(stats["max"])}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {buckets.length > 0 && (
        <Figure caption={t.shortest}>
          <Bars rows={buckets.map(([name, n]) => [t.buckets[name] ?? name, n])} lang={lang} />
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">{t.shortest}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.bucket}</th>
                  <th scope="col" className="number">
                    {t.count}
                  </th>
                </tr>
              </thead>
              <tbody>
                {buckets.map(([name, n]) => (
                  <tr key={name}>
                    <th scope="row">{t.buckets[name] ?? name}</th>
                    <td className="number">{formatCount(n, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Figure>
      )}
      {(formats.length > 0 || modes.length > 0) && (
        <p>
          {formats.length > 0 && (
            <>
              {t.formats}: {tally(formats)}.{" "}
            </>
          )}
          {modes.length > 0 && (
            <>
              {t.modes}: {tally(modes)}.
            </>
          )}
        </p>
      )}
    </>
  );
}

function Examples({ version, report, t }: { version: DatasetVersionOut; report: Json; t: Text }) {
  const thumbnails = obj(report["thumbnails"]);
  const order = [...new Set([...strings(report["classes"]), ...version.class_names, ...Object.keys(thumbnails)])];
  const classes = order.filter((cls) => strings(thumbnails[cls]).length > 0);
  if (classes.length === 0) return <p>{t.noExamples}</p>;
  const src = (path: string) =>
    `/api/v1/dataset-versions/${encodeURIComponent(version.id)}/${path.split("/").map(encodeURIComponent).join("/")}`;
  return (
    <>
      {report["task"] === "detect" && <p>{t.boxesDrawn}</p>}
      {classes.map((cls) => (
        <div key={cls}>
          <h4>{cls}</h4>
          <ul className="thumbs">
            {strings(thumbnails[cls]).map((path, i) => (
              <li key={path}>
                <AuthImage src={src(path)} alt={t.example(cls, i + 1)} loading="lazy" />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </>
  );
}

function FileList({ files }: { files: string[] }) {
  return (
    <ul style={{ margin: 0, paddingLeft: "1.2rem" }}>
      {files.map((file, i) => (
        <li key={i} className="mono">
          {file}
        </li>
      ))}
    </ul>
  );
}

function Duplicates({ report, t }: { report: Json; t: Text }) {
  const { lang } = useLang();
  const duplicates = obj(report["duplicates"]);
  const groups = (key: string) => list(duplicates[key]).map(strings).filter((group) => group.length > 0);
  const rows: [string, string, string[][]][] = [
    [t.exact, " = ", groups("exact")],
    [t.near, " ≈ ", groups("near")],
    [t.leakage, " → ", groups("leakage")],
    [t.conflicting, " ≠ ", groups("conflicting_labels")],
  ];
  const found = rows.filter(([, , items]) => items.length > 0);
  if (found.length === 0) return <p>{t.noDuplicates}</p>;
  const howMany = (n: number) => (n >= MAX_REPORTED ? t.atLeast(formatCount(n, lang)) : formatCount(n, lang));
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">{t.duplicates}</caption>
        <thead>
          <tr>
            <th scope="col">{t.kind}</th>
            <th scope="col" className="number">
              {t.howMany}
            </th>
            <th scope="col">{t.first}</th>
          </tr>
        </thead>
        <tbody>
          {found.map(([label, joiner, items]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="number">{howMany(items.length)}</td>
              <td>
                <FileList files={items.slice(0, SHOWN_FILES).map((group) => group.join(joiner))} />
                {items.length > SHOWN_FILES && (
                  <span className="muted">{t.more(formatCount(items.length - SHOWN_FILES, lang))}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Unreadable({ report, t }: { report: Json; t: Text }) {
  const { lang } = useLang();
  const files = list(report["unreadable"]).map(obj);
  if (files.length === 0) return <p>{t.noUnreadable}</p>;
  const shown = files.slice(0, SHOWN_FILES * 2).map((f) => {
    const reason = str(f["reason"]);
    return reason ? `${str(f["file"]) ?? "?"}: ${reason}` : (str(f["file"]) ?? "?");
  });
  return (
    <>
      <p>{t.unreadableCount(formatCount(files.length, lang))}</p>
      <FileList files={shown} />
      {files.length > shown.length && <p className="muted">{t.more(formatCount(files.length - shown.length, lang))}</p>}
    </>
  );
}

function Issues({ report, t }: { report: Json; t: Text }) {
  const issues = list(report["issues"]).map(obj).filter((issue) => str(issue["message"]));
  if (issues.length === 0) return <p>{t.noIssues}</p>;
  const style = (severity: string) =>
    severity === "error" ? "badge-blocked" : severity === "warning" ? "badge-warning" : "badge-neutral";
  return (
    <ul className="list">
      {issues.map((issue, i) => {
        const severity = str(issue["severity"]) ?? "info";
        return (
          <li key={i} style={{ justifyContent: "flex-start" }}>
            <span className={`badge ${style(severity)}`}>{t.severity[severity] ?? severity}</span>
            <span>{str(issue["message"])}</span>
          </li>
        );
      })}
    </ul>
  );
}

function Report({ version, t }: { version: DatasetVersionOut; t: Text }) {
  const report = obj(version.report);
  const unit: Unit = report["task"] === "detect" ? "boxes" : "images";
  const advice = strings(report["advice"]);
  return (
    <section aria-labelledby="report-heading">
      <h2 id="report-heading">{t.report}</h2>
      <Summary version={version} report={report} t={t} />
      <h3>{t.counts}</h3>
      <Counts version={version} report={report} unit={unit} t={t} />
      <h3>{t.sizes}</h3>
      <Sizes report={report} t={t} />
      <h3>{t.examples}</h3>
      <Examples version={version} report={report} t={t} />
      <h3>{t.duplicates}</h3>
      <Duplicates report={report} t={t} />
      <h3>{t.unreadable}</h3>
      <Unreadable report={report} t={t} />
      <h3>{t.issues}</h3>
      <Issues report={report} t={t} />
      {advice.length > 0 && (
        <>
          <h3>{t.advice}</h3>
          <ul>
            {advice.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Verdict({ version, uploadLink, t }: { version: DatasetVersionOut; uploadLink: string; t: Text }) {
  const [search] = useSearchParams(); // a start from another project keeps its `project`
  const { status, reasons } = verdictOf(version);
  return (
    <section aria-labelledby="verdict-heading">
      <h2 id="verdict-heading">{t.verdictHeading}</h2>
      <p>
        <VerdictBadge status={status} /> {t[status](version.version)}
      </p>
      {reasons.length > 0 && (
        <ul>
          {reasons.map((reason, i) => (
            <li key={i}>{reason}</li>
          ))}
        </ul>
      )}
      {status === "blocked" ? (
        <Notice kind="warning">
          <p>{t.blockedNext}</p>
          <div className="actions">
            <Link className="button" to={uploadLink}>
              {t.uploadVersion}
            </Link>
          </div>
        </Notice>
      ) : (
        <>
          <p>{status === "ready" ? t.readyNext : t.warningsNext}</p>
          <div className="actions">
            <Link className="button" to={withProject(`/versions/${version.id}/choose`, search)}>
              {t.choose}
            </Link>
            <Link className="button button-secondary" to={uploadLink}>
              {t.uploadVersion}
            </Link>
          </div>
        </>
      )}
    </section>
  );
}

function Versions({ dataset, shown, uploadLink, t }: { dataset: DatasetOut; shown: string; uploadLink: string; t: Text }) {
  const { lang } = useLang();
  const versions = [...(dataset.versions ?? [])].sort((a, b) => b.version - a.version);
  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">{t.versions}</h2>
      <ul className="list">
        {versions.map((v) => {
          const current = v.id === shown;
          return (
            <li key={v.id}>
              <span>
                <Link
                  to={`/datasets/${dataset.id}?version=${v.id}`}
                  aria-current={current ? "page" : undefined}
                  style={current ? { fontWeight: 700 } : undefined}
                >
                  {t.version(v.version)}
                </Link>{" "}
                <span className="muted">
                  {new Date(v.created_at).toLocaleString(lang)}
                  {current && ` · ${t.shown}`}
                </span>
              </span>
              <VerdictBadge status={verdictOf(v).status} />
            </li>
          );
        })}
      </ul>
      <div className="actions">
        <Link className="button button-secondary" to={uploadLink}>
          {t.uploadVersion}
        </Link>
      </div>
    </section>
  );
}

export default function DatasetPage() {
  const { datasetId = "" } = useParams();
  const [search] = useSearchParams();
  const t = useText(TEXT);
  const { lang } = useLang();
  const step = useStepLabel("check");
  const dataset = useDataset(datasetId);
  const versions = dataset.data?.versions ?? [];
  const wanted = search.get("version");
  const latest = versions.reduce<DatasetVersionOut | undefined>((best, v) => (!best || v.version > best.version ? v : best), undefined);
  const version = versions.find((v) => v.id === wanted) ?? latest;
  const projectId = dataset.data?.project_id ?? "";
  const uploadLink = `/projects/${projectId}/upload?dataset=${datasetId}`;
  const blocked = version ? verdictOf(version).status === "blocked" : true;
  const title = dataset.data ? `${step} · ${dataset.data.name}${version ? ` v${version.version}` : ""}` : step;

  return (
    <>
      <Stepper
        current="check"
        links={
          dataset.data
            ? {
                upload: uploadLink,
                ...(version && !blocked ? { choose: withProject(`/versions/${version.id}/choose`, search) } : {}),
              }
            : {}
        }
      />
      <PageTitle title={title}>{step}</PageTitle>
      {dataset.isPending && <Loading label={t.loading} />}
      <ErrorNotice error={dataset.error} action={<Link to="/projects">{t.notFound}</Link>} />
      {dataset.data && (
        <>
          <p>
            {version
              ? t.context(
                  dataset.data.name,
                  version.version,
                  versions.length,
                  new Date(version.created_at).toLocaleString(lang),
                )
              : dataset.data.name}{" "}
            <Link to={`/projects/${projectId}`}>{t.backToProject}</Link>
          </p>
          {wanted && version && version.id !== wanted && (
            <Notice kind="warning">
              <p>{t.noVersion(wanted)}</p>
            </Notice>
          )}
          {version ? (
            <>
              <Verdict version={version} uploadLink={uploadLink} t={t} />
              <Report version={version} t={t} />
            </>
          ) : (
            <Notice>
              <p>{t.noVersions}</p>
              <Link to={uploadLink}>{t.uploadVersion}</Link>
            </Notice>
          )}
          <Versions dataset={dataset.data} shown={version?.id ?? ""} uploadLink={uploadLink} t={t} />
        </>
      )}
    </>
  );
}
