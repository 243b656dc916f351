// One job as it runs: its history over REST first, then every change from its event stream
// (polling when the stream drops), progress with an estimate of the time left, its configuration
// (with the reasons for Konstruktor's choices), charts of its epochs (each with a table), its
// log, cancel / resume, and the way on to its model.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, ok, type JobOut, type Schemas } from "../api/client";
import { followJob } from "../api/events";
import { automaticChoices } from "../api/jobs";
import { keys, useJob, useModel } from "../api/queries";
import { ChanceWarning, StateBadge } from "../components/Badges";
import { LineChart, type Series } from "../components/LineChart";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { ProgressBar } from "../components/ProgressBar";
import { Stepper, useStepLabel, type StepName } from "../components/Stepper";
import { formatCount, formatDuration, formatMoney, formatNumber, formatPercent } from "../format";
import { useLang, useText, type Lang } from "../i18n";

const ACTIVE = new Set(["queued", "running"]);
const POLL_MS = 5_000; // polling while the event stream is down
const ANNOUNCE_MS = 5_000; // the progress status is announced at most this often
const LATEST_CANDIDATES = 10;
const TRAIN_SHARE = 0.9; // the share of a job's progress its engine spends training (mlcore)

/** The Russian prepositional form: на 1 машине, на 2 машинах. */
const onMachines = (n: number) => (n % 10 === 1 && n % 100 !== 11 ? "машине" : "машинах");

