// A trained model: its metrics (flagged when no better than chance), per-class results and
// the confusion matrix with the images behind each cell, its most confident errors, trying
// it on your own images, export parity, and the package to download (checked by SHA-256).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api, ok, type ModelOut } from "../api/client";
import { downloadFile, fetchText } from "../api/download";
import { useEvaluation, useModel, useModelJson, usePackageFiles, useParity } from "../api/queries";
import { AuthImage } from "../components/AuthImage";
import { ChanceWarning } from "../components/Badges";
import { CodeBlock, languageOf } from "../components/CodeBlock";
import { LineChart, type Series } from "../components/LineChart";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { FamilyView } from "../components/SearchFamily";
import { PageTitle } from "../components/PageTitle";
import { Stepper, useStepLabel, type StepName } from "../components/Stepper";
import { Tabs } from "../components/Tabs";
import { formatBytes, formatCount, formatNumber, formatPercent } from "../format";
import { useLang, useText, type Lang } from "../i18n";

const MAX_PR_CLASSES = 10;
const MAX_TRY_IMAGES = 16; // the service's limit per request
const CELL_PAGE = 48; // images of a confusion-matrix cell shown at a time
const BOX_COLOURS = ["#c2410c", "#264d9b", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207"];
const SHOWN_TEXT_FILES = ["README.md", "predict.py"];

/** Russian plural: 1 изображение, 2 изображения, 5 изображений. */
function ruPlural(n: number, one: string, few: string, many: string): string {
  const m10 = n % 10;
  const m100 = n % 100;
  if (m10 === 1 && m100 !== 11) return one;
  if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
  return many;
}

const TEXT = {
  en: {
    loading: "Loading the model…",
    missingNext: "Check the address, or open the model from its project.",
    projects: "Go to your projects",
    architecture: "Architecture",
    task: "Task",
    classify: "image classification",
    detect: "object detection",
    classes: "Classes",
    created: "Created",
    trainedBy: "Trained by",
    theJob: "its training job",
    tabs: "Model",
    results: "Results",
    errors: "Errors",
    tryIt: "Try it",
    parity: "Parity",
    download: "Download",
    family: "Search family",
    metric: {
      accuracy: "Accuracy",
      macro_f1: "Macro F1",
      val_loss: "Validation loss",
      map50: "mAP50",
      map50_95: "mAP50-95",
      precision: "Precision",
      recall: "Recall",
    } as Record<string, string>,
    loadingEvaluation: "Loading the evaluation…",
    evaluationMissing:
      "The evaluation report could not be loaded. The model itself is fine: you can still try it and download its package.",
    images: "Validation images",
    perClass: "Per class",
    klass: "Class",
    f1: "F1",
    support: "Images",
    ap50: "AP50",
    ap5095: "AP50-95",
    instances: "Boxes",
    matrix: "Confusion matrix",
    matrixHelp:
      "Rows are the true class, columns the class the model predicted; the darker a cell, the more images. The diagonal holds the correct answers. Choose a number to see its images.",
    corner: "true ↓ · predicted →",
    cell: (n: number, truth: string, predicted: string) =>
      `${n} image${n === 1 ? "" : "s"} of ${truth} predicted as ${predicted}`,
    cellHeading: (truth: string, predicted: string, n: number) =>
      `${truth} predicted as ${predicted}: ${n} image${n === 1 ? "" : "s"}`,
    backToMatrix: "Back to the matrix",
    showMore: (n: number) => `Show ${n} more`,
    noPredictions: "This report has no per-image predictions, so the images behind the cell cannot be listed.",
    noDataset: "The dataset version of this model was deleted, so its images can only be named.",
    caption: (truth: string, predicted: string, confidence: string) => `${truth} → ${predicted}, ${confidence}`,
    imageAlt: (truth: string, predicted: string) => `An image of ${truth} the model predicted as ${predicted}`,
    confused: "Most often confused",
    confusedPair: (truth: string, predicted: string, n: number) => `${truth} taken for ${predicted}: ${n}`,
    prCurves: "Precision-recall curves",
    prNote: (shown: number, all: number) =>
      `Showing the ${shown} classes with the most boxes of ${all}; the table above lists every class.`,
    recallAxis: "recall",
    warnings: "Warnings about this evaluation",
    topErrors: "The most confident errors",
    topErrorsHelp:
      "Validation images the model got wrong while being most sure: often a mislabelled image, or two classes that look alike.",
    noErrors: "The model got every validation image right.",
    errorCaption: (truth: string, predicted: string, confidence: string) => `${truth} → ${predicted} (${confidence})`,
    tryIntro: "Run the model on your own images: they are sent to the service, run through the model's package and not stored.",
    files: (n: number) => `Images to try (1 to ${n}; JPEG, PNG…)`,
    topk: "Labels to show per image (top-k)",
    conf: "Minimum confidence of a box (0 to 1; empty: the package's default)",
    run: "Run the model",
    running: "Running the model…",
    noFiles: "Choose at least one image first.",
    tooMany: (n: number, max: number) => `You chose ${n} images; send at most ${max} at a time.`,
    tryNext: "Choose other images (JPEG or PNG, up to 20 MB each) and run the model again.",
    predictions: "Predictions",
    topFor: (file: string) => `Most likely labels for ${file}`,
    boxesFor: (file: string, n: number) => `${n} box${n === 1 ? "" : "es"} found in ${file}`,
    noBoxes: "No boxes above the confidence threshold.",
    box: (label: string, confidence: string, box: number[]) =>
      `${label} ${confidence}, from (${box[0]}, ${box[1]}) to (${box[2]}, ${box[3]}) px`,
    yourImage: (file: string) => `Your image ${file}`,
    loadingParity: "Loading the parity report…",
    parityMissing: "This model has no parity report. Its package can still be downloaded and tried.",
    parityIntro: (images: number) =>
      `Each format in the package was run on the same ${images} validation images as the PyTorch model (the reference), and their answers compared.`,
    parityRule: (min: string) =>
      `Rule: ONNX and TorchScript (32-bit) must give PyTorch's answer on at least ${min} of the predictions, or the package is not built.`,
    int8Rule: (min: string, drop: string) =>
      `The INT8 copy (smaller and faster on CPUs) ships only if it gives PyTorch's answer on at least ${min} of the predictions and loses at most ${drop} of accuracy; otherwise it is left out of the package, with the reason below.`,
    pytorchAccuracy: "PyTorch accuracy on these images",
    measure: "Measure",
    formatNames: { onnx: "ONNX", torchscript: "TorchScript", onnx_int8: "ONNX INT8" } as Record<string, string>,
    measures: {
      agreement: "Agreement with PyTorch",
      max_abs_logit_diff: "Largest logit difference",
      max_abs_prob_diff: "Largest probability difference",
      max_abs_score_diff: "Largest score difference",
      max_abs_output_diff: "Largest output difference",
      boxes: "Boxes compared",
      mean_iou: "Mean box overlap (IoU)",
      min_iou: "Smallest box overlap (IoU)",
      after_nms: "After NMS",
      accuracy: "Accuracy",
      accuracy_drop: "Accuracy drop against PyTorch",
      file: "File",
      quantization: "Quantization",
    } as Record<string, string>,
    meets: "meets the rule",
    below: "below the rule",
    fp32: "none (32-bit)",
    notProduced: (why: string) => `not in the package: ${why}`,
    noReason: "no reason recorded",
    quantMethod: { static_qdq: "static, calibrated (QDQ)", dynamic: "dynamic" } as Record<string, string>,
    afterNms: (m: number, missed: number, extra: number) => `${m} matched, ${missed} missed, ${extra} extra`,
    package: "The package",
    packageIntro:
      "One ZIP with the model in every format, predict.py, a small web service, and a README with how to use them.",
    downloadPackage: "Download the package",
    downloading: "Downloading…",
    size: "Size",
    sha: "SHA-256",
    copy: "Copy the SHA-256",
    copied: "Copied.",
    copyFailed: "Copying is not allowed here: select the text and copy it.",
    checkHint: (file: string) =>
      `After downloading, check it: sha256sum ${file} (Linux), shasum -a 256 ${file} (macOS) or Get-FileHash ${file} (Windows) must print the same.`,
    downloadNext: "Try again in a moment; if it keeps failing, the package may be missing on the server.",
    contents: "Files in the package",
    loadingFiles: "Loading the package's files…",
    fileName: "File",
    downloadFile: (name: string) => `Download ${name}`,
    show: (name: string) => `Show ${name}`,
    loadingText: "Loading…",
    familyIntro: "The architectures the search found, their accuracy against their cost, and the one this model is.",
    loadingFamily: "Loading the search family…",
  },
  ru: {
    loading: "Загружаем модель…",
    missingNext: "Проверьте адрес или откройте модель со страницы её проекта.",
    projects: "К вашим проектам",
    architecture: "Архитектура",
    task: "Задача",
    classify: "классификация изображений",
    detect: "поиск объектов",
    classes: "Классы",
    created: "Создана",
    trainedBy: "Обучена",
    theJob: "заданием обучения",
    tabs: "Модель",
    results: "Результаты",
    errors: "Ошибки",
    tryIt: "Проверить",
    parity: "Сверка форматов",
    download: "Скачать",
    family: "Семейство поиска",
    metric: {
      accuracy: "Доля верных ответов",
      macro_f1: "Macro F1 (среднее по классам)",
      val_loss: "Потери на проверке",
      map50: "mAP50",
      map50_95: "mAP50-95",
      precision: "Точность (precision)",
      recall: "Полнота (recall)",
    } as Record<string, string>,
    loadingEvaluation: "Загружаем оценку…",
    evaluationMissing:
      "Не удалось загрузить отчёт об оценке. С самой моделью всё в порядке: её можно проверить и скачать.",
    images: "Проверочных изображений",
    perClass: "По классам",
    klass: "Класс",
    f1: "F1",
    support: "Изображений",
    ap50: "AP50",
    ap5095: "AP50-95",
    instances: "Рамок",
    matrix: "Матрица ошибок",
    matrixHelp:
      "Строки — истинный класс, столбцы — класс, который предсказала модель; чем темнее клетка, тем больше изображений. На диагонали — верные ответы. Выберите число, чтобы увидеть изображения.",
    corner: "истинный ↓ · предсказанный →",
    cell: (n: number, truth: string, predicted: string) =>
      `${n} ${ruPlural(n, "изображение", "изображения", "изображений")} класса «${truth}» ${ruPlural(n, "распознано", "распознаны", "распознаны")} как «${predicted}»`,
    cellHeading: (truth: string, predicted: string, n: number) =>
      `«${truth}», распознанные как «${predicted}»: ${n} ${ruPlural(n, "изображение", "изображения", "изображений")}`,
    backToMatrix: "Вернуться к матрице",
    showMore: (n: number) => `Показать ещё ${n}`,
    noPredictions: "В этом отчёте нет предсказаний по отдельным изображениям, поэтому показать их нельзя.",
    noDataset: "Версия набора данных этой модели удалена, поэтому изображения можно только назвать.",
    caption: (truth: string, predicted: string, confidence: string) => `${truth} → ${predicted}, ${confidence}`,
    imageAlt: (truth: string, predicted: string) => `Изображение класса «${truth}», распознанное как «${predicted}»`,
    confused: "Чаще всего путает",
    confusedPair: (truth: string, predicted: string, n: number) => `«${truth}» принят за «${predicted}»: ${n}`,
    prCurves: "Кривые точности и полноты",
    prNote: (shown: number, all: number) =>
      `Показаны ${shown} классов с наибольшим числом рамок из ${all}; в таблице выше — все классы.`,
    recallAxis: "полнота",
    warnings: "Предупреждения об оценке",
    topErrors: "Самые уверенные ошибки",
    topErrorsHelp:
      "Проверочные изображения, на которых модель ошиблась, будучи наиболее уверенной: часто это неверная разметка или два похожих класса.",
    noErrors: "Модель верно распознала все проверочные изображения.",
    errorCaption: (truth: string, predicted: string, confidence: string) => `${truth} → ${predicted} (${confidence})`,
    tryIntro:
      "Запустите модель на своих изображениях: они отправляются в сервис, обрабатываются пакетом модели и не сохраняются.",
    files: (n: number) => `Изображения для проверки (от 1 до ${n}; JPEG, PNG…)`,
    topk: "Сколько меток показать для изображения (top-k)",
    conf: "Минимальная уверенность для рамки (от 0 до 1; пусто — как в пакете)",
    run: "Запустить модель",
    running: "Модель работает…",
    noFiles: "Сначала выберите хотя бы одно изображение.",
    tooMany: (n: number, max: number) => `Выбрано изображений: ${n}; за раз можно отправить не больше ${max}.`,
    tryNext: "Выберите другие изображения (JPEG или PNG, до 20 МБ каждое) и запустите модель ещё раз.",
    predictions: "Предсказания",
    topFor: (file: string) => `Наиболее вероятные метки для ${file}`,
    boxesFor: (file: string, n: number) => `${file}: ${ruPlural(n, "найдена", "найдено", "найдено")} ${n} ${ruPlural(n, "рамка", "рамки", "рамок")}`,
    noBoxes: "Нет рамок выше порога уверенности.",
    box: (label: string, confidence: string, box: number[]) =>
      `${label} ${confidence}, от (${box[0]}, ${box[1]}) до (${box[2]}, ${box[3]}) пикс.`,
    yourImage: (file: string) => `Ваше изображение ${file}`,
    loadingParity: "Загружаем сверку форматов…",
    parityMissing: "Для этой модели нет отчёта о сверке форматов. Пакет всё равно можно скачать и проверить.",
    parityIntro: (images: number) =>
      `Каждый формат из пакета запущен на тех же ${images} проверочных изображениях, что и модель PyTorch (эталон), и их ответы сравнены.`,
    parityRule: (min: string) =>
      `Правило: ONNX и TorchScript (32 бита) должны давать ответ PyTorch не менее чем в ${min} предсказаний, иначе пакет не собирается.`,
    int8Rule: (min: string, drop: string) =>
      `Копия INT8 (меньше и быстрее на процессоре) входит в пакет, только если даёт ответ PyTorch не менее чем в ${min} предсказаний и теряет не больше ${drop} точности; иначе её нет в пакете, причина — ниже.`,
    pytorchAccuracy: "Доля верных ответов PyTorch на этих изображениях",
    measure: "Показатель",
    formatNames: { onnx: "ONNX", torchscript: "TorchScript", onnx_int8: "ONNX INT8" } as Record<string, string>,
    measures: {
      agreement: "Совпадение с PyTorch",
      max_abs_logit_diff: "Наибольшее расхождение логитов",
      max_abs_prob_diff: "Наибольшее расхождение вероятностей",
      max_abs_score_diff: "Наибольшее расхождение оценок",
      max_abs_output_diff: "Наибольшее расхождение выхода",
      boxes: "Сравнено рамок",
      mean_iou: "Среднее перекрытие рамок (IoU)",
      min_iou: "Наименьшее перекрытие рамок (IoU)",
      after_nms: "После NMS",
      accuracy: "Доля верных ответов",
      accuracy_drop: "Потеря доли верных ответов относительно PyTorch",
      file: "Файл",
      quantization: "Квантование",
    } as Record<string, string>,
    meets: "соответствует правилу",
    below: "ниже порога",
    fp32: "нет (32 бита)",
    notProduced: (why: string) => `нет в пакете: ${why}`,
    noReason: "причина не записана",
    quantMethod: { static_qdq: "статическое, с калибровкой (QDQ)", dynamic: "динамическое" } as Record<string, string>,
    afterNms: (m: number, missed: number, extra: number) => `совпало ${m}, пропущено ${missed}, лишних ${extra}`,
    package: "Пакет",
    packageIntro:
      "Один ZIP-архив: модель во всех форматах, predict.py, небольшой веб-сервис и README с инструкцией.",
    downloadPackage: "Скачать пакет",
    downloading: "Скачиваем…",
    size: "Размер",
    sha: "SHA-256",
    copy: "Скопировать SHA-256",
    copied: "Скопировано.",
    copyFailed: "Копирование здесь запрещено: выделите текст и скопируйте его.",
    checkHint: (file: string) =>
      `После скачивания проверьте файл: sha256sum ${file} (Linux), shasum -a 256 ${file} (macOS) или Get-FileHash ${file} (Windows) должны вывести то же значение.`,
    downloadNext: "Повторите через минуту; если ошибка не проходит, возможно, пакет пропал с сервера.",
    contents: "Файлы в пакете",
    loadingFiles: "Загружаем список файлов пакета…",
    fileName: "Файл",
    downloadFile: (name: string) => `Скачать ${name}`,
    show: (name: string) => `Показать ${name}`,
    loadingText: "Загрузка…",
    familyIntro: "Архитектуры, найденные поиском, их точность в сравнении со стоимостью и та, которой стала эта модель.",
    loadingFamily: "Загружаем семейство поиска…",
  },
};

type Text = (typeof TEXT)["en"];
type Dict = { [key: string]: unknown };

const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const dict = (value: unknown): Dict => (value && typeof value === "object" && !Array.isArray(value) ? (value as Dict) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Whether a model finds boxes rather than naming one class. */
function isDetector(model: ModelOut): boolean {
  return model.task === "detect";
}

function formatMetric(name: string, value: number, lang: Lang): string {
  return name.includes("loss") ? formatNumber(value, lang, 3) : formatPercent(value, lang);
}

function percentOrDash(value: unknown, lang: Lang, digits = 1): string {
  const n = num(value);
  return n === undefined ? "—" : formatPercent(n, lang, digits);
}

/** A dataset image's URL: each path segment encoded, the slashes kept. */
function datasetImage(versionId: string, file: string, side: number): string {
  return `/api/v1/dataset-versions/${versionId}/images/${file.split("/").map(encodeURIComponent).join("/")}?max_side=${side}`;
}

function MetricList({ metrics, names }: { metrics: Dict; names: string[] }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const shown = names.filter((name) => num(metrics[name]) !== undefined);
  if (shown.length === 0) return null;
  return (
    <dl className="fields">
      {shown.map((name) => (
        <div key={name}>
          <dt>{t.metric[name] ?? name}</dt>
          <dd>
            <strong>{formatMetric(name, num(metrics[name])!, lang)}</strong>
          </dd>
        </div>
      ))}
    </dl>
  );
}

const CLASSIFY_METRICS = ["accuracy", "macro_f1", "val_loss"];
const DETECT_METRICS = ["map50", "map50_95", "precision", "recall"];

// ---------------------------------------------------------------- Results: classifiers

interface Cell {
  truth: number;
  predicted: number;
}

function ConfusionMatrix({
  classes,
  matrix,
  picked,
  onPick,
}: {
  classes: string[];
  matrix: number[][];
  picked: Cell | null;
  onPick: (cell: Cell) => void;
}) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const max = matrix.reduce((top, row) => row.reduce((m, n) => Math.max(m, n), top), 1);
  return (
    <div className="table-scroll">
      <table style={{ width: "auto" }}>
        <caption>
          <span className="visually-hidden">{t.matrix}: </span>
          <span className="hint" style={{ display: "block", fontWeight: 400 }}>
            {t.matrixHelp}
          </span>
        </caption>
        <thead>
          <tr>
            <td className="muted" style={{ fontSize: "0.8rem" }}>
              {t.corner}
            </td>
            {classes.map((name) => (
              <th scope="col" key={name}>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, truth) => (
            <tr key={truth}>
              <th scope="row">{classes[truth]}</th>
              {row.map((count, predicted) => {
                // at most 62 % of the accent over white: the ink keeps a 4.5:1 contrast
                const share = count / max;
                const selected = picked?.truth === truth && picked.predicted === predicted;
                return (
                  <td
                    key={predicted}
                    className="number"
                    style={{
                      background: count ? `rgba(38, 77, 155, ${(0.06 + 0.56 * share).toFixed(3)})` : undefined,
                      color: "var(--ink)",
                      padding: 0,
                      minWidth: "3rem",
                      border: "1px solid var(--line)",
                      fontWeight: truth === predicted ? 700 : 400,
                    }}
                  >
                    {count ? (
                      <button
                        type="button"
                        id={`cell-${truth}-${predicted}`}
                        aria-label={t.cell(count, classes[truth] ?? "", classes[predicted] ?? "")}
                        aria-pressed={selected}
                        onClick={() => onPick({ truth, predicted })}
                        style={{
                          background: "transparent",
                          color: "inherit",
                          border: selected ? "3px solid var(--focus)" : "none",
                          borderRadius: 0,
                          width: "100%",
                          padding: "0.35rem 0.5rem",
                          fontWeight: "inherit",
                          textAlign: "right",
                        }}
                      >
                        {formatCount(count, lang)}
                      </button>
                    ) : (
                      <span style={{ display: "block", padding: "0.35rem 0.5rem" }} className="muted">
                        0
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CellImages({
  model,
  classes,
  predictions,
  cell,
  onBack,
}: {
  model: ModelOut;
  classes: string[];
  predictions: Dict[] | null;
  cell: Cell;
  onBack: () => void;
}) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const heading = useRef<HTMLHeadingElement>(null);
  const [shown, setShown] = useState(CELL_PAGE);
  const truth = classes[cell.truth] ?? "";
  const predicted = classes[cell.predicted] ?? "";
  const images = useMemo(
    () =>
      (predictions ?? [])
        .filter((p) => p["label"] === truth && p["predicted"] === predicted)
        .sort((a, b) => (num(b["confidence"]) ?? 0) - (num(a["confidence"]) ?? 0)),
    [predictions, truth, predicted],
  );
  useEffect(() => {
    setShown(CELL_PAGE);
    heading.current?.focus();
  }, [cell.truth, cell.predicted]);
  const version = model.dataset_version_id;
  return (
    <div aria-labelledby="cell-heading" role="region">
      <h3 id="cell-heading" ref={heading} tabIndex={-1}>
        {t.cellHeading(truth, predicted, images.length)}
      </h3>
      {predictions === null && <Notice kind="warning">{t.noPredictions}</Notice>}
      {!version && predictions !== null && <Notice kind="warning">{t.noDataset}</Notice>}
      <ul className="thumbs">
        {images.slice(0, shown).map((p) => {
          const file = String(p["file"]);
          const confidence = percentOrDash(p["confidence"], lang);
          return (
            <li key={file}>
              <figure style={{ margin: 0, width: 120 }}>
                {version ? (
                  <AuthImage src={datasetImage(version, file, 160)} alt={t.imageAlt(truth, predicted)} width={96} height={96} />
                ) : null}
                <figcaption style={{ fontSize: "0.8rem" }}>
                  {t.caption(truth, predicted, confidence)}
                  <span className="muted mono" style={{ display: "block" }}>
                    {file}
                  </span>
                </figcaption>
              </figure>
            </li>
          );
        })}
      </ul>
      <div className="actions">
        {images.length > shown && (
          <button type="button" className="button-secondary" onClick={() => setShown((n) => n + CELL_PAGE)}>
            {t.showMore(Math.min(CELL_PAGE, images.length - shown))}
          </button>
        )}
        <button type="button" className="button-secondary" onClick={onBack}>
          {t.backToMatrix}
        </button>
      </div>
    </div>
  );
}

function ClassifierResults({ model, evaluation }: { model: ModelOut; evaluation: Dict }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const [picked, setPicked] = useState<Cell | null>(null);
  const classes = list(evaluation["classes"]).map(String);
  const names = classes.length ? classes : model.class_names;
  const perClass = dict(evaluation["per_class"]);
  const matrix = list(evaluation["confusion_matrix"]).map((row) => list(row).map((n) => num(n) ?? 0));
  const predictions = Array.isArray(evaluation["predictions"]) ? (evaluation["predictions"] as Dict[]) : null;
  const pairs = list(evaluation["confused_pairs"]).map(dict).slice(0, 5);
  const back = () => {
    const cell = picked;
    setPicked(null);
    if (cell) setTimeout(() => document.getElementById(`cell-${cell.truth}-${cell.predicted}`)?.focus());
  };
  return (
    <>
      <MetricList metrics={evaluation} names={CLASSIFY_METRICS} />
      <ChanceWarning metrics={evaluation} classes={names.length} />
      {predictions && (
        <p className="muted">
          {t.images}: {formatCount(predictions.length, lang)}
        </p>
      )}
      <h2>{t.perClass}</h2>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{t.perClass}</caption>
          <thead>
            <tr>
              <th scope="col">{t.klass}</th>
              <th scope="col" className="number">
                {t.metric["precision"]}
              </th>
              <th scope="col" className="number">
                {t.metric["recall"]}
              </th>
              <th scope="col" className="number">
                {t.f1}
              </th>
              <th scope="col" className="number">
                {t.support}
              </th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const row = dict(perClass[name]);
              return (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td className="number">{percentOrDash(row["precision"], lang)}</td>
                  <td className="number">{percentOrDash(row["recall"], lang)}</td>
                  <td className="number">{percentOrDash(row["f1"], lang)}</td>
                  <td className="number">{num(row["support"]) === undefined ? "—" : formatCount(num(row["support"])!, lang)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {matrix.length > 0 && (
        <>
          <h2>{t.matrix}</h2>
          <ConfusionMatrix classes={names} matrix={matrix} picked={picked} onPick={setPicked} />
          {picked && <CellImages model={model} classes={names} predictions={predictions} cell={picked} onBack={back} />}
        </>
      )}
      {pairs.length > 0 && (
        <>
          <h3>{t.confused}</h3>
          <ul>
            {pairs.map((pair, i) => (
              <li key={i}>{t.confusedPair(String(pair["true"]), String(pair["predicted"]), num(pair["count"]) ?? 0)}</li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

// ---------------------------------------------------------------- Results: detectors

function DetectorResults({ model, evaluation }: { model: ModelOut; evaluation: Dict }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const perClass = dict(evaluation["per_class"]);
  const names = Object.keys(perClass).length ? Object.keys(perClass) : model.class_names;
  const warnings = list(evaluation["warnings"]).map(String);
  const curves = dict(evaluation["pr_curves"]);
  const { series, all } = useMemo(() => {
    const withCurves = Object.keys(curves);
    const ranked = [...withCurves].sort(
      (a, b) => (num(dict(perClass[b])["instances"]) ?? 0) - (num(dict(perClass[a])["instances"]) ?? 0),
    );
    const series: Series[] = ranked.slice(0, MAX_PR_CLASSES).map((name) => {
      const curve = dict(curves[name]);
      const recall = list(curve["recall"]);
      const precision = list(curve["precision"]);
      const points: [number, number][] = [];
      recall.forEach((r, i) => {
        const p = precision[i];
        if (typeof r === "number" && typeof p === "number") points.push([r, p]);
      });
      return { label: name, points };
    });
    return { series, all: withCurves.length };
  }, [curves, perClass]);
  return (
    <>
      {warnings.length > 0 && (
        <Notice kind="warning">
          <p>
            <strong>{t.warnings}</strong>
          </p>
          <ul>
            {warnings.map((warning, i) => (
              <li key={i}>{warning}</li>
            ))}
          </ul>
        </Notice>
      )}
      <MetricList metrics={evaluation} names={DETECT_METRICS} />
      <h2>{t.perClass}</h2>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{t.perClass}</caption>
          <thead>
            <tr>
              <th scope="col">{t.klass}</th>
              <th scope="col" className="number">
                {t.ap50}
              </th>
              <th scope="col" className="number">
                {t.ap5095}
              </th>
              <th scope="col" className="number">
                {t.metric["precision"]}
              </th>
              <th scope="col" className="number">
                {t.metric["recall"]}
              </th>
              <th scope="col" className="number">
                {t.instances}
              </th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const row = dict(perClass[name]);
              return (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td className="number">{percentOrDash(row["ap50"], lang)}</td>
                  <td className="number">{percentOrDash(row["ap50_95"], lang)}</td>
                  <td className="number">{percentOrDash(row["precision"], lang)}</td>
                  <td className="number">{percentOrDash(row["recall"], lang)}</td>
                  <td className="number">{num(row["instances"]) === undefined ? "—" : formatCount(num(row["instances"])!, lang)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {series.length > 0 && (
        <>
          <h2>{t.prCurves}</h2>
          {all > series.length && <p className="muted">{t.prNote(series.length, all)}</p>}
          <LineChart title={t.prCurves} xLabel={t.recallAxis} series={series} />
        </>
      )}
    </>
  );
}

function ResultsTab({ model }: { model: ModelOut }) {
  const t = useText(TEXT);
  const evaluation = useEvaluation(model.id);
  if (evaluation.isPending) return <Loading label={t.loadingEvaluation} />;
  if (evaluation.error)
    return (
      <>
        <ErrorNotice error={evaluation.error} action={<p>{t.evaluationMissing}</p>} />
        <MetricList metrics={model.metrics} names={isDetector(model) ? DETECT_METRICS : CLASSIFY_METRICS} />
        <ChanceWarning metrics={model.metrics} classes={model.class_names.length} verdict={model.verdict} />
      </>
    );
  return isDetector(model) ? (
    <DetectorResults model={model} evaluation={evaluation.data} />
  ) : (
    <ClassifierResults model={model} evaluation={evaluation.data} />
  );
}

// ---------------------------------------------------------------- Errors

function ErrorsTab({ model }: { model: ModelOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const evaluation = useEvaluation(model.id);
  if (evaluation.isPending) return <Loading label={t.loadingEvaluation} />;
  if (evaluation.error) return <ErrorNotice error={evaluation.error} action={<p>{t.evaluationMissing}</p>} />;
  const errors = list(evaluation.data["top_errors"]).map(dict);
  return (
    <>
      <h2>{t.topErrors}</h2>
      <p className="muted">{t.topErrorsHelp}</p>
      {errors.length === 0 ? (
        <Notice kind="success">{t.noErrors}</Notice>
      ) : (
        <ul className="thumbs">
          {errors.map((error, i) => {
            const truth = String(error["label"]);
            const predicted = String(error["predicted"]);
            const thumbnail = typeof error["thumbnail"] === "string" ? error["thumbnail"] : null;
            const version = model.dataset_version_id;
            const src = thumbnail
              ? `/api/v1/models/${model.id}/files/${encodeURIComponent(thumbnail)}`
              : version
                ? datasetImage(version, String(error["file"]), 160)
                : null;
            return (
              <li key={i}>
                <figure style={{ margin: 0, width: 140 }}>
                  {src && <AuthImage src={src} alt={t.imageAlt(truth, predicted)} width={96} height={96} />}
                  <figcaption style={{ fontSize: "0.85rem" }}>
                    {t.errorCaption(truth, predicted, percentOrDash(error["confidence"], lang))}
                    <span className="muted mono" style={{ display: "block" }}>
                      {String(error["file"] ?? "")}
                    </span>
                  </figcaption>
                </figure>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

// ---------------------------------------------------------------- Try it

interface Prediction {
  file: string;
  top?: Dict[] | null;
  boxes?: Dict[] | null;
}

/** Object URLs of the user's own files, released when they change or the tab closes. */
function useObjectUrls(files: File[]): string[] {
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    const made = files.map((file) => (typeof URL.createObjectURL === "function" ? URL.createObjectURL(file) : ""));
    setUrls(made);
    return () => made.forEach((url) => url && URL.revokeObjectURL(url));
  }, [files]);
  return urls;
}

function TopLabels({ prediction }: { prediction: Prediction }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const top = (prediction.top ?? []).map(dict);
  return (
    <ol className="bars" aria-label={t.topFor(prediction.file)}>
      {top.map((entry, i) => {
        const p = num(entry["probability"]) ?? 0;
        return (
          <li key={i}>
            <span>{String(entry["label"])}</span>
            <span className="bar-track" aria-hidden="true">
              <span className="bar" style={{ display: "block", width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
            </span>
            <span className="number">{formatPercent(p, lang)}</span>
          </li>
        );
      })}
    </ol>
  );
}

function BoxedImage({ src, alt, boxes, labels }: { src: string; alt: string; boxes: Dict[]; labels: string[] }) {
  const { lang } = useLang();
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const pct = (value: number) => `${(value * 100).toFixed(3)}%`;
  return (
    <div style={{ position: "relative", display: "inline-block", maxWidth: "100%", lineHeight: 0 }}>
      {src && (
        <img
          src={src}
          alt={alt}
          style={{ display: "block", maxWidth: "100%", maxHeight: "24rem" }}
          onLoad={(event) => {
            const image = event.currentTarget;
            setSize({ width: image.naturalWidth, height: image.naturalHeight });
          }}
        />
      )}
      {size &&
        size.width > 0 &&
        boxes.map((entry, i) => {
          const box = list(entry["box"]).map((v) => num(v) ?? 0);
          const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = box;
          const label = String(entry["label"]);
          const colour = BOX_COLOURS[Math.max(0, labels.indexOf(label)) % BOX_COLOURS.length];
          return (
            <div
              key={i}
              className="drawn-box"
              aria-hidden="true"
              style={{
                position: "absolute",
                left: pct(x1 / size.width),
                top: pct(y1 / size.height),
                width: pct((x2 - x1) / size.width),
                height: pct((y2 - y1) / size.height),
                border: `2px solid ${colour}`,
                lineHeight: 1.2,
              }}
            >
              <span
                style={{
                  position: "absolute",
                  left: -2,
                  bottom: "100%",
                  background: colour,
                  color: "#ffffff",
                  fontSize: "0.75rem",
                  padding: "0 0.25rem",
                  whiteSpace: "nowrap",
                }}
              >
                {label} {formatPercent(num(entry["confidence"]) ?? 0, lang, 0)}
              </span>
            </div>
          );
        })}
    </div>
  );
}

function TryTab({ model }: { model: ModelOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const detector = isDetector(model);
  const maxTop = Math.max(1, Math.min(100, model.class_names.length || 100));
  const [files, setFiles] = useState<File[]>([]);
  const [topk, setTopk] = useState(String(Math.min(3, maxTop)));
  const [conf, setConf] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const urls = useObjectUrls(files);
  const predict = useMutation({
    mutationFn: async (chosen: File[]) => {
      const form = new FormData();
      for (const file of chosen) form.append("files", file, file.name);
      const query: { topk?: number; conf?: number } = {};
      if (!detector && topk) query.topk = Number(topk);
      if (detector && conf !== "") query.conf = Number(conf);
      return ok(
        await api.POST("/api/v1/models/{model_id}/predict", {
          params: { path: { model_id: model.id }, query },
          body: { files: [] },
          bodySerializer: () => form,
        }),
      ) as Prediction[];
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (files.length === 0) return setProblem(t.noFiles);
    if (files.length > MAX_TRY_IMAGES) return setProblem(t.tooMany(files.length, MAX_TRY_IMAGES));
    setProblem(null);
    predict.mutate(files);
  };
  const results = predict.data;
  return (
    <>
      <p className="muted">{t.tryIntro}</p>
      <form onSubmit={submit} noValidate>
        <div className="fields">
          <div className="field">
            <label htmlFor="try-files">{t.files(MAX_TRY_IMAGES)}</label>
            <input
              id="try-files"
              type="file"
              multiple
              accept="image/*"
              aria-describedby={problem || predict.error ? "try-problem" : undefined}
              onChange={(event) => {
                setFiles([...(event.target.files ?? [])]);
                setProblem(null);
                predict.reset();
              }}
            />
          </div>
          {detector ? (
            <div className="field">
              <label htmlFor="try-conf">{t.conf}</label>
              <input
                id="try-conf"
                type="number"
                min={0}
                max={1}
                step={0.05}
                value={conf}
                onChange={(event) => setConf(event.target.value)}
              />
            </div>
          ) : (
            <div className="field">
              <label htmlFor="try-topk">{t.topk}</label>
              <input
                id="try-topk"
                type="number"
                min={1}
                max={maxTop}
                value={topk}
                onChange={(event) => setTopk(event.target.value)}
              />
            </div>
          )}
        </div>
        <div className="actions">
          <button type="submit" disabled={predict.isPending}>
            {predict.isPending ? t.running : t.run}
          </button>
        </div>
        <div id="try-problem">
          {problem && <ErrorNotice error={problem} />}
          <ErrorNotice error={predict.error} action={<p>{t.tryNext}</p>} />
        </div>
      </form>
      {predict.isPending && <Loading label={t.running} />}
      {results && (
        <section aria-labelledby="predictions-heading" style={{ padding: 0, border: "none" }}>
          <h2 id="predictions-heading">{t.predictions}</h2>
          <ul className="list">
            {results.map((prediction, i) => {
              const src = urls[i] ?? "";
              const boxes = (prediction.boxes ?? []).map(dict);
              return (
                <li key={i} style={{ display: "block" }}>
                  <h3>{prediction.file}</h3>
                  <div className="grid-2">
                    <div>
                      {detector ? (
                        <BoxedImage src={src} alt={t.yourImage(prediction.file)} boxes={boxes} labels={model.class_names} />
                      ) : (
                        src && (
                          <img src={src} alt={t.yourImage(prediction.file)} style={{ maxWidth: "100%", maxHeight: "16rem" }} />
                        )
                      )}
                    </div>
                    <div>
                      {detector ? (
                        <>
                          <p id={`boxes-${i}`}>{t.boxesFor(prediction.file, boxes.length)}</p>
                          {boxes.length === 0 ? (
                            <p className="muted">{t.noBoxes}</p>
                          ) : (
                            <ul aria-labelledby={`boxes-${i}`}>
                              {boxes.map((entry, j) => (
                                <li key={j}>
                                  {t.box(
                                    String(entry["label"]),
                                    formatPercent(num(entry["confidence"]) ?? 0, lang, 0),
                                    list(entry["box"]).map((v) => Math.round(num(v) ?? 0)),
                                  )}
                                </li>
                              ))}
                            </ul>
                          )}
                        </>
                      ) : (
                        <TopLabels prediction={prediction} />
                      )}
                    </div>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </>
  );
}

// ---------------------------------------------------------------- Parity

const FP32 = new Set(["onnx", "torchscript"]);
const MEASURES = [
  "agreement",
  "max_abs_logit_diff",
  "max_abs_prob_diff",
  "max_abs_score_diff",
  "max_abs_output_diff",
  "boxes",
  "mean_iou",
  "min_iou",
  "after_nms",
  "accuracy",
  "accuracy_drop",
  "file",
  "quantization",
];

function measureText(name: string, format: string, entry: Dict, min: number, t: Text, lang: Lang): string {
  const value = entry[name];
  switch (name) {
    case "agreement": {
      const n = num(value);
      if (n === undefined) return "—";
      const verdict = FP32.has(format) ? ` (${n >= min ? t.meets : t.below})` : "";
      return `${formatPercent(n, lang, 2)}${verdict}`;
    }
    case "accuracy":
    case "accuracy_drop":
      return percentOrDash(value, lang, 2);
    case "boxes":
      return num(value) === undefined ? "—" : formatCount(num(value)!, lang);
    case "after_nms": {
      const counts = dict(value);
      return value ? t.afterNms(num(counts["matched"]) ?? 0, num(counts["missed"]) ?? 0, num(counts["extra"]) ?? 0) : "—";
    }
    case "file":
      return typeof value === "string" ? value : t.notProduced(String(entry["reason"] ?? t.noReason));
    case "quantization":
      if (FP32.has(format)) return t.fp32;
      if (typeof value === "string") return t.quantMethod[value] ?? value;
      return t.notProduced(String(entry["reason"] ?? t.noReason));
    default:
      return num(value) === undefined ? "—" : formatNumber(num(value)!, lang, 3);
  }
}

function ParityTab({ model }: { model: ModelOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const parity = useParity(model.id);
  if (parity.isPending) return <Loading label={t.loadingParity} />;
  if (parity.error) return <ErrorNotice error={parity.error} action={<p>{t.parityMissing}</p>} />;
  const data = parity.data;
  const formats = dict(data["formats"]);
  const names = Object.keys(formats);
  const min = num(data["min_fp32_agreement"]) ?? 0.995;
  const measures = MEASURES.filter(
    (name) => name === "quantization" || name === "file" || names.some((format) => dict(formats[format])[name] !== undefined),
  );
  const pytorch = num(data["pytorch_accuracy"]);
  return (
    <>
      <p>{t.parityIntro(num(data["images"]) ?? 0)}</p>
      <p>{t.parityRule(formatPercent(min, lang, 2))}</p>
      {names.includes("onnx_int8") && (
        <p>
          {t.int8Rule(
            formatPercent(num(data["min_int8_agreement"]) ?? 0.98, lang, 0),
            formatPercent(num(data["max_int8_accuracy_drop"]) ?? 0.01, lang, 0),
          )}
        </p>
      )}
      {pytorch !== undefined && (
        <p>
          {t.pytorchAccuracy}: <strong>{formatPercent(pytorch, lang, 2)}</strong>
        </p>
      )}
      <div className="table-scroll">
        <table>
          <caption>{t.parity}</caption>
          <thead>
            <tr>
              <th scope="col">{t.measure}</th>
              {names.map((format) => (
                <th scope="col" key={format}>
                  {t.formatNames[format] ?? format}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {measures.map((name) => (
              <tr key={name}>
                <th scope="row">{t.measures[name] ?? name}</th>
                {names.map((format) => (
                  <td key={format} className={name === "file" ? "mono" : undefined}>
                    {measureText(name, format, dict(formats[format]), min, t, lang)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

// ---------------------------------------------------------------- Download

function packageName(model: ModelOut): string {
  return `konstruktor-${model.architecture}-${model.id.slice(0, 8)}.zip`;
}

function PackageText({ model, name }: { model: ModelOut; name: string }) {
  const t = useText(TEXT);
  const [open, setOpen] = useState(false);
  const text = useQuery({
    queryKey: ["packageText", model.id, name],
    queryFn: () => fetchText(`/api/v1/models/${model.id}/package/${encodeURIComponent(name)}`),
    enabled: open,
    staleTime: Infinity,
  });
  return (
    <details open={open} onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary>{t.show(name)}</summary>
      {open && text.isPending && <Loading label={t.loadingText} />}
      <ErrorNotice error={text.error} action={<p>{t.downloadNext}</p>} />
      {text.data !== undefined && <CodeBlock code={text.data} language={languageOf(name)} label={name} />}
    </details>
  );
}

function DownloadTab({ model }: { model: ModelOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const files = usePackageFiles(model.id);
  const [copied, setCopied] = useState<string>("");
  const filename = packageName(model);
  const whole = useMutation({
    mutationFn: () => downloadFile(`/api/v1/models/${model.id}/download`, filename),
  });
  const one = useMutation({
    mutationFn: (name: string) =>
      downloadFile(`/api/v1/models/${model.id}/package/${encodeURIComponent(name)}?download=true`, name),
  });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(model.package_sha256);
      setCopied(t.copied);
    } catch {
      setCopied(t.copyFailed);
    }
  };
  const texts = SHOWN_TEXT_FILES.filter((name) => !files.data || files.data.some((file) => file.name === name));
  return (
    <>
      <h2>{t.package}</h2>
      <p className="muted">{t.packageIntro}</p>
      <div className="actions">
        <button type="button" onClick={() => whole.mutate()} disabled={whole.isPending} style={{ fontSize: "1.1rem" }}>
          {whole.isPending ? t.downloading : `${t.downloadPackage} (ZIP, ${formatBytes(model.package_size, lang)})`}
        </button>
      </div>
      <ErrorNotice error={whole.error} action={<p>{t.downloadNext}</p>} />
      <dl>
        <dt>{t.size}</dt>
        <dd>{formatBytes(model.package_size, lang)}</dd>
        <dt>{t.sha}</dt>
        <dd>
          <code className="mono" style={{ userSelect: "all" }}>
            {model.package_sha256}
          </code>{" "}
          <button type="button" className="button-secondary" onClick={() => void copy()}>
            {t.copy}
          </button>{" "}
          <span role="status">{copied}</span>
        </dd>
      </dl>
      <p className="hint">{t.checkHint(filename)}</p>

      <h2>{t.contents}</h2>
      {files.isPending && <Loading label={t.loadingFiles} />}
      <ErrorNotice error={files.error} action={<p>{t.downloadNext}</p>} />
      {files.data && (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{t.contents}</caption>
            <thead>
              <tr>
                <th scope="col">{t.fileName}</th>
                <th scope="col" className="number">
                  {t.size}
                </th>
                <th scope="col">{t.sha}</th>
                <th scope="col">
                  <span className="visually-hidden">{t.download}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {files.data.map((file) => (
                <tr key={file.name}>
                  <th scope="row" className="mono">
                    {file.name}
                  </th>
                  <td className="number">{formatBytes(file.size, lang)}</td>
                  <td className="mono">{file.sha256}</td>
                  <td>
                    <button
                      type="button"
                      className="button-secondary"
                      aria-label={t.downloadFile(file.name)}
                      disabled={one.isPending && one.variables === file.name}
                      onClick={() => one.mutate(file.name)}
                    >
                      {t.download}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorNotice error={one.error} action={<p>{t.downloadNext}</p>} />
      {texts.map((name) => (
        <PackageText key={name} model={model} name={name} />
      ))}
    </>
  );
}

// ---------------------------------------------------------------- Search family

function FamilyTab({ model }: { model: ModelOut }) {
  const t = useText(TEXT);
  const family = useModelJson(model.id, "family"); // the same query FamilyView reads
  return (
    <>
      <p className="muted">{t.familyIntro}</p>
      {family.isPending ? (
        <Loading label={t.loadingFamily} />
      ) : (
        <FamilyView model={model} versionId={model.dataset_version_id} initial={num(dict(family.data)["chosen"]) ?? null} />
      )}
    </>
  );
}

// ---------------------------------------------------------------- the page

function Header({ model }: { model: ModelOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const detector = isDetector(model);
  return (
    <section aria-labelledby="model-heading">
      <h2 id="model-heading">{model.architecture}</h2>
      <dl className="fields">
        <div>
          <dt>{t.task}</dt>
          <dd>{detector ? t.detect : t.classify}</dd>
        </div>
        <div>
          <dt>{t.classes}</dt>
          <dd>
            {formatCount(model.class_names.length, lang)}
            {model.class_names.length > 0 && model.class_names.length <= 12 && (
              <span className="muted"> ({model.class_names.join(", ")})</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t.created}</dt>
          <dd>{new Date(model.created_at).toLocaleString(lang)}</dd>
        </div>
        <div>
          <dt>{t.trainedBy}</dt>
          <dd>
            <Link to={`/jobs/${model.job_id}`}>{t.theJob}</Link>
          </dd>
        </div>
      </dl>
      <MetricList metrics={model.metrics} names={detector ? DETECT_METRICS : CLASSIFY_METRICS} />
      <ChanceWarning metrics={model.metrics} classes={model.class_names.length} verdict={model.verdict} />
    </section>
  );
}

export default function ModelPage() {
  const { modelId = "" } = useParams();
  const t = useText(TEXT);
  const step = useStepLabel("results");
  const query = useModel(modelId);
  const model = query.data;
  const links: Partial<Record<StepName, string>> = {};
  if (model) {
    links.train = `/jobs/${model.job_id}`;
    if (model.dataset_version_id) {
      links.choose = `/versions/${model.dataset_version_id}/choose`;
      links.settings = `/versions/${model.dataset_version_id}/settings`;
    }
  }
  const tabs = model
    ? [
        { id: "results", label: t.results, content: () => <ResultsTab model={model} /> },
        ...(isDetector(model) ? [] : [{ id: "errors", label: t.errors, content: () => <ErrorsTab model={model} /> }]),
        { id: "try", label: t.tryIt, content: () => <TryTab model={model} /> },
        { id: "parity", label: t.parity, content: () => <ParityTab model={model} /> },
        { id: "download", label: t.download, content: () => <DownloadTab model={model} /> },
        ...(model.architecture === "nas" || model.files.includes("family")
          ? [{ id: "family", label: t.family, content: () => <FamilyTab model={model} /> }]
          : []),
      ]
    : [];
  return (
    <>
      <Stepper current="results" links={links} />
      <PageTitle title={step}>{step}</PageTitle>
      {query.isPending && <Loading label={t.loading} />}
      <ErrorNotice
        error={query.error}
        action={
          <p>
            {t.missingNext} <Link to="/projects">{t.projects}</Link>
          </p>
        }
      />
      {model && (
        <>
          <Header model={model} />
          <section>
            <Tabs tabs={tabs} label={t.tabs} />
          </section>
        </>
      )}
    </>
  );
}
