// One project: its datasets (with whether each can train), its jobs and its models.
import { Link, useParams } from "react-router-dom";
import { useDatasets, useJobs, useModels, useProject } from "../api/queries";
import { ChanceWarning, StateBadge, VerdictBadge, verdictOf } from "../components/Badges";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { formatPercent } from "../format";
import { useLang, useText } from "../i18n";

const TEXT = {
  en: {
    project: "Project",
    upload: "Upload a dataset",
    datasets: "Datasets",
    noDatasets: "No dataset yet. Upload a zip of images to start.",
    versions: (n: number) => `${n} version${n === 1 ? "" : "s"}`,
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
