// Short, colour-and-text states: a dataset version's verdict, a job's state.
import { useText } from "../i18n";

const TEXT = {
  en: {
    chance: (chance: string) => `No better than chance (${chance}): this model has not learnt to tell the classes apart`,
    noObjects: "Finds almost nothing (mAP50 under 1 %): this model has not learnt to find the objects",
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

/** Whether a model learnt nothing: a classifier no better than answering at random (within
 * 10 %), a detector with mAP50 under 1 %. */
export function nearChance(metrics: { [key: string]: unknown }, classes: number): boolean {
  const accuracy = metrics["accuracy"];
  const map50 = metrics["map50"];
  if (typeof map50 === "number") return map50 < DETECTOR_FLOOR;
  return typeof accuracy === "number" && classes >= 2 && accuracy <= chanceLevel(classes) * 1.1;
}

/** A warning when a model learnt nothing (see nearChance). */
export function ChanceWarning({ metrics, classes }: { metrics: { [key: string]: unknown }; classes: number }) {
  const t = useText(TEXT);
  if (!nearChance(metrics, classes)) return null;
  return (
    <span role="note" className="badge badge-blocked">
      {typeof metrics["map50"] === "number" ? t.noObjects : t.chance(`${Math.round(chanceLevel(classes) * 100)} %`)}
    </span>
  );
}
