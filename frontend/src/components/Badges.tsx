// Short, colour-and-text states: a dataset version's verdict, a job's state, a model that
// learnt nothing.
import type { Schemas } from "../api/client";
import { formatPercent } from "../format";
import { useLang, useText } from "../i18n";

export type ModelVerdict = Schemas["Verdict"];

const TEXT = {
  en: {
    chance: (chance: string) => `No better than chance (${chance}): this model has not learnt to tell the classes apart`,
    noObjects: "Finds almost nothing (mAP50 under 1 %): this model has not learnt to find the objects",
    baseline: (name: string, share: string) =>
      `No better than always answering “${name}”, the most frequent class (${share}): this model has not learnt to tell the classes apart`,
    noBoxes: (map50: string) => `Finds (almost) no objects (mAP50 ${map50}): this model has not learnt to find them`,
    ready: "Ready",
    warnings: "Ready, with warnings",
    blocked: "Blocked",
    queued: "Queued",
    running: "Running",
    succeeded: "Succeeded",
    failed: "Failed",
    cancelled: "Cancelled",
  },
  ru: {
    chance: (chance: string) => `Не лучше случайного угадывания (${chance}): модель не научилась различать классы`,
    noObjects: "Почти ничего не находит (mAP50 меньше 1 %): модель не научилась находить объекты",
    baseline: (name: string, share: string) =>
      `Не лучше, чем всегда отвечать «${name}», самый частый класс (${share}): модель не научилась различать классы`,
    noBoxes: (map50: string) => `(Почти) ничего не находит (mAP50 ${map50}): модель не научилась находить объекты`,
    ready: "Готов",
    warnings: "Готов, есть замечания",
    blocked: "Не готов",
    queued: "В очереди",
    running: "Выполняется",
    succeeded: "Готово",
    failed: "Ошибка",
    cancelled: "Отменено",
  },
};

export type VerdictStatus = "ready" | "warnings" | "blocked";

export function verdictOf(version: { verdict: { [key: string]: unknown } }): { status: VerdictStatus; reasons: string[] } {
  const status = version.verdict["status"];
  const reasons = version.verdict["reasons"];
  return {
    status: status === "blocked" || status === "warnings" ? status : "ready",
    reasons: Array.isArray(reasons) ? reasons.map(String) : [],
  };
}

export function VerdictBadge({ status }: { status: VerdictStatus }) {
  const t = useText(TEXT);
  const style = status === "ready" ? "badge-ready" : status === "warnings" ? "badge-warning" : "badge-blocked";
  return <span className={`badge ${style}`}>{t[status]}</span>;
}

type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export function StateBadge({ state }: { state: string }) {
  const t = useText(TEXT);
  const known = (["queued", "running", "succeeded", "failed", "cancelled"] as JobState[]).find((s) => s === state);
  const style =
    state === "succeeded" ? "badge-ready" : state === "failed" ? "badge-blocked" : state === "running" ? "badge-warning" : "badge-neutral";
  return <span className={`badge ${style}`}>{known ? t[known] : state}</span>;
}

/** Chance accuracy of a classifier over `classes` classes (answering one class always). */
export function chanceLevel(classes: number): number {
  return classes > 0 ? 1 / classes : 1;
}

/** mAP50 a detector must pass to count as having learnt anything. */
const DETECTOR_FLOOR = 0.01;

/** The service's verdict: given, or the one an evaluation.json carries. */
function verdictFrom(metrics: { [key: string]: unknown }, verdict?: ModelVerdict | null): ModelVerdict | null {
  if (verdict) return verdict;
  const recorded = metrics["verdict"];
  return recorded && typeof recorded === "object" && "better" in recorded ? (recorded as ModelVerdict) : null;
}

/** Whether a model learnt nothing: the service's verdict (not clearly better than the
 * majority-class baseline) when it gave one; for older models, a classifier no better than
 * answering at random (within 10 %), a detector with mAP50 under 1 %. */
export function nearChance(metrics: { [key: string]: unknown }, classes: number, verdict?: ModelVerdict | null): boolean {
  const judged = verdictFrom(metrics, verdict);
  if (judged) return !judged.better;
  const accuracy = metrics["accuracy"];
  const map50 = metrics["map50"];
  if (typeof map50 === "number") return map50 < DETECTOR_FLOOR;
  return typeof accuracy === "number" && classes >= 2 && accuracy <= chanceLevel(classes) * 1.1;
}

/** A warning when a model learnt nothing (see nearChance). */
export function ChanceWarning({
  metrics,
  classes,
  verdict,
}: {
  metrics: { [key: string]: unknown };
  classes: number;
  verdict?: ModelVerdict | null;
}) {
  const t = useText(TEXT);
  const { lang } = useLang();
  if (!nearChance(metrics, classes, verdict)) return null;
  const judged = verdictFrom(metrics, verdict);
  let text: string;
  if (judged?.metric === "map50") text = t.noBoxes(formatPercent(judged.score, lang));
  else if (judged) text = t.baseline(judged.baseline_class ?? "", formatPercent(judged.baseline, lang));
  else if (typeof metrics["map50"] === "number") text = t.noObjects;
  else text = t.chance(`${Math.round(chanceLevel(classes) * 100)} %`);
  return (
    <span role="note" className="badge badge-blocked">
      {text}
    </span>
  );
}