const TEXT = {
  en: {
    loading: "Loading the job…",
    notFoundNext: "Check the address, or open the job from its project.",
    projects: "Go to your projects",
    search: (strategy: string) => `Architecture search (${strategy})`,
    train: (model: string) => `Training ${model}`,
    state: "State",
    epoch: "Epoch",
    epochOf: (k: number, n: number) => `${k} of ${n}`,
    created: "Created",
    started: "Started",
    finished: "Finished",
    backend: "Runs on",
    attempt: "Attempt",
    attemptOf: (k: number, n: number) => `${k} of ${n}`,
    now: "Now",
    progress: "Progress", // one word: ProgressBar makes its element id from it
    waiting: "Waiting for a worker to start the job…",
    status: (k: number, n: number) => `Epoch ${k}/${n}`,
    left: (time: string) => `about ${time} left (an estimate from the progress so far)`,
    trainingLeft: (time: string) => `about ${time} of training left, then evaluation and export (the trainer's measured pace)`,
    expected: "Expected duration",
    expectedValue: (time: string, basis: string) => `about ${time} (${basis})`,
    cost: "Cost",
    costExpected: (estimate: string | null, ceiling: string) =>
      estimate ? `expected about ${estimate} (at most ${ceiling})` : `at most ${ceiling}`,
    costSoFar: (amount: string, time: string, machines: number) =>
      `${amount} so far, for ${time} of machine time on ${machines} ${machines === 1 ? "machine" : "machines"}`,
    costFinal: (amount: string, time: string, machines: number) =>
      `${amount} in all, for ${time} of machine time on ${machines} ${machines === 1 ? "machine" : "machines"}`,
    done: "Finished",
    live: "Live: updates arrive as the job runs.",
    connecting: "Connecting to the job's live updates…",
    polling: (s: number) =>
      `The live connection dropped; the page now checks the job every ${s} seconds instead.`,
    reconnect: "Reconnect the live updates",
    cancel: "Cancel the job",
    confirmCancel:
      "Stop this job? The epochs finished so far are kept, and you can resume it later from the last one.",
    stop: "Stop the job",
    keep: "Keep it running",
    stopping: "Stopping: the worker stops the job at its next check (a few seconds).",
    resume: "Resume the job",
    resuming: "Resuming…",
    resumeHint: "Resuming continues from the last finished epoch.",
    failedNoReason: "The job failed without a message.",
    failedNext:
      "Resume it to continue from the last finished epoch (useful after a crash or a lost worker), or change the settings and start a new job.",
    changeSettings: "Change the model or its settings",
    toProject: "Back to the project",
    cancelled: "This job was cancelled.",
    cancelledNext: "Resume it to continue from the last finished epoch, or choose other settings.",
    succeeded: "Training finished: the model is evaluated and packaged.",
    seeResults: "See the results",
    recording: "The model is being recorded; its link appears here in a moment.",
    earlyStopping: "Early stopping",
    earlyOff: "off (every epoch runs)",
    earlyNone: (patience: number) => `after ${patience} epochs without a better validation metric; no epoch has finished yet`,
    earlyStale: (stale: number, patience: number, metric: string, best: number) =>
      `no improvement for ${stale} of ${patience} epochs (best ${metric} at epoch ${best})`,
    earlyStopped: (patience: number, best: number) =>
      `stopped: ${patience} epochs without improvement; the model keeps epoch ${best}`,
    charts: "Charts",
    noEpochs: "No epoch has finished yet: the charts fill in as the job runs.",
    restoredNote: (n: number) =>
      `${n} epoch${n === 1 ? " was" : "s were"} restored from before the job was resumed (not trained again); the epoch table marks them.`,
    losses: "Losses",
    trainLoss: "training loss",
    valLoss: "validation loss",
    quality: "Quality on the validation images",
    accuracy: "accuracy",
    top5: "top-5 accuracy",
    precision: "precision",
    recall: "recall",
    lrTitle: "Learning rate",
    lr: "learning rate",
    epochAxis: "epoch",
    searchLoss: "Search: training loss of the supernet",
    searchAccuracy: "Search: validation accuracy at each probe",
    accuracyAt: (probe: string) => `accuracy at ${probe}`,
    temperatureTitle: "Search: temperature",
    temperature: "temperature",
    searchEpochAxis: "search epoch",
    front: (epoch: number) => `The current front (after search epoch ${epoch})`,
    frontIntro: "What each probe of the complexity vector s derives now: its operations, size and accuracy.",
    probe: "Probe",
    s: "s",
    ops: "Operations (edges each)",
    params: "Parameters",
    valAccuracy: "Validation accuracy",
    candidatesTitle: "Black-box search: candidates",
    candidateAxis: "candidate",
    proxy: "proxy accuracy",
    bestSoFar: "best so far",
    latest: "Latest candidates, newest first",
    candidate: "Candidate",
    proxyAccuracy: "Proxy accuracy",
    bestAccuracy: "Best so far",
    retrainTitle: "Retraining the chosen architecture: loss",
    retrainAxis: "retraining epoch",
    table: "Every epoch as a table",
    phase: "Phase",
    note: "Note",
    restored: "restored",
    searching: "searching",
    retraining: "retraining",
    log: "Log",
    configuration: "Configuration",
    configurationIntro: "Every parameter the job runs with; Konstruktor chose the ones marked “chosen”, from your data.",
    yes: "yes",
    no: "no",
    chosen: "chosen",
    chosenBecause: (reason: string) => `chosen: ${reason}`,
    noLog: "No log lines yet.",
  },
  ru: {
    loading: "Загружаем задание…",
    notFoundNext: "Проверьте адрес или откройте задание со страницы его проекта.",
    projects: "К вашим проектам",
    search: (strategy: string) => `Поиск архитектуры (${strategy})`,
    train: (model: string) => `Обучение ${model}`,
    state: "Состояние",
    epoch: "Эпоха",
    epochOf: (k: number, n: number) => `${k} из ${n}`,
    created: "Создано",
    started: "Запущено",
    finished: "Завершено",
    backend: "Где выполняется",
    attempt: "Попытка",
    attemptOf: (k: number, n: number) => `${k} из ${n}`,
    now: "Сейчас",
    progress: "Прогресс",
    waiting: "Ждём, пока обработчик возьмёт задание…",
    status: (k: number, n: number) => `Эпоха ${k}/${n}`,
    left: (time: string) => `осталось примерно ${time} (оценка по уже пройденному)`,
    trainingLeft: (time: string) => `обучения осталось примерно ${time}, затем проверка и экспорт (по скорости обучения)`,
    expected: "Ожидаемая длительность",
    expectedValue: (time: string, basis: string) => `около ${time} (${basis})`,
    cost: "Стоимость",
    costExpected: (estimate: string | null, ceiling: string) =>
      estimate ? `ожидается около ${estimate} (не больше ${ceiling})` : `не больше ${ceiling}`,
    costSoFar: (amount: string, time: string, machines: number) =>
      `пока ${amount}, за ${time} машинного времени на ${machines} ${onMachines(machines)}`,
    costFinal: (amount: string, time: string, machines: number) =>
      `итого ${amount}, за ${time} машинного времени на ${machines} ${onMachines(machines)}`,
    done: "Завершено",
    live: "Обновления приходят по мере выполнения задания.",
    connecting: "Подключаемся к обновлениям задания…",
    polling: (s: number) =>
      `Соединение для обновлений прервалось; теперь страница проверяет задание каждые ${s} секунд.`,
    reconnect: "Подключиться к обновлениям снова",
    cancel: "Отменить задание",
    confirmCancel:
      "Остановить задание? Завершённые эпохи сохранятся, и позже его можно будет продолжить с последней из них.",
    stop: "Остановить задание",
    keep: "Пусть работает",
    stopping: "Останавливаем: обработчик прервёт задание при следующей проверке (через несколько секунд).",
    resume: "Продолжить задание",
    resuming: "Продолжаем…",
    resumeHint: "Задание продолжится с последней завершённой эпохи.",
    failedNoReason: "Задание завершилось ошибкой без пояснения.",
    failedNext:
      "Продолжите его с последней завершённой эпохи (если причина — сбой или потерянный обработчик) или измените настройки и запустите новое задание.",
    changeSettings: "Выбрать другую модель или настройки",
    toProject: "Вернуться к проекту",
    cancelled: "Задание отменено.",
    cancelledNext: "Продолжите его с последней завершённой эпохи или выберите другие настройки.",
    succeeded: "Обучение завершено: модель оценена и упакована.",
    seeResults: "Посмотреть результаты",
    recording: "Модель сохраняется; ссылка на неё появится здесь через мгновение.",
    earlyStopping: "Ранняя остановка",
    earlyOff: "выключена (пройдут все эпохи)",
    earlyNone: (patience: number) =>
      `после ${patience} эпох без улучшения метрики на проверочных данных; ни одна эпоха ещё не завершилась`,
    earlyStale: (stale: number, patience: number, metric: string, best: number) =>
      `без улучшения ${stale} из ${patience} эпох (лучшее значение ${metric} — на эпохе ${best})`,
    earlyStopped: (patience: number, best: number) =>
      `сработала: ${patience} эпох без улучшения; модель берётся с эпохи ${best}`,
    charts: "Графики",
    noEpochs: "Ни одна эпоха ещё не завершилась: графики заполнятся по ходу обучения.",
    restoredNote: (n: number) =>
      `Эпох, восстановленных из сохранения до продолжения задания (заново не обучались): ${n}; в таблице эпох они отмечены.`,
    losses: "Функция потерь",
    trainLoss: "потери на обучении",
    valLoss: "потери на проверке",
    quality: "Качество на проверочных изображениях",
    accuracy: "доля верных ответов",
    top5: "доля верных в топ-5",
    precision: "точность (precision)",
    recall: "полнота (recall)",
    lrTitle: "Скорость обучения",
    lr: "скорость обучения",
    epochAxis: "эпоха",
    searchLoss: "Поиск: потери суперсети на обучении",
    searchAccuracy: "Поиск: доля верных ответов на проверке для каждого зонда",
    accuracyAt: (probe: string) => `доля верных при ${probe}`,
    temperatureTitle: "Поиск: температура",
    temperature: "температура",
    searchEpochAxis: "эпоха поиска",
    front: (epoch: number) => `Текущий фронт (после эпохи поиска ${epoch})`,
    frontIntro: "Что сейчас даёт каждый зонд вектора сложности s: операции, размер и точность.",
    probe: "Зонд",
    s: "s",
    ops: "Операции (число рёбер)",
    params: "Параметры",
    valAccuracy: "Доля верных ответов на проверке",
    candidatesTitle: "Поиск «чёрным ящиком»: кандидаты",
    candidateAxis: "кандидат",
    proxy: "доля верных после короткого обучения",
    bestSoFar: "лучшая на данный момент",
    latest: "Последние кандидаты, сначала новые",
    candidate: "Кандидат",
    proxyAccuracy: "Доля верных после короткого обучения",
    bestAccuracy: "Лучшая на данный момент",
    retrainTitle: "Дообучение выбранной архитектуры: потери",
    retrainAxis: "эпоха дообучения",
    table: "Все эпохи таблицей",
    phase: "Этап",
    note: "Примечание",
    restored: "восстановлена",
    searching: "поиск",
    retraining: "дообучение",
    log: "Журнал",
    configuration: "Конфигурация",
    configurationIntro: "Все параметры, с которыми выполняется задание; отмеченные «выбрано» Konstruktor подобрал по вашим данным.",
    yes: "да",
    no: "нет",
    chosen: "выбрано",
    chosenBecause: (reason: string) => `выбрано: ${reason}`,
    noLog: "Записей в журнале пока нет.",
  },
};

