// One project: its datasets (with whether each can train), the user's datasets in their other
// projects (each can train here too), its jobs and its models.
import { Link, useParams } from "react-router-dom";
import { useDatasets, useJobs, useModels, useOtherDatasets, useProject } from "../api/queries";
import { ChanceWarning, StateBadge, VerdictBadge, verdictOf } from "../components/Badges";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { formatPercent } from "../format";
import { useLang, useText } from "../i18n";
import { useProjects } from "./Projects";

const TEXT = {
  en: {
    project: "Project",
    upload: "Upload a dataset",
    datasets: "Datasets",
    noDatasets: "No dataset yet. Upload a zip of images to start.",
    versions: (n: number) => `${n} version${n === 1 ? "" : "s"}`,
    otherDatasets: "Datasets from your other projects",
    otherIntro: "A job in this project can train on any of your datasets; the dataset stays in its own project.",
    inProject: (name: string) => `in “${name}”`,
    version: (n: number) => `version ${n}`,
    classes: (n: number) => `${n} class${n === 1 ? "" : "es"}`,
    trainHere: "Train in this project",
    jobs: "Jobs",
    noJobs: "No jobs yet: open a dataset and choose a model to train.",
    models: "Models",
    noModels: "No trained models yet.",
    toProjects: "Go to your projects",
    loading: "Loading…",
    progress: "progress",
    classify: "classification",
    detect: "detection",
  },
  ru: {
    project: "Проект",
    upload: "Загрузить набор данных",
    datasets: "Наборы данных",
    noDatasets: "Данных пока нет. Загрузите zip-архив с изображениями.",
    versions: (n: number) => `версий: ${n}`,
    otherDatasets: "Наборы данных из других ваших проектов",
    otherIntro: "Задание в этом проекте может обучаться на любом вашем наборе данных; сам набор остаётся в своём проекте.",
    inProject: (name: string) => `в проекте «${name}»`,
    version: (n: number) => `версия ${n}`,
    classes: (n: number) => `классов: ${n}`,
    trainHere: "Обучить в этом проекте",
    jobs: "Задания",
    noJobs: "Заданий пока нет: откройте набор данных и выберите модель.",
    models: "Модели",
    noModels: "Обученных моделей пока нет.",
    toProjects: "К вашим проектам",
    loading: "Загрузка…",
    progress: "готово",
    classify: "классификация",
    detect: "детекция",
  },
};

/** The figure a model is compared by: accuracy for classifiers, mAP50 for detectors. */
export function headline(metrics: { [key: string]: unknown }): [string, number] | null {
  for (const name of ["accuracy", "map50"]) {
    const value = metrics[name];
    if (typeof value === "number") return [name === "map50" ? "mAP50" : name, value];
  }
  return null;
}

/** The user's datasets in their other projects, each with a way to train its latest version
 * in this one; nothing when there are none. */
function OtherDatasets({ projectId }: { projectId: string }) {
  const t = useText(TEXT);
  const others = useOtherDatasets(projectId);
  const projects = useProjects();
  const trainable = (others.data ?? []).flatMap((dataset) => {
    const latest = dataset.versions?.[dataset.versions.length - 1];
    return latest ? [{ dataset, latest }] : [];
  });
  if (!others.error && trainable.length === 0) return null;
  const projectName = (id: string) => projects.data?.find((project) => project.id === id)?.name;
  return (
    <section aria-labelledby="other-datasets-heading">
      <h2 id="other-datasets-heading">{t.otherDatasets}</h2>
      <p className="hint">{t.otherIntro}</p>
      <ErrorNotice error={others.error} />
      <ul className="list">
        {trainable.map(({ dataset, latest }) => {
          const project = projectName(dataset.project_id);
          return (
            <li key={dataset.id}>
              <span>
                <Link to={`/datasets/${dataset.id}`}>
                  <strong>{dataset.name}</strong>
                </Link>{" "}
                <span className="muted">
                  {[
                    project && t.inProject(project),
                    dataset.task === "detect" ? t.detect : t.classify,
                    t.version(latest.version),
                    t.classes(latest.class_names.length),
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                </span>
              </span>
              <Link to={`/versions/${latest.id}/choose?project=${projectId}`}>
                {t.trainHere}
                <span className="visually-hidden">: {dataset.name}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function ProjectPage() {
  const { projectId = "" } = useParams();
  const t = useText(TEXT);
  const { lang } = useLang();
  const project = useProject(projectId);
  const datasets = useDatasets(projectId);
  const jobs = useJobs(projectId);
  const models = useModels(projectId);
  const name = project.data?.name ?? t.project;
  if (project.error)
    return (
      <>
        <PageTitle title={name}>{name}</PageTitle>
        <ErrorNotice error={project.error} />
        <p>
          <Link to="/projects">{t.toProjects}</Link>
        </p>
      </>
    );
  return (
    <>
      <PageTitle title={name}>{name}</PageTitle>
      <div className="actions">
        <Link className="button" to={`/projects/${projectId}/upload`}>
          {t.upload}
        </Link>
      </div>
      <section aria-labelledby="datasets-heading">
        <h2 id="datasets-heading">{t.datasets}</h2>
        {datasets.isPending && <Loading label={t.loading} />}
        <ErrorNotice error={datasets.error} />
        {datasets.data?.length === 0 && <Notice>{t.noDatasets}</Notice>}
        <ul className="list">
          {datasets.data?.map((dataset) => {
            const latest = dataset.versions?.[dataset.versions.length - 1];
            return (
              <li key={dataset.id}>
                <span>
                  <Link to={`/datasets/${dataset.id}`}>
                    <strong>{dataset.name}</strong>
                  </Link>{" "}
                  <span className="muted">
                    {dataset.task === "detect" ? t.detect : t.classify} · {t.versions(dataset.versions?.length ?? 0)}
                  </span>
                </span>
                {latest && <VerdictBadge status={verdictOf(latest).status} />}
              </li>
            );
          })}
        </ul>
      </section>
      <OtherDatasets projectId={projectId} />
      <section aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">{t.jobs}</h2>
        <ErrorNotice error={jobs.error} />
        {jobs.data?.length === 0 && <Notice>{t.noJobs}</Notice>}
        <ul className="list">
          {jobs.data?.map((job) => (
            <li key={job.id}>
              <span>
                <Link to={`/jobs/${job.id}`}>
                  <strong>{job.kind === "search" ? `NAS · ${String(job.params["strategy"])}` : String(job.params["model"])}</strong>
                </Link>{" "}
                <span className="muted">
                  {new Date(job.created_at).toLocaleString(lang)} · {formatPercent(job.progress, lang, 0)} {t.progress}
                </span>
              </span>
              <StateBadge state={job.state} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="models-heading">
        <h2 id="models-heading">{t.models}</h2>
        <ErrorNotice error={models.error} />
        {models.data?.length === 0 && <Notice>{t.noModels}</Notice>}
        <ul className="list">
          {models.data?.map((model) => {
            const figure = headline(model.metrics);
            return (
              <li key={model.id}>
                <Link to={`/models/${model.id}`}>
                  <strong>{model.architecture}</strong>
                </Link>
                <span className="muted">
                  {figure ? `${figure[0]} ${formatPercent(figure[1], lang)}` : ""} ·{" "}
                  {new Date(model.created_at).toLocaleString(lang)}
                </span>
                <ChanceWarning metrics={model.metrics} classes={model.class_names.length} verdict={model.verdict} />
              </li>
            );
          })}
        </ul>
      </section>
    </>
  );
}
