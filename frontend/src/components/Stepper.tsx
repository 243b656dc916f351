// Where this screen is in the path from data to a model: an ordered list of the steps with
// `aria-current="step"` on this one; the title says "Step k of n: ...".
import { Link } from "react-router-dom";
import { useText } from "../i18n";

export type StepName = "upload" | "check" | "choose" | "settings" | "train" | "results";
export const STEPS: StepName[] = ["upload", "check", "choose", "settings", "train", "results"];

const TEXT = {
  en: {
    label: "Progress",
    upload: "Upload",
    check: "Check the data",
    choose: "Choose a model",
    settings: "Settings",
    train: "Train",
    results: "Results",
    of: (k: number, n: number) => `Step ${k} of ${n}`,
  },
  ru: {
    label: "Этапы",
    upload: "Загрузка",
    check: "Проверка данных",
    choose: "Выбор модели",
    settings: "Настройки",
    train: "Обучение",
    results: "Результаты",
    of: (k: number, n: number) => `Шаг ${k} из ${n}`,
  },
};

/** "Step k of n: name" for titles. */
export function useStepLabel(step: StepName): string {
  const t = useText(TEXT);
  return `${t.of(STEPS.indexOf(step) + 1, STEPS.length)}: ${t[step]}`;
}

export function Stepper({ current, links = {} }: { current: StepName; links?: Partial<Record<StepName, string>> }) {
  const t = useText(TEXT);
  const index = STEPS.indexOf(current);
  return (
    <nav aria-label={t.label} className="stepper">
      <ol>
        {STEPS.map((step, i) => {
          const href = links[step];
          const state = i < index ? "done" : i === index ? "current" : "todo";
          const label = (
            <>
              <span className="stepper-number" aria-hidden="true">
                {i + 1}
              </span>{" "}
              {t[step]}
            </>
          );
          return (
            <li key={step} className={`stepper-${state}`} aria-current={i === index ? "step" : undefined}>
              {href && i !== index ? <Link to={href}>{label}</Link> : <span>{label}</span>}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
