// Every read of the app, one hook each, so a resource is fetched and cached under one key.
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "./client";

export const keys = {
  service: ["service"] as const,
  catalog: ["catalog"] as const,
  projects: ["projects"] as const,
  project: (id: string) => ["project", id] as const,
  datasets: (projectId: string) => ["datasets", projectId] as const,
  otherDatasets: (projectId: string) => ["otherDatasets", projectId] as const,
  dataset: (id: string) => ["dataset", id] as const,
  version: (id: string) => ["version", id] as const,
  jobs: (projectId: string) => ["jobs", projectId] as const,
  job: (id: string) => ["job", id] as const,
  models: (projectId: string) => ["models", projectId] as const,
  model: (id: string) => ["model", id] as const,
  evaluation: (id: string) => ["evaluation", id] as const,
  parity: (id: string) => ["parity", id] as const,
  modelFile: (id: string, name: string) => ["modelFile", id, name] as const,
  packageFiles: (id: string) => ["packageFiles", id] as const,
  apiKeys: ["apiKeys"] as const,
  recommendation: (projectId: string, versionId: string) => ["recommendation", projectId, versionId] as const,
};

export function useService() {
  return useQuery({ queryKey: keys.service, queryFn: async () => ok(await api.GET("/api/v1/service")), staleTime: Infinity });
}

export function useCatalog() {
  return useQuery({ queryKey: keys.catalog, queryFn: async () => ok(await api.GET("/api/v1/catalog")), staleTime: Infinity });
}

/** The catalog's classification models ranked for a dataset version by the recommender. A
 * POST, but a read: the same version ranks the same way, so it is kept like one. */
export function useRecommendation(projectId: string, versionId: string) {
  return useQuery({
    queryKey: keys.recommendation(projectId, versionId),
    staleTime: Infinity,
    queryFn: async () =>
      ok(
        await api.POST("/api/v1/projects/{project_id}/recommendations", {
          params: { path: { project_id: projectId } },
          body: { dataset_version_id: versionId },
        }),
      ),
  });
}

export function useProject(id: string) {
  return useQuery({
    queryKey: keys.project(id),
    queryFn: async () => ok(await api.GET("/api/v1/projects/{project_id}", { params: { path: { project_id: id } } })),
  });
}

export function useDatasets(projectId: string) {
  return useQuery({
    queryKey: keys.datasets(projectId),
    queryFn: async () =>
      ok(await api.GET("/api/v1/projects/{project_id}/datasets", { params: { path: { project_id: projectId } } })),
  });
}

/** The user's datasets in their other projects, newest first: any project can train on them. */
export function useOtherDatasets(projectId: string) {
  return useQuery({
    queryKey: keys.otherDatasets(projectId),
    queryFn: async () => ok(await api.GET("/api/v1/datasets", { params: { query: { exclude_project: projectId } } })),
  });
}

export function useDataset(id: string) {
  return useQuery({
    queryKey: keys.dataset(id),
    queryFn: async () => ok(await api.GET("/api/v1/datasets/{dataset_id}", { params: { path: { dataset_id: id } } })),
  });
}

export function useVersion(id: string) {
  return useQuery({
    queryKey: keys.version(id),
    queryFn: async () =>
      ok(await api.GET("/api/v1/dataset-versions/{version_id}", { params: { path: { version_id: id } } })),
  });
}

export function useJobs(projectId: string) {
  return useQuery({
    queryKey: keys.jobs(projectId),
    queryFn: async () => ok(await api.GET("/api/v1/jobs", { params: { query: { project_id: projectId } } })),
  });
}

export function useJob(id: string, refetchInterval: number | false = false) {
  return useQuery({
    queryKey: keys.job(id),
    refetchInterval,
    queryFn: async () => ok(await api.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id: id } } })),
  });
}

export function useModels(projectId: string) {
  return useQuery({
    queryKey: keys.models(projectId),
    queryFn: async () => ok(await api.GET("/api/v1/models", { params: { query: { project_id: projectId } } })),
  });
}

export function useModel(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.model(id),
    enabled,
    queryFn: async () => ok(await api.GET("/api/v1/models/{model_id}", { params: { path: { model_id: id } } })),
  });
}

export function useEvaluation(id: string) {
  return useQuery({
    queryKey: keys.evaluation(id),
    queryFn: async () =>
      ok(await api.GET("/api/v1/models/{model_id}/evaluation", { params: { path: { model_id: id } } })),
  });
}

export function useParity(id: string) {
  return useQuery({
    queryKey: keys.parity(id),
    queryFn: async () => ok(await api.GET("/api/v1/models/{model_id}/parity", { params: { path: { model_id: id } } })),
  });
}

/** A JSON file of the model (e.g. "family" of a search), or undefined when it has none. */
export function useModelJson(id: string, name: string, enabled = true) {
  return useQuery({
    queryKey: keys.modelFile(id, name),
    enabled,
    queryFn: async () => {
      const result = await api.GET("/api/v1/models/{model_id}/files/{name}", {
        params: { path: { model_id: id, name } },
        parseAs: "json",
      });
      return ok(result) as unknown;
    },
  });
}

export function usePackageFiles(id: string) {
  return useQuery({
    queryKey: keys.packageFiles(id),
    queryFn: async () =>
      ok(await api.GET("/api/v1/models/{model_id}/package", { params: { path: { model_id: id } } })),
  });
}