type Text = (typeof TEXT)["en"];
type Row = { [key: string]: unknown };

/** A field of an epoch row: the worker stores details beside the metrics; older rows may
 * keep them under `details`. */
function field(row: Row, key: string): unknown {
  if (key in row) return row[key];
  const details = row["details"];
  return details && typeof details === "object" ? (details as Row)[key] : undefined;
}

function numberOf(row: Row, key: string): number | undefined {
  const value = field(row, key);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function epochOf(row: Row): number {
  return numberOf(row, "epoch") ?? 0;
}

function series(rows: Row[], key: string, label: string, dashed = false, x: (row: Row) => number = epochOf): Series {
  const points: [number, number][] = [];
  for (const row of rows) {
    const y = numberOf(row, key);
    if (y !== undefined) points.push([x(row), y]);
  }
  return { label, points, dashed };
}

const withPoints = (list: Series[]) => list.filter((s) => s.points.length > 0);

/** "conv3 × 4, maxpool3 × 2": a cell's operations with the edges using each. */
function countsText(counts: unknown): string {
  if (!counts || typeof counts !== "object") return "—";
  const parts = Object.entries(counts as Record<string, unknown>)
    .filter(([, n]) => typeof n === "number" && n > 0)
    .map(([op, n]) => `${op} × ${String(n)}`);
  return parts.length ? parts.join(", ") : "—";
}

function vectorText(value: unknown, lang: Lang): string {
  return Array.isArray(value) ? `(${value.map((v) => (typeof v === "number" ? formatNumber(v, lang, 2) : String(v))).join("; ")})` : "—";
}

function percentOrDash(value: unknown, lang: Lang): string {
  return typeof value === "number" ? formatPercent(value, lang) : "—";
}

/** `value`, changed at most every `ms` milliseconds (the last change always arrives; the
 * first non-empty one at once). */
function useThrottled(value: string, ms: number): string {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = value && last.current ? last.current + ms - Date.now() : 0;
    if (wait <= 0) {
      last.current = value ? Date.now() : 0;
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}

type Feed = "connecting" | "live" | "polling";

/** Follows an active job's event stream into the query cache; polls when it drops. */
function useJobFeed(id: string, job: JobOut | undefined, refetch: () => unknown): [Feed, () => void] {
  const queryClient = useQueryClient();
  const [feed, setFeed] = useState<Feed>("connecting");
  const [attempt, setAttempt] = useState(0);
  const active = job !== undefined && ACTIVE.has(job.state);
  useEffect(() => {
    if (!active) return;
    setFeed("connecting");
    const stream = followJob(
      id,
      (update) => {
        setFeed("live");
        queryClient.setQueryData(keys.job(id), update);
      },
      () => {
        // `end` follows the last state; an end while the job is active means the stream broke
        const current = queryClient.getQueryData<JobOut>(keys.job(id));
        if (!current || ACTIVE.has(current.state)) setFeed("polling");
      },
      () => setFeed("polling"),
    );
    return () => stream.close();
  }, [id, active, attempt, queryClient]);
  useEffect(() => {
    if (!active || feed !== "polling") return;
    const timer = setInterval(() => void refetch(), POLL_MS);
    return () => clearInterval(timer);
  }, [active, feed, refetch]);
  return [feed, () => setAttempt((n) => n + 1)];
}

function Facts({ job }: { job: JobOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const time = (value: string | null | undefined) => (value ? new Date(value).toLocaleString(lang) : "—");
  return (
    <dl className="fields">
      <div>
        <dt>{t.state}</dt>
        <dd>
          <StateBadge state={job.state} />
        </dd>
      </div>
      <div>
        <dt>{t.epoch}</dt>
        <dd>{t.epochOf(job.epoch, job.epochs)}</dd>
      </div>
      <div>
        <dt>{t.created}</dt>
        <dd>{time(job.created_at)}</dd>
      </div>
      <div>
        <dt>{t.started}</dt>
        <dd>{time(job.started_at)}</dd>
      </div>
      {job.finished_at && (
        <div>
          <dt>{t.finished}</dt>
          <dd>{time(job.finished_at)}</dd>
        </div>
      )}
      <div>
        <dt>{t.backend}</dt>
        <dd>{job.compute_backend}</dd>
      </div>
      {typeof job.estimate_s === "number" && (
        <div>
          <dt>{t.expected}</dt>
          <dd>{t.expectedValue(formatDuration(job.estimate_s, lang), job.estimate_basis ?? "")}</dd>
        </div>
      )}
      {job.cost && (
        <div>
          <dt>{t.cost}</dt>
          <dd>{costText(job.cost, ACTIVE.has(job.state), t, lang)}</dd>
        </div>
      )}
      {job.attempts > 1 && (
        <div>
          <dt>{t.attempt}</dt>
          <dd>{t.attemptOf(job.attempts, job.max_attempts)}</dd>
        </div>
      )}
    </dl>
  );
}

/** What a job on a paid target is expected to cost until a machine has run, then what its
 * machine time has cost (its final cost once it is no longer active). */
function costText(cost: Schemas["JobCost"], active: boolean, t: Text, lang: Lang): string {
  const money = (amount: number) => formatMoney(amount, cost.currency, lang);
  const seconds = cost.machine_seconds ?? 0;
  if (active && seconds === 0) return t.costExpected(cost.estimate === null ? null : money(cost.estimate), money(cost.ceiling));
  const spent = active ? t.costSoFar : t.costFinal;
  return spent(money(cost.actual ?? 0), formatDuration(seconds, lang), cost.machines ?? 0);
}

const NOT_PARAMS = new Set(["chosen", "reasons"]);

/** A parameter's value as people read it: numbers in the page's language, yes/no, lists. */
function paramText(value: unknown, t: Text, lang: Lang): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? t.yes : t.no;
  if (typeof value === "number") return value.toLocaleString(lang, { maximumFractionDigits: 10, useGrouping: false });
  if (Array.isArray(value)) return value.map((item) => paramText(item, t, lang)).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The job's resolved configuration, each parameter with the reason Konstruktor chose it
 * (for the ones it chose). */
function Configuration({ job }: { job: JobOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const { chosen, reasons } = automaticChoices(job.params);
  const names = Object.keys(job.params).filter((name) => !NOT_PARAMS.has(name));
  if (names.length === 0) return null;
  return (
    <details>
      <summary>{t.configuration}</summary>
      <p className="hint">{t.configurationIntro}</p>
      <dl className="fields">
        {names.map((name) => {
          const reason = reasons.get(name);
          return (
            <div key={name}>
              <dt className="mono">{name}</dt>
              <dd>
                <span style={{ overflowWrap: "anywhere" }}>{paramText(job.params[name], t, lang)}</span>
                {(reason || chosen.has(name)) && (
                  <small className="hint" style={{ display: "block" }}>
                    ({reason ? t.chosenBecause(reason) : t.chosen})
                  </small>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </details>
  );
}

/** "Epoch k/N · about X left": while it trains, X is the training time left that the
 * engine reported (eta_s); else X = (now − started_at) × (1 − p) / p. A resumed attempt
 * starts (started_at) with its restored epochs already done: their share of the progress
 * (about 0.9 × restored / N, the engines' training share) is not counted as this attempt's. */
function statusText(job: JobOut, rows: Row[], t: Text, lang: Lang, now: number): string {
  if (job.state === "queued") return t.waiting;
  const epoch = job.epochs ? t.status(job.epoch, job.epochs) : "";
  if (!ACTIVE.has(job.state)) return [t.done, epoch].filter(Boolean).join(" · ");
  if (typeof job.eta_s === "number" && job.progress < TRAIN_SHARE) {
    return [epoch, t.trainingLeft(formatDuration(job.eta_s, lang))].filter(Boolean).join(" · ");
  }
  const restored = rows.reduce((last, row) => (field(row, "restored") === true ? Math.max(last, epochOf(row)) : last), 0);
  const p0 = job.epochs ? Math.min(TRAIN_SHARE * (restored / job.epochs), job.progress) : 0;
  const p = job.progress;
  const started = job.started_at ? Date.parse(job.started_at) : NaN;
  if (p > p0 && p < 1 && Number.isFinite(started) && now > started) {
    const left = ((now - started) / 1000) * ((1 - p) / (p - p0));
    return [epoch, t.left(formatDuration(left, lang))].filter(Boolean).join(" · ");
  }
  return epoch || job.message;
}

/** Early stopping of a training job: its patience against the epochs since the best one. */
function EarlyStopping({ job, rows }: { job: JobOut; rows: Row[] }) {
  const t = useText(TEXT);
  const patience = job.params["early_stopping_patience"];
  let text: string;
  if (typeof patience !== "number" || patience <= 0) {
    text = t.earlyOff;
  } else {
    // classifiers keep the best validation accuracy; ultralytics detectors its fitness
    // (0.1 mAP50 + 0.9 mAP50-95)
    const scored = rows
      .map((row) => {
        const accuracy = numberOf(row, "val_accuracy");
        const map50 = numberOf(row, "map50");
        const map = numberOf(row, "map50_95");
        const score = accuracy ?? (map50 !== undefined && map !== undefined ? 0.1 * map50 + 0.9 * map : map50);
        return { epoch: epochOf(row), score };
      })
      .filter((entry): entry is { epoch: number; score: number } => entry.score !== undefined);
    const metric = rows.some((row) => numberOf(row, "val_accuracy") !== undefined) ? t.accuracy : "mAP";
    if (scored.length === 0) {
      text = t.earlyNone(patience);
    } else {
      let best = scored[0]!;
      for (const entry of scored) if (entry.score > best.score) best = entry;
      const stale = scored.filter((entry) => entry.epoch > best.epoch).length;
      text =
        stale >= patience ? t.earlyStopped(patience, best.epoch) : t.earlyStale(stale, patience, metric, best.epoch);
    }
  }
  return (
    <p>
      <strong>{t.earlyStopping}:</strong> {text}
    </p>
  );
}

function FrontTable({ row }: { row: Row }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const front = field(row, "front");
  if (!Array.isArray(front) || front.length === 0) return null;
  return (
    <div className="table-scroll">
      <table>
        <caption>{t.front(epochOf(row))}</caption>
        <thead>
          <tr>
            <th scope="col">{t.probe}</th>
            <th scope="col">{t.s}</th>
            <th scope="col">{t.ops}</th>
            <th scope="col" className="number">
              {t.params}
            </th>
            <th scope="col" className="number">
              {t.valAccuracy}
            </th>
          </tr>
        </thead>
        <tbody>
          {(front as Row[]).map((entry, i) => (
            <tr key={i}>
              <th scope="row">{String(entry["probe"] ?? i + 1)}</th>
              <td>{vectorText(entry["s"], lang)}</td>
              <td>{countsText(entry["counts"])}</td>
              <td className="number">{typeof entry["params"] === "number" ? formatCount(entry["params"], lang) : "—"}</td>
              <td className="number">{percentOrDash(entry["val_accuracy"], lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CandidatesTable({ rows }: { rows: Row[] }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const latest = rows.slice(-LATEST_CANDIDATES).reverse();
  return (
    <div className="table-scroll">
      <table>
        <caption>{t.latest}</caption>
        <thead>
          <tr>
            <th scope="col">{t.candidate}</th>
            <th scope="col" className="number">
              {t.proxyAccuracy}
            </th>
            <th scope="col" className="number">
              {t.params}
            </th>
            <th scope="col">{t.ops}</th>
            <th scope="col" className="number">
              {t.bestAccuracy}
            </th>
          </tr>
        </thead>
        <tbody>
          {latest.map((row) => {
            const candidate = (field(row, "candidate") ?? {}) as Row;
            return (
              <tr key={epochOf(row)}>
                <th scope="row">
                  {epochOf(row)}
                  {field(row, "restored") === true && <span className="muted"> ({t.restored})</span>}
                </th>
                <td className="number">{percentOrDash(numberOf(row, "proxy_accuracy") ?? candidate["proxy_accuracy"], lang)}</td>
                <td className="number">
                  {typeof candidate["params"] === "number" ? formatCount(candidate["params"], lang) : "—"}
                </td>
                <td>{countsText(candidate["counts"])}</td>
                <td className="number">{percentOrDash(numberOf(row, "best_proxy_accuracy"), lang)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const HIDDEN_COLUMNS = new Set(["epoch", "phase", "restored", "front", "candidate", "best", "details"]);

/** Every epoch row with its numbers; rows replayed after a resume are marked "restored". */
function EpochTable({ rows, search }: { rows: Row[]; search: boolean }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const [open, setOpen] = useState(false);
  const columns = useMemo(() => {
    const names = new Set<string>();
    for (const row of rows) for (const [key, value] of Object.entries(row)) if (!HIDDEN_COLUMNS.has(key) && typeof value === "number") names.add(key);
    return [...names];
  }, [rows]);
  const phaseName = (phase: unknown) => (phase === "searching" ? t.searching : phase === "retraining" ? t.retraining : String(phase ?? ""));
  return (
    <details open={open} onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary>{t.table}</summary>
      {open && (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{t.table}</caption>
            <thead>
              <tr>
                <th scope="col">{t.epochAxis}</th>
                {search && <th scope="col">{t.phase}</th>}
                {columns.map((name) => (
                  <th scope="col" key={name} className="number">
                    {name}
                  </th>
                ))}
                <th scope="col">{t.note}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i}>
                  <th scope="row">{epochOf(row)}</th>
                  {search && <td>{phaseName(field(row, "phase"))}</td>}
                  {columns.map((name) => {
                    const value = numberOf(row, name);
                    return (
                      <td key={name} className="number">
                        {value === undefined ? "—" : formatNumber(value, lang, 4)}
                      </td>
                    );
                  })}
                  <td>{field(row, "restored") === true ? t.restored : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

function TrainCharts({ rows }: { rows: Row[] }) {
  const t = useText(TEXT);
  const charts = useMemo(() => {
    const losses = withPoints([series(rows, "train_loss", t.trainLoss), series(rows, "val_loss", t.valLoss, true)]);
    const quality = withPoints([
      series(rows, "val_accuracy", t.accuracy),
      series(rows, "val_top5_accuracy", t.top5, true),
      series(rows, "map50", "mAP50"),
      series(rows, "map50_95", "mAP50-95"),
      series(rows, "precision", t.precision),
      series(rows, "recall", t.recall),
    ]);
    const lr = withPoints([series(rows, "lr", t.lr)]);
    return { losses, quality, lr };
  }, [rows, t]);
  return (
    <div className="grid-2">
      <LineChart title={t.losses} xLabel={t.epochAxis} series={charts.losses} />
      {charts.quality.length > 0 && <LineChart title={t.quality} xLabel={t.epochAxis} series={charts.quality} />}
      {charts.lr.length > 0 && <LineChart title={t.lrTitle} xLabel={t.epochAxis} series={charts.lr} />}
    </div>
  );
}

function SearchCharts({ rows }: { rows: Row[] }) {
  const t = useText(TEXT);
  const { searching, retraining, blackbox, lastFront } = useMemo(() => {
    const searching = rows.filter((row) => field(row, "phase") === "searching");
    const retraining = rows.filter((row) => field(row, "phase") === "retraining");
    const blackbox = searching.filter((row) => numberOf(row, "proxy_accuracy") !== undefined);
    const lastFront = [...searching].reverse().find((row) => Array.isArray(field(row, "front")));
    return { searching, retraining, blackbox, lastFront };
  }, [rows]);
  const charts = useMemo(() => {
    const probes = [...new Set(searching.flatMap((row) => Object.keys(row).filter((key) => key.startsWith("val_accuracy_"))))];
    const offset = retraining.length ? Math.min(...retraining.map(epochOf)) - 1 : 0;
    return {
      loss: withPoints([series(searching, "train_loss", t.trainLoss)]),
      accuracy: withPoints(probes.map((key) => series(searching, key, t.accuracyAt(key.slice("val_accuracy_".length))))),
      temperature: withPoints([series(searching, "temperature", t.temperature)]),
      candidates: withPoints([series(blackbox, "proxy_accuracy", t.proxy), series(blackbox, "best_proxy_accuracy", t.bestSoFar, true)]),
      retrain: withPoints([series(retraining, "train_loss", t.trainLoss, false, (row) => epochOf(row) - offset)]),
    };
  }, [searching, retraining, blackbox, t]);
  return (
    <>
      <div className="grid-2">
        {charts.loss.length > 0 && <LineChart title={t.searchLoss} xLabel={t.searchEpochAxis} series={charts.loss} />}
        {charts.accuracy.length > 0 && (
          <LineChart title={t.searchAccuracy} xLabel={t.searchEpochAxis} series={charts.accuracy} />
        )}
        {charts.temperature.length > 0 && (
          <LineChart title={t.temperatureTitle} xLabel={t.searchEpochAxis} series={charts.temperature} />
        )}
        {charts.candidates.length > 0 && (
          <LineChart title={t.candidatesTitle} xLabel={t.candidateAxis} series={charts.candidates} />
        )}
        {charts.retrain.length > 0 && <LineChart title={t.retrainTitle} xLabel={t.retrainAxis} series={charts.retrain} />}
      </div>
      {lastFront && (
        <>
          <p className="muted">{t.frontIntro}</p>
          <FrontTable row={lastFront} />
        </>
      )}
      {blackbox.length > 0 && <CandidatesTable rows={blackbox} />}
    </>
  );
}

function Actions({ job }: { job: JobOut }) {
  const t = useText(TEXT);
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const cancel = useMutation({
    mutationFn: async () => ok(await api.POST("/api/v1/jobs/{job_id}/cancel", { params: { path: { job_id: job.id } } })),
    onSuccess: (updated) => {
      setConfirming(false);
      queryClient.setQueryData(keys.job(job.id), updated);
    },
  });
  const resume = useMutation({
    mutationFn: async () => ok(await api.POST("/api/v1/jobs/{job_id}/resume", { params: { path: { job_id: job.id } } })),
    onSuccess: (updated) => queryClient.setQueryData(keys.job(job.id), updated),
  });
  const settingsLink = job.dataset_version_id ? (
    <Link to={`/versions/${job.dataset_version_id}/choose`}>{t.changeSettings}</Link>
  ) : (
    <Link to={`/projects/${job.project_id}`}>{t.toProject}</Link>
  );
  const resumeButton = (
    <button type="button" onClick={() => resume.mutate()} disabled={resume.isPending}>
      {resume.isPending ? t.resuming : t.resume}
    </button>
  );
  const active = ACTIVE.has(job.state);
  return (
    <>
      {job.state === "failed" && (
        <ErrorNotice
          error={job.error || t.failedNoReason}
          action={
            <>
              <p>{t.failedNext}</p>
              <div className="actions">
                {resumeButton}
                {settingsLink}
              </div>
            </>
          }
        />
      )}
      {job.state === "cancelled" && (
        <Notice kind="warning">
          <p>{t.cancelled}</p>
          <p>{t.cancelledNext}</p>
          <div className="actions">
            {resumeButton}
            {settingsLink}
          </div>
        </Notice>
      )}
      {resume.error && (
        <ErrorNotice
          error={resume.error}
          action={
            <p>
              {settingsLink} · <Link to={`/projects/${job.project_id}`}>{t.toProject}</Link>
            </p>
          }
        />
      )}
      {active && job.cancel_requested && <Notice kind="warning">{t.stopping}</Notice>}
      {active && !job.cancel_requested && !confirming && (
        <div className="actions">
          <button ref={cancelButton} type="button" className="button-secondary" onClick={() => setConfirming(true)}>
            {t.cancel}
          </button>
        </div>
      )}
      {active && confirming && (
        <div role="alertdialog" aria-labelledby="confirm-cancel" className="notice notice-warning">
          <p id="confirm-cancel">{t.confirmCancel}</p>
          <div className="actions">
            <button ref={confirmButton} type="button" className="button-danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {t.stop}
            </button>
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setConfirming(false);
                setTimeout(() => cancelButton.current?.focus());
              }}
            >
              {t.keep}
            </button>
          </div>
        </div>
      )}
      <ErrorNotice error={cancel.error} />
    </>
  );
}

function Results({ job }: { job: JobOut }) {
  const t = useText(TEXT);
  const model = useModel(job.model_id ?? "", job.state === "succeeded" && Boolean(job.model_id));
  const link = useRef<HTMLAnchorElement>(null);
  const watched = useRef(false); // the page saw this job active: focus its results when done
  useEffect(() => {
    if (ACTIVE.has(job.state)) watched.current = true;
    else if (job.state === "succeeded" && job.model_id && watched.current) {
      watched.current = false;
      link.current?.focus();
    }
  }, [job.state, job.model_id]);
  if (job.state !== "succeeded") return null;
  return (
    <Notice kind="success">
      <p>{t.succeeded}</p>
      {model.data && <ChanceWarning metrics={model.data.metrics} classes={model.data.class_names.length} verdict={model.data.verdict} />}
      {job.model_id ? (
        <p>
          <Link ref={link} className="button" to={`/models/${job.model_id}`} style={{ fontSize: "1.1rem" }}>
            {t.seeResults}
          </Link>
        </p>
      ) : (
        <p>{t.recording}</p>
      )}
    </Notice>
  );
}

function Log({ job }: { job: JobOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [job.log.length]);
  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">{t.log}</h2>
      {job.log.length === 0 ? (
        <p className="muted">{t.noLog}</p>
      ) : (
        <div ref={list} role="log" aria-labelledby="log-heading" tabIndex={0} style={{ maxHeight: "18rem", overflowY: "auto" }}>
          <ol className="list">
            {job.log.map((line, i) => (
              <li key={i} style={{ justifyContent: "flex-start" }}>
                <time dateTime={line.created_at} className="muted mono">
                  {new Date(line.created_at).toLocaleTimeString(lang)}
                </time>{" "}
                <span>{line.message}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

export default function JobPage() {
  const { jobId = "" } = useParams();
  const t = useText(TEXT);
  const { lang } = useLang();
  const step = useStepLabel("train");
  const query = useJob(jobId);
  const job = query.data;
  const [feed, reconnect] = useJobFeed(jobId, job, query.refetch);
  const active = job !== undefined && ACTIVE.has(job.state);
  const rows = useMemo(() => {
    // one row per epoch (a repeated epoch: the later row wins), in order
    const byEpoch = new Map<number, Row>();
    for (const row of (job?.metrics_history ?? []) as Row[]) byEpoch.set(epochOf(row), row);
    return [...byEpoch.values()].sort((a, b) => epochOf(a) - epochOf(b));
  }, [job?.metrics_history]);
  const status = useThrottled(job ? statusText(job, rows, t, lang, Date.now()) : "", active ? ANNOUNCE_MS : 0);
  const restored = rows.filter((row) => field(row, "restored") === true).length;
  const isSearch = job?.kind === "search";
  const name = job
    ? isSearch
      ? t.search(String(job.params["strategy"] ?? "NAS"))
      : t.train(String(job.params["model"] ?? job.kind))
    : "";
  const links: Partial<Record<StepName, string>> = {};
  if (job?.dataset_version_id) {
    links.choose = `/versions/${job.dataset_version_id}/choose`;
    links.settings = `/versions/${job.dataset_version_id}/settings`;
  }
  if (job?.model_id) links.results = `/models/${job.model_id}`;
  return (
    <>
      <Stepper current="train" links={links} />
      <PageTitle title={step}>{step}</PageTitle>
      {query.isPending && <Loading label={t.loading} />}
      <ErrorNotice
        error={query.error}
        action={
          <p>
            {t.notFoundNext} <Link to="/projects">{t.projects}</Link>
          </p>
        }
      />
      {job && (
        <>
          <section aria-labelledby="job-heading">
            <h2 id="job-heading">{name}</h2>
            <Facts job={job} />
            <Configuration job={job} />
            <ProgressBar value={job.progress} label={t.progress} status={status} />
            {job.message && active && (
              <p>
                <strong>{t.now}:</strong> {job.message}
              </p>
            )}
            {active && (
              <p className="muted">
                {feed === "live" ? t.live : feed === "connecting" ? t.connecting : t.polling(POLL_MS / 1000)}{" "}
                {feed === "polling" && (
                  <button type="button" className="button-secondary" onClick={reconnect}>
                    {t.reconnect}
                  </button>
                )}
              </p>
            )}
            {!isSearch && <EarlyStopping job={job} rows={rows} />}
            <Results job={job} />
            <Actions job={job} />
          </section>
          <section aria-labelledby="charts-heading">
            <h2 id="charts-heading">{t.charts}</h2>
            {rows.length === 0 && <p className="muted">{t.noEpochs}</p>}
            {restored > 0 && <Notice>{t.restoredNote(restored)}</Notice>}
            {rows.length > 0 && (isSearch ? <SearchCharts rows={rows} /> : <TrainCharts rows={rows} />)}
            {rows.length > 0 && <EpochTable rows={rows} search={isSearch} />}
          </section>
          <Log job={job} />
        </>
      )}
    </>
  );
}
