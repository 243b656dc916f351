// Your projects: create, rename, delete (after a confirmation that names what goes with it).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { api, ok, type ProjectOut } from "../api/client";
import { ErrorNotice, Loading, Notice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { useLang, useText } from "../i18n";

const TEXT = {
  en: {
    title: "Projects",
    intro: "A project holds one dataset's versions, the models trained on them and their jobs.",
    name: "New project name",
    create: "Create project",
    none: "No projects yet: create one to upload a dataset.",
    rename: "Rename",
    renameTo: (name: string) => `New name for ${name}`,
    save: "Save",
    cancel: "Cancel",
    remove: "Delete",
    confirm: (name: string) =>
      `Delete “${name}” with its datasets, jobs and models? This cannot be undone.`,
    keep: "Keep it",
    created: "created",
    loading: "Loading projects…",
  },
  ru: {
    title: "Проекты",
    intro: "Проект хранит версии набора данных, обученные на них модели и их задания.",
    name: "Название нового проекта",
    create: "Создать проект",
    none: "Проектов пока нет: создайте проект, чтобы загрузить данные.",
    rename: "Переименовать",
    renameTo: (name: string) => `Новое название для ${name}`,
    save: "Сохранить",
    cancel: "Отмена",
    remove: "Удалить",
    confirm: (name: string) =>
      `Удалить «${name}» вместе с данными, заданиями и моделями? Это нельзя отменить.`,
    keep: "Оставить",
    created: "создан",
    loading: "Загружаем проекты…",
  },
};

export function useProjects() {
  return useQuery({
    queryKey: ["projects"],
    queryFn: async () => ok(await api.GET("/api/v1/projects")),
  });
}

function ProjectRow({ project }: { project: ProjectOut }) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<"view" | "rename" | "delete">("view");
  const [name, setName] = useState(project.name);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (mode === "delete") confirmButton.current?.focus();
  }, [mode]);
  const rename = useMutation({
    mutationFn: async () =>
      ok(
        await api.PATCH("/api/v1/projects/{project_id}", {
          params: { path: { project_id: project.id } },
          body: { name },
        }),
      ),
    onSuccess: () => {
      setMode("view");
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  const remove = useMutation({
    mutationFn: async () =>
      ok(await api.DELETE("/api/v1/projects/{project_id}", { params: { path: { project_id: project.id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["projects"] }),
  });
  return (
    <li>
      {mode === "rename" ? (
        <form
          className="actions"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            rename.mutate();
          }}
        >
          <label className="visually-hidden" htmlFor={`rename-${project.id}`}>
            {t.renameTo(project.name)}
          </label>
          <input id={`rename-${project.id}`} value={name} required onChange={(e) => setName(e.target.value)} autoFocus />
          <button type="submit">{t.save}</button>
          <button type="button" className="button-secondary" onClick={() => setMode("view")}>
            {t.cancel}
          </button>
        </form>
      ) : (
        <div>
          <Link to={`/projects/${project.id}`}>
            <strong>{project.name}</strong>
          </Link>{" "}
          <span className="muted">
            {t.created} {new Date(project.created_at).toLocaleDateString(lang)}
          </span>
        </div>
      )}
      {mode === "view" && (
        <div className="actions" style={{ margin: 0 }}>
          <button
            type="button"
            className="button-secondary"
            aria-label={`${t.rename} ${project.name}`}
            onClick={() => setMode("rename")}
          >
            {t.rename}
          </button>
          <button
            type="button"
            className="button-secondary"
            aria-label={`${t.remove} ${project.name}`}
            onClick={() => setMode("delete")}
          >
            {t.remove}
          </button>
        </div>
      )}
      {mode === "delete" && (
        <div role="alertdialog" aria-labelledby={`confirm-${project.id}`} className="notice notice-warning" style={{ width: "100%" }}>
          <p id={`confirm-${project.id}`}>{t.confirm(project.name)}</p>
          <div className="actions">
            <button ref={confirmButton} type="button" className="button-danger" onClick={() => remove.mutate()}>
              {t.remove}
            </button>
            <button type="button" className="button-secondary" onClick={() => setMode("view")}>
              {t.keep}
            </button>
          </div>
        </div>
      )}
      <ErrorNotice error={rename.error ?? remove.error} />
    </li>
  );
}

export function ProjectsPage() {
  const t = useText(TEXT);
  const queryClient = useQueryClient();
  const projects = useProjects();
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: async () => ok(await api.POST("/api/v1/projects", { body: { name } })),
    onSuccess: () => {
      setName("");
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  return (
    <>
      <PageTitle title={t.title}>{t.title}</PageTitle>
      <p className="muted">{t.intro}</p>
      <section>
        <form
          className="actions"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <div className="field" style={{ margin: 0 }}>
            <label htmlFor="project-name">{t.name}</label>
            <input id="project-name" value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
          </div>
          <button type="submit" disabled={create.isPending} style={{ alignSelf: "flex-end" }}>
            {t.create}
          </button>
        </form>
        <ErrorNotice error={create.error} />
      </section>
      <section aria-labelledby="projects-heading">
        <h2 id="projects-heading">{t.title}</h2>
        {projects.isPending && <Loading label={t.loading} />}
        <ErrorNotice error={projects.error} />
        {projects.data?.length === 0 && <Notice>{t.none}</Notice>}
        <ul className="list">
          {projects.data?.map((project) => <ProjectRow key={project.id} project={project} />)}
        </ul>
      </section>
    </>
  );
}
